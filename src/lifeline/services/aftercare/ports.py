"""Ports of aftercare: follow-up plans with their check-ins, and earlier cases about the same
person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lifeline.domain.aftercare import FollowUpPlan


@dataclass(frozen=True)
class EarlierCase:
    """A case about the same person opened before this one, and how it ended."""

    case_id: int
    opened_at: datetime
    status: str
    outcome: str | None
    outcome_at: datetime | None
    #: which kinds of identifier matched: account, profile, phone, email (never the values)
    matched_on: tuple[str, ...]
    #: status of its latest follow-up plan, if it had one
    follow_up: str | None = None


class AftercareRepository(Protocol):
    """Follow-up plans with their check-ins (notes encrypted), and links between cases about
    the same person."""

    def add_plan(self, plan: FollowUpPlan) -> FollowUpPlan: ...
    def get_plan(self, plan_id: int, *, for_update: bool = False) -> FollowUpPlan: ...
    def plan_of_check_in(self, check_in_id: int, *, for_update: bool = False) -> FollowUpPlan: ...
    def save_plan(self, plan: FollowUpPlan) -> None: ...
    def plans_for_case(self, case_id: int) -> list[FollowUpPlan]: ...
    def plans(
        self,
        *,
        statuses: list[str] | None = None,
        counsellor: str | None = None,
        with_unassigned: bool = False,
        due_before: datetime | None = None,
        limit: int = 100,
    ) -> list[FollowUpPlan]:
        """Plans, soonest open check-in first. `counsellor` keeps that counsellor's plans (and
        unassigned ones with `with_unassigned`); `due_before` keeps plans with an open check-in
        due by then."""
        ...

    def find_earlier_cases(
        self, identity_keys: list[str], *, before: datetime, exclude: int
    ) -> dict[int, set[str]]:
        """Cases whose subject or keys share a keyed hash with one of `identity_keys`
        (Subject.identity_keys) and that came before case `exclude`: opened before `before`,
        or stored before it (a lower id) although timed later, as a released quarantine mail
        is timed from its arrival. Case id -> kinds matched."""
        ...

    def link_cases(self, case_id: int, earlier: dict[int, set[str]], at: datetime) -> list[int]:
        """Record links to earlier cases; returns the ids not linked before."""
        ...

    def history(self, case_id: int) -> list[EarlierCase]: ...
