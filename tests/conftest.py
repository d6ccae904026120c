"""Fixtures shared by every layer of tests.

Database tests run on SQLite always and on PostgreSQL when LIFELINE_TEST_DATABASE_URL is set
(.ci/run sets it). Each PostgreSQL test session gets its own database, created and dropped here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline.adapters.db.engine import normalise_url
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.settings import Settings
from support import FakeClock, RecordingSink

PG_ENV = "LIFELINE_TEST_DATABASE_URL"

# Tests never fail on time (speed is measured by bench/): no per-example deadline, which a
# loaded CI machine would otherwise trip.
hypothesis_settings.register_profile("lifeline", deadline=None)
hypothesis_settings.load_profile("lifeline")


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get(PG_ENV):
        return f"PostgreSQL tests: on ({PG_ENV} is set)"
    return f"PostgreSQL tests: SKIPPED ({PG_ENV} is not set; .ci/run sets it)"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped")
    name = f"lifeline_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_pg(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lifeline.db'}"
    url: str = request.getfixturevalue("pg_server_url")
    reset_pg(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_key_file=tmp_path / "keys" / "lifeline.key",
        event_webhooks="http://127.0.0.1:9/events",
        sqlite_synchronous="NORMAL",
        log_json=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def lifeline(settings: Settings, clock: FakeClock, sink: RecordingSink) -> Iterator[Lifeline]:
    """A wired application on a migrated database, with a fake clock and recording sink."""
    app = bootstrap(settings, clock=clock, events=sink)
    app.upgrade_db()
    try:
        yield app
    finally:
        app.dispose()
