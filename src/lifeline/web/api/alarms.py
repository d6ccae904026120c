"""The SMC's alarms for staff: one line per case, as the console's banner shows them, and an
operator's acknowledgement of a case's alarms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from lifeline.domain.access import Permission
from lifeline.domain.model import Actor
from lifeline.services.dispatch.attention import acknowledge_alarms, alarm_groups_for
from lifeline.services.dispatch.read_models import AlarmGroupRead, AlarmsAcknowledgedRead
from lifeline.web.access import requires
from lifeline.web.api.cases import ERRORS, CaseId
from lifeline.web.deps import App

router = APIRouter(prefix="/api/v1", tags=["alarms"])


@router.get(
    "/alarms",
    responses=ERRORS,
    summary="Open SMC alarms the caller may see, one entry per case, most urgent first",
)
def alarms(
    app: App, actor: Annotated[Actor, requires(Permission.QUEUE_READ)]
) -> list[AlarmGroupRead]:
    return [AlarmGroupRead.of(g) for g in alarm_groups_for(app.ctx, actor)]


@router.post(
    "/cases/{case_id}/alarms/acknowledge",
    responses=ERRORS,
    summary="Acknowledge the case's alarms: quiet until a new alarm is raised on the case",
)
def acknowledge(
    case_id: CaseId, app: App, actor: Annotated[Actor, requires(Permission.ALARM_ACKNOWLEDGE)]
) -> AlarmsAcknowledgedRead:
    done = acknowledge_alarms(app.ctx, actor, case_id)
    return AlarmsAcknowledgedRead(case_id=case_id, acknowledged=done)
