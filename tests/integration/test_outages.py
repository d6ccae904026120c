"""A database outage is told honestly (issue 14, break 8): 503 with the JSON error shape and
Retry-After for the API, a readable 503 page for the console, and /healthz reports a database
that cannot be written. Before the fix: a plain-text 500, and /healthz "ok" on a read-only
SQLite file (it only ran SELECT 1).

What is simulated, and how (the tests run as root, which ignores file modes):
- PostgreSQL down: a real PostgreSQL URL pointing at a closed port on 127.0.0.1;
- PostgreSQL read-only: the test database set `default_transaction_read_only` (as a standby
  after failover answers);
- SQLite unwritable: the real file opened read-only (`?mode=ro` in a `file:` URI);
- SQLite disk full: `PRAGMA max_page_count` at the file's current size (SQLite then answers
  exactly as on a full disk, SQLITE_FULL);
- SQLite locked too long: another connection holds the write lock (BEGIN EXCLUSIVE) past a
  short busy timeout.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text

from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.services.access.accounts import NewPartner, create_partner
from lifeline.settings import Settings
from lifeline.web.app import create_app
from lifeline.web.deps import issue_token
from lifeline.worker import Worker
from support import FakeClock, alert_body, dumps, free_port, signed_headers


def settings_for(url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=url,
        data_key_file=tmp_path / "keys" / "lifeline.key",
        sqlite_synchronous="NORMAL",
        log_json=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[Path, NewPartner]]:
    """A migrated SQLite file with a partner, closed again."""
    path = tmp_path / "lifeline.db"
    app = bootstrap(settings_for(f"sqlite:///{path}", tmp_path))
    app.upgrade_db()
    partner = create_partner(app.ctx, "outage tests")
    Worker(app).beat()
    app.dispose()
    yield path, partner


def client(app: Lifeline) -> TestClient:
    return TestClient(
        create_app(app, embedded_worker=False),
        base_url="https://testserver",
        raise_server_exceptions=False,
        follow_redirects=False,
    )


def post_alert(web: TestClient, partner: NewPartner, body: Any = None) -> Any:
    raw = dumps(body or alert_body())
    return web.post("/api/v1/alerts", content=raw, headers=signed_headers(*keys(partner), raw))


def keys(partner: NewPartner) -> tuple[str, str]:
    return partner.key_id, partner.secret


def assert_503(response: Any, reason: str) -> None:
    assert response.status_code == 503, (response.status_code, response.text)
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "database_unavailable", error
    assert reason in error["message"], error


def test_postgresql_on_a_closed_port_answers_503_with_retry_after_everywhere(
    tmp_path: Path,
) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/lifeline"
    app = bootstrap(settings_for(url, tmp_path))
    try:
        web = client(app)
        raw = dumps(alert_body())
        alert = web.post(
            "/api/v1/alerts", content=raw, headers=signed_headers("pk_x", "secret", raw)
        )
        assert_503(alert, "cannot connect")
        assert "127.0.0.1" not in alert.text  # no host or port in what a partner reads
        token = issue_token(app, "op", 0)  # checking it needs the database
        cases = web.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        assert_503(cases, "cannot connect")
        health = web.get("/healthz")
        assert health.status_code == 503 and health.headers["Retry-After"]
        assert health.json() == {"status": "down", "database": "unavailable: cannot connect"}
        web.cookies.set("lifeline_session", "x" * 40)  # any session: checking it needs the db
        page = web.get("/console/queue")
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert "text/html" in page.headers["content-type"]
        assert "The database is unavailable" in page.text and "Nothing was saved" in page.text
        hindi = web.get("/console/queue?lang=hi")
        assert hindi.status_code == 503 and "डेटाबेस उपलब्ध नहीं है" in hindi.text
    finally:
        app.dispose()


def test_sqlite_file_that_cannot_be_written_answers_503_and_healthz_says_why(
    sqlite_file: tuple[Path, NewPartner], tmp_path: Path
) -> None:
    path, partner = sqlite_file
    app = bootstrap(settings_for(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path))
    try:
        web = client(app)
        health = web.get("/healthz")
        assert health.status_code == 503, health.text
        assert health.json()["database"].startswith("unavailable: read-only")
        assert_503(post_alert(web, partner), "read-only")
    finally:
        app.dispose()


def test_sqlite_disk_full_answers_503_and_loses_nothing_accepted_before(
    sqlite_file: tuple[Path, NewPartner], tmp_path: Path
) -> None:
    path, partner = sqlite_file
    app = bootstrap(settings_for(f"sqlite:///{path}", tmp_path))
    try:
        web = client(app)
        assert post_alert(web, partner).status_code == 202
        pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
        app.engine.dispose()

        @event.listens_for(app.engine, "connect")
        def _full(dbapi_conn: Any, _: Any) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

        big = alert_body(post={"text": "मदद " * 12_000}, reference="FB-big")
        assert_503(post_alert(web, partner, big), "disk full")
    finally:
        app.dispose()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 1


def test_sqlite_locked_past_the_busy_timeout_answers_503_and_healthz_says_busy(
    sqlite_file: tuple[Path, NewPartner], tmp_path: Path
) -> None:
    path, partner = sqlite_file
    app = bootstrap(settings_for(f"sqlite:///{path}", tmp_path))

    @event.listens_for(app.engine, "connect")
    def _impatient(dbapi_conn: Any, _: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process writing, and not letting go
    try:
        web = client(app)
        response = post_alert(web, partner)
        assert_503(response, "busy")
        assert response.headers["Retry-After"] == "5"
        health = web.get("/healthz")
        assert health.status_code == 503 and "busy" in health.json()["database"]
    finally:
        other.execute("ROLLBACK")
        other.close()
        app.dispose()


def test_healthz_is_ok_when_the_database_takes_a_write(
    sqlite_file: tuple[Path, NewPartner], tmp_path: Path
) -> None:
    path, _ = sqlite_file
    app = bootstrap(settings_for(f"sqlite:///{path}", tmp_path), clock=FakeClock())
    try:
        Worker(app).beat()
        health = client(app).get("/healthz")
        assert health.status_code == 200, health.text
        assert health.json()["database"] == "ok"
    finally:
        app.dispose()


def test_a_read_only_postgresql_is_reported_by_healthz_and_refused_with_503(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (SQLite: the read-only file test above)")
    app = bootstrap(settings_for(database_url, tmp_path))
    admin = create_engine(app.engine.url)
    name = app.engine.url.database
    try:
        app.upgrade_db()
        partner = create_partner(app.ctx, "standby tests")
        Worker(app).beat()
        assert client(app).get("/healthz").status_code == 200
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            conn.commit()
        app.engine.dispose()  # new connections get the setting, as after a failover
        web = client(app)
        health = web.get("/healthz")
        assert health.status_code == 503, health.text
        assert health.json()["database"].startswith("unavailable: read-only")
        assert_503(post_alert(web, partner), "read-only")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
            conn.commit()
        admin.dispose()
        app.dispose()
