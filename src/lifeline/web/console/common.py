"""What every console page shares: templates, the signed-in person (from the session cookie),
CSRF checks, security headers, and turning refusals into pages instead of JSON."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from lifeline.bootstrap import Lifeline
from lifeline.domain.access import Permission, allowed
from lifeline.domain.errors import DomainError, NotFound, PermissionDenied
from lifeline.domain.inputs import InvalidInput
from lifeline.domain.timestamps import iso
from lifeline.services.access.authorisation import demand
from lifeline.services.access.sessions import ConsoleSession, SessionEnded, SessionPolicy, resume
from lifeline.services.cases.review import pending_reviews
from lifeline.services.dispatch.attention import alarm_groups_for
from lifeline.services.intake.held_mail import HeldSummary, held_summary
from lifeline.services.ports import StorageUnavailable
from lifeline.web.access import Declaration, case_in_path
from lifeline.web.console import i18n
from lifeline.web.console.alarm_banner import alarm_text, banner_context
from lifeline.web.console.rule_text import rule_text
from lifeline.web.deps import App, client_address

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
SESSION_COOKIE = "lifeline_session"
PRE_COOKIE = "lifeline_presession"
PREFIX = "/console"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(
    ist=i18n.ist,
    iso=iso,
    pick=i18n.pick,
    LEVELS=i18n.LEVELS,
    STATUSES=i18n.STATUSES,
    SLA=i18n.SLA,
    SOURCES=i18n.SOURCES,
    OUTCOMES=i18n.OUTCOMES,
    REPLIES=i18n.REPLIES,
    rule_text=rule_text,
    can=lambda role, permission: allowed(role, Permission(permission)),
    alarm_text=alarm_text,
)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # pages carry personal data: never kept in a shared browser's cache
    "Cache-Control": "no-store",
}


def policy(app: Lifeline) -> SessionPolicy:
    s = app.settings
    return SessionPolicy(
        idle=timedelta(minutes=s.console_idle_minutes),
        absolute=timedelta(hours=s.console_session_hours),
    )


def client_ip(request: Request) -> str | None:
    """The keyed hash of the client's address (never the address): web/deps.client_address."""
    app: Lifeline = request.app.state.lifeline
    return client_address(app, request)


def current(request: Request, app: App) -> ConsoleSession:
    """The signed-in person. Background refreshes (X-Lifeline-Poll) do not keep a session
    alive: a console left open is still signed out after the idle timeout."""
    background = request.headers.get("x-lifeline-poll") == "1"
    session = resume(
        app.ctx, policy(app), request.cookies.get(SESSION_COOKIE), activity=not background
    )
    request.state.console = session
    return session


Signed = Annotated[ConsoleSession, Depends(current)]


class ConsoleRequires(Declaration):
    """The signed-in person must hold `permission`, else a 403 page (audited); the route gets
    the session (web/access.py: every route declares what it needs)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def describe(self) -> str:
        return self.permission.value

    def __call__(self, request: Request, app: App, session: Signed) -> ConsoleSession:
        demand(app.ctx, session.actor, self.permission, case_id=case_in_path(request))
        return session


def requires(permission: Permission) -> Any:
    """For `session: Annotated[ConsoleSession, requires(Permission.X)]`: the session of a
    signed-in person who holds the permission."""
    return Depends(ConsoleRequires(permission))


def check_csrf(session: ConsoleSession, token: str) -> None:
    if not hmac.compare_digest(session.session.csrf_token.encode(), token.encode()):
        raise PermissionDenied("the form is stale or was not sent by the console; reload it")


def check_pre_csrf(request: Request, token: str) -> None:
    cookie = request.cookies.get(PRE_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), token.encode()):
        raise PermissionDenied("the sign-in form expired; reload the page")


def set_cookie(app: Lifeline, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        secure=app.settings.console_secure_cookies,
        samesite="lax",
    )


def new_pre_token() -> str:
    return secrets.token_urlsafe(24)


def lang_of(request: Request) -> str:
    session: ConsoleSession | None = getattr(request.state, "console", None)
    if session is not None:
        return session.language
    wanted = request.query_params.get("lang") or request.cookies.get("lifeline_lang", "")
    if wanted in ("en", "hi"):
        return wanted
    accept = request.headers.get("accept-language", "")
    return "hi" if accept.lower().startswith("hi") else "en"


def _alarms(request: Request, session: ConsoleSession | None) -> dict[str, Any]:
    """The SMC alarm banner of every full page: open alarms of the cases this person may see,
    one line per case (fragments refreshed in the background skip it)."""
    if session is None:
        return banner_context([])
    lifeline: Lifeline = request.app.state.lifeline
    return banner_context(alarm_groups_for(lifeline.ctx, session.actor))


def _held(request: Request, session: ConsoleSession | None) -> HeldSummary | None:
    """The header's held-mail badge, for those who may see held mail."""
    if session is None:
        return None
    lifeline: Lifeline = request.app.state.lifeline
    return held_summary(lifeline.ctx, session.actor)


