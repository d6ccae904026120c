"""The review queue of monitoring cases (issue 19): read it, escalate a case into a
dispatchable one, or dismiss it with a reason. Every route needs `case.manage`; each decision
is audited by the use case (services/cases/review.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from lifeline.domain.access import Permission
from lifeline.domain.model import Actor
from lifeline.domain.review import DismissReason
from lifeline.services.cases import review
from lifeline.services.cases.review_reads import ReviewDecisionRead, ReviewQueueRead
from lifeline.web.access import requires
from lifeline.web.api.schemas import ErrorOut
from lifeline.web.deps import App
from lifeline.web.inputs import SafeText

router = APIRouter(tags=["monitoring review"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)
}
Reviewer = Annotated[Actor, requires(Permission.CASE_MANAGE)]
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Case id")]
Level = Literal["none", "discussion", "distress", "ideation", "intent", "imminent"]


class EscalateIn(BaseModel):
    level: Level | None = Field(None, description="the operator's level (default: the case's)")
    subject: Literal["self", "other"] = Field(
        "self", description="self: about the author; other: about someone else"
    )
    note: SafeText = Field("", max_length=2000)


class DismissReviewIn(BaseModel):
    reason: DismissReason
    note: SafeText = Field("", max_length=2000, description="required when reason is other")


@router.get(
    "/api/v1/monitoring/review",
    responses=ERRORS,
    summary="Monitoring cases waiting for review, highest level then newest post first",
)
async def review_queue(
    app: App,
    actor: Reviewer,
    limit: Annotated[int, Query(ge=1, le=1000)] = review.PAGE_SIZE,
) -> ReviewQueueRead:
    found = await run_in_threadpool(review.review_queue, app.ctx, actor, limit=limit)
    return ReviewQueueRead.of(found)


@router.post(
    "/api/v1/cases/{case_id}/review/escalate",
    responses=ERRORS,
    summary="Escalate a monitoring case: it may now be dispatched",
)
def escalate(case_id: CaseId, body: EscalateIn, app: App, actor: Reviewer) -> ReviewDecisionRead:
    case = review.escalate(
        app.ctx, case_id, actor, body.level, body.note or None, subject=body.subject
    )
    return ReviewDecisionRead.of(case)


@router.post(
    "/api/v1/cases/{case_id}/review/dismiss",
    responses=ERRORS,
    summary="Dismiss a monitoring case with a reason (other needs a note)",
)
def dismiss(
    case_id: CaseId, body: DismissReviewIn, app: App, actor: Reviewer
) -> ReviewDecisionRead:
    case = review.dismiss(app.ctx, case_id, actor, body.reason.value, body.note or None)
    return ReviewDecisionRead.of(case)
