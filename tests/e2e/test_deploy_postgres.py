"""deploy/postgres/roles.sql on a real PostgreSQL: the owner role migrates, the app role runs
Lifeline (a signed alert becomes a case) and can neither change the schema nor rewrite the
audit log; migration 0023's triggers hold even when the app role is granted too much."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from e2e_harness import Deployment
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from lifeline.adapters.db.engine import normalise_url
from support import alert_body, dumps

pytestmark = pytest.mark.postgres

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "roles.sql"


@dataclass(frozen=True)
class Roles:
    database: str
    owner: str
    app: str
    admin_url: str  # the superuser, on the new database

    def url(self, role: str) -> str:
        url = make_url(self.admin_url).set(username=role, password=None)
        return url.render_as_string(hide_password=False)

    def apply_roles_sql(self) -> None:
        """What the DBA runs: psql with the three variables the file's header names."""
        url = make_url(self.admin_url)
        result = subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                f"db={self.database}",
                "-v",
                f"owner={self.owner}",
                "-v",
                f"app={self.app}",
                "-h",
                str(url.host or "127.0.0.1"),
                "-p",
                str(url.port or 5432),
                "-U",
                str(url.username or "postgres"),
                "-d",
                self.database,
                "-f",
                str(ROLES_SQL),
            ],
            env={**os.environ, "PGPASSWORD": url.password or ""},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


@pytest.fixture
def roles(pg_server_url: str) -> Iterator[Roles]:
    """A new database and two new roles (roles are global: the names are unique per test)."""
    suffix = uuid.uuid4().hex[:8]
    database = f"lifeline_deploy_{suffix}"
    admin = create_engine(normalise_url(pg_server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    url = make_url(normalise_url(pg_server_url)).set(database=database)
    made = Roles(
        database, f"lifeline_owner_{suffix}", f"lifeline_app_{suffix}", url.render_as_string(False)
    )
    try:
        yield made
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role in (made.owner, made.app):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _refused(url: str, statement: str) -> str:
    """Run `statement` as the role of `url`; the database's refusal, which must come."""
    engine = create_engine(url)
    try:
        with pytest.raises(ProgrammingError) as refused, engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()
    return str(refused.value.orig)


def _wait_for_case(dep: Deployment, timeout: float = 60.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cases = dep.cases()
        if cases:
            return cases
        time.sleep(0.5)
    raise AssertionError("no case was created from the alert")


def test_the_app_role_runs_lifeline_but_cannot_drop_tables_or_rewrite_the_audit_log(
    roles: Roles, tmp_path: Path
) -> None:
    roles.apply_roles_sql()  # before the first migration: the roles and default privileges
    dep = Deployment(roles.url(roles.app), tmp_path)
    dep.env["LIFELINE_MIGRATION_DATABASE_URL"] = roles.url(roles.owner)
    dep.cli("db", "upgrade")
    roles.apply_roles_sql()  # again after it, as the file says: audit_log append-only
    try:
        server = dep.start("--no-mail")  # worker in the process, as the app role
        body = dumps(alert_body())
        response = httpx.post(
            server.url + "/api/v1/alerts",
            content=body,
            headers=dep.partner.headers(body),
            timeout=30,
        )
        assert response.status_code == 202, response.text
        cases = _wait_for_case(dep)
        assert len(cases) == 1
    finally:
        dep.close()

    app = roles.url(roles.app)
    assert "must be owner" in _refused(app, "DROP TABLE cases")
    assert "must be owner" in _refused(app, "ALTER TABLE cases ADD COLUMN x int")
    assert "permission denied" in _refused(app, "CREATE TABLE mine (id int)")
    for statement in (
        "UPDATE audit_log SET actor = 'user:nobody'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "TRUNCATE cases CASCADE",
        "UPDATE alembic_version SET version_num = '0001'",
    ):
        assert "permission denied" in _refused(app, statement), statement

    # the audit rows the intake wrote are all there, and the app still takes alerts
    engine = create_engine(roles.admin_url)
    with engine.connect() as conn:
        owners = set(
            conn.execute(
                text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            )
            .scalars()
            .all()
        )
        audit_rows = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    engine.dispose()
    assert owners == {roles.owner}
    assert audit_rows > 0
    verified = dep.cli("audit", "verify")
    assert verified.returncode == 0


def test_the_audit_triggers_refuse_a_role_granted_too_much_but_not_the_owner(
    roles: Roles, tmp_path: Path
) -> None:
    """A later `GRANT ALL` to the app role (a mistake) still leaves the audit log append-only;
    the owner, who could drop the trigger anyway, is not stopped."""
    roles.apply_roles_sql()
    dep = Deployment(roles.url(roles.app), tmp_path)
    dep.env["LIFELINE_MIGRATION_DATABASE_URL"] = roles.url(roles.owner)
    dep.cli("db", "upgrade")
    dep.cli("partners", "create", "Meta Platforms")  # an audit row, written as the app role
    owner = create_engine(roles.url(roles.owner), isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f'GRANT ALL ON audit_log TO "{roles.app}"'))

    app = roles.url(roles.app)
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        message = _refused(app, statement)
        assert "audit_log is append-only" in message, message
    assert "audit_log is append-only" in _refused(app, "TRUNCATE audit_log")

    with owner.begin() as conn:
        changed = conn.execute(text("UPDATE audit_log SET actor = actor")).rowcount
    owner.dispose()
    assert changed > 0
