"""The CLI as a person runs it, in process: `lifeline` commands through Typer's runner against
a migrated database of the test's own (its data key in the test's folder, human-readable logs)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifeline.cli import app

#: `run("cases", "list", "--json")` -> stdout; `code=` the exit code expected (0 by default)
Run = Callable[..., str]


def cli_runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("LIFELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.stdout

    invoke("db", "upgrade")
    return invoke
