"""Fixtures shared by every layer of tests.

Database tests run on SQLite always and on PostgreSQL when LIFELINE_TEST_DATABASE_URL is set
(.ci/run sets it). Each PostgreSQL test session gets its own database, created and dropped here
(so does each pytest-xdist worker: a worker is a session). The schema is migrated once per
session and copied for each test that wants a migrated database (`migrated_database_url`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline.adapters.crypto import passwords
from lifeline.adapters.db import migrate
from lifeline.adapters.db.engine import create_private_file, make_engine, normalise_url
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.settings import Settings
from support import FakeClock, RecordingSink

PG_ENV = "LIFELINE_TEST_DATABASE_URL"

# Tests never fail on time (speed is measured by bench/): no per-example deadline, which a
# loaded CI machine would otherwise trip.
hypothesis_settings.register_profile("lifeline", deadline=None)
hypothesis_settings.load_profile("lifeline")


class TestPasswordHasher(PasswordHasher):
    """argon2id at its cheapest cost (argon2.profiles.CHEAPEST's time, memory and lanes): the
    same algorithm, hash format and verification, in microseconds instead of a third of a
    second per hash or check (the default 64 MiB, 3 passes) on a loaded CI machine. The
    applications the tests build in this process hash with it; `lifeline` run as a
    subprocess (tests/e2e) keeps the default parameters, and hashes made with those (such as
    signin.DUMMY_HASH) are still checked with their own."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "PasswordHasher", TestPasswordHasher)
        yield


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


def _upgrade(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the head revision, once per session."""
    path = tmp_path_factory.mktemp("migrated") / "lifeline.db"
    _upgrade(f"sqlite:///{path}")
    assert not path.with_name(path.name + "-wal").exists()  # all in the one file, to copy
    return path


@pytest.fixture(scope="session")
def migrated_pg(pg_server_url: str) -> Iterator[str]:
    """The name of a PostgreSQL database migrated to the head revision, once per session: the
    template the session's database is made again from."""
    name = f"{make_url(pg_server_url).database}_migrated"
    # connected to the server's own database: the session's is dropped and made again
    admin = create_engine(normalise_url(os.environ[PG_ENV]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _upgrade(make_url(pg_server_url).set(database=name).render_as_string(hide_password=False))
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrated_database_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """`database_url` with the schema at the head revision, as `lifeline db upgrade` leaves it:
    a copy of the session's migrated database (the migrations take a second or more on a busy
    machine; a copy takes milliseconds on SQLite and a CREATE DATABASE on PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        template: Path = request.getfixturevalue("migrated_sqlite")
        path = Path(str(url.database))
        create_private_file(path)  # mode 0600, as the application makes it
        shutil.copyfile(template, path)
        return database_url
    name: str = request.getfixturevalue("migrated_pg")
    # connected to the server's own database: a template must have no one connected to it
    admin = create_engine(normalise_url(os.environ[PG_ENV]), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE "{name}"'))
    finally:
        admin.dispose()
    return database_url


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
def lifeline(
    settings: Settings, clock: FakeClock, sink: RecordingSink, migrated_database_url: str
) -> Iterator[Lifeline]:
    """A wired application on a migrated database, with a fake clock and recording sink."""
    app = bootstrap(settings, clock=clock, events=sink)
    try:
        yield app
    finally:
        app.dispose()
