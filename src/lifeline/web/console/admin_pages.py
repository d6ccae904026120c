"""The console's staff page (admins only): the same lifecycle as `lifeline users ...`, each
change a CSRF-checked form, audited as the signed-in admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from lifeline.domain.access import Permission, Role
from lifeline.domain.errors import DomainError
from lifeline.services.access import staff
from lifeline.web.console.common import (
    PREFIX,
    ConsoleRequires,
    ConsoleRoute,
    Signed,
    check_csrf,
    redirect,
    render,
)
from lifeline.web.deps import App

#: every route: admins only (the staff use cases check again, for the CLI too)
router = APIRouter(
    prefix=PREFIX + "/admin",
    route_class=ConsoleRoute,
    include_in_schema=False,
    dependencies=[Depends(ConsoleRequires(Permission.STAFF_MANAGE))],
)

ACTIONS = ("deactivate", "reactivate", "unlock", "reset-2fa", "set-role")


def _page(
    request: Request, app: App, session: Signed, *, done: str = "", new: object = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    members = staff.list_staff(app.ctx, session.actor)
    page = render(
        request,
        "admin_users.html",
        {"members": members, "roles": list(Role), "done": done, "new": new},
        status,
    )
    return page


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, app: App, session: Signed) -> HTMLResponse:
    return _page(request, app, session, done=request.query_params.get("done", "")[:20])


@router.post("/users/{username}/{action}", response_class=HTMLResponse)
def user_action(
    request: Request,
    app: App,
    session: Signed,
    username: str,
    action: str,
    csrf: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=32)] = "",
    jurisdiction: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    check_csrf(session, csrf)
    if action not in ACTIONS:
        raise DomainError(f"unknown action {action!r}; one of: {', '.join(ACTIONS)}")
    actor = session.actor
    if action == "reset-2fa":
        new = staff.reset_two_factor(app.ctx, actor, username)
        # shown once, on this response only (never in a URL, never cached)
        return _page(request, app, session, done="reset-2fa", new=new)
    if action == "deactivate":
        staff.deactivate(app.ctx, actor, username)
    elif action == "reactivate":
        staff.reactivate(app.ctx, actor, username)
    elif action == "unlock":
        staff.unlock(app.ctx, actor, username)
    else:
        staff.set_role(app.ctx, actor, username, role, jurisdiction or None)
    return redirect(f"{PREFIX}/admin/users?done={action}")