def _reviews(request: Request, session: ConsoleSession | None) -> int | None:
    """The header's Review tab badge: monitoring cases waiting, for those who review them."""
    if session is None:
        return None
    lifeline: Lifeline = request.app.state.lifeline
    return pending_reviews(lifeline.ctx, session.actor)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    lang = lang_of(request)
    session: ConsoleSession | None = getattr(request.state, "console", None)
    full = {
        "lang": lang,
        "t": i18n.translator(lang),
        "session": session,
        "csrf": session.session.csrf_token if session else "",
        **context,
    }
    if "alarms" not in full:  # given (empty) by pages shown when the database is away
        full.update(banner_context([]) if name.startswith("_") else _alarms(request, session))
        if "held" not in full:
            full["held"] = None if name.startswith("_") else _held(request, session)
        if "review_pending" not in full:
            full["review_pending"] = None if name.startswith("_") else _reviews(request, session)
    lifeline: Lifeline = request.app.state.lifeline
    full["held_poll_ms"] = int(max(lifeline.settings.console_poll_seconds, 0.5) * 2000)
    response = templates.TemplateResponse(request, name, full, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def _error_page(request: Request, status: int, title_key: str, message: str) -> Response:
    return render(request, "error.html", {"title_key": title_key, "message": message}, status)


#: the i18n label of each form field (and of an alert's fields, as services name them)
FIELD_LABELS = {
    "call_received_at": "call_received_at",
    "caller.call_received_at": "call_received_at",
    "caller_name": "caller",
    "caller.name": "caller",
    "caller_organisation": "organisation",
    "caller.organisation": "organisation",
    "callback_number": "callback",
    "caller.callback_number": "callback",
    "notes": "what_said",
    "caller.notes": "what_said",
    "subject_name": "name",
    "subject.name": "name",
    "subject_handle": "handle",
    "subject.handle": "handle",
    "subject_phone": "phone",
    "subject.phone": "phone",
    "post_text": "post_text",
    "post.text": "post_text",
    "location_text": "address",
    "location.text": "address",
    "place": "location",
    "text": "notes",
    "name": "ack_name",
    "unit": "ack_unit",
    "outcome": "outcome_label",
}
_PROBLEMS = {
    "unsafe_text": "unsafe_text",
    "date_out_of_range": "date_out_of_range",
    "string_too_long": "too_long",
    "missing": "required",
}


def field_problems(lang: str, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, problem) in the reader's language for each (field, error type)."""
    t = i18n.translator(lang)
    return [
        (t.get(FIELD_LABELS.get(field, field), field), t[_PROBLEMS.get(kind, "bad_value")])
        for field, kind in found
    ]


def refused_fields(exc: RequestValidationError | InvalidInput) -> list[tuple[str, str]]:
    """(field, error type) of a refused form or of a refused alert field."""
    if isinstance(exc, InvalidInput):
        return [(exc.field, exc.kind)]
    return [
        (".".join(str(p) for p in e.get("loc", ()) if p != "body"), str(e.get("type", "")))
        for e in exc.errors()
    ]


#: forms shown again, filled in, when what was sent is refused (so nothing typed is lost):
#: route path -> page builder given the request, the sent values and the (label, problem) list
REDISPLAY: dict[str, Callable[[Request, dict[str, str], list[tuple[str, str]]], Response]] = {}


async def _refused_form(request: Request, exc: RequestValidationError | InvalidInput) -> Response:
    problems = field_problems(lang_of(request), refused_fields(exc))
    again = REDISPLAY.get(request.url.path)
    if again is not None and request.method == "POST":
        form = await request.form()  # already read (and cached) by the route
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        return again(request, values, problems)
    return render(request, "invalid_form.html", {"problems": problems}, 422)


def unavailable_page(request: Request, exc: StorageUnavailable) -> Response:
    """A readable 503 that does not touch the database (no alarm banner)."""
    response = render(
        request, "unavailable.html", {"retry_after": exc.retry_after, "alarms": []}, 503
    )
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


#: refusals answered 409: the step is not allowed in the case's state (e.g. already on hold)
_CONFLICTS = frozenset({"illegal_transition", "conflict"})


class ConsoleRoute(APIRoute):
    """Console routes answer refusals with pages: a sign-in redirect when the session ended
    (401 for background refreshes), 403/404/409 pages otherwise."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except SessionEnded as exc:
                if request.headers.get("x-lifeline-poll") == "1":
                    return Response(str(exc), status_code=401)
                target = f"{PREFIX}/sign-in?next={quote(request.url.path)}"
                if request.cookies.get(SESSION_COOKIE):
                    # a session that existed ended; a first visit (no cookie) is just signing in
                    target += "&ended=1"
                return RedirectResponse(target, status_code=303)
            except PermissionDenied as exc:
                return _error_page(request, 403, "forbidden", str(exc))
            except NotFound as exc:
                return _error_page(request, 404, "not_found", str(exc))
            except (RequestValidationError, InvalidInput) as exc:
                return await _refused_form(request, exc)
            except StorageUnavailable as exc:
                return unavailable_page(request, exc)
            except DomainError as exc:
                return _error_page(
                    request, 409 if exc.code in _CONFLICTS else 422, "failed", str(exc)
                )
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return route


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
