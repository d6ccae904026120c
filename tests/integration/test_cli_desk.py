"""The command line as a person at the SMC reads it (#16): a jurisdiction must name a district
(a typo is refused with the nearest names, not stored to show the officer nothing), and every
time printed for a person is IST with the zone shown, while --json keeps ISO 8601 with offset."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cli_support import cli_runner
from lifeline.cli import common


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    # rich tables unwrapped: the console was made at import, perhaps by an earlier test
    monkeypatch.setattr(common.out, "width", 200)
    return cli_runner(database_url, tmp_path, monkeypatch)


def test_a_misspelt_jurisdiction_is_refused_with_the_nearest_district(run) -> None:  # type: ignore[no-untyped-def]
    args = ("users", "create", "dsp", "--role", "district_officer", "--jurisdiction")
    error = json.loads(run(*args, "Lucknoww", "--json", code=1))
    message = error["error"]["message"]
    assert "unknown district 'Lucknoww'" in message and "did you mean 'Lucknow'" in message
    assert json.loads(run("users", "list", "--json")) == []  # nothing stored
    for n, spelling in enumerate(("Lucknow", "लखनऊ", "157")):  # either language, or LGD code
        created = json.loads(run(*args[:2], f"dsp{n}", *args[3:], spelling, "--json"))
        assert created["username"] == f"dsp{n}"
    run("users", "set-role", "dsp0", "district_officer", "--jurisdiction", "लखनऊ")
    args = ("users", "set-role", "dsp0", "district_officer", "--jurisdiction", "Varansi")
    error = json.loads(run(*args, "--json", code=1))
    assert "did you mean 'Varanasi'" in error["error"]["message"]


def test_times_printed_for_a_person_are_ist_and_json_keeps_the_offset(run) -> None:  # type: ignore[no-untyped-def]
    run("demo", "seed")
    listed = json.loads(run("cases", "list", "--json"))
    opened = datetime.fromisoformat(listed[0]["opened_at"])
    assert opened.utcoffset() is not None  # ISO 8601 with its offset
    ist = (opened + timedelta(hours=5, minutes=30)).replace(tzinfo=None)
    table = run("cases", "list")
    assert f"{ist:%Y-%m-%d %H:%M:%S} IST" in table
    assert "UTC" not in table
    shown = run("cases", "show", str(listed[0]["id"]))
    stamps = re.findall(r"^  (\S+ \S+ IST)  ", shown, re.M)
    assert stamps, shown  # every timeline line starts with an IST time
    assert not re.search(r"\+00:00", shown)
    jobs = run("jobs", "list")
    assert " IST" in jobs and "+00:00" not in jobs
    run("users", "create", "op", "--role", "smc_operator")
    users = run("users", "list")
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d IST", users)
