"""Engines for SQLite (WAL, foreign keys, BEGIN IMMEDIATE for writes) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


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
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
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
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")
