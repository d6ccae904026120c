"""The console's held mail (`/console/quarantine`): every message the intake held, decoded for
reading (shown as text, never as markup: the sender wrote it), why it was held and how long it
has waited, the longest waiting first; release it as an alert or discard it, each with a reason,
CSRF-checked and audited. The header badge (count, alarm when mail waits too long) is refreshed
by `/console/quarantine/badge`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from lifeline.domain.access import Permission, allowed
from lifeline.domain.inputs import InvalidInput
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.intake import held_mail
from lifeline.services.intake import mail as email_intake
from lifeline.web.console.common import (
    PREFIX,
    ConsoleRoute,
    check_csrf,
    redirect,
    render,
    requires,
)
from lifeline.web.deps import App
from lifeline.web.inputs import SafeText

router = APIRouter(prefix=PREFIX + "/quarantine", route_class=ConsoleRoute, include_in_schema=False)
Reading = Annotated[ConsoleSession, requires(Permission.QUARANTINE_READ)]
Reviewing = Annotated[ConsoleSession, requires(Permission.QUARANTINE_REVIEW)]
MessageId = Annotated[int, Path(ge=1, lt=2**63)]
Reason = Annotated[SafeText, Form(max_length=2000)]
#: held messages shown at once, the longest waiting first (the badge counts them all)
PAGE_SIZE = 50
#: the reason stored as the trust verdict of mail from a sender nobody registered
NOT_ALLOWED = "sender domain not on the allow-list"


def _required(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("quarantine_reason", "say why", "missing")
    return reason.strip()


@router.get("", response_class=HTMLResponse)
async def quarantine_page(request: Request, app: App, session: Reading) -> HTMLResponse:
    messages = await run_in_threadpool(
        held_mail.held_mail, app.ctx, session.actor, app.mail_reader(), limit=PAGE_SIZE
    )
    done = request.query_params.get("done", "")
    case = request.query_params.get("case", "")
    context = {
        "messages": messages,
        "done": done if done in ("released", "discarded") else "",
        "released_case": int(case)
        if case.isascii() and case.isdigit() and len(case) < 19
        else None,
        "may_review": allowed(session.actor.role, Permission.QUARANTINE_REVIEW),
        "not_allowed": NOT_ALLOWED,
        "alarm_after": app.ctx.config.quarantine_alarm,
    }
    return render(request, "quarantine.html", context)


@router.get("/badge", response_class=HTMLResponse)
async def badge(request: Request, app: App, session: Reading) -> HTMLResponse:
    """The header badge alone, for the pages' background refresh."""
    summary = await run_in_threadpool(held_mail.held_summary, app.ctx, session.actor)
    return render(request, "_held_badge.html", {"held": summary})


@router.post("/{message_id}/release")
def release(
    app: App,
    session: Reviewing,
    message_id: MessageId,
    csrf: Annotated[str, Form(max_length=100)],
    reason: Reason = "",
) -> Response:
    check_csrf(session, csrf)
    outcome = app.release_quarantined(session.actor, message_id, _required(reason))
    return redirect(f"{PREFIX}/quarantine?done=released&case={outcome.case_id}")


@router.post("/{message_id}/discard")
def discard(
    app: App,
    session: Reviewing,
    message_id: MessageId,
    csrf: Annotated[str, Form(max_length=100)],
    reason: Reason = "",
) -> Response:
    check_csrf(session, csrf)
    email_intake.discard(app.ctx, session.actor, message_id, _required(reason))
    return redirect(f"{PREFIX}/quarantine?done=discarded")
