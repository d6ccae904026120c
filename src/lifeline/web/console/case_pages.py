"""The case page and its actions. Each action is a small form (CSRF-checked) that calls a use
case; the use case checks role and jurisdiction, so a forged form gets the same refusal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field

from lifeline.domain.access import Permission
from lifeline.domain.model import OutcomeKind
from lifeline.domain.risk import LEVELS
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.aftercare.counselling import case_follow_ups
from lifeline.services.cases import service as case_service
from lifeline.services.cases.field import field_reports
from lifeline.services.console import desk as console_service
from lifeline.services.dispatch.escalations import confirm_dispatch
from lifeline.services.dispatch.views import dispatch_panel
from lifeline.services.retention import erasure
from lifeline.services.triage import assessment as triage
from lifeline.web.console.common import (
    PREFIX,
    ConsoleRoute,
    check_csrf,
    redirect,
    render,
    requires,
)
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine, SafeText

router = APIRouter(prefix=PREFIX + "/cases", route_class=ConsoleRoute, include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Csrf = Annotated[str, Form(max_length=100)]
#: a registry unit id (or a comma list of them) as a form sends it
UnitId = Annotated[SafeLine, Field(max_length=2000)]
#: the signed-in person, checked against the permission table (web/access.py); the use case
#: checks again, with the case's scope (404 outside it)
Reading = Annotated[ConsoleSession, requires(Permission.CASE_READ)]
Acting = Annotated[ConsoleSession, requires(Permission.CASE_ACT)]
Managing = Annotated[ConsoleSession, requires(Permission.CASE_MANAGE)]
Noting = Annotated[ConsoleSession, requires(Permission.CASE_NOTE)]
Holding = Annotated[ConsoleSession, requires(Permission.CASE_HOLD)]
#: a legal hold's reason (the order's reference), or why it ends
HoldReason = Annotated[SafeLine, Form(min_length=1, max_length=500)]
ACTIONS = (
    "acknowledge",
    "on-scene",
    "outcome",
    "dismiss",
    "hand-over",
    "close",
    "locate",
    "trace",
    "dispatch",
    "confirm-dispatch",
    "note",
    "assess",
    "hold",
    "unhold",
)


@router.get("/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: CaseId, app: App, session: Reading) -> HTMLResponse:
    view = console_service.case_view(app.ctx, session.actor, case_id)
    panel = dispatch_panel(
        app.ctx,
        session.actor,
        case_id,
        with_plan="dispatch" in view.steps and view.can["case_manage"],
    )
    with app.ctx.uow(readonly=True) as uow:
        districts = uow.jurisdictions.districts()
    names = {code: (en, hi) for code, en, hi in districts}
    return render(
        request,
        "case.html",
        {
            "view": view,
            "panel": panel,
            "now": app.clock.now(),
            "districts": districts,
            "district_names": names,
            "minutes": console_service.milestone_minutes(view),
            "outcomes": [o.value for o in OutcomeKind],
            "levels": [level.value for level in LEVELS],
            "done": request.query_params.get("done", ""),
            "follow_ups": case_follow_ups(app.ctx, session.actor, case_id),
            "field_reports": field_reports(app.ctx, session.actor, case_id),
        },
    )


@router.get("/{case_id}/attachments/{attachment_id}")
def download(case_id: CaseId, attachment_id: CaseId, app: App, session: Reading) -> Response:
    found = console_service.attachment(app.ctx, session.actor, case_id, attachment_id)
    safe = "".join(c for c in found.filename if c.isalnum() or c in "._-") or "attachment"
    return Response(
        found.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def _done(case_id: int, action: str, anchor: str = "actions") -> Response:
    return redirect(f"{PREFIX}/cases/{case_id}?done={action}#{anchor}")


@router.post("/{case_id}/acknowledge")
def acknowledge(
    case_id: CaseId, app: App, session: Acting, csrf: Csrf,
    unit: Annotated[SafeLine, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    case_service.acknowledge(app.ctx, session.actor, case_id, unit.strip())
    return _done(case_id, "acknowledge", "done")  # the field steps are at the top


@router.post("/{case_id}/on-scene")
def on_scene(case_id: CaseId, app: App, session: Acting, csrf: Csrf) -> Response:
    check_csrf(session, csrf)
    case_service.mark_on_scene(app.ctx, session.actor, case_id)
    return _done(case_id, "on_scene", "done")


@router.post("/{case_id}/outcome")
def outcome(
    case_id: CaseId, app: App, session: Acting, csrf: Csrf,
    outcome: Annotated[SafeLine, Form(max_length=40)],
    reason: Annotated[SafeText, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    case_service.record_outcome(app.ctx, session.actor, case_id, outcome, reason or None)
    return _done(case_id, "outcome")


@router.post("/{case_id}/dismiss")
def dismiss(
    case_id: CaseId, app: App, session: Managing, csrf: Csrf,
    outcome: Annotated[SafeLine, Form(max_length=40)],
    reason: Annotated[SafeText, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    case_service.dismiss(app.ctx, session.actor, case_id, outcome, reason)
    return _done(case_id, "dismiss")


@router.post("/{case_id}/hand-over")
def hand_over(
    case_id: CaseId, app: App, session: Managing, csrf: Csrf,
    state: Annotated[SafeLine, Form(max_length=100)],
    reason: Annotated[SafeText, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    case_service.hand_over(app.ctx, session.actor, case_id, state, reason)
    return _done(case_id, "hand_over")


@router.post("/{case_id}/close")
def close(case_id: CaseId, app: App, session: Managing, csrf: Csrf) -> Response:
    check_csrf(session, csrf)
    case_service.close_case(app.ctx, session.actor, case_id)
    return _done(case_id, "close")


@router.post("/{case_id}/locate")
def locate(
    case_id: CaseId, app: App, session: Managing, csrf: Csrf,
    place: Annotated[SafeLine, Form(max_length=500)] = "",
    district: Annotated[SafeLine, Form(max_length=100)] = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    console_service.record_place(app.ctx, session.actor, case_id, place, district or None)
    return _done(case_id, "record_location")


@router.post("/{case_id}/trace")
def trace(case_id: CaseId, app: App, session: Managing, csrf: Csrf) -> Response:
    check_csrf(session, csrf)
    case_service.request_trace(app.ctx, session.actor, case_id)
    return _done(case_id, "request_trace")


@router.post("/{case_id}/dispatch")
def dispatch(
    case_id: CaseId, app: App, session: Managing, csrf: Csrf,
    units: Annotated[SafeLine, Form(max_length=2000)],
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    names = [u.strip() for u in units.replace("\n", ",").split(",") if u.strip()]
    case_service.dispatch_case(app.ctx, session.actor, case_id, names)
    return _done(case_id, "dispatch")


@router.post("/{case_id}/confirm-dispatch")
def confirm(
    case_id: CaseId, app: App, session: Managing, csrf: Csrf,
    units: Annotated[list[UnitId], Form(max_length=50)] = [],  # noqa: B006
) -> Response:  # fmt: skip
    """The operator's one click: send the case to the units the dry run shows (or those
    chosen from the registry's; an id not in it refuses the whole dispatch), and start their
    escalations."""
    check_csrf(session, csrf)
    chosen = [u.strip() for v in units for u in v.replace("\n", ",").split(",") if u.strip()]
    confirm_dispatch(app.ctx, session.actor, case_id, chosen)
    app.jobs_ready.set()  # the first messages are jobs: send them now
    return _done(case_id, "confirm_dispatch")


@router.post("/{case_id}/note")
def note(
    case_id: CaseId, app: App, session: Noting, csrf: Csrf,
    text: Annotated[SafeText, Form(max_length=5000)],
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    console_service.add_note(app.ctx, session.actor, case_id, text)
    return _done(case_id, "add_note")


@router.post("/{case_id}/assess")
def assess(
    case_id: CaseId, app: App, session: Managing, csrf: Csrf,
    level: Annotated[SafeLine, Form(max_length=20)],
    text: Annotated[SafeText, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    triage.record_operator_assessment(app.ctx, session.actor, case_id, level, note=text or None)
    return _done(case_id, "confirm_level")


@router.post("/{case_id}/hold")
def hold(case_id: CaseId, app: App, session: Holding, csrf: Csrf, reason: HoldReason) -> Response:
    """The CLI's `cases hold`, from the case page: the same use case and audit entry."""
    check_csrf(session, csrf)
    erasure.hold_case(app.ctx, case_id, reason, session.actor)
    return _done(case_id, "legal_hold", "hold-panel")


@router.post("/{case_id}/unhold")
def unhold(case_id: CaseId, app: App, session: Holding, csrf: Csrf, reason: HoldReason) -> Response:
    check_csrf(session, csrf)
    erasure.unhold_case(app.ctx, case_id, session.actor, reason)
    return _done(case_id, "legal_hold_lifted", "hold-panel")
