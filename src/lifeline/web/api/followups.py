"""Follow-ups over HTTP: counsellors see their due check-ins and record how each went; the SMC
assigns counsellors, changes referrals and cancels plans."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from lifeline.domain.access import Permission
from lifeline.services.aftercare import followups as aftercare
from lifeline.services.aftercare.read_models import CounsellorPlanRead, FollowUpPlanRead
from lifeline.web.access import Requires
from lifeline.web.api.schemas import ErrorOut
from lifeline.web.deps import App, Staff
from lifeline.web.inputs import SafeDatetime, SafeLine, SafeText

#: every route: counsellors (their plans) and the SMC (every plan); the use cases decide which
router = APIRouter(
    prefix="/api/v1/follow-ups",
    tags=["follow-ups"],
    dependencies=[Depends(Requires(Permission.FOLLOWUP_WORK))],
)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 422)
}
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class CheckInIn(BaseModel):
    result: Literal["reached", "not_reached", "needs_escalation"]
    note: SafeText | None = Field(None, max_length=4000)
    at: SafeDatetime | None = Field(None, description="When the check-in happened (default now)")


class AssignIn(BaseModel):
    counsellor: SafeLine = Field(..., min_length=1, max_length=64)


class ReferralIn(BaseModel):
    kind: Literal["tele_manas", "district_mhp", "ngo"]
    unit_id: SafeLine | None = Field(None, max_length=120, description="Registry unit (for ngo)")
    name: SafeLine | None = Field(None, max_length=200)


class CancelIn(BaseModel):
    reason: SafeText = Field(..., min_length=1, max_length=2000)


@router.get("", responses=ERRORS, summary="Follow-up plans, soonest check-in first")
def list_plans(
    app: App,
    actor: Staff,
    due: Annotated[bool, Query(description="Only plans with a check-in due now")] = False,
    counsellor: Annotated[SafeLine | None, Query(max_length=64)] = None,
    status: Annotated[list[SafeLine] | None, Query(description="Default: active")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[FollowUpPlanRead]:
    plans = aftercare.list_plans(
        app.ctx, actor, due=due, counsellor=counsellor, statuses=status, limit=limit
    )
    now = app.clock.now()
    return [FollowUpPlanRead.of(p, now) for p in plans]


@router.get("/{plan_id}", responses=ERRORS, summary="One plan with the person's contact")
def get_plan(plan_id: Id, app: App, actor: Staff) -> CounsellorPlanRead:
    detail = aftercare.show_plan(app.ctx, actor, plan_id)
    return CounsellorPlanRead.of(detail, app.clock.now())


@router.post(
    "/check-ins/{check_in_id}",
    responses=ERRORS,
    summary="Record a check-in (needs_escalation reopens the case at the SMC)",
)
def record(check_in_id: Id, body: CheckInIn, app: App, actor: Staff) -> FollowUpPlanRead:
    plan = aftercare.record_check_in(app.ctx, actor, check_in_id, body.result, body.note, body.at)
    return FollowUpPlanRead.of(plan, app.clock.now())


@router.post("/{plan_id}/assign", responses=ERRORS, summary="Assign a counsellor")
def assign(plan_id: Id, body: AssignIn, app: App, actor: Staff) -> FollowUpPlanRead:
    plan = aftercare.assign_counsellor(app.ctx, actor, plan_id, body.counsellor)
    return FollowUpPlanRead.of(plan, app.clock.now())


@router.post("/{plan_id}/referral", responses=ERRORS, summary="Change the referral")
def refer(plan_id: Id, body: ReferralIn, app: App, actor: Staff) -> FollowUpPlanRead:
    plan = aftercare.change_referral(
        app.ctx, actor, plan_id, body.kind, unit_id=body.unit_id, name=body.name
    )
    return FollowUpPlanRead.of(plan, app.clock.now())


@router.post("/{plan_id}/cancel", responses=ERRORS, summary="End a plan early, with a reason")
def cancel(plan_id: Id, body: CancelIn, app: App, actor: Staff) -> FollowUpPlanRead:
    plan = aftercare.cancel_plan(app.ctx, actor, plan_id, body.reason)
    return FollowUpPlanRead.of(plan, app.clock.now())
