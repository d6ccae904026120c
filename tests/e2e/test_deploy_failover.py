"""What Lifeline does when PostgreSQL's primary changes (docs/deploy.md): with a multi-host
URL and target_session_attrs=read-write it connects to whichever host takes writes, and when
every connection it holds is cut (the primary restarting or failing over), it reconnects on the
next request and the worker carries on: no restart, no alert lost."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from e2e_harness import Deployment
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lifeline.adapters.db.engine import normalise_url
from support import alert_body, dumps, free_port

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def _two_hosts(url: str) -> str:
    """The same database named by two hosts, the first of which is down (a failed primary)."""
    parsed = make_url(normalise_url(url))
    real = f"{parsed.host or '127.0.0.1'}:{parsed.port or 5432}"
    return parsed.set(
        host=None,
        port=None,
        query={"host": [f"127.0.0.1:{free_port()}", real], "target_session_attrs": "read-write"},
    ).render_as_string(hide_password=False)


def _cut_every_connection(url: str) -> int:
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        admin.dispose()


def _post(dep: Deployment, url: str, n: int) -> httpx.Response:
    body = dumps(alert_body(reference=f"FB-FAILOVER-{n}", subject={"handle": f"f.{n}"}))
    return httpx.post(
        url + "/api/v1/alerts", content=body, headers=dep.partner.headers(body), timeout=30
    )


def _healthy(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(url + "/healthz", timeout=10).status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError("healthz did not come back to 200")


def test_lifeline_reconnects_after_every_connection_is_cut_and_loses_nothing(
    migrated_database_url: str, tmp_path: Path
) -> None:
    dep = Deployment(_two_hosts(migrated_database_url), tmp_path)
    dep.migrate()
    try:
        server = dep.start("--no-mail")  # the worker in the same process
        _healthy(server.url)
        assert _post(dep, server.url, 1).status_code == 202
        assert _cut_every_connection(migrated_database_url) > 0
        # the pool tests each connection before use (pool_pre_ping): the next request reconnects
        assert _post(dep, server.url, 2).status_code == 202
        _healthy(server.url)  # the worker's heartbeat, written on a new connection too
        assert server.proc.poll() is None
        deadline = time.monotonic() + 60
        while len(dep.cases()) < 2:
            assert time.monotonic() < deadline, "the alerts did not both become cases"
            time.sleep(0.5)
    finally:
        dep.close()
