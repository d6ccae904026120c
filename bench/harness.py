"""What every load benchmark's main() shares, written once.

The --pg-url/--sqlite-only options and the databases they select, a fresh database to run on
(a SQLite file in the run's directory, or a temporary PostgreSQL database dropped afterwards),
the machine's description printed before a run, and the wording of how the server runs.
Imported by bench/intake.py, dispatch.py, peer.py, monitoring.py and monitoring_nats.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline.adapters.db.engine import normalise_url


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """--pg-url (default $LIFELINE_TEST_DATABASE_URL) and --sqlite-only."""
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("LIFELINE_TEST_DATABASE_URL"),
        help="PostgreSQL server URL (default $LIFELINE_TEST_DATABASE_URL); a temporary "
        "database is created there and dropped afterwards",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")


def database_targets(
    args: argparse.Namespace, *, sqlite: bool = True
) -> list[tuple[str, str | None]]:
    """(name, PostgreSQL server URL or None for SQLite) for each database the options select."""
    targets: list[tuple[str, str | None]] = [("sqlite", None)] if sqlite else []
    if args.pg_url and not args.sqlite_only:
        targets.append(("postgresql", args.pg_url))
    return targets


@contextmanager
def pg_database(base_url: str) -> Iterator[str]:
    """A fresh database on the given PostgreSQL server, dropped afterwards."""
    name = f"lifeline_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(normalise_url(base_url)).set(database=name)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def bench_database(pg_url: str | None, workdir: Path) -> Iterator[str]:
    """The URL of a fresh database: SQLite in workdir when pg_url is None, else PostgreSQL."""
    if pg_url is None:
        yield f"sqlite:///{workdir}/bench.db"
    else:
        with pg_database(pg_url) as url:
            yield url


def write_results(path: Path, data: Any) -> None:
    """A results file: indented JSON, non-ASCII kept, its folder made if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def describe_machine() -> dict[str, Any]:
    """The machine and its load before the run, printed and returned for the results file."""
    machine = {
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_before": load_average(),
    }
    print(
        f"machine: nproc={machine['nproc']}, {machine['platform']}, Python {machine['python']}, "
        f"load average before the run {machine['loadavg_before']} (other work on the machine "
        "skews the figures)"
    )
    return machine


def print_settings(settings: dict[str, Any]) -> None:
    print("settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))


def server_description(workers: int) -> str:
    """How the Lifeline server runs, for the settings: embedded worker or --workers processes."""
    if not workers:
        return "lifeline serve: 1 uvicorn process with the embedded worker"
    return f"lifeline serve --no-worker + {workers} `lifeline worker` process(es)"
