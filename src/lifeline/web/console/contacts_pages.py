"""The console's contacts page (admins: `registry.manage`): units with their contacts (numbers
partly hidden), the same CSV upload as `lifeline registry contacts import` (faults shown per
row, nothing changed on any), and a "send test message" button per contact. And the demo
inbox, which exists only in demo mode: anywhere else it answers 404 before anything else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from lifeline.domain.access import Permission
from lifeline.domain.errors import NotFound
from lifeline.domain.registry import RegistryError
from lifeline.services.dispatch.drill import TestMessageResult, send_test_message
from lifeline.services.location.contacts import ContactsImport, import_contacts, list_contacts
from lifeline.web.console.common import (
    PREFIX,
    ConsoleRequires,
    ConsoleRoute,
    Signed,
    check_csrf,
    render,
)
from lifeline.web.deps import App

router = APIRouter(
    prefix=PREFIX + "/admin/contacts",
    route_class=ConsoleRoute,
    include_in_schema=False,
    dependencies=[Depends(ConsoleRequires(Permission.REGISTRY_MANAGE))],
)
#: the largest contacts file the page takes (the request body limit applies first)
MAX_UPLOAD = 1_000_000


def _page(
    request: Request,
    app: App,
    session: Signed,
    *,
    problems: list[str] | None = None,
    imported: ContactsImport | None = None,
    tested: TestMessageResult | None = None,
    status: int = 200,
) -> HTMLResponse:
    units, without = list_contacts(app.ctx, session.actor)
    context: dict[str, Any] = {
        "units": units,
        "without": without,
        "problems": problems or [],
        "imported": imported,
        "tested": tested,
    }
    return render(request, "contacts.html", context, status)


@router.get("", response_class=HTMLResponse)
def contacts_page(request: Request, app: App, session: Signed) -> HTMLResponse:
    return _page(request, app, session)


@router.post("/import", response_class=HTMLResponse)
async def contacts_upload(
    request: Request,
    app: App,
    session: Signed,
    csrf: Annotated[str, Form(max_length=100)],
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    check_csrf(session, csrf)
    raw = await file.read(MAX_UPLOAD + 1)
    name = (file.filename or "upload.csv")[:120]
    try:
        if len(raw) > MAX_UPLOAD:
            raise RegistryError([f"{name}: larger than {MAX_UPLOAD // 1000} kB; split it"])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RegistryError(
                [f"{name}: not UTF-8 (byte {exc.start}); save it as CSV UTF-8"]
            ) from None
        done = import_contacts(
            app.ctx,
            session.actor,
            text,
            source=f"console upload {name}",
            dry_run=dry_run == "1",
        )
    except RegistryError as exc:
        return _page(request, app, session, problems=exc.problems, status=422)
    return _page(request, app, session, imported=done)


@router.post("/{unit_id}/{index}/test", response_class=HTMLResponse)
def contact_test(
    request: Request,
    app: App,
    session: Signed,
    unit_id: str,
    index: int,
    csrf: Annotated[str, Form(max_length=100)],
) -> HTMLResponse:
    check_csrf(session, csrf)
    tested = send_test_message(app.ctx, session.actor, unit_id[:120], index)
    return _page(request, app, session, tested=tested)


# -- the demo inbox ---------------------------------------------------------------------------


def demo_only(app: App) -> None:
    """Outside demo mode the page does not exist (checked before the session: no hint that
    it could)."""
    if app.ctx.demo_inbox is None:
        raise NotFound("no such page")


demo_router = APIRouter(
    prefix=PREFIX + "/demo-inbox",
    route_class=ConsoleRoute,
    include_in_schema=False,
    dependencies=[
        Depends(demo_only),
        Depends(ConsoleRequires(Permission.REGISTRY_MANAGE)),
    ],
)


@demo_router.get("", response_class=HTMLResponse)
def demo_inbox(request: Request, app: App, session: Signed) -> HTMLResponse:
    inbox = app.ctx.demo_inbox
    messages = inbox.messages(200) if inbox is not None else []
    return render(request, "demo_inbox.html", {"messages": messages})
