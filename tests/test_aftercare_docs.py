"""The aftercare events are documented with their fields in docs/aftercare.md (as the case
events are in docs/events.md, checked by test_docs.py)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from lifeline.domain.aftercare import AFTERCARE_EVENTS
from lifeline.domain.events import Event

DOC = (Path(__file__).resolve().parent.parent / "docs" / "aftercare.md").read_text()


def test_every_aftercare_event_is_documented_with_its_fields() -> None:
    base = {f.name for f in fields(Event)}
    for event in AFTERCARE_EVENTS:
        assert f"## `{event.name}`" in DOC
        section = DOC.split(f"## `{event.name}`")[1].split("## ")[0]
        for f in fields(event):
            if f.name not in base:
                assert f"`{f.name}`" in section, (event.name, f.name)
