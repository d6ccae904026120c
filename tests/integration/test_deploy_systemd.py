"""deploy/systemd: the units pass `systemd-analyze verify` (with the real `lifeline` in place
of /opt/lifeline), each ExecStart is a command and options the CLI has, and the environment
examples name only settings that exist."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lifeline.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SYSTEMD = DEPLOY / "systemd"
UNITS = [*sorted(SYSTEMD.glob("lifeline*.service")), SYSTEMD / "lifeline.target"]
INSTALLED = "/opt/lifeline/.venv/bin/lifeline"
LIFELINE = Path(sys.executable).parent / "lifeline"


def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("systemd-analyze is missing: install systemd")
    pytest.skip("systemd-analyze is not installed here: the units are not verified", True)


def _exec_start(unit: Path) -> list[str]:
    lines = [line for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, unit.name
    return shlex.split(lines[0].removeprefix("ExecStart="))


def test_the_units_are_the_expected_set() -> None:
    names = {unit.name for unit in UNITS}
    assert {
        "lifeline-api@.service",
        "lifeline-worker@.service",
        "lifeline-smtp.service",
        "lifeline-migrate.service",
        "lifeline.target",
    } <= names


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_each_unit_passes_systemd_analyze_verify(unit: Path, tmp_path: Path) -> None:
    analyze = _systemd_analyze()
    assert LIFELINE.exists(), LIFELINE
    # the same text, with this machine's paths: verify checks that the command is executable
    for name in ("lifeline.env", "migrate.env"):
        (tmp_path / name).write_text("LIFELINE_ENV=production\n")
    for other in UNITS:
        text = other.read_text().replace(INSTALLED, str(LIFELINE))
        (tmp_path / other.name).write_text(text.replace("/etc/lifeline/", f"{tmp_path}/"))
    # a template is verified as an instance of it
    target = tmp_path / unit.name.replace("@.", "@8001.")
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(target)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # unknown or misspelt directives are only warnings to systemd: none is allowed here
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_each_exec_start_is_a_command_with_options_the_cli_has(unit: Path) -> None:
    binary, *args = _exec_start(unit)
    assert binary == INSTALLED
    words = [a for a in args if not a.startswith("-")]
    options = [a for a in args if a.startswith("--")]
    command = [w for w in words if not re.fullmatch(r"%i|[0-9.]+", w)]
    result = subprocess.run(
        [str(LIFELINE), *command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for option in options:
        assert option in result.stdout, f"{unit.name}: {option} is not an option of {command}"


def test_the_api_units_serve_http_only_behind_the_proxy() -> None:
    args = _exec_start(DEPLOY / "systemd" / "lifeline-api@.service")
    assert args[1] == "serve"
    # jobs and mail run in their own units; the API listens on loopback for nginx
    assert {"--no-worker", "--no-mail"} <= set(args)
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert args[args.index("--port") + 1] == "%i"


@pytest.mark.parametrize("unit", UNITS[:-1], ids=lambda u: u.name)
def test_each_service_runs_unprivileged_and_can_write_only_its_state(unit: Path) -> None:
    directives = dict(line.split("=", 1) for line in unit.read_text().splitlines() if "=" in line)
    assert directives["User"] == "lifeline"
    assert directives["NoNewPrivileges"] == "yes"
    assert directives["ProtectSystem"] == "strict"
    assert directives["ReadWritePaths"] == "/var/lib/lifeline"
    assert directives["PrivateTmp"] == "yes"
    assert directives["UMask"] == "0077"


@pytest.mark.parametrize("name", ["lifeline.env.example", "migrate.env.example"])
def test_the_environment_examples_name_only_real_settings(name: str) -> None:
    known = {f"LIFELINE_{field.upper()}" for field in Settings.model_fields}
    lines = [
        line.split("=", 1)[0]
        for line in (DEPLOY / "systemd" / name).read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines
    assert set(lines) <= known, set(lines) - known


def test_the_owner_url_is_never_in_the_apps_environment() -> None:
    app_env = (DEPLOY / "systemd" / "lifeline.env.example").read_text()
    assert "\nLIFELINE_MIGRATION_DATABASE_URL" not in app_env
    for unit in UNITS:
        text = unit.read_text()
        assert ("migrate.env" in text) == (unit.name == "lifeline-migrate.service"), unit.name
