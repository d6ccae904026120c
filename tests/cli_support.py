"""The CLI as a person runs it, in process: `lifeline` commands through Typer's runner against
a migrated database of the test's own (its data key in the test's folder, human-readable logs)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from lifeline.cli import app

#: `run("cases", "list", "--json")` -> stdout; `code=` the exit code expected (0 by default)
Run = Callable[..., str]
#: the same, giving Typer's whole result (stdout and stderr apart)
RunResult = Callable[..., Result]


def cli_result_runner(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> RunResult:
    monkeypatch.setenv("LIFELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result

    invoke("db", "upgrade")
    return invoke


def cli_runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    invoke = cli_result_runner(database_url, tmp_path, monkeypatch)

    def stdout(*args: str, code: int = 0) -> str:
        return invoke(*args, code=code).stdout

    return stdout
