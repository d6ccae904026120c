"""Every route says what it needs: a permission of the table (`Requires`, the console's
`ConsoleRequires`), or that it is open and why (`Open`).

The declaration is a FastAPI dependency, so it runs before the route (a role without the
permission gets 403, audited) and it is visible in the route's dependencies, where
`route_declarations` reads it: `tests/integration/test_route_permissions.py` walks every route
of the application `create_app` builds and fails naming any route that declares nothing (or
two things), so a new route cannot be forgotten. The use case behind the route still checks
role and scope itself (`services/access/authorisation.py`), for the CLI and as the one place
jurisdiction is decided (404 outside it).

(Checked by the test, not at start-up: reading every route's dependencies builds FastAPI's
per-route handlers at once, about 0.3 s, which every application built by the tests would pay.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from lifeline.domain.access import Permission
from lifeline.domain.model import Actor
from lifeline.services.access.authorisation import demand
from lifeline.web.deps import App, staff, staff_or_partner

#: routes that FastAPI or Starlette add without dependencies (they cannot carry a
#: declaration): path, or path prefix ending in "/", -> why they are open
UNDECLARED_OPEN = {
    "/openapi.json": "the API's description: only where LIFELINE_PUBLIC_DOCS allows it",
    "/docs": "the API's documentation page: only where LIFELINE_PUBLIC_DOCS allows it",
    "/docs/oauth2-redirect": "part of the documentation page (LIFELINE_PUBLIC_DOCS)",
    "/redoc": "the API's documentation page: only where LIFELINE_PUBLIC_DOCS allows it",
    "/static-offline-docs": "the documentation pages' scripts (LIFELINE_PUBLIC_DOCS)",
    "/console/static": "the console's CSS, JavaScript and sounds: no data",
    "/console/vendor/": "front-end libraries installed by npm: no data",
}


class Declaration:
    """What a route declares it needs; `route_declarations` looks for these."""

    def describe(self) -> str:
        raise NotImplementedError


def case_in_path(request: Request) -> int | None:
    """The case a refused request named (for the audit record), if its path names one."""
    raw = str(request.path_params.get("case_id", ""))
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63 else None


class Requires(Declaration):
    """The API caller (a staff bearer token) must hold `permission`, else 403 (audited); the
    route gets the caller. With `partners`, a partner's signed request is let through too: the
    use case applies the partners' own rule (the cases their alerts opened)."""

    def __init__(self, permission: Permission, *, partners: bool = False) -> None:
        self.permission = permission
        self.partners = partners

    def describe(self) -> str:
        return self.permission.value + (" (or a partner)" if self.partners else "")

    def __call__(self, request: Request, app: App) -> Actor:
        actor = staff_or_partner(app, request) if self.partners else staff(app, request)
        demand(app.ctx, actor, self.permission, case_id=case_in_path(request))
        return actor


class Open(Declaration):
    """A route anyone may call, for `reason` (sign-in, signed links, health checks, ...): it
    checks who is calling itself, if at all."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def describe(self) -> str:
        return "open: " + self.reason

    async def __call__(self) -> None:  # async: no trip to the thread pool for nothing
        return None


def requires(permission: Permission, *, partners: bool = False) -> Any:
    """For `actor: Annotated[Actor, requires(Permission.X)]`: the caller, checked."""
    return Depends(Requires(permission, partners=partners))


def open_to_all(reason: str) -> Any:
    """For `dependencies=[open_to_all("why")]` on a route anyone may call."""
    return Depends(Open(reason))


@dataclass(frozen=True)
class RouteDeclaration:
    methods: tuple[str, ...]
    path: str
    #: what the route declares (a well-declared route has exactly one)
    declared: tuple[str, ...]


def _declarations(dependant: Dependant) -> list[Declaration]:
    found: list[Declaration] = []
    for sub in dependant.dependencies:
        if isinstance(sub.call, Declaration):
            found.append(sub.call)
        found.extend(_declarations(sub))
    return found


def _undeclared_open(path: str) -> str | None:
    for known, reason in UNDECLARED_OPEN.items():
        if path == known or (known.endswith("/") and path.startswith(known)):
            return reason
    return None


def route_declarations(app: FastAPI) -> list[RouteDeclaration]:
    """Every route of `app` (routers included, mounts too) with what it declares."""
    out = []
    for context in iter_route_contexts(app.routes):
        path = str(context.path)
        methods = tuple(sorted(context.methods or ()))
        declared: tuple[str, ...] = ()
        if isinstance(context.original_route, APIRoute):
            declared = tuple(d.describe() for d in _declarations(context.dependant))
        if not declared and (reason := _undeclared_open(path)) is not None:
            declared = ("open: " + reason,)
        out.append(RouteDeclaration(methods, path, declared))
    return out
