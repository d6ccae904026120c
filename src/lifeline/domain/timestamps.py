"""Timestamps as text: the one way a moment is written in JSON, events and exports.

ISO 8601 with its offset as stored (UTC in storage, so `+00:00`); None stays None, so an
optional moment can be passed straight through.
"""

from __future__ import annotations

from datetime import datetime
from typing import overload


@overload
def iso(value: datetime) -> str: ...
@overload
def iso(value: None) -> None: ...
@overload
def iso(value: datetime | None) -> str | None: ...
def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
