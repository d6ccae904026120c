"""Every route of the application `create_app` builds (API and console, mounts included)
declares the permission it needs, or that it is open and why (`web/access.py`); the table
below is the whole of it, so a route added or a permission changed shows up here."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI

from lifeline.bootstrap import Lifeline
from lifeline.domain.access import Permission
from lifeline.domain.model import Actor
from lifeline.web.access import Requires, open_to_all, requires, route_declarations
from lifeline.web.app import create_app
from lifeline.web.deps import Staff

P = Permission
OPEN = "open"
CASE = "/api/v1/cases/{case_id}"
PAGE = "/console/cases/{case_id}"

#: (method, path) -> the permission the route declares, or OPEN (with a reason, checked below)
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): OPEN,
    ("", "/static-offline-docs"): OPEN,
    ("GET", "/docs"): OPEN,
    ("GET", "/docs/oauth2-redirect"): OPEN,
    ("GET", "/redoc"): OPEN,
    ("POST", "/api/v1/alerts"): OPEN,
    ("POST", "/api/v1/monitoring/posts"): OPEN,
    ("GET", "/api/v1/monitoring/review"): P.CASE_MANAGE,
    ("POST", CASE + "/review/escalate"): P.CASE_MANAGE,
    ("POST", CASE + "/review/dismiss"): P.CASE_MANAGE,
    ("POST", "/api/v1/phone-alerts"): P.ALERT_ENTER,
    ("GET", "/api/v1/cases"): P.QUEUE_READ,
    ("GET", CASE): P.CASE_READ + " (or a partner)",
    ("POST", CASE + "/acknowledge"): P.CASE_ACT,
    ("POST", CASE + "/location"): P.CASE_MANAGE,
    ("POST", CASE + "/trace-request"): P.CASE_MANAGE,
    ("POST", CASE + "/dispatch"): P.CASE_MANAGE,
    ("POST", CASE + "/on-scene"): P.CASE_ACT,
    ("POST", CASE + "/outcome"): P.CASE_ACT,
    ("POST", CASE + "/dismiss"): P.CASE_MANAGE,
    ("POST", CASE + "/hand-over"): P.CASE_MANAGE,
    ("POST", CASE + "/close"): P.CASE_MANAGE,
    ("POST", CASE + "/hold"): P.CASE_HOLD,
    ("POST", CASE + "/unhold"): P.CASE_HOLD,
    ("GET", CASE + "/dispatch-plan"): P.CASE_READ,
    ("POST", CASE + "/confirm-dispatch"): P.CASE_MANAGE,
    ("POST", CASE + "/trace-result"): P.TRACE_ANSWER,
    ("GET", CASE + "/location"): P.CASE_READ,
    ("POST", "/api/v1/inbound/sms"): OPEN,
    ("GET", "/ack/{token}"): OPEN,
    ("POST", "/ack/{token}"): OPEN,
    ("POST", "/ack/{token}/on-scene"): OPEN,
    ("POST", "/ack/{token}/outcome"): OPEN,
    ("POST", "/api/v1/auth/token"): OPEN,
    ("GET", "/healthz"): OPEN,
    ("GET", "/metrics"): OPEN,
    ("GET", "/api/v1/places/districts/{lgd}.geojson"): P.PLACE_LOOKUP,
    ("POST", "/api/v1/locate"): P.PLACE_LOOKUP,
    ("GET", "/api/v1/reports"): P.REPORT_READ,
    ("GET", "/api/v1/reports/state-export"): P.REPORT_READ,
    ("GET", "/api/v1/follow-ups"): P.FOLLOWUP_WORK,
    ("GET", "/api/v1/follow-ups/{plan_id}"): P.FOLLOWUP_WORK,
    ("POST", "/api/v1/follow-ups/check-ins/{check_in_id}"): P.FOLLOWUP_WORK,
    ("GET", "/api/v1/alarms"): P.QUEUE_READ,
    ("POST", CASE + "/alarms/acknowledge"): P.ALARM_ACKNOWLEDGE,
    ("POST", "/api/v1/follow-ups/{plan_id}/assign"): P.FOLLOWUP_WORK,
    ("POST", "/api/v1/follow-ups/{plan_id}/referral"): P.FOLLOWUP_WORK,
    ("POST", "/api/v1/follow-ups/{plan_id}/cancel"): P.FOLLOWUP_WORK,
    ("GET", "/console"): OPEN,
    ("GET", "/console/"): OPEN,
    ("GET", "/console/sign-in"): OPEN,
    ("POST", "/console/sign-in"): OPEN,
    ("POST", "/console/enrol"): OPEN,
    ("POST", "/console/sign-out"): OPEN,
    ("POST", "/console/language"): OPEN,
    ("GET", "/console/queue"): P.QUEUE_READ,
    ("GET", "/console/queue/rows"): P.QUEUE_READ,
    ("GET", "/console/alarms/banner"): P.QUEUE_READ,
    ("POST", PAGE + "/alarms/acknowledge"): P.ALARM_ACKNOWLEDGE,
    ("GET", "/console/phone-alert"): P.ALERT_ENTER,
    ("POST", "/console/phone-alert"): P.ALERT_ENTER,
    ("GET", PAGE): P.CASE_READ,
    ("GET", PAGE + "/attachments/{attachment_id}"): P.CASE_READ,
    ("POST", PAGE + "/acknowledge"): P.CASE_ACT,
    ("POST", PAGE + "/on-scene"): P.CASE_ACT,
    ("POST", PAGE + "/outcome"): P.CASE_ACT,
    ("POST", PAGE + "/dismiss"): P.CASE_MANAGE,
    ("POST", PAGE + "/hand-over"): P.CASE_MANAGE,
    ("POST", PAGE + "/close"): P.CASE_MANAGE,
    ("POST", PAGE + "/locate"): P.CASE_MANAGE,
    ("POST", PAGE + "/trace"): P.CASE_MANAGE,
    ("POST", PAGE + "/dispatch"): P.CASE_MANAGE,
    ("POST", PAGE + "/confirm-dispatch"): P.CASE_MANAGE,
    ("POST", PAGE + "/note"): P.CASE_NOTE,
    ("POST", PAGE + "/assess"): P.CASE_MANAGE,
    ("POST", PAGE + "/hold"): P.CASE_HOLD,
    ("POST", PAGE + "/unhold"): P.CASE_HOLD,
    ("POST", PAGE + "/field-reports/{report_id}/confirm"): P.CASE_ACT,
    ("POST", PAGE + "/field-reports/{report_id}/reject"): P.CASE_ACT,
    ("GET", "/console/map"): P.DASHBOARD_READ,
    ("GET", "/console/map/live"): P.DASHBOARD_READ,
    ("GET", "/console/dashboard"): P.DASHBOARD_READ,
    ("GET", "/console/dashboard/live"): P.DASHBOARD_READ,
    ("GET", "/console/admin/users"): P.STAFF_MANAGE,
    ("POST", "/console/admin/users/{username}/{action}"): P.STAFF_MANAGE,
    ("GET", "/console/quarantine"): P.QUARANTINE_READ,
    ("GET", "/console/quarantine/badge"): P.QUARANTINE_READ,
    ("POST", "/console/quarantine/{message_id}/release"): P.QUARANTINE_REVIEW,
    ("POST", "/console/quarantine/{message_id}/discard"): P.QUARANTINE_REVIEW,
    ("GET", "/console/monitoring"): P.CASE_MANAGE,
    ("POST", "/console/monitoring/{case_id}/escalate"): P.CASE_MANAGE,
    ("POST", "/console/monitoring/{case_id}/dismiss"): P.CASE_MANAGE,
    ("GET", "/console/followups"): P.FOLLOWUP_WORK,
    ("POST", "/console/followups/record"): P.FOLLOWUP_WORK,
    ("POST", "/console/followups/take"): P.FOLLOWUP_WORK,
    ("GET", "/console/reports"): P.REPORT_READ,
    ("GET", "/console/reports/file"): P.REPORT_READ,
    ("GET", "/console/fonts/noto-sans-devanagari.ttf"): OPEN,
    ("GET", "/console/admin/contacts"): P.REGISTRY_MANAGE,
    ("POST", "/console/admin/contacts/import"): P.REGISTRY_MANAGE,
    ("POST", "/console/admin/contacts/{unit_id}/{index}/test"): P.REGISTRY_MANAGE,
    ("GET", "/console/demo-inbox"): P.REGISTRY_MANAGE,
    ("", "/console/static"): OPEN,
    ("", "/console/vendor/chart.js"): OPEN,
}

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _declared(lifeline: Lifeline) -> dict[tuple[str, str], tuple[str, ...]]:
    app = create_app(lifeline, embedded_worker=False)
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for route in route_declarations(app):
        methods = [m for m in route.methods if m != "HEAD"] or [""]
        for method in methods:
            out[(method, route.path)] = route.declared
    return out


@SQLITE_ONLY
def test_every_route_declares_one_permission_or_why_it_is_open(lifeline: Lifeline) -> None:
    declared = _declared(lifeline)
    undeclared = sorted(f"{m} {path}: {d or 'nothing'}" for (m, path), d in declared.items()
                        if len(d) != 1)  # fmt: skip
    assert undeclared == [], "declare Requires(Permission.X) or Open(reason): web/access.py"
    reasons = [d[0].removeprefix("open: ") for d in declared.values() if d[0].startswith(OPEN)]
    assert [r for r in reasons if len(r.split()) < 3] == []  # an open route says why


@SQLITE_ONLY
def test_the_route_table(lifeline: Lifeline) -> None:
    declared = {key: d[0].split(":")[0] for key, d in _declared(lifeline).items()}
    assert declared == ROUTES


def test_the_walk_names_a_route_that_declares_nothing_and_sees_a_routers_default() -> None:
    router = APIRouter(prefix="/r", dependencies=[Depends(Requires(P.REPORT_READ))])

    @router.get("/by-router")
    def by_router(actor: Staff) -> None: ...

    app = FastAPI()
    app.include_router(router)

    @app.get("/declared")
    def declared(actor: Annotated[Actor, requires(P.CASE_READ)]) -> None: ...

    @app.get("/open", dependencies=[open_to_all("a test of the walk")])
    def opened() -> None: ...

    @app.get("/forgotten")
    def forgotten(actor: Staff) -> None: ...

    found = {r.path: r.declared for r in route_declarations(app) if r.path.startswith("/")}
    assert found["/r/by-router"] == ("report.read",)
    assert found["/declared"] == ("case.read",)
    assert found["/open"] == ("open: a test of the walk",)
    assert found["/forgotten"] == ()
