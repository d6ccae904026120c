"""The live queue's order: what needs a person now comes first (issue #16: a case overdue with
nobody reached was 15th of 16 because 1.00 vs 0.99 decided the order).

Order: cases with a breached clock first, then risk level (highest first), then time since
the alert (oldest first); the model's score only breaks a tie within a level, and is shown as
a band (domain/floor.py: low, moderate, elevated, high), never as 0.99 vs 1.00.

The clocks of an open case, each measured against the case's own risk level:

- `dispatch`: not dispatched `dispatch_deadline.for_level(level)` after the alert;
- `unreached`: dispatched, no message delivered and nobody acknowledged
  `unreached_alarm_after.for_level(level)` after the dispatch;
- `ack`: not acknowledged `ack_sla` after the alert;
- `on_scene`: acknowledged, officers not on scene `on_scene_due` after the acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.risk import LevelDurations, RiskLevel, known_level
from lifeline.services.console.ports import QueueItem

#: the clocks in the order a person acts on them (the row names them in this order)
CLOCKS = ("dispatch", "unreached", "ack", "on_scene")


@dataclass(frozen=True)
class Clocks:
    """How long each clock of the queue may run, read from the settings."""

    dispatch_deadline: LevelDurations
    unreached_after: LevelDurations
    ack_sla: timedelta
    on_scene_due: timedelta


@dataclass(frozen=True)
class Breach:
    """A clock that ran out: which, and by how long."""

    clock: str
    overdue: timedelta

    @property
    def minutes(self) -> int:
        """Whole minutes overdue (0 in the first minute: see `seconds`)."""
        return int(self.overdue.total_seconds() // 60)

    @property
    def seconds(self) -> int:
        """Whole seconds overdue (what the row shows in the first minute)."""
        return int(self.overdue.total_seconds())


def breaches(item: QueueItem, now: datetime, clocks: Clocks) -> tuple[Breach, ...]:
    """The clocks of an open case that ran out at `now` (empty: none)."""
    level = known_level(item.risk_level)
    found: list[Breach] = []

    def check(clock: str, since: datetime | None, allowed: timedelta) -> None:
        if since is not None and now - since > allowed:
            found.append(Breach(clock, now - since - allowed))

    on_scene = item.status == "on_scene" or item.on_scene_at is not None
    if item.dispatched_at is None:
        check("dispatch", item.opened_at, clocks.dispatch_deadline.for_level(level))
    elif item.first_delivered_at is None and item.acknowledged_at is None and not on_scene:
        check("unreached", item.dispatched_at, clocks.unreached_after.for_level(level))
    if item.acknowledged_at is None and not on_scene:
        check("ack", item.opened_at, clocks.ack_sla)
    elif not on_scene:
        check("on_scene", item.acknowledged_at, clocks.on_scene_due)
    return tuple(found)


#: a risk level's place in RiskLevel (built once, not per row)
_LEVEL_RANKS = {level.value: rank for rank, level in enumerate(RiskLevel)}


def urgency(
    breached: bool, level: str | None, opened_at: datetime, score: float | None
) -> tuple[int, int, datetime, float]:
    """The queue's sort key (smallest first). An unassessed case counts as the most urgent
    level until the model or a person says otherwise: nothing sinks for lack of a score."""
    rank = _LEVEL_RANKS.get(level or "", len(_LEVEL_RANKS))
    return (0 if breached else 1, -rank, opened_at, -(score or 0.0))
