"""The counsellor's console: the follow-up check-ins overdue and due soon, each with what the
call needs (name, phone, language, referral, the plan's schedule), and the forms that take an
unassigned plan and record how a check-in went. Counsellors land here after signing in; the
SMC (who manage every plan) reach it from the nav.

Every form is CSRF-checked and calls the aftercare use cases, which check the role and the
plan's counsellor again and audit the change; "needs escalation" reopens the case at the SMC
(`record_check_in`). A refused form is shown again with the note as typed and what was wrong.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from lifeline.bootstrap import Lifeline
from lifeline.domain.access import Permission
from lifeline.domain.aftercare import CheckInResult
from lifeline.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.aftercare import counselling
from lifeline.services.aftercare import followups as aftercare
from lifeline.web.console.common import (
    PREFIX,
    REDISPLAY,
    ConsoleRoute,
    check_csrf,
    redirect,
    render,
    requires,
)
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine, SafeText

router = APIRouter(prefix=PREFIX + "/followups", route_class=ConsoleRoute, include_in_schema=False)
#: counsellors (their plans, and unassigned ones to take) and the SMC (every plan); the use
#: cases decide which plan each may work
Working = Annotated[ConsoleSession, requires(Permission.FOLLOWUP_WORK)]
Csrf = Annotated[str, Form(max_length=100)]
PAGE = PREFIX + "/followups"
RESULTS = tuple(r.value for r in CheckInResult)
#: what the page says after each step (keys of strings/counsellor.py)
DONE = {
    "reached": "followup_done_reached",
    "not_reached": "followup_done_not_reached",
    "needs_escalation": "followup_done_escalated",
    "taken": "followup_done_taken",
}
NOTE_MAX = 4000


def _page(
    request: Request,
    app: Lifeline,
    session: ConsoleSession,
    *,
    status: int = 200,
    error: str = "",
    typed: dict[str, str] | None = None,
    problems: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    desk = counselling.counsellor_desk(app.ctx, session.actor)
    done = DONE.get(request.query_params.get("done", ""), "")
    typed = typed or {}
    listed = {str(c.check_in.id) for c in desk.calls}
    # a refused note whose check-in is no longer listed (recorded meanwhile): shown as typed
    unplaced = "" if typed.get("followup_check_in") in listed else typed.get("followup_note", "")
    context = {
        "desk": desk,
        "results": RESULTS,
        "done": done,
        "error": error,
        "typed": typed,
        "unplaced_note": unplaced,
        "problems": problems or [],
        "note_max": NOTE_MAX,
    }
    return render(request, "followups.html", context, status)


@router.get("", response_class=HTMLResponse)
async def followups_page(request: Request, app: App, session: Working) -> HTMLResponse:
    return await run_in_threadpool(_page, request, app, session)


def _again(request: Request, values: dict[str, str], problems: list[tuple[str, str]]) -> Response:
    """The list again, with the refused check-in's note as typed and what was wrong."""
    session: ConsoleSession | None = getattr(request.state, "console", None)
    if session is None:  # not signed in: the generic page (nothing was typed by a person)
        return render(request, "invalid_form.html", {"problems": problems}, 422)
    lifeline: Lifeline = request.app.state.lifeline
    return _page(request, lifeline, session, status=422, typed=values, problems=problems)


REDISPLAY[PAGE + "/record"] = _again


@router.post("/record", response_class=HTMLResponse)
def record(
    request: Request,
    app: App,
    session: Working,
    csrf: Csrf,
    followup_check_in: Annotated[int, Form(ge=1, le=2**63 - 1)],
    followup_result: Annotated[SafeLine, Form(max_length=40)],
    followup_note: Annotated[SafeText, Form(max_length=NOTE_MAX)] = "",
) -> Response:
    check_csrf(session, csrf)
    check_in, result, note = followup_check_in, followup_result, followup_note.strip()
    try:
        aftercare.record_check_in(app.ctx, session.actor, check_in, result, note or None)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        # e.g. recorded meanwhile by someone else, or an unknown result: say so, keep the note
        typed = {
            "followup_check_in": str(check_in),
            "followup_result": result,
            "followup_note": followup_note,
        }
        status = 409 if isinstance(exc, Conflict) else 422
        return _page(request, app, session, status=status, error=str(exc), typed=typed)
    recorded = result.strip().lower()  # as the use case read it: one of RESULTS
    return redirect(f"{PAGE}?done={recorded}#done")


@router.post("/take")
def take(
    app: App,
    session: Working,
    csrf: Csrf,
    followup_plan: Annotated[int, Form(ge=1, le=2**63 - 1)],
) -> Response:
    """A counsellor takes an unassigned plan (then sees the person's contact and records)."""
    check_csrf(session, csrf)
    aftercare.assign_counsellor(app.ctx, session.actor, followup_plan, session.actor.id)
    return redirect(f"{PAGE}?done=taken#done")
