"""Console pages: sign-in and two-factor enrolment, the live queue, the phone alert form, and
the language switch. The case page is in case_pages.py."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifeline.bootstrap import Lifeline
from lifeline.domain.access import Permission, allowed
from lifeline.domain.errors import DomainError
from lifeline.domain.inputs import DATE_OUT_OF_RANGE, InvalidInput
from lifeline.domain.timestamps import iso
from lifeline.services.access import sessions
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.access.signin import SignInRefused, SignInThrottled
from lifeline.services.console import desk as console_service
from lifeline.web.access import open_to_all
from lifeline.web.api.schemas import PLATFORMS
from lifeline.web.console import i18n
from lifeline.web.console.common import (
    PRE_COOKIE,
    PREFIX,
    REDISPLAY,
    SESSION_COOKIE,
    ConsoleRoute,
    Signed,
    check_csrf,
    check_pre_csrf,
    client_ip,
    lang_of,
    new_pre_token,
    policy,
    redirect,
    render,
    requires,
    set_cookie,
)
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine, SafeText

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
#: the signed-in person, checked against the permission table (web/access.py)
Watching = Annotated[ConsoleSession, requires(Permission.QUEUE_READ)]
Entering = Annotated[ConsoleSession, requires(Permission.ALERT_ENTER)]


def _safe_next(value: str | None) -> str:
    """Only a console path: never an open redirect to another site."""
    if value and value.startswith(PREFIX + "/") and "//" not in value and "\\" not in value:
        return value
    return PREFIX + "/queue"


# -- sign-in -----------------------------------------------------------------------------------
def _sign_in_page(
    request: Request, app: App, *, error: str = "", status: int = 200, qr: str = ""
) -> HTMLResponse:
    token = new_pre_token()
    response = render(
        request,
        "sign_in.html",
        {
            "pre_csrf": token,
            "error": error,
            "next": _safe_next(request.query_params.get("next")),
            "ended": request.query_params.get("ended") == "1",
            "qr": qr,
        },
        status,
    )
    set_cookie(app, response, PRE_COOKIE, token, 1800)
    return response


@router.get("", response_class=HTMLResponse, dependencies=[open_to_all("redirects to the queue")])
@router.get("/", response_class=HTMLResponse, dependencies=[open_to_all("redirects to the queue")])
def home() -> RedirectResponse:
    return redirect(PREFIX + "/queue")


@router.get("/sign-in", response_class=HTMLResponse, dependencies=[open_to_all("the way in")])
def sign_in_form(request: Request, app: App) -> HTMLResponse:
    return _sign_in_page(request, app)


@router.post(
    "/sign-in", response_class=HTMLResponse, dependencies=[open_to_all("the way in (throttled)")]
)
def sign_in(
    request: Request,
    app: App,
    username: Annotated[SafeLine, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    code: Annotated[SafeLine, Form(max_length=12)],
    pre_csrf: Annotated[str, Form(max_length=100)],
    next_path: Annotated[SafeLine, Form(alias="next", max_length=300)] = "",
) -> Response:
    check_pre_csrf(request, pre_csrf)
    try:
        done = sessions.sign_in(
            app.ctx, policy(app), username, password, code, ip=client_ip(request)
        )
    except SignInRefused as exc:
        return _refused_page(request, app, exc)
    target = _safe_next(next_path)
    role = done.console.actor.role
    if target == PREFIX + "/queue" and not allowed(role, Permission.QUEUE_READ):
        target = PREFIX + "/followups"  # a counsellor has no queue: their desk is follow-ups
    response = redirect(target)
    set_cookie(
        app,
        response,
        SESSION_COOKIE,
        done.token,
        int(app.settings.console_session_hours * 3600),
    )
    response.delete_cookie(PRE_COOKIE, path=PREFIX)
    return response


def _refused_page(request: Request, app: App, exc: SignInRefused) -> HTMLResponse:
    """The sign-in page with the refusal in the page's language (429 when throttled)."""
    lang = i18n.translator(lang_of(request))
    message = f"{lang['refused']}: {lang['refused_' + exc.kind]}"
    if isinstance(exc, SignInThrottled):
        message = f"{message} {lang['try_again_in']} {exc.retry_after} s"
        page = _sign_in_page(request, app, error=message, status=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return _sign_in_page(request, app, error=message, status=401)


@router.post(
    "/enrol",
    response_class=HTMLResponse,
    dependencies=[open_to_all("two-factor set-up: password and one-time code (throttled)")],
)
def enrol(
    request: Request,
    app: App,
    username: Annotated[SafeLine, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    pre_csrf: Annotated[str, Form(max_length=100)],
    enrolment_code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Show the QR code to a person with their password and one-time enrolment code (from
    `lifeline users create` or `users reset-2fa`); the code is used up. Counted and throttled
    as a sign-in attempt."""
    check_pre_csrf(request, pre_csrf)
    try:
        name, secret = sessions.enrolment_secret(
            app.ctx, username, password, enrolment_code, ip=client_ip(request)
        )
    except SignInRefused as exc:
        return _refused_page(request, app, exc)
    uri = f"otpauth://totp/Lifeline:{name}?secret={secret}&issuer=Lifeline"
    qr = segno.make(uri, error="m").svg_data_uri(scale=5)
    page = _sign_in_page(request, app, qr=qr)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/sign-out", dependencies=[open_to_all("any signed-in person signs out")])
def sign_out(
    request: Request, app: App, session: Signed, csrf: Annotated[str, Form(max_length=100)]
) -> Response:
    check_csrf(session, csrf)
    sessions.sign_out(app.ctx, request.cookies.get(SESSION_COOKIE))
    response = redirect(PREFIX + "/sign-in")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.post("/language", dependencies=[open_to_all("a signed-in person's own language")])
def language(
    app: App,
    session: Signed,
    csrf: Annotated[str, Form(max_length=100)],
    lang: Annotated[SafeLine, Form(max_length=5)],
    back: Annotated[SafeLine, Form(max_length=300)] = "",
) -> Response:
    check_csrf(session, csrf)
    sessions.set_language(app.ctx, session, lang)
    return redirect(_safe_next(back))


# -- the live queue ----------------------------------------------------------------------------
class _Labels(dict[str, str]):
    """One table's labels in one language; a key it lacks reads as `pick` would answer."""

    def __missing__(self, key: str | None) -> str:
        return self.get("", key or "")


@functools.cache
def queue_labels(lang: str) -> dict[str, _Labels]:
    """The queue's per-row labels (status, level, SLA, source) in `lang`, built once: 500 rows
    read them as dictionary look-ups, not as ~2,000 template function calls a refresh."""
    tables = {"status": i18n.STATUSES, "level": i18n.LEVELS, "sla": i18n.SLA}
    tables["source"] = i18n.SOURCES
    return {
        name: _Labels({key: i18n.pick(table, key, lang) for key in table})
        for name, table in tables.items()
    }


def _queue_context(app: App, session: ConsoleSession) -> dict[str, object]:
    rows = console_service.queue(
        app.ctx,
        session.actor,
        ack_sla=app.settings.console_ack_sla_minutes * timedelta(minutes=1),
        on_scene_due=app.settings.console_on_scene_minutes * timedelta(minutes=1),
    )
    now = app.clock.now()
    return {
        "rows": rows,
        # each row with its alert time as the page shows it (ISO for the running clock, IST,
        # whole minutes since): formatted here, not by three template calls a row
        "shown": [
            (
                row,
                iso(row.item.opened_at),
                i18n.ist(row.item.opened_at, "%H:%M"),
                int((now - row.item.opened_at).total_seconds() // 60),
            )
            for row in rows
        ],
        "now": now,
        "poll_ms": int(app.settings.console_poll_seconds * 1000),
        "sla_minutes": app.settings.console_ack_sla_minutes,
        "may_enter": allowed(session.actor.role, Permission.ALERT_ENTER),
        "labels": queue_labels,
    }


@router.get("/queue", response_class=HTMLResponse)
async def queue_page(request: Request, app: App, session: Watching) -> HTMLResponse:
    context = await run_in_threadpool(_queue_context, app, session)
    return render(request, "queue.html", context)


@router.get("/queue/rows", response_class=HTMLResponse)
async def queue_rows(request: Request, app: App, session: Watching) -> HTMLResponse:
    """The queue's rows alone, for the page's background refresh."""
    context = await run_in_threadpool(_queue_context, app, session)
    return render(request, "_queue_rows.html", context)


# -- phone alerts ------------------------------------------------------------------------------
@router.get("/phone-alert", response_class=HTMLResponse)
def phone_alert_form(request: Request, app: App, session: Entering) -> HTMLResponse:
    return _phone_form(request, {}, [], 200)


def _phone_form(
    request: Request, values: dict[str, str], problems: list[tuple[str, str]], status: int
) -> HTMLResponse:
    lifeline: Lifeline = request.app.state.lifeline
    now = lifeline.clock.now().astimezone(i18n.IST).strftime("%Y-%m-%dT%H:%M")
    context = {"platforms": PLATFORMS, "now_local": now, "values": values, "problems": problems}
    return render(request, "phone_alert.html", context, status)


def _phone_form_again(
    request: Request, values: dict[str, str], problems: list[tuple[str, str]]
) -> Response:
    """The phone alert form, filled in as sent, with what was wrong: the operator typed it
    while on the phone, and must not have to type it again."""
    values = {k: v for k, v in values.items() if k != "csrf"}
    return _phone_form(request, values, problems, 422)


REDISPLAY[PREFIX + "/phone-alert"] = _phone_form_again


@router.post("/phone-alert")
def phone_alert(
    app: App,
    session: Entering,
    csrf: Annotated[str, Form(max_length=100)],
    call_received_at: Annotated[SafeLine, Form(max_length=30)],
    platform: Annotated[SafeLine, Form(max_length=20)],
    caller_name: Annotated[SafeLine, Form(max_length=300)] = "",
    caller_organisation: Annotated[SafeLine, Form(max_length=300)] = "",
    callback_number: Annotated[SafeLine, Form(max_length=40)] = "",
    notes: Annotated[SafeText, Form(max_length=20_000)] = "",
    reference: Annotated[SafeLine, Form(max_length=200)] = "",
    subject_name: Annotated[SafeLine, Form(max_length=300)] = "",
    subject_handle: Annotated[SafeLine, Form(max_length=300)] = "",
    subject_phone: Annotated[SafeLine, Form(max_length=40)] = "",
    post_text: Annotated[SafeText, Form(max_length=50_000)] = "",
    location_text: Annotated[SafeText, Form(max_length=2000)] = "",
    pin: Annotated[SafeLine, Form(max_length=10)] = "",
) -> Response:
    check_csrf(session, csrf)
    if platform not in PLATFORMS:
        raise DomainError(f"unknown platform {platform!r}")
    try:
        called = datetime.fromisoformat(call_received_at)
    except ValueError:
        raise InvalidInput(
            "call_received_at", "is not a date and time", DATE_OUT_OF_RANGE
        ) from None
    if called.tzinfo is None:
        called = called.replace(tzinfo=i18n.IST)  # the form's time is India time
    receipt = console_service.enter_phone_alert(
        app.ctx,
        session.actor,
        console_service.PhoneAlert(
            call_received_at=called,
            platform=platform,
            caller_name=caller_name,
            caller_organisation=caller_organisation,
            callback_number=callback_number,
            notes=notes,
            reference=reference,
            subject_name=subject_name,
            subject_handle=subject_handle,
            subject_phone=subject_phone,
            post_text=post_text,
            location_text=location_text,
            pin=pin,
        ),
    )
    app.jobs_ready.set()
    app.metrics.alerts_received.labels("phone_call", platform).inc()
    return redirect(f"{PREFIX}/cases/{receipt.case_id}?done=submit_alert")
