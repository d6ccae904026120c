"""The alarm banner of every console page (one line per case, in the reader's language), its
background refresh, and an operator's "acknowledge alarm" form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from lifeline.domain.access import Permission
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.dispatch.attention import acknowledge_alarms, alarm_groups_for
from lifeline.web.console.alarm_banner import banner_context
from lifeline.web.console.case_pages import CaseId, Csrf
from lifeline.web.console.common import (
    PREFIX,
    ConsoleRoute,
    check_csrf,
    redirect,
    render,
    requires,
)
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
Watching = Annotated[ConsoleSession, requires(Permission.QUEUE_READ)]
Quieting = Annotated[ConsoleSession, requires(Permission.ALARM_ACKNOWLEDGE)]


def _console_path(value: str | None) -> str | None:
    """A console page's path, or None: never a redirect to another site."""
    if value and value.startswith(PREFIX + "/") and "//" not in value and "\\" not in value:
        return value[:300]
    return None


@router.get("/alarms/banner", response_class=HTMLResponse)
async def banner(request: Request, app: App, session: Watching) -> HTMLResponse:
    """The banner alone, for every page's background refresh (`back`: the page it is on,
    where an acknowledgement returns)."""
    groups = await run_in_threadpool(alarm_groups_for, app.ctx, session.actor)
    back = _console_path(request.query_params.get("back")) or PREFIX + "/queue"
    return render(request, "_alarm_banner.html", {**banner_context(groups), "alarm_back": back})


@router.post("/cases/{case_id}/alarms/acknowledge")
def acknowledge(
    case_id: CaseId,
    app: App,
    session: Quieting,
    csrf: Csrf,
    back: Annotated[SafeLine, Form(max_length=300)] = "",
) -> Response:
    check_csrf(session, csrf)
    acknowledge_alarms(app.ctx, session.actor, case_id)
    return redirect(_console_path(back) or f"{PREFIX}/cases/{case_id}")
