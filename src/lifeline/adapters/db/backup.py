"""Dumping a database for a backup and putting one back: SQLite by its online backup API,
PostgreSQL by pg_dump/pg_restore. The row counts, audit head and schema revision recorded with
a dump are read from the same snapshot the dump is taken from."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from lifeline.adapters.db.tables import ENCRYPTED, aad, audit_log, metadata
from lifeline.domain.audit import GENESIS
from lifeline.services.ports import Cipher


class DatabaseBackupError(Exception):
    """A dump or restore that failed; the message says why."""


@dataclass(frozen=True)
class Snapshot:
    kind: str  # "sqlite" | "postgresql"
    revision: str | None
    counts: dict[str, int]
    audit_rows: int
    audit_head: str


def kind_of(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgresql"


def dump_database(engine: Engine, target: Path) -> Snapshot:
    """Write a consistent dump of the database to `target` (a file that must not exist)."""
    if kind_of(engine) == "sqlite":
        return _dump_sqlite(engine, target)
    return _dump_postgresql(engine, target)


def _sqlite_path(engine: Engine) -> Path:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        raise DatabaseBackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _dump_sqlite(engine: Engine, target: Path) -> Snapshot:
    source = sqlite3.connect(f"file:{_sqlite_path(engine)}?mode=ro", uri=True, timeout=30)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # a consistent copy while others keep writing
    finally:
        copy.close()
        source.close()
    # the copy is the snapshot: counted, and turned back from WAL into a single file
    plain = sqlite3.connect(target, isolation_level=None)
    try:
        plain.execute("PRAGMA journal_mode=DELETE")
    finally:
        plain.close()
    reader = create_engine(f"sqlite:///{target}")
    try:
        with reader.connect() as conn:
            return _snapshot(conn, "sqlite")
    finally:
        reader.dispose()


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The URL for the PostgreSQL tools, with the password in their environment rather than
    on a command line that `ps` shows."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DatabaseBackupError(f"{name} is not installed (apt install postgresql-client)")
    return found


def _dump_postgresql(engine: Engine, target: Path) -> Snapshot:
    url, env = _libpq(engine)
    pg_dump = _tool("pg_dump")
    with engine.connect() as conn:
        _check_client(conn, pg_dump)
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        found = _snapshot(conn, "postgresql")  # the same snapshot pg_dump reads
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [
                *(pg_dump, "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot_id}"),
                *("-f", str(target), "-d", url),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        conn.rollback()
    if done.returncode != 0:
        raise DatabaseBackupError(f"pg_dump failed: {done.stderr.strip()}")
    return found


def _check_client(conn: Connection, tool: str) -> None:
    """pg_dump refuses a server newer than itself; say so plainly, before starting."""
    server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    version = subprocess.run(  # noqa: S603
        [tool, "--version"], capture_output=True, text=True, check=False
    ).stdout
    words = [w for w in version.split() if w[:1].isdigit()]
    client = int(words[0].split(".")[0]) if words else 0
    if client < server:
        raise DatabaseBackupError(
            f"{tool} is version {client}, the server is {server}: install a client of "
            f"version {server} or newer"
        )


def _snapshot(conn: Connection, kind: str) -> Snapshot:
    present = set(inspect(conn).get_table_names())
    counts = {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for t in metadata.sorted_tables
        if t.name in present
    }
    revision = None
    if "alembic_version" in present:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).one_or_none()
    rows, digest = (0, GENESIS) if head is None else (int(head.seq), str(head.hash))
    return Snapshot(kind, revision, counts, rows, digest)


# -- restoring -----------------------------------------------------------------------------------
def occupied_tables(engine: Engine) -> dict[str, int]:
    """Tables already in the database, with their row counts: a restore goes only into a
    database with none."""
    with engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {
            n: int(conn.execute(select(func.count()).select_from(table(n))).scalar_one())
            for n in names
        }


def restore_database(engine: Engine, kind: str, dump: Path) -> None:
    """Put the dump into the (empty) database of `engine`."""
    if kind != kind_of(engine):
        raise DatabaseBackupError(
            f"the backup is of a {kind} database and LIFELINE_DATABASE_URL names a "
            f"{kind_of(engine)} one: restore it into the same kind"
        )
    engine.dispose()
    if kind == "sqlite":
        _restore_sqlite(engine, dump)
    else:
        _restore_postgresql(engine, dump)


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    path = _sqlite_path(engine)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.restoring")
    shutil.copyfile(dump, tmp)
    os.chmod(tmp, 0o600)
    with contextlib.suppress(FileNotFoundError):  # left by the empty file's last opening
        for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink()
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _restore_postgresql(engine: Engine, dump: Path) -> None:
    url, env = _libpq(engine)
    pg_restore = _tool("pg_restore")
    done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [
            *(pg_restore, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"),
            *("-d", url, str(dump)),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DatabaseBackupError(
            f"pg_restore failed (nothing was restored): {done.stderr.strip()}"
        )


def check_data_key(engine: Engine, keys: Cipher) -> tuple[int, str | None]:
    """Decrypt the first stored value of each encrypted column with the loaded data key.
    Returns (values tried, the first failure)."""
    tried = 0
    with engine.connect() as conn:
        for table, columns in ENCRYPTED.items():
            for column in columns:
                col = table.c[column]
                token = conn.execute(select(col).where(col.is_not(None)).limit(1)).scalar()
                if token is None:
                    continue
                tried += 1
                try:
                    keys.decrypt_bytes(token, aad(table, column))
                except Exception as exc:
                    return tried, str(exc)
    return tried, None


def snapshot(engine: Engine) -> Snapshot:
    with engine.connect() as conn:
        return _snapshot(conn, kind_of(engine))
