"""The console's reports page (the same report as `lifeline report` and the API, for the
person's reach: a district officer's is their district's) and the Devanagari web font.

The font is the one PDFs use, shipped as the pip package fontpkg-noto-sans-devanagari (SIL
Open Font Licence 1.1) and served from it here, so Hindi renders on a control-room machine
without Devanagari fonts and without the internet.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

import fontpkg
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from lifeline.domain.access import Permission
from lifeline.domain.errors import NotFound
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.reports import report as reports
from lifeline.web.access import open_to_all
from lifeline.web.console.common import PREFIX, ConsoleRoute, render, requires
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
Reporting = Annotated[ConsoleSession, requires(Permission.REPORT_READ)]
Day = Annotated[SafeLine | None, Query(alias="from", max_length=20)]
LastDay = Annotated[SafeLine | None, Query(alias="to", max_length=20)]
District = Annotated[SafeLine | None, Query(max_length=80)]
#: the packaged font's family (fontpkg's name for it)
FONT_FAMILY = "Noto Sans Devanagari"
FONT_URL = f"{PREFIX}/fonts/noto-sans-devanagari.ttf"


@cache
def _font_file() -> Path | None:
    try:
        return Path(fontpkg.path(FONT_FAMILY))
    except fontpkg.FontpkgError:
        return None


@router.get(
    "/fonts/noto-sans-devanagari.ttf",
    dependencies=[open_to_all("the console's Devanagari font: no data, needed before sign-in")],
)
async def devanagari_font() -> Response:
    found = _font_file()
    if found is None or not found.is_file():
        raise NotFound("the Devanagari font package is not installed")
    return FileResponse(
        found, media_type="font/ttf", headers={"Cache-Control": "public, max-age=604800"}
    )


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    app: App,
    session: Reporting,
    first: Day = None,
    last: LastDay = None,
    district: District = None,
) -> HTMLResponse:
    """The form, and the report once days are given (its generation is audited)."""
    built = None
    if first and last:
        first_day = reports.parse_day(first, "from")
        last_day = reports.parse_day(last, "to")
        built = await run_in_threadpool(
            reports.build_report,
            app.ctx,
            session.actor,
            first_day,
            last_day,
            district=district or None,
        )
    context = {"report": built, "first": first or "", "last": last or "", "district": district}
    return render(request, "reports.html", context)


@router.get("/reports/file")
async def report_file(
    app: App,
    session: Reporting,
    first: Day = None,
    last: LastDay = None,
    district: District = None,
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "pdf",
) -> Response:
    """The report as a PDF or CSV file, as the API gives it."""
    reports.require_format(fmt)
    first_day = reports.parse_day(first or "", "from")
    last_day = reports.parse_day(last or "", "to")
    built = await run_in_threadpool(
        reports.build_report,
        app.ctx,
        session.actor,
        first_day,
        last_day,
        district=district or None,
    )
    writer = app.report_writer(fmt)
    data = await run_in_threadpool(writer.write, built)
    name = f"lifeline-report-{first_day.isoformat()}-{last_day.isoformat()}.{fmt}"
    return Response(
        data,
        media_type=writer.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
