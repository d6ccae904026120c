"""The case page's answer to an outcome reported from an acknowledgement link: an operator
confirms it (the case resolves, escalation stops) or rejects it (escalation runs on). The
panel is templates/_field_reports.html; the use cases are in services/cases/field.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path
from fastapi.responses import Response

from lifeline.domain.access import Permission
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.cases.field import (
    NOTE_MAX,
    confirm_field_report,
    reject_field_report,
)
from lifeline.web.console.common import PREFIX, ConsoleRoute, check_csrf, redirect, requires
from lifeline.web.deps import App
from lifeline.web.inputs import SafeText

router = APIRouter(prefix=PREFIX + "/cases", route_class=ConsoleRoute, include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ReportId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Csrf = Annotated[str, Form(max_length=100)]
#: whoever may record an outcome on the case page may confirm one reported from the field
Acting = Annotated[ConsoleSession, requires(Permission.CASE_ACT)]


def _done(case_id: int, action: str) -> Response:
    return redirect(f"{PREFIX}/cases/{case_id}?done={action}#field-reports")


@router.post("/{case_id}/field-reports/{report_id}/confirm")
def confirm(
    case_id: CaseId, report_id: ReportId, app: App, session: Acting, csrf: Csrf
) -> Response:
    check_csrf(session, csrf)
    confirm_field_report(app.ctx, session.actor, case_id, report_id)
    app.jobs_ready.set()
    return _done(case_id, "field_confirm")


@router.post("/{case_id}/field-reports/{report_id}/reject")
def reject(
    case_id: CaseId, report_id: ReportId, app: App, session: Acting, csrf: Csrf,
    reason: Annotated[SafeText, Form(max_length=NOTE_MAX)] = "",
) -> Response:  # fmt: skip
    check_csrf(session, csrf)
    reject_field_report(app.ctx, session.actor, case_id, report_id, reason)
    return _done(case_id, "field_reject")
