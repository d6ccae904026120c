"""Cases: read (audited) and the lifecycle steps staff take."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool

from lifeline.domain.access import Permission, minimal_view
from lifeline.domain.model import Actor, Case
from lifeline.services.cases import service as case_service
from lifeline.services.cases.read_models import (
    CaseRead,
    CaseStateRead,
    CaseSummaryRead,
    OfficerCaseRead,
    PartnerCaseRead,
)
from lifeline.services.retention import erasure
from lifeline.services.retention.read_models import CaseHoldRead
from lifeline.web.access import requires
from lifeline.web.api.schemas import (
    AcknowledgeIn,
    DismissIn,
    DispatchIn,
    ErrorOut,
    HandOverIn,
    HoldIn,
    LocationSetIn,
    OnSceneIn,
    OutcomeIn,
)
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)
}
#: the caller, checked against the permission table (web/access.py)
Lister = Annotated[Actor, requires(Permission.QUEUE_READ)]
Reader = Annotated[Actor, requires(Permission.CASE_READ, partners=True)]
Acting = Annotated[Actor, requires(Permission.CASE_ACT)]
Managing = Annotated[Actor, requires(Permission.CASE_MANAGE)]
Holding = Annotated[Actor, requires(Permission.CASE_HOLD)]
# Ids are 64-bit in the database; a larger number would fail in the driver (a 500), so the
# API refuses it as an invalid request instead.
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Case id")]


@router.get("", responses=ERRORS, summary="List cases, newest first")
def list_cases(
    app: App,
    actor: Lister,
    status: Annotated[list[SafeLine] | None, Query(description="Filter by status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[CaseSummaryRead]:
    return [
        CaseSummaryRead.model_validate(s)
        for s in case_service.list_cases(app.ctx, actor, statuses=status, limit=limit)
    ]


@router.get(
    "/{case_id}",
    responses=ERRORS,
    summary="One case (every read is audited)",
    description="SMC staff get a `CaseRead`, a district officer or the STF an `OfficerCaseRead`, "
    "a signed partner a `PartnerCaseRead`: what an audience may not see is not in its model.",
)
async def get_case(
    case_id: CaseId, app: App, actor: Reader
) -> CaseRead | OfficerCaseRead | PartnerCaseRead:
    detail = await run_in_threadpool(case_service.show_case, app.ctx, actor, case_id)
    if actor.kind == "partner":
        return PartnerCaseRead.of(detail, int(actor.id))
    if minimal_view(actor.role):  # a district officer, or the STF: the fields to act on
        return OfficerCaseRead.of(detail)
    return CaseRead.of(detail)


def _state(case: Case) -> CaseStateRead:
    return CaseStateRead.of(case)


@router.post("/{case_id}/acknowledge", responses=ERRORS, summary="A unit accepts the case")
def acknowledge(
    case_id: CaseId, app: App, actor: Acting, body: AcknowledgeIn | None = None
) -> CaseStateRead:
    """`unit` (registry id or name) stops that unit's escalation; without it, every running
    escalation of the case stops."""
    unit = body.unit if body is not None else ""
    return _state(case_service.acknowledge(app.ctx, actor, case_id, unit, via="api"))


@router.post("/{case_id}/location", responses=ERRORS, summary="Record where the person is")
def set_location(case_id: CaseId, body: LocationSetIn, app: App, actor: Managing) -> CaseStateRead:
    return _state(case_service.record_location(app.ctx, actor, case_id, body.place))


@router.post("/{case_id}/trace-request", responses=ERRORS, summary="Ask STF to trace")
def trace(case_id: CaseId, app: App, actor: Managing) -> CaseStateRead:
    return _state(case_service.request_trace(app.ctx, actor, case_id))


@router.post("/{case_id}/dispatch", responses=ERRORS, summary="Record dispatch to units")
def dispatch(case_id: CaseId, body: DispatchIn, app: App, actor: Managing) -> CaseStateRead:
    return _state(case_service.dispatch_case(app.ctx, actor, case_id, body.units))


@router.post("/{case_id}/on-scene", responses=ERRORS, summary="Officers reached the person")
def on_scene(case_id: CaseId, body: OnSceneIn, app: App, actor: Acting) -> CaseStateRead:
    return _state(case_service.mark_on_scene(app.ctx, actor, case_id, body.at))


@router.post("/{case_id}/outcome", responses=ERRORS, summary="Record the outcome")
def outcome(case_id: CaseId, body: OutcomeIn, app: App, actor: Acting) -> CaseStateRead:
    return _state(
        case_service.record_outcome(app.ctx, actor, case_id, body.outcome, body.reason, body.at)
    )


@router.post("/{case_id}/dismiss", responses=ERRORS, summary="Dismiss (false alarm, duplicate)")
def dismiss(case_id: CaseId, body: DismissIn, app: App, actor: Managing) -> CaseStateRead:
    return _state(case_service.dismiss(app.ctx, actor, case_id, body.outcome, body.reason))


@router.post("/{case_id}/hand-over", responses=ERRORS, summary="Hand over to another state")
def hand_over(case_id: CaseId, body: HandOverIn, app: App, actor: Managing) -> CaseStateRead:
    return _state(case_service.hand_over(app.ctx, actor, case_id, body.state, body.reason))


@router.post("/{case_id}/close", responses=ERRORS, summary="Close (needs an outcome)")
def close(case_id: CaseId, app: App, actor: Managing) -> CaseStateRead:
    return _state(case_service.close_case(app.ctx, actor, case_id))


@router.post("/{case_id}/hold", responses=ERRORS, summary="Put a case under legal hold (no purge)")
def hold(case_id: CaseId, body: HoldIn, app: App, actor: Holding) -> CaseHoldRead:
    """The CLI's `cases hold`: the case is kept whole until the hold is lifted. 409 when it
    is already held, or its personal data is already gone."""
    return CaseHoldRead.held(case_id, erasure.hold_case(app.ctx, case_id, body.reason, actor))


@router.post("/{case_id}/unhold", responses=ERRORS, summary="Lift a case's legal hold")
def unhold(case_id: CaseId, body: HoldIn, app: App, actor: Holding) -> CaseHoldRead:
    """The CLI's `cases unhold`, with the reason in the audit entry. 409 when not held."""
    lifted = erasure.unhold_case(app.ctx, case_id, actor, body.reason)
    return CaseHoldRead.unheld(case_id, lifted)
