"""Engines for SQLite (WAL, foreign keys, BEGIN IMMEDIATE for writes) and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from lifeline.adapters.db.outage import classify

#: how long a SQLite statement waits for another process's write lock before failing
BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(
    url: str,
    *,
    sqlite_synchronous: str = "FULL",
    pool_size: int = 10,
    durable: bool = True,
) -> Engine:
    """An engine for `url`. `durable=False`: its connections' commits return before the disk
    has them (SQLite `synchronous` at most NORMAL, in WAL mode; PostgreSQL
    `synchronous_commit=off`), for jobs that are run again if a power cut undoes them."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not _is_uri(parsed.query):
            create_private_file(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=20,
        )
        level = sqlite_synchronous.upper()
        if not durable and level in ("FULL", "EXTRA"):
            level = "NORMAL"
        _configure_sqlite(engine, level)
        return engine
    connect_args = {} if durable else {"options": "-c synchronous_commit=off"}
    return create_engine(
        url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True, connect_args=connect_args
    )


def _is_uri(query: Any) -> bool:
    """`?uri=true`: the database is a `file:` URI (e.g. `?mode=ro`), not a plain path."""
    return str(query.get("uri", "")).lower() in ("true", "1")


def create_private_file(path: Path) -> None:
    """Create the SQLite file (empty is a valid database) readable by its owner only, 0600,
    before SQLite would create it with the umask (0644: world-readable personal data). SQLite
    gives its -wal and -shm files the database file's mode. An existing file is left as it is.
    A new directory for it is made 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.fchmod(fd, 0o600)  # whatever the umask
    os.close(fd)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(
            f"LIFELINE_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA: {synchronous}"
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin hook issue BEGIN itself, so writers take the lock up front
        # (BEGIN IMMEDIATE) instead of failing to upgrade a read lock under contention.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # each statement its own transaction (the idle worker's poll, SqlDueProbe)
        conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'IMMEDIATE')}")


def probe_write(engine: Engine, *, wait_seconds: float = 2.0) -> None:
    """Prove the database takes writes now: begin a write transaction, change one row to
    itself, roll back. Cheap, leaves nothing behind, and fails where `SELECT 1` passes: a
    read-only file or server, a database locked longer than `wait_seconds`. Raises
    StorageUnavailable for an outage (other errors, e.g. no schema yet, as they are)."""
    wait_ms = max(1, int(wait_seconds * 1000))
    try:
        with engine.connect() as conn:
            # SQLite: the pragma on the driver's connection, outside any transaction (through
            # SQLAlchemy it would begin one, and take the write lock, before the timeout is set)
            raw = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout={wait_ms}")
            try:
                tx = conn.begin()  # SQLite: BEGIN IMMEDIATE (the write lock) by the hook above
                if raw is None:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {wait_ms}")
                    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {wait_ms}")
                conn.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
                tx.rollback()
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except Exception as exc:
        outage = classify(exc)
        if outage is not None and outage is not exc:
            raise outage from exc
        raise
