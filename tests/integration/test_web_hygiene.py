"""Web hygiene (issue 14, break 9): acknowledgement tokens and other secrets never reach the
logs (the app's request log and uvicorn's access log, captured from a real server on
127.0.0.1), the SQLite file and the key file are created 0600, and /metrics and the API docs
are behind settings."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.cli import app as cli
from lifeline.observability import configure_logging
from lifeline.settings import Settings
from lifeline.web.app import create_app
from support import uvicorn_serving


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: logs, file modes and routes do not depend on the database."""
    return f"sqlite:///{tmp_path / 'lifeline.db'}"


# -- tokens out of the logs ---------------------------------------------------------------------
@pytest.fixture
def served(lifeline: Lifeline) -> Iterator[str]:
    """The app under a real uvicorn server with its access log on, as `uvicorn` run by hand
    (or a changed `lifeline serve`) would have it."""
    configure_logging("INFO", json_logs=True)
    app = create_app(lifeline, embedded_worker=False)
    with uvicorn_serving(app, log_config=None, access_log=True) as url:
        yield url


def test_acknowledgement_tokens_and_secret_parameters_never_reach_the_logs(
    lifeline: Lifeline,
    served: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    token = lifeline.ctx.ack_tokens.issue(1)
    secret = "gateway-shared-secret-123"
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    with httpx.Client(base_url=served) as http:
        assert http.get(f"/ack/{token}").status_code < 500
        http.post(f"/ack/{token}", data={"name": "SI Verma"})
        http.post(f"/api/v1/inbound/sms?token={secret}&from=9198", content=b"ACK 123")
        http.get("/console/queue?next=/console/cases/1")
    time.sleep(0.2)  # the access log line is written after the response
    app_log = capfd.readouterr()
    access = "\n".join(r.getMessage() for r in caplog.records if r.name == "uvicorn.access")
    everything = app_log.out + app_log.err + access
    assert "/ack/[redacted]" in app_log.out + app_log.err  # the app's request log
    assert "/ack/[redacted]" in access and "token=[redacted]" in access  # uvicorn's
    assert token not in everything and token.split(".")[0] not in everything
    assert secret not in everything
    assert "127.0.0.1" not in access  # a client address is personal data
    assert "/console/queue?next=/console/cases/1" in access  # the rest is left readable


# -- files created 0600 ---------------------------------------------------------------------------
def test_db_upgrade_creates_the_sqlite_file_and_key_readable_by_the_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIFELINE_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'lifeline.db'}")
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "var" / "lifeline.key"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o022)  # the usual umask: files 0644 unless made otherwise
    try:
        result = CliRunner().invoke(cli, ["db", "upgrade"])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in (tmp_path / "var").iterdir())
    assert {"lifeline.db", "lifeline.key"} <= set(made), made
    for path in (tmp_path / "var").iterdir():  # with -wal and -shm, if left
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path.name, oct(path.stat().st_mode))
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


def test_the_write_ahead_log_files_take_the_database_files_mode(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'lifeline.db'}",
        data_key_file=tmp_path / "lifeline.key",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = bootstrap(settings)
    try:
        app.upgrade_db()
        with app.engine.connect() as conn:  # an open connection keeps -wal and -shm
            wal = tmp_path / "lifeline.db-wal"
            assert wal.exists()
            for name in ("lifeline.db", "lifeline.db-wal", "lifeline.db-shm"):
                mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
                assert mode == 0o600, (name, oct(mode))
            conn.rollback()
    finally:
        app.dispose()


# -- /metrics and the docs behind settings -------------------------------------------------------
def client(lifeline: Lifeline, **changes: Any) -> TestClient:
    for name, value in changes.items():
        setattr(lifeline.settings, name, value)
    return TestClient(create_app(lifeline, embedded_worker=False))


def test_metrics_need_the_bearer_token_when_one_is_set(lifeline: Lifeline) -> None:
    web = client(lifeline, metrics_token=SecretStr("scrape-me-please"))
    assert web.get("/metrics").status_code == 401
    wrong = web.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "authentication_failed"
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    right = web.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
    assert right.status_code == 200 and "lifeline_alerts_received" in right.text


def test_metrics_without_a_token_are_open_in_development_and_closed_in_production(
    lifeline: Lifeline,
) -> None:
    assert client(lifeline).get("/metrics").status_code == 200
    closed = client(lifeline, env="production").get("/metrics")
    assert closed.status_code == 403 and "LIFELINE_METRICS_TOKEN" in closed.text


def test_api_docs_are_public_in_development_and_hidden_in_production(lifeline: Lifeline) -> None:
    paths = ("/docs", "/redoc", "/openapi.json")
    open_web = client(lifeline)
    assert [open_web.get(p).status_code for p in paths] == [200, 200, 200]
    hidden = client(lifeline, env="production")
    assert [hidden.get(p).status_code for p in paths] == [404, 404, 404]
    shown = client(lifeline, env="production", public_docs=True)
    assert [shown.get(p).status_code for p in paths] == [200, 200, 200]
    closed = client(lifeline, env="development", public_docs=False)
    assert [closed.get(p).status_code for p in paths] == [404, 404, 404]
    assert closed.get("/healthz").status_code in (200, 503)  # the API itself still answers


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIFELINE_ENV", "production")
    monkeypatch.setenv("LIFELINE_METRICS_TOKEN", "t0ken")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.env == "production" and not settings.docs_public
    assert settings.metrics_token is not None
    monkeypatch.setenv("LIFELINE_PUBLIC_DOCS", "true")
    assert Settings(_env_file=None).docs_public  # type: ignore[call-arg]
    monkeypatch.setenv("LIFELINE_ENV", "staging")
    with pytest.raises(ValueError, match="development"):
        Settings(_env_file=None)  # type: ignore[call-arg]
