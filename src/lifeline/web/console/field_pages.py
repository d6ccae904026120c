"""The field steps behind the acknowledgement link, on an officer's phone: once the unit has
acknowledged, the same link's page offers "on scene" and then the outcome, each a POST with the
acknowledgement's protections (signed token with its expiry, the same-site check of
link_guard.py, every step and every refusal audited). GET changes nothing.

The page shows what the acknowledgement page shows (case number, unit) and where the steps
stand, nothing about the person: a forwarded link leaks no personal data. An outcome that ends
the response without anyone reaching the person waits for the SMC's confirmation
(services/cases/field.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from lifeline.domain.dispatch import AcknowledgementRefused, AckTokenError
from lifeline.domain.errors import DomainError, InvalidOutcome, NotFound
from lifeline.domain.model import OUTCOMES_NEEDING_REASON, OutcomeKind
from lifeline.services.cases.field import (
    AT_ONCE,
    NOTE_MAX,
    FieldLinkView,
    FieldStepRefused,
    field_link_view,
    field_on_scene,
    field_outcome,
)
from lifeline.web.access import open_to_all
from lifeline.web.console import i18n
from lifeline.web.console.common import templates
from lifeline.web.console.link_guard import MAX_TOKEN, from_this_site, link_headers
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine, SafeText

#: the signed token in the link is the permission (no sign-in: an officer at the door)
router = APIRouter(
    include_in_schema=False,
    dependencies=[open_to_all("field steps from an acknowledgement link: its token decides")],
)
#: refusal states of the steps -> (status, banner key)
REFUSED = {
    "unacknowledged": (409, "field_unacknowledged"),
    "already_on_scene": (409, "field_already_on_scene"),
    "pending": (409, "field_already_pending"),
    "resolved": (409, "field_already_resolved"),
    "settled": (409, "ack_settled"),
    "ended": (409, "ack_ended"),
    "alarm": (409, "ack_alarm"),
    "expired": (410, "ack_expired"),
    "invalid": (403, "ack_invalid"),
    "origin": (403, "ack_origin"),
}
#: banners that report a step taken
GOOD = frozenset({"ack_done", "field_on_scene_done", "field_outcome_done", "field_outcome_pending"})
#: the note's form bound (the request's); the page's own, shorter limit is NOTE_MAX
FORM_NOTE_MAX = 8 * NOTE_MAX


def _view(app: App, token: str) -> FieldLinkView:
    if len(token) > MAX_TOKEN:
        return FieldLinkView("invalid")
    return field_link_view(app.ctx, token)


async def field_page(
    request: Request,
    app: App,
    token: str,
    *,
    banner: str = "",
    status: int = 200,
    error: str = "",
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    """The link's page once its unit acknowledged (or whatever state the link is in)."""
    view = await run_in_threadpool(_view, app, token)
    if view.state in ("expired", "invalid") and status == 200:
        status, banner = REFUSED[view.state]
    base = "/ack/" + token if len(token) <= MAX_TOKEN else ""
    response = templates.TemplateResponse(
        request,
        "field.html",
        {
            "en": i18n.translator("en"),
            "hi": i18n.translator("hi"),
            "ist": i18n.ist,
            "OUTCOMES": i18n.OUTCOMES,
            "view": view,
            "banner": banner,
            "good": banner in GOOD,
            "error": error,
            "typed": typed or {},
            "outcomes": [o.value for o in OutcomeKind],
            "at_once": {o.value for o in AT_ONCE},
            "need_note": {o.value for o in OUTCOMES_NEEDING_REASON},
            "note_max": NOTE_MAX,
            "smc_phone": app.settings.smc_phone,
            "base": base,
        },
        status_code=status,
    )
    return link_headers(response)


async def _refused(request: Request, app: App, token: str, state: str) -> HTMLResponse:
    status, banner = REFUSED.get(state, (409, "ack_settled"))
    return await field_page(request, app, token, banner=banner, status=status)


@router.post("/ack/{token}/on-scene", response_class=HTMLResponse)
async def on_scene(
    request: Request,
    token: str,
    app: App,
    name: Annotated[SafeLine, Form(max_length=100)] = "",
) -> HTMLResponse:
    if not from_this_site(request, app):
        return await _refused(request, app, token, "origin")
    if len(token) > MAX_TOKEN:
        return await _refused(request, app, token, "invalid")
    try:
        await run_in_threadpool(field_on_scene, app.ctx, token, name)
    except AckTokenError as exc:  # forged or expired: the use case audited the attempt
        return await _refused(request, app, token, "expired" if exc.expired else "invalid")
    except FieldStepRefused as exc:  # a replay, an unacknowledged or settled case
        return await _refused(request, app, token, exc.state)
    except AcknowledgementRefused:
        return await _refused(request, app, token, "alarm")
    except (NotFound, DomainError):
        return await _refused(request, app, token, "invalid")
    app.jobs_ready.set()  # the step's events are jobs: deliver them now
    return await field_page(request, app, token, banner="field_on_scene_done")


@router.post("/ack/{token}/outcome", response_class=HTMLResponse)
async def outcome(
    request: Request,
    token: str,
    app: App,
    outcome: Annotated[SafeLine, Form(max_length=40)] = "",
    note: Annotated[SafeText, Form(max_length=FORM_NOTE_MAX)] = "",
    name: Annotated[SafeLine, Form(max_length=100)] = "",
) -> HTMLResponse:
    if not from_this_site(request, app):
        return await _refused(request, app, token, "origin")
    if len(token) > MAX_TOKEN:
        return await _refused(request, app, token, "invalid")
    typed = {"outcome": outcome, "note": note, "name": name}
    try:
        await run_in_threadpool(field_outcome, app.ctx, token, outcome, note, name)
    except InvalidOutcome as exc:  # the form again, with what was typed and what was wrong
        key = "field_note_too_long" if len(note.strip()) > NOTE_MAX else "field_bad_outcome"
        if outcome in {o.value for o in OUTCOMES_NEEDING_REASON} and not note.strip():
            key = "field_note_needed"
        return await field_page(
            request, app, token, banner=key, status=422, error=str(exc), typed=typed
        )
    except AckTokenError as exc:
        return await _refused(request, app, token, "expired" if exc.expired else "invalid")
    except FieldStepRefused as exc:
        return await _refused(request, app, token, exc.state)
    except AcknowledgementRefused:
        return await _refused(request, app, token, "alarm")
    except (NotFound, DomainError):
        return await _refused(request, app, token, "invalid")
    app.jobs_ready.set()
    waits = outcome.strip().lower() not in {o.value for o in AT_ONCE}
    done = "field_outcome_pending" if waits else "field_outcome_done"
    return await field_page(request, app, token, banner=done)
