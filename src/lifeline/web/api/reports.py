"""Reports over HTTP for supervisors and admins, and for district officers over their own
district: the same report as `lifeline report` (JSON, CSV or PDF); and the k-anonymous state
export (the SMC only). Generating either is audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from lifeline.domain.access import Permission
from lifeline.domain.errors import DomainError
from lifeline.services.reports import report as reports
from lifeline.services.reports.read_models import ReportRead
from lifeline.web.access import Requires
from lifeline.web.api.schemas import ErrorOut
from lifeline.web.deps import App, Staff
from lifeline.web.errors import ApiError
from lifeline.web.inputs import SafeLine

router = APIRouter(
    prefix="/api/v1/reports",
    tags=["reports"],
    dependencies=[Depends(Requires(Permission.REPORT_READ))],
)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 422, 503)
}
From = Annotated[date, Query(alias="from", description="First day (IST), included")]
To = Annotated[date, Query(alias="to", description="Last day (IST), included")]


def _file(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "",
    responses={
        **ERRORS,
        200: {
            "description": "The report: JSON (a `ReportRead`), or a CSV or PDF file",
            "content": {"text/csv": {}, "application/pdf": {}},
        },
    },
    response_model=ReportRead,
    summary="The report for a period (supervisor, admin; a district officer: their district)",
)
def get_report(
    app: App,
    actor: Staff,
    first: From,
    last: To,
    district: Annotated[
        SafeLine | None, Query(max_length=80, description="LGD code or name, or 'unknown'")
    ] = None,
    fmt: Annotated[Literal["json", "csv", "pdf"], Query(alias="format")] = "json",
) -> ReportRead | Response:
    report = reports.build_report(app.ctx, actor, first, last, district=district)
    if fmt == "json":
        return ReportRead.of(report)
    writer = app.report_writer(fmt)
    try:
        data = writer.write(report)
    except DomainError as exc:
        if exc.code == "report_font_missing":
            raise ApiError(503, exc.code, str(exc)) from None
        raise
    name = f"lifeline-report-{first.isoformat()}-{last.isoformat()}.{fmt}"
    return _file(data, writer.media_type, name)


@router.get(
    "/state-export",
    responses=ERRORS,
    summary="k-anonymous counts by district and month, CSV (supervisor, admin)",
)
def get_state_export(
    app: App,
    actor: Staff,
    first: From,
    last: To,
    k: Annotated[int | None, Query(ge=2, le=1000)] = None,
) -> Response:
    minimum = app.settings.report_min_cell
    export = reports.export_counts(app.ctx, actor, first, last, k=k or minimum, min_k=minimum)
    name = f"lifeline-state-export-{first.isoformat()}-{last.isoformat()}.csv"
    return _file(app.state_export_csv(export), "text/csv; charset=utf-8", name)
