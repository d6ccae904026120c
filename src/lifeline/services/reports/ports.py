"""Ports of reports: the read-only facts reports and the dashboard are built from (no personal
data: ids, kinds and timestamps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CaseFacts:
    """What a report needs of a case: no personal data, only ids, kinds and timestamps."""

    id: int
    platform: str
    status: str
    opened_at: datetime
    outcome: str | None
    #: milestone name (received, triaged, located, dispatched, ...) -> first time reached
    milestones: dict[str, datetime]


@dataclass(frozen=True)
class AlertFacts:
    id: int
    case_id: int
    source: str
    platform: str
    received_at: datetime


@dataclass(frozen=True)
class ReadingFacts:
    """The model's reading of one alert's post: its level, or why it could not read it."""

    case_id: int
    alert_id: int | None
    level: str
    unreadable: str | None


@dataclass(frozen=True)
class CheckInFacts:
    id: int
    plan_id: int
    case_id: int
    label: str
    due_at: datetime
    result: str | None
    cancelled: bool


class ReportSource(Protocol):
    """Read-only facts for reports (districts come from `UnitOfWork.jurisdictions`)."""

    def cases_opened(self, start: datetime, end: datetime) -> list[CaseFacts]:
        """Cases opened in [start, end), drills (no one's emergency) and monitoring finds dismissed
        at review (never sent to anyone) left out."""
        ...

    def alerts_of(self, case_ids: list[int]) -> list[AlertFacts]: ...
    def model_readings(self, case_ids: list[int]) -> list[ReadingFacts]:
        """The model's assessments of the cases' posts (not operators')."""
        ...

    def check_ins_due(self, start: datetime, end: datetime) -> list[CheckInFacts]:
        """Check-ins due in [start, end), of every plan."""
        ...
