"""The map and the dashboard pages, their live fragments, and the front-end libraries they use.

Both pages are complete HTML without JavaScript (the map is an SVG drawn on the server, every
chart's figures are also a table). With JavaScript, the map's cases and the dashboard's figures
refresh themselves (`/live` fragments, polled like the queue's rows and, like them, not
counted as activity), and the dashboard draws its charts with Chart.js.

Chart.js is installed by npm from the committed package.json and package-lock.json (`make
install` runs `npm ci`) and served from node_modules under /console/vendor/: no CDN, nothing
copied into the repository. Without node_modules the pages still work, without charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from lifeline.domain.access import Permission
from lifeline.services.access.sessions import ConsoleSession
from lifeline.services.console import district_map as console_map
from lifeline.services.reports import dashboard
from lifeline.services.reports.dashboard import BAND_LABELS, Dashboard, PeriodFigures
from lifeline.web.console import i18n
from lifeline.web.console.common import HERE, PREFIX, ConsoleRoute, lang_of, render, requires
from lifeline.web.deps import App

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
#: the signed-in person, checked against the permission table (web/access.py)
Overseeing = Annotated[ConsoleSession, requires(Permission.DASHBOARD_READ)]

#: the checkout's node_modules (package.json sits at the repository root)
NODE_MODULES = HERE.parents[3] / "node_modules"
#: URL name under /console/vendor/ -> the package folder served there (only its built files)
VENDOR = {"chart.js": NODE_MODULES / "chart.js" / "dist"}
#: the queue is where new cases are watched for: the map refreshes less often, the dashboard
#: (figures that change slowly) less often still
MAP_POLL_FACTOR = 4
DASHBOARD_POLL_FACTOR = 10


def mount_vendor(app: FastAPI) -> None:
    """Serve each front-end library that npm installed (a missing one is skipped: its page
    works without it)."""
    for name, folder in VENDOR.items():
        if folder.is_dir():
            app.mount(
                f"{PREFIX}/vendor/{name}", StaticFiles(directory=folder), name=f"vendor-{name}"
            )


def _poll_ms(app: App, factor: int = 1) -> int:
    return int(app.settings.console_poll_seconds * 1000 * factor)


# -- the map -----------------------------------------------------------------------------------
@router.get("/map", response_class=HTMLResponse)
async def map_page(request: Request, app: App, session: Overseeing) -> HTMLResponse:
    view = await run_in_threadpool(console_map.case_map, app.ctx, session.actor)
    return render(request, "map.html", {"view": view, "poll_ms": _poll_ms(app, MAP_POLL_FACTOR)})


@router.get("/map/live", response_class=HTMLResponse)
async def map_live(request: Request, app: App, session: Overseeing) -> HTMLResponse:
    """The map's cases, shades and list alone (the boundaries stay in the page)."""
    view = await run_in_threadpool(console_map.case_map, app.ctx, session.actor)
    return render(request, "_map_live.html", {"view": view})


# -- the dashboard -----------------------------------------------------------------------------
def _period(request: Request) -> str:
    return "month" if request.query_params.get("period") == "month" else "today"


def _dashboard_context(request: Request, dash: Dashboard) -> dict[str, Any]:
    key = _period(request)
    lang = lang_of(request)
    return {
        "dash": dash,
        "key": key,
        "chosen": dash.period(key),
        "bands": BAND_LABELS,
        "charts": charts(dash, key, lang),
    }


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request, app: App, session: Overseeing) -> HTMLResponse:
    dash = await run_in_threadpool(dashboard.dashboard, app.ctx, session.actor)
    context = _dashboard_context(request, dash)
    context["poll_ms"] = _poll_ms(app, DASHBOARD_POLL_FACTOR)
    context["chart_js"] = (VENDOR["chart.js"] / "chart.umd.min.js").is_file()
    return render(request, "dashboard.html", context)


@router.get("/dashboard/live", response_class=HTMLResponse)
async def dashboard_live(request: Request, app: App, session: Overseeing) -> HTMLResponse:
    dash = await run_in_threadpool(dashboard.dashboard, app.ctx, session.actor)
    return render(request, "_dashboard_body.html", _dashboard_context(request, dash))


def charts(dash: Dashboard, key: str, lang: str) -> dict[str, Any]:
    """What the dashboard's charts draw (the same figures as its tables), by canvas name."""
    t = i18n.translator(lang)
    hi = lang == "hi"
    chosen = dash.period(key)
    periods = ((t["today"], dash.today), (t["this_month"], dash.month))
    kinds = list(dash.month.outcome_counts())
    out: dict[str, Any] = {
        "outcomes": {
            "labels": [_outcome(kind, lang, t) for kind in kinds],
            "datasets": [
                {"label": label, "data": [p.outcome_counts()[kind] for kind in kinds]}
                for label, p in periods
            ],
            "axis": t["count"],
            "horizontal": True,
        },
        "sources": {
            "labels": [f.label_hi if lang == "hi" else f.label for f in dash.month.sources.figures],
            "datasets": [
                {"label": label, "data": [_value(p, f.key) for f in dash.month.sources.figures]}
                for label, p in periods
            ],
            "axis": t["alert_count"],
        },
        "bands": {
            "labels": list(BAND_LABELS),
            "datasets": [
                {"label": s.label_hi if hi else s.label, "data": list(s.bands)}
                for s in chosen.steps
            ],
            "axis": t["count"],
            "x": t["minutes"],
        },
    }
    for n, step in enumerate(chosen.steps):
        rows = [d for d in chosen.districts if d.steps[n].n]
        out[f"step-{step.key}"] = {
            "labels": [_district(d.district.name, d.district.name_hi, hi) for d in rows],
            "datasets": [
                {"label": "p50", "data": [d.steps[n].p50 for d in rows]},
                {"label": "p90", "data": [d.steps[n].p90 for d in rows]},
            ],
            "axis": t["minutes"],
            "horizontal": True,
        }
    return out


def _district(name: str, name_hi: str, hi: bool) -> str:
    return (name_hi or name) if hi else name


def _outcome(kind: str, lang: str, t: Mapping[str, str]) -> str:
    return i18n.pick(i18n.OUTCOMES, kind, lang) if kind else t["no_outcome_yet"]


def _value(period: PeriodFigures, key: str) -> int:
    found = [f.value for f in period.sources.figures if f.key == key]
    return int(found[0] or 0) if found else 0
