"""Dispatch for staff: the dry run (who would be notified and why), the operator's one-click
confirmation, and the STF's answer to a trace request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifeline.domain.access import Permission
from lifeline.domain.model import Actor
from lifeline.domain.place import LocationQuery
from lifeline.services.dispatch.acknowledgement import record_trace_result
from lifeline.services.dispatch.escalations import confirm_dispatch, preview_dispatch
from lifeline.services.dispatch.read_models import (
    DispatchedRead,
    DispatchPlanRead,
    TraceAnsweredRead,
)
from lifeline.services.dispatch.views import dispatch_panel
from lifeline.web.access import requires
from lifeline.web.api.cases import ERRORS, CaseId, Managing
from lifeline.web.deps import App
from lifeline.web.inputs import SafeLine, SafeText

router = APIRouter(prefix="/api/v1/cases", tags=["dispatch"])


class ConfirmDispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: list[Annotated[SafeLine, Field(max_length=120)]] = Field(
        default_factory=list,
        max_length=50,
        description="Registry ids of the units to send the case to; empty: as the rules route it",
    )


class TraceResultIn(BaseModel):
    """Where the STF found the person: any of an address, coordinates, PIN, phone, IP city."""

    model_config = ConfigDict(extra="forbid")
    text: SafeText | None = Field(None, max_length=2000, description="Address or place")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    pin: SafeLine | None = Field(None, max_length=10)
    phone: SafeLine | None = Field(None, max_length=40)
    ip_city: SafeLine | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _something(self) -> TraceResultIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give lat and lon together")
        if not any((self.text, self.lat is not None, self.pin, self.phone, self.ip_city)):
            raise ValueError("give at least one of text, lat/lon, pin, phone, ip_city")
        return self


def _unit_ids(values: list[str] | None) -> list[str]:
    return [u.strip() for v in values or [] for u in v.split(",") if u.strip()]


@router.get(
    "/{case_id}/dispatch-plan",
    responses=ERRORS,
    summary="Who would be notified for this case, and why (a dry run: nothing is sent)",
)
def dispatch_plan(
    case_id: CaseId,
    app: App,
    actor: Annotated[Actor, requires(Permission.CASE_READ)],
    units: Annotated[
        list[str] | None,
        Query(description="Registry ids instead of the routing rules (repeat or comma-separate)"),
    ] = None,
) -> DispatchPlanRead:
    plan = preview_dispatch(app.ctx, actor, case_id, _unit_ids(units))
    return DispatchPlanRead.model_validate(plan)


@router.post(
    "/{case_id}/confirm-dispatch",
    responses=ERRORS,
    summary="Send the case to the planned units (or those named) and start their escalations",
)
def confirm(
    case_id: CaseId, app: App, actor: Managing, body: ConfirmDispatchIn | None = None
) -> DispatchedRead:
    chosen = _unit_ids(body.units if body else None)
    case, started = confirm_dispatch(app.ctx, actor, case_id, chosen)
    app.jobs_ready.set()  # the first messages are jobs: send them now
    queued = dispatch_panel(app.ctx, actor, case_id, with_plan=False).notifications
    return DispatchedRead.of(case, started, queued)


@router.post(
    "/{case_id}/trace-result",
    responses=ERRORS,
    summary="The STF's answer to a trace request: where the person is (re-routes the case)",
)
def trace_result(
    case_id: CaseId,
    body: TraceResultIn,
    app: App,
    actor: Annotated[Actor, requires(Permission.TRACE_ANSWER)],
) -> TraceAnsweredRead:
    query = LocationQuery(
        text=body.text,
        lat=body.lat,
        lon=body.lon,
        pin=body.pin,
        phone=body.phone,
        ip_city=body.ip_city,
    )
    case, plan = record_trace_result(app.ctx, actor, case_id, query)
    app.jobs_ready.set()
    return TraceAnsweredRead.of(case, plan)
