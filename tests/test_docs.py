"""Docs that cannot rot: every setting, CLI command and event must be documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import typer

from lifeline.cli import app
from lifeline.domain.events import ALL_EVENTS, Event
from lifeline.services.job_types import PAYLOADS
from lifeline.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = README + "".join(p.read_text() for p in (ROOT / "docs").rglob("*.md"))


def cli_commands(group: typer.Typer, prefix: str = "") -> list[str]:
    names = [
        f"{prefix}{c.name or c.callback.__name__}"
        for c in group.registered_commands
        if c.callback is not None
    ]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        names += cli_commands(sub.typer_instance, f"{prefix}{sub.name} ")
    return names


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    """In the README's table, or in the settings table of the docs page of its feature."""
    missing = [
        name for name in Settings.model_fields if f"| `LIFELINE_{name.upper()}` |" not in DOCS
    ]
    assert missing == []


def test_every_cli_command_is_documented() -> None:
    commands = cli_commands(app)
    assert "cases show" in commands and "audit verify" in commands
    missing = [c for c in commands if f"lifeline {c}" not in DOCS]
    assert missing == []


def test_every_event_is_documented_with_its_fields() -> None:
    events = (ROOT / "docs" / "events.md").read_text()
    base = {f.name for f in fields(Event)}
    for event in ALL_EVENTS:
        assert f"## `{event.name}`" in events
        section = events.split(f"## `{event.name}`")[1].split("## ")[0]
        for f in fields(event):
            if f.name not in base:
                assert f"`{f.name}`" in section, (event.name, f.name)


def test_every_job_kind_is_documented_with_its_payload() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text()
    for kind, payload in PAYLOADS.items():
        row = next((line for line in operations.splitlines() if f"| `{kind}` |" in line), "")
        assert row, kind
        for f in fields(payload):
            assert f"`{f.name}`" in row, (kind, f.name)
