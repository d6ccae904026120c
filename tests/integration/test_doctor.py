"""`lifeline doctor` and the production profile, through the real command line on both
databases: a fresh development setup passes with warnings, a production setup passes only when
it is safe, and each unsafe setting makes doctor fail and `serve`/`worker` refuse to start,
naming the setting and the fix, without migrating or creating anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from lifeline.adapters.db import migrate
from lifeline.adapters.db.engine import make_engine, normalise_url
from lifeline.cli import app

#: the shift in-charge's contacts for the SMC unit (merged over the shipped registry)
SMC_CONTACTS = """\
schema: lifeline-registry/1
units:
- id: up-smc
  kind: control_room
  name: Social Media Centre, UP Police Headquarters
  parent: state-uttar-pradesh
  district_lgd: '157'
  valid_from: '2022-03-01'
  status: reported
  contacts:
  - name: Shift in-charge
    role: in_charge
    channels: [json://127.0.0.1:9/send?to=919800000100]
"""

Invoke = Callable[..., Any]


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return migrate.current(engine)
    finally:
        engine.dispose()


@pytest.fixture
def lifeline_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The environment of a deployment in tmp_path (keys in tmp_path/var)."""
    env = {
        "LIFELINE_DATABASE_URL": database_url,
        "LIFELINE_DATA_KEY_FILE": str(tmp_path / "var" / "lifeline.key"),
        "LIFELINE_LOG_JSON": "false",
    }
    for name in [n for n in os.environ if n.startswith("LIFELINE_") and n not in env]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return env


@pytest.fixture
def run(lifeline_env: dict[str, str]) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result

    return invoke


def doctor_json(run: Invoke, code: int) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(run("doctor", "--json", code=code).stdout)
    return report


def by_name(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {c["name"]: c for c in report["checks"]}


@pytest.fixture
def production(
    run: Invoke, lifeline_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A production deployment that passes every check: migrated, https public URL, keys
    0600, the SMC unit with contacts, no demo data. Tests break one thing each."""
    run("db", "upgrade")
    (tmp_path / "smc.yaml").write_text(SMC_CONTACTS)
    run("registry", "import", str(tmp_path / "smc.yaml"))
    extra = {"LIFELINE_ENV": "production", "LIFELINE_PUBLIC_URL": "https://smc.example.in"}
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    return {**lifeline_env, **extra}


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `lifeline` in a new process (serve and worker would block if not refused)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")} | env
    return subprocess.run(
        [sys.executable, "-m", "lifeline.cli", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_doctor_on_a_fresh_development_setup_passes_with_warnings(run: Invoke) -> None:
    run("db", "upgrade")
    report = doctor_json(run, 0)
    checks = by_name(report)
    assert report["env"] == "development" and report["ok"] is True
    assert {c["status"] for c in report["checks"]} == {"ok", "warn"}
    assert checks["public_url"]["status"] == "warn"  # http://127.0.0.1:8000 is fine for a demo
    assert checks["public_url"]["setting"] == "LIFELINE_PUBLIC_URL"
    assert checks["smc_contacts"]["status"] == "warn"  # the shipped up-smc has no contacts
    for name in ("database", "data_key", "audit_key", "triage_model", "clock", "var_dir"):
        assert checks[name]["status"] == "ok", checks[name]
    for check in report["checks"]:
        assert set(check) == {"name", "status", "found", "fix", "setting"}
        assert check["status"] == "ok" or check["fix"]  # every finding says how to fix it
    table = run("doctor").stdout
    assert "public_url" in table and "0 failing" in table


def test_doctor_creates_nothing_where_nothing_is_set_up(run: Invoke, tmp_path: Path) -> None:
    report = doctor_json(run, 0)
    assert by_name(report)["data_key"]["status"] == "warn"
    assert not (tmp_path / "var").exists()  # no key, no database file made by looking


def test_a_safe_production_setup_passes(production: dict[str, str], run: Invoke) -> None:
    report = doctor_json(run, 0)
    assert report["env"] == "production" and report["ok"] is True, report
    assert by_name(report)["smc_contacts"]["status"] == "ok"


def _http_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run: Invoke) -> None:
    monkeypatch.setenv("LIFELINE_PUBLIC_URL", "http://smc.example.in")


def _demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run: Invoke) -> None:
    monkeypatch.setenv("LIFELINE_ENV", "development")
    run("demo", "seed")
    monkeypatch.setenv("LIFELINE_ENV", "production")


def _readable_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run: Invoke) -> None:
    (tmp_path / "var" / "lifeline.key").chmod(0o644)


def _weak_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run: Invoke) -> None:
    monkeypatch.setenv("LIFELINE_SMS_INBOUND_TOKEN", "changeme")


REFUSALS = {
    "http public URL": (_http_url, "public_url", "LIFELINE_PUBLIC_URL", "https://"),
    "demo data seeded": (_demo, "demo_data", "LIFELINE_DATABASE_URL", "without `demo seed`"),
    "world-readable key file": (_readable_key, "data_key", "LIFELINE_DATA_KEY_FILE", "chmod 600"),
    "well-known secret": (
        _weak_secret,
        "secrets",
        "LIFELINE_SMS_INBOUND_TOKEN",
        "openssl rand",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_unsafe_production_setting_fails_doctor_and_refuses_serve(
    case: str,
    production: dict[str, str],
    run: Invoke,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    breakage, name, setting, fix = REFUSALS[case]
    breakage(monkeypatch, tmp_path, run)
    report = doctor_json(run, 1)
    failed = {c["name"]: c for c in report["checks"] if c["status"] == "fail"}
    assert set(failed) == {name}, failed
    assert failed[name]["setting"] == setting and fix in failed[name]["fix"]
    env = {k: v for k, v in os.environ.items() if k.startswith("LIFELINE_")}
    refused = cli(env, tmp_path, "serve", "--port", "1")
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr
    assert f"{name} [{setting}]" in refused.stderr and fix in refused.stderr


def test_sqlite_with_separate_workers_is_refused_in_production(
    production: dict[str, str], run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not production["LIFELINE_DATABASE_URL"].startswith("sqlite"):
        assert doctor_json(run, 0)["ok"]  # PostgreSQL takes separate workers
        monkeypatch.setenv("LIFELINE_WORKERS", "separate")
        assert by_name(doctor_json(run, 0))["workers"]["status"] == "ok"
        return
    monkeypatch.setenv("LIFELINE_WORKERS", "separate")
    check = by_name(doctor_json(run, 1))["workers"]
    assert check["status"] == "fail" and check["setting"] == "LIFELINE_WORKERS"
    # the commands themselves say how jobs run: a worker process, or serve without one
    worker = cli(production, tmp_path, "worker")
    assert worker.returncode == 2 and "workers [LIFELINE_WORKERS]" in worker.stderr
    serve = cli(production, tmp_path, "serve", "--no-worker", "--port", "1")
    assert serve.returncode == 2 and "SQLite with separate worker" in serve.stderr


def test_production_serve_refuses_an_unmigrated_database_and_does_not_migrate(
    lifeline_env: dict[str, str], tmp_path: Path
) -> None:
    env = lifeline_env | {
        "LIFELINE_ENV": "production",
        "LIFELINE_PUBLIC_URL": "https://smc.example.in",
    }
    url = env["LIFELINE_DATABASE_URL"]
    if url.startswith("sqlite"):
        Path(make_url(url).database or "").touch(mode=0o600)  # an empty database file
    served = cli(env, tmp_path, "serve", "--port", "1")
    assert served.returncode == 2, served.stderr
    assert "database [LIFELINE_DATABASE_URL]" in served.stderr
    assert "lifeline db upgrade" in served.stderr and "Traceback" not in served.stderr
    assert _revision(url) is None  # not migrated
    assert not (tmp_path / "var").exists()  # nor keys created: refused before anything is built
    explicit = cli(env, tmp_path, "serve", "--migrate", "--port", "1")
    assert explicit.returncode == 2 and "never migrates" in explicit.stderr
    assert _revision(url) is None
    doctor = cli(env, tmp_path, "doctor", "--json")
    assert doctor.returncode == 1
    assert by_name(json.loads(doctor.stdout))["database"]["status"] == "fail"


@pytest.fixture
def other_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database: SQLite file, or a PostgreSQL database owned by its own role."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'owner.db'}"
        return
    name = f"lifeline_owner_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{name}"'))
    owner_url = make_url(normalise_url(database_url)).set(database=name, username=name)
    try:
        yield owner_url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_db_upgrade_migrates_with_the_migration_url(
    run: Invoke, lifeline_env: dict[str, str], other_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIFELINE_MIGRATION_DATABASE_URL", other_database)
    done = json.loads(run("db", "upgrade", "--json").stdout)
    assert done["revision"] == migrate.head() == _revision(other_database)
    assert _revision(lifeline_env["LIFELINE_DATABASE_URL"]) is None  # the app's URL untouched
    if other_database.startswith("postgresql"):
        engine = make_engine(other_database)
        with engine.connect() as conn:
            owners = set(
                conn.execute(
                    text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            )
        engine.dispose()
        assert owners == {make_url(other_database).username}  # the owner role made the schema


def test_production_on_postgresql_without_migration_url_warns(
    production: dict[str, str], run: Invoke
) -> None:
    check = by_name(doctor_json(run, 0))["migration_url"]
    if production["LIFELINE_DATABASE_URL"].startswith("sqlite"):
        assert check["status"] == "ok"
    else:
        assert check["status"] == "warn"
        assert check["setting"] == "LIFELINE_MIGRATION_DATABASE_URL"


def test_a_channel_url_no_adapter_can_use_fails_in_production(
    production: dict[str, str], run: Invoke, tmp_path: Path
) -> None:
    broken = SMC_CONTACTS.replace("json://127.0.0.1:9/send", "nosuch://sms.example.in/send")
    (tmp_path / "broken.yaml").write_text(broken)
    run("registry", "import", str(tmp_path / "broken.yaml"))
    check = by_name(doctor_json(run, 1))["channels"]
    assert check["status"] == "fail" and check["setting"] == "registry"
    assert (
        "up-smc / Shift in-charge channel 1: unsupported channel scheme nosuch://"
        in (check["found"])
    )
    assert "sms.example.in" not in check["found"]  # a channel URL may carry a token
