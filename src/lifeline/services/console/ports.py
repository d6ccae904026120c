"""Ports of the console: the read models of the live queue and the map (built in one query
each, never one per case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class QueueItem:
    """One open case as the live queue shows it (post text decrypted; no other personal data)."""

    case_id: int
    status: str
    platform: str
    source: str
    risk_level: str | None
    opened_at: datetime
    last_alert_at: datetime | None
    alert_count: int
    acknowledged_at: datetime | None
    dispatched_at: datetime | None
    trace_requested_at: datetime | None
    post_text: str | None
    post_kind: str
    place: str | None
    units: tuple[str, ...] = ()
    #: the riskiest model assessment's score and cues (tag, text, start, end), if any
    score: float | None = None
    cues: tuple[tuple[str, str, int, int], ...] = ()
    #: False when no alert of the case comes from a proven sender, with why (the latest's)
    sender_verified: bool = True
    sender_verification: str = ""
    #: while the place needs review: the best district candidate (shown marked as such)
    place_candidate: str | None = None
    #: confident answers of the case's alerts disagree on the district
    place_conflict: bool = False
    #: a drill (`lifeline drill`): shown with a DRILL badge
    drill: bool = False
    #: when the first message of a dispatch was delivered (None: nobody reached yet)
    first_delivered_at: datetime | None = None
    #: when officers were first on scene
    on_scene_at: datetime | None = None


@dataclass(frozen=True)
class MapItem:
    """A case as the console's map places it: no personal data but the coordinates the newest
    alert that gave any carried (decrypted; the map rounds them)."""

    case_id: int
    status: str
    risk_level: str | None
    opened_at: datetime
    outcome: str | None
    outcome_at: datetime | None
    coordinates: tuple[float, float] | None  # (lat, lon)


class ConsoleReads(Protocol):
    """What the console's live queue and map show of open (and recently settled) cases."""

    def open_queue(
        self, *, case_ids: set[int] | None, trace_only: bool, limit: int
    ) -> list[QueueItem]:
        """Open cases (`case_ids` None: all; `trace_only`: only those with a trace request)."""
        ...

    def map_items(
        self, *, case_ids: set[int] | None, outcomes_since: datetime, limit: int
    ) -> list[MapItem]:
        """Open cases and cases whose outcome was recorded at or after `outcomes_since`
        (`case_ids` None: all), for the console's map."""
        ...
