"""The command line starts without the heavy libraries it does not need (bench/startup.py times
it): `lifeline --help` and `lifeline cases list` answer in well under a second because
scikit-learn, matplotlib, shapely, apprise, the web stack and the like are imported only by the
commands and jobs that use them. Checked by module name, never by time, in a fresh process
(`python -X importtime` lists every module a process imports)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lifeline.bootstrap import bootstrap
from lifeline.settings import Settings

#: imported only by what uses them: the triage model, the resolver, report charts, notification
#: channels, the web server, migrations and mail intake
HEAVY = {
    "sklearn",
    "skops",
    "scipy",
    "numpy",
    "matplotlib",
    "shapely",
    "rapidfuzz",
    "apprise",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "jinja2",
    "alembic",
    "aiosmtpd",
    "imapclient",
    "dkim",
    "nats",
}
#: the application itself (database, settings, logging): not for `lifeline --help`
APPLICATION = {
    "sqlalchemy",
    "pydantic_settings",
    "structlog",
    "prometheus_client",
    "lifeline.bootstrap",
}


def imported(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> set[str]:
    """Every module a fresh `python -X importtime ARGS` imported (it must exit 0)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def loaded(modules: set[str], packages: set[str]) -> set[str]:
    return {m for m in modules if m in packages or m.split(".")[0] in packages}


def test_help_imports_no_application_and_no_heavy_library(tmp_path: Path) -> None:
    modules = imported(["-m", "lifeline.cli", "--help"], tmp_path)
    assert "lifeline.cli.core" in modules  # every command module was imported
    assert loaded(modules, HEAVY | APPLICATION) == set()


def test_cases_list_imports_no_heavy_library(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'lifeline.db'}",
        data_key_file=tmp_path / "keys" / "lifeline.key",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = bootstrap(settings)
    app.upgrade_db()
    app.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
    env["LIFELINE_DATABASE_URL"] = settings.database_url
    env["LIFELINE_DATA_KEY_FILE"] = str(settings.data_key_file)
    modules = imported(["-m", "lifeline.cli", "cases", "list", "--json"], tmp_path, env)
    assert "sqlalchemy" in modules  # it did read the database
    assert loaded(modules, HEAVY) == set()


def test_importing_bootstrap_imports_no_heavy_library(tmp_path: Path) -> None:
    modules = imported(["-c", "import lifeline.bootstrap"], tmp_path)
    assert loaded(modules, HEAVY) == set()
