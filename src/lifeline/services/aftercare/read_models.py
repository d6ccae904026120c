"""Reads of aftercare: follow-up plans with their check-ins, the plan a counsellor works from
(with the person's name and phone, nothing else of the case), and a person's earlier cases."""

from datetime import datetime
from typing import Annotated, Self

from pydantic import Field

from lifeline.domain.aftercare import (
    CheckIn,
    CheckInResult,
    FollowUpPlan,
    PlanStatus,
    ReferralKind,
)
from lifeline.domain.model import OutcomeKind
from lifeline.services.aftercare.followups import PlanDetail
from lifeline.services.read_model import ReadModel, Timestamp


class ReferralRead(ReadModel):
    """Where the person is referred: Tele-MANAS, the district's programme or an NGO."""

    kind: ReferralKind
    name: str
    contact: str | None
    unit_id: Annotated[str | None, Field(description="the registry unit (an NGO's, or Tele-MANAS)")]


class CheckInRead(ReadModel):
    """One scheduled check-in (24 h, 7 d, 30 d) and how it went."""

    id: int
    label: str
    due_at: Timestamp
    state: Annotated[
        str,
        Field(description="scheduled, due, reached, not_reached, needs_escalation or cancelled"),
    ]
    notified_at: Timestamp | None
    result: CheckInResult | None
    recorded_at: Timestamp | None
    recorded_by: str | None
    note: str | None

    @classmethod
    def of(cls, c: CheckIn, now: datetime | None) -> Self:
        assert c.id is not None, "a read check-in is stored"
        return cls(
            id=c.id,
            label=c.label,
            due_at=c.due_at,
            state=c.state(now),
            notified_at=c.notified_at,
            result=c.result,
            recorded_at=c.recorded_at,
            recorded_by=c.recorded_by,
            note=c.note,
        )


class FollowUpPlanRead(ReadModel):
    """A follow-up plan after a person was reached alive, soonest open check-in first."""

    id: int
    case_id: int
    status: PlanStatus
    outcome: OutcomeKind
    outcome_at: Timestamp
    proposed_at: Timestamp
    proposed_by: str
    counsellor: Annotated[str | None, Field(description="the counsellor's username")]
    referral: ReferralRead
    next_due_at: Annotated[Timestamp | None, Field(description="the earliest open check-in")]
    ended_at: Timestamp | None
    end_reason: str | None
    check_ins: list[CheckInRead]

    @classmethod
    def of(cls, plan: FollowUpPlan, now: datetime | None = None) -> Self:
        """`now` tells due check-ins from scheduled ones (without it, due once notified)."""
        assert plan.id is not None, "a read plan is stored"
        open_due = [c.due_at for c in plan.check_ins if c.is_open]
        return cls(
            id=plan.id,
            case_id=plan.case_id,
            status=plan.status,
            outcome=plan.outcome,
            outcome_at=plan.outcome_at,
            proposed_at=plan.proposed_at,
            proposed_by=plan.proposed_by,
            counsellor=plan.counsellor,
            referral=plan.referral,
            next_due_at=min(open_due) if open_due else None,
            ended_at=plan.ended_at,
            end_reason=plan.end_reason,
            check_ins=[CheckInRead.of(c, now) for c in plan.check_ins],
        )


class PersonRead(ReadModel):
    """Who to call: the person's name and phone, nothing else."""

    name: str | None
    phone: str | None


class CounsellorPlanRead(ReadModel):
    """One plan as its counsellor (or the SMC) works from it: the plan and the person's name
    and phone; not the case, its posts, places or other identifiers (the read is audited)."""

    id: int
    case_id: int
    status: PlanStatus
    outcome: OutcomeKind
    outcome_at: Timestamp
    proposed_at: Timestamp
    proposed_by: str
    counsellor: str | None
    referral: ReferralRead
    next_due_at: Timestamp | None
    ended_at: Timestamp | None
    end_reason: str | None
    check_ins: list[CheckInRead]
    person: PersonRead | None

    @classmethod
    def of(cls, detail: PlanDetail, now: datetime | None) -> Self:
        plan = FollowUpPlanRead.of(detail.plan, now).model_dump()
        return cls.model_validate({**plan, "person": detail.subject})


class EarlierCaseRead(ReadModel):
    """A case about the same person opened before this one, and how it ended."""

    case_id: int
    opened_at: Timestamp
    status: str
    outcome: str | None
    outcome_at: Timestamp | None
    matched_on: Annotated[
        list[str],
        Field(
            description="identifiers that matched: account, profile, phone, email (never values)"
        ),
    ]
    follow_up: Annotated[
        str | None, Field(description="the status of its latest follow-up plan, if it had one")
    ]
