"""`lifeline monitor ingest FILE|-` in process against a migrated database of its own, on SQLite
and PostgreSQL: the same answer as the API, batches, bad lines named by number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from lifeline.adapters.db.tables import alerts, monitoring_seen
from lifeline.cli import app

IDEATION = "I want to die, nothing matters anymore and I cannot go on"


def line(post_id: str, text: str = "Beautiful sunset at Marine Drive", **extra: Any) -> str:
    return json.dumps({"platform": "x", "post_id": post_id, "author": "a", "text": text, **extra})


class Cli:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, code: int = 0) -> tuple[str, str]:
        result = self.runner.invoke(app, list(args), input=input)
        assert result.exit_code == code, result.output
        return result.stdout, result.stderr

    def counts(self) -> tuple[int, int]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                seen = conn.execute(select(func.count()).select_from(monitoring_seen)).scalar_one()
                made = conn.execute(select(func.count()).select_from(alerts)).scalar_one()
        finally:
            engine.dispose()
        return int(seen), int(made)


@pytest.fixture
def cli(migrated_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("LIFELINE_DATABASE_URL", migrated_database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.setenv("LIFELINE_MONITORING_BATCH_SIZE", "3")
    monkeypatch.chdir(tmp_path)
    return Cli(migrated_database_url)


def test_a_file_is_taken_in_batches_and_answered_as_the_api_does(cli: Cli, tmp_path: Path) -> None:
    lines = [line(str(i)) for i in range(7)] + ["", line("f", IDEATION), line("0")]
    source = tmp_path / "posts.ndjson"
    source.write_text("\n".join(lines) + "\n")
    stdout, _ = cli("monitor", "ingest", str(source), "--json")
    answer = json.loads(stdout)
    assert (answer["accepted"], answer["duplicates"], answer["flagged"]) == (8, 1, 1)
    assert len(answer["case_ids"]) == 1
    assert cli.counts() == (8, 1)
    stdout, _ = cli("monitor", "ingest", "-", "--json", input="\n".join(lines))
    assert json.loads(stdout) == {"accepted": 0, "duplicates": 9, "flagged": 0, "case_ids": []}
    stdout, _ = cli("monitor", "ingest", str(source))
    assert "0 new posts, 9 duplicates, 0 flagged" in stdout


def test_a_bad_line_in_a_file_is_named_and_nothing_is_stored(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "posts.ndjson"
    source.write_text("\n".join([line("1"), line("2"), "", line("3", posted_at="noon")]) + "\n")
    stdout, _ = cli("monitor", "ingest", str(source), "--json", code=1)
    error = json.loads(stdout)["error"]
    assert error["message"].startswith("line 4: posted_at: ")
    assert cli.counts() == (0, 0)
    source.write_text(line("1") + "\n{oops\n")
    stdout, _ = cli("monitor", "ingest", str(source), "--json", code=1)
    assert json.loads(stdout)["error"]["message"].startswith("line 2: line is not JSON")
    cli("monitor", "ingest", str(tmp_path / "missing.ndjson"), code=1)


def test_from_standard_input_the_batches_before_a_bad_line_are_kept(cli: Cli) -> None:
    lines = [line(str(i)) for i in range(4)] + ['{"platform": "x"}', line("9")]
    stdout, _ = cli("monitor", "ingest", "-", "--json", input="\n".join(lines), code=1)
    message = json.loads(stdout)["error"]["message"]
    assert message.startswith("line 5: post_id: is required")
    assert "the 3 posts of the batches before it were taken" in message
    assert cli.counts() == (3, 0)
