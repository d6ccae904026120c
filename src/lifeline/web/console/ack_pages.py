"""The page behind the acknowledgement link in a message to officers: no sign-in, on a phone.

GET shows the case number, the unit and one confirm button, and changes nothing (mail and chat
apps fetch every link to preview it, so a GET that acknowledged would acknowledge for nobody).
It shows no personal data: whoever holds the link learns only a case number and a unit. POST
is the acknowledgement.

After the acknowledgement the same link leads to the field steps (on scene, outcome:
web/console/field_pages.py). Cross-site checks and headers: web/console/link_guard.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from lifeline.domain.dispatch import AcknowledgementRefused, AckTokenError
from lifeline.domain.errors import DomainError
from lifeline.services.dispatch.acknowledgement import acknowledge_link
from lifeline.services.dispatch.views import AckLinkView, ack_link_view
from lifeline.web.access import open_to_all
from lifeline.web.console import i18n
from lifeline.web.console.common import templates
from lifeline.web.console.field_pages import field_page
from lifeline.web.console.link_guard import MAX_TOKEN, from_this_site, link_headers
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine

#: the signed token in the link is the permission (no sign-in: an officer at the door)
router = APIRouter(
    include_in_schema=False,
    dependencies=[open_to_all("acknowledgement links: the link's signed token decides")],
)
STATUS = {
    "open": 200,
    "done": 200,
    "acknowledged": 409,
    "settled": 409,
    "ended": 409,
    "alarm": 409,
    "expired": 410,
    "invalid": 403,
    "origin": 403,
}


def _page(request: Request, app: App, view: AckLinkView, state: str) -> HTMLResponse:
    # a GET only informs (200), but an expired or invalid link is that on any method
    refused = request.method == "POST" or state in ("expired", "invalid")
    status = STATUS.get(state, 200) if refused else 200
    response = templates.TemplateResponse(
        request,
        "ack.html",
        {
            "en": i18n.translator("en"),
            "hi": i18n.translator("hi"),
            "ist": i18n.ist,
            "state": state,
            "case_id": view.case_id,
            "unit_name": view.unit_name,
            "acknowledged_at": view.acknowledged_at if state == "acknowledged" else None,
            "smc_phone": app.settings.smc_phone,
            "action": request.url.path,
        },
        status_code=status,
    )
    return link_headers(response)


def _view(app: App, token: str) -> AckLinkView:
    if len(token) > MAX_TOKEN:
        return AckLinkView("invalid")
    return ack_link_view(app.ctx, token)


@router.get("/ack/{token}", response_class=HTMLResponse)
async def ack_form(request: Request, token: str, app: App) -> HTMLResponse:
    view = await run_in_threadpool(_view, app, token)
    if view.state in ("acknowledged", "settled"):  # the unit took it: its next steps
        return await field_page(request, app, token)
    # GET never says "done": a link scanner and the officer both see the button until a POST
    return _page(request, app, view, view.state)


@router.post("/ack/{token}", response_class=HTMLResponse)
async def ack_confirm(
    request: Request,
    token: str,
    app: App,
    name: Annotated[SafeLine, Form(max_length=100)] = "",
) -> HTMLResponse:
    view = await run_in_threadpool(_view, app, token)
    if not from_this_site(request, app):
        return _page(request, app, view, "origin")
    if len(token) > MAX_TOKEN:
        return _page(request, app, view, "invalid")
    try:
        await run_in_threadpool(acknowledge_link, app.ctx, token, name.strip())
    except AckTokenError as exc:  # forged or expired: acknowledge_link audited the attempt
        return _page(request, app, view, "expired" if exc.expired else "invalid")
    except AcknowledgementRefused:  # say why: taken already, case settled, escalation ended
        after = await run_in_threadpool(_view, app, token)
        if after.state in ("acknowledged", "settled"):  # say so, with the unit's next steps
            return await field_page(request, app, token, banner="ack_" + after.state, status=409)
        return _page(request, app, after, after.state if after.state != "open" else "ended")
    except DomainError:
        return _page(request, app, view, "invalid")
    app.jobs_ready.set()  # the acknowledgement's events are jobs: deliver them now
    return await field_page(request, app, token, banner="ack_done")
