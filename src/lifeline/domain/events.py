"""Domain events: facts that happened to a case, recorded by entities and published through the
outbox. Each is a small dataclass whose docstring is its documentation (see docs/events.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""

    name: ClassVar[str] = "event"
    case_id: int | None
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        data["event"] = self.name
        return data


@dataclass(frozen=True)
class CaseOpened(Event):
    """A new case was opened for a subject by its first alert."""

    name: ClassVar[str] = "case_opened"
    alert_id: int | None = None
    source: str = ""
    platform: str = ""


@dataclass(frozen=True)
class AlertMerged(Event):
    """A further alert about the same subject was added to an open case."""

    name: ClassVar[str] = "alert_merged"
    alert_id: int | None = None
    source: str = ""
    platform: str = ""


@dataclass(frozen=True)
class CaseTransitioned(Event):
    """The case moved from one lifecycle state to another."""

    name: ClassVar[str] = "case_transitioned"
    step: str = ""
    from_status: str = ""
    to_status: str = ""
    actor: str = ""


@dataclass(frozen=True)
class MilestoneReached(Event):
    """A milestone (triaged, located) was reached for the first time."""

    name: ClassVar[str] = "milestone_reached"
    milestone: str = ""


@dataclass(frozen=True)
class OutcomeRecorded(Event):
    """The outcome of the response was recorded."""

    name: ClassVar[str] = "outcome_recorded"
    outcome: str = ""
    actor: str = ""


@dataclass(frozen=True)
class DispatchOverdue(Event):
    """A case was still not dispatched when its dispatch deadline passed."""

    name: ClassVar[str] = "dispatch_overdue"
    waited_seconds: int = 0
    status: str = ""


@dataclass(frozen=True)
class DispatchStarted(Event):
    """An escalation to a unit started (purpose `respond`, or `trace` for the STF)."""

    name: ClassVar[str] = "dispatch_started"
    unit_id: str = ""
    purpose: str = ""
    policy: str = ""


@dataclass(frozen=True)
class UnitAcknowledged(Event):
    """A unit acknowledged the case (via link, sms, console or api); its escalation stops."""

    name: ClassVar[str] = "unit_acknowledged"
    unit_id: str = ""
    via: str = ""
    actor: str = ""


@dataclass(frozen=True)
class SmcAlarmRaised(Event):
    """No unit was reached or acknowledged in time: the SMC was alarmed."""

    name: ClassVar[str] = "smc_alarm_raised"
    reason: str = ""


ALL_EVENTS: tuple[type[Event], ...] = (
    CaseOpened,
    AlertMerged,
    CaseTransitioned,
    MilestoneReached,
    OutcomeRecorded,
    DispatchOverdue,
    DispatchStarted,
    UnitAcknowledged,
    SmcAlarmRaised,
)
