"""Aftercare: the follow-up plan proposed when a response leaves the person alive.

A plan follows one outcome of one case: check-ins at fixed offsets from the outcome (by default
24 hours, 7 days and 30 days), a referral to a counselling partner (Tele-MANAS 14416, the
district mental-health programme, or an NGO from the registry) and, once assigned, a counsellor.
Each check-in is recorded once, as reached, not reached, or needs escalation; an escalation ends
the plan and the service reopens the case at the SMC (Case.reopen) in the same transaction.
The plan records events and case timeline entries; the repository stores it (notes encrypted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from lifeline.domain.errors import Conflict, DomainError, NotFound
from lifeline.domain.events import Event
from lifeline.domain.model import (
    ALIVE_OUTCOMES,
    Actor,
    Case,
    KeepsTimeline,
    OutcomeKind,
    TimelineEntry,
)


class InvalidFollowUp(DomainError):
    """A follow-up request that cannot be acted on: bad schedule, referral, time or result."""

    code = "invalid_follow_up"


class ReferralKind(StrEnum):
    TELE_MANAS = "tele_manas"
    DISTRICT_MHP = "district_mhp"
    NGO = "ngo"


@dataclass(frozen=True)
class Referral:
    """Where the person is referred for counselling. `unit_id` names a registry unit."""

    kind: ReferralKind
    name: str
    contact: str | None = None
    unit_id: str | None = None


#: the national tele-mental-health helpline (registry unit `tele-manas`), the default referral
TELE_MANAS = Referral(ReferralKind.TELE_MANAS, "Tele-MANAS", "14416", "tele-manas")


class CheckInResult(StrEnum):
    REACHED = "reached"
    NOT_REACHED = "not_reached"
    NEEDS_ESCALATION = "needs_escalation"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


def offset_label(offset: timedelta) -> str:
    """ "24h", "7d", "90m": how a check-in is named on screens and in reports."""
    seconds = int(offset.total_seconds())
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{max(1, seconds // 60)}m"


@dataclass
class CheckIn:
    due_at: datetime
    label: str
    notified_at: datetime | None = None
    result: CheckInResult | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    note: str | None = None
    cancelled_at: datetime | None = None
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.result is None and self.cancelled_at is None

    def state(self, now: datetime | None = None) -> str:
        """scheduled, due, reached, not_reached, needs_escalation or cancelled (without `now`,
        due once its timer has fired)."""
        if self.result is not None:
            return self.result.value
        if self.cancelled_at is not None:
            return "cancelled"
        due = self.notified_at is not None or (now is not None and self.due_at <= now)
        return "due" if due else "scheduled"


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpPlanned(Event):
    """A follow-up plan was proposed for a person reached alive."""

    name: ClassVar[str] = "follow_up_planned"
    plan_id: int | None = None
    outcome: str = ""
    due: tuple[str, ...] = ()
    referral: str = ""


@dataclass(frozen=True)
class FollowUpDue(Event):
    """A follow-up check-in fell due: the assigned counsellor (or, if none, the SMC) calls."""

    name: ClassVar[str] = "follow_up_due"
    plan_id: int | None = None
    check_in_id: int | None = None
    label: str = ""
    due_at: str = ""
    counsellor: str | None = None
    referral: str = ""


@dataclass(frozen=True)
class FollowUpRecorded(Event):
    """A counsellor recorded how a check-in went (reached, not_reached, needs_escalation)."""

    name: ClassVar[str] = "follow_up_recorded"
    plan_id: int | None = None
    check_in_id: int | None = None
    result: str = ""
    actor: str = ""


@dataclass(frozen=True)
class FollowUpEnded(Event):
    """A follow-up plan ended: completed, escalated (the case reopened) or cancelled."""

    name: ClassVar[str] = "follow_up_ended"
    plan_id: int | None = None
    status: str = ""
    actor: str = ""


@dataclass(frozen=True)
class RepeatSubjectLinked(Event):
    """An alert's subject matched earlier cases (same account, profile, phone or e-mail)."""

    name: ClassVar[str] = "repeat_subject_linked"
    earlier_case_ids: tuple[int, ...] = ()
    matched_on: tuple[str, ...] = ()


AFTERCARE_EVENTS: tuple[type[Event], ...] = (
    FollowUpPlanned,
    FollowUpDue,
    FollowUpRecorded,
    FollowUpEnded,
    RepeatSubjectLinked,
)


# -- the plan ---------------------------------------------------------------------------------


@dataclass
class FollowUpPlan(KeepsTimeline):
    case_id: int
    outcome: OutcomeKind
    outcome_at: datetime
    proposed_at: datetime
    proposed_by: str
    referral: Referral
    check_ins: list[CheckIn]
    counsellor: str | None = None
    status: PlanStatus = PlanStatus.ACTIVE
    ended_at: datetime | None = None
    end_reason: str | None = None
    version: int = 0
    id: int | None = None
    events: list[Event] = field(default_factory=list, repr=False)
    new_timeline: list[TimelineEntry] = field(default_factory=list, repr=False)

    @classmethod
    def propose(
        cls,
        case: Case,
        at: datetime,
        actor: Actor,
        schedule: Sequence[timedelta],
        referral: Referral = TELE_MANAS,
    ) -> FollowUpPlan:
        """Check-ins at each offset of `schedule` after the case's outcome."""
        outcome = case.outcome
        if case.id is None or outcome is None or outcome.kind not in ALIVE_OUTCOMES:
            what = outcome.kind.value if outcome else "no outcome"
            raise InvalidFollowUp(f"a follow-up plan is for a person reached alive, not {what}")
        offsets = sorted(set(schedule))
        if not offsets or offsets[0] <= timedelta(0):
            raise InvalidFollowUp("a follow-up schedule needs one or more positive offsets")
        check_ins = [CheckIn(outcome.recorded_at + o, offset_label(o)) for o in offsets]
        plan = cls(case.id, outcome.kind, outcome.recorded_at, at, str(actor), referral, check_ins)
        labels = ", ".join(c.label for c in check_ins)
        plan._note(
            at,
            "follow_up_planned",
            f"Follow-up planned ({labels}), referral {referral.name} / फ़ॉलो-अप योजना बनी",
            actor,
            {"referral": referral.kind.value, "check_ins": [c.label for c in check_ins]},
        )
        return plan

    def planned(self) -> None:
        """Record the planning event once the repository has assigned ids."""
        self.events.append(
            FollowUpPlanned(
                self.case_id,
                self.proposed_at,
                self.id,
                self.outcome.value,
                tuple(c.due_at.isoformat() for c in self.check_ins),
                self.referral.kind.value,
            )
        )

    def check_in(self, check_in_id: int) -> CheckIn:
        for check_in in self.check_ins:
            if check_in.id == check_in_id:
                return check_in
        raise NotFound(f"check-in {check_in_id} is not part of follow-up plan {self.id}")

    # -- steps ---------------------------------------------------------------------------
    def mark_due(self, check_in_id: int, at: datetime) -> bool:
        """The check-in's timer fired. False (change nothing) when it is stale: the plan
        ended, or the check-in was recorded, cancelled or already notified."""
        check_in = self.check_in(check_in_id)
        if self.status is not PlanStatus.ACTIVE or not check_in.is_open:
            return False
        if check_in.notified_at is not None:
            return False
        check_in.notified_at = at
        self.events.append(
            FollowUpDue(
                self.case_id,
                at,
                self.id,
                check_in.id,
                check_in.label,
                check_in.due_at.isoformat(),
                self.counsellor,
                self.referral.kind.value,
            )
        )
        who = self.counsellor or "the SMC (no counsellor assigned)"
        self._note(
            at,
            "follow_up_due",
            f"Follow-up check-in {check_in.label} due: {who} / फ़ॉलो-अप का समय",
            details={"plan_id": self.id, "check_in_id": check_in.id},
        )
        return True

    def record(
        self,
        check_in_id: int,
        result: CheckInResult,
        at: datetime,
        actor: Actor,
        note: str | None = None,
    ) -> None:
        """Record how a check-in went. An escalation ends the plan; the caller reopens the case
        in the same transaction."""
        self._require_active("record a check-in on")
        check_in = self.check_in(check_in_id)
        if check_in.result is not None:
            raise Conflict(
                f"check-in {check_in_id} was already recorded as {check_in.result.value} "
                f"by {check_in.recorded_by}"
            )
        if check_in.cancelled_at is not None:
            raise Conflict(f"check-in {check_in_id} was cancelled")
        if at < self.outcome_at:
            raise InvalidFollowUp("a check-in cannot be before the outcome it follows")
        check_in.result, check_in.recorded_at, check_in.recorded_by = result, at, str(actor)
        check_in.note = (note or "").strip() or None
        self.events.append(
            FollowUpRecorded(self.case_id, at, self.id, check_in.id, result.value, str(actor))
        )
        self._note(
            at,
            "follow_up_recorded",
            f"Follow-up {check_in.label}: {result.value} / फ़ॉलो-अप दर्ज",
            actor,
            {"plan_id": self.id, "check_in_id": check_in.id, "result": result.value},
        )
        if result is CheckInResult.NEEDS_ESCALATION:
            self._end(PlanStatus.ESCALATED, at, actor, check_in.note)
        elif not any(c.is_open for c in self.check_ins):
            self._end(PlanStatus.COMPLETED, at, actor, None)

    def assign(self, counsellor: str, at: datetime, actor: Actor) -> None:
        self._require_active("assign a counsellor to")
        if not counsellor.strip():
            raise InvalidFollowUp("name the counsellor (a username)")
        self.counsellor = counsellor.strip()
        self._note(
            at,
            "follow_up_assigned",
            f"Follow-up assigned to counsellor {self.counsellor} / परामर्शदाता नियुक्त",
            actor,
            {"plan_id": self.id, "counsellor": self.counsellor},
        )

    def refer(self, referral: Referral, at: datetime, actor: Actor) -> None:
        self._require_active("change the referral of")
        self.referral = referral
        self._note(
            at,
            "follow_up_referral",
            f"Referral: {referral.name} / रेफ़रल",
            actor,
            {"plan_id": self.id, "referral": referral.kind.value, "unit_id": referral.unit_id},
        )

    def cancel(self, at: datetime, actor: Actor, reason: str) -> None:
        """End the plan early (e.g. the person declined follow-up, or moved away)."""
        self._require_active("cancel")
        if not reason.strip():
            raise InvalidFollowUp("cancelling a follow-up plan needs a short reason")
        self._end(PlanStatus.CANCELLED, at, actor, reason.strip())

    # -- internals -----------------------------------------------------------------------
    def _require_active(self, attempted: str) -> None:
        if self.status is not PlanStatus.ACTIVE:
            raise Conflict(f"cannot {attempted} follow-up plan {self.id}: it is {self.status}")

    def _end(self, status: PlanStatus, at: datetime, actor: Actor, reason: str | None) -> None:
        self.status, self.ended_at, self.end_reason = status, at, reason
        for check_in in self.check_ins:
            if check_in.is_open:
                check_in.cancelled_at = at
        self.events.append(FollowUpEnded(self.case_id, at, self.id, status.value, str(actor)))
        self._note(
            at,
            "follow_up_ended",
            f"Follow-up plan {status.value} / फ़ॉलो-अप योजना समाप्त",
            actor,
            {"plan_id": self.id, "status": status.value, "reason": reason},
        )
