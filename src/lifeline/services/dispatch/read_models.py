"""Reads of dispatch: escalations to units, each message sent for them, the SMC's alarms, and
the dry run of who would be notified. Never a channel URL: those hold credentials."""

from collections.abc import Iterable
from typing import Annotated, Any, Self

from pydantic import Field

from lifeline.domain.dispatch import (
    AlarmKind,
    Dispatch,
    DispatchState,
    Notification,
    NotificationState,
    Reach,
    alarm_reason,
    reach_of,
)
from lifeline.domain.lifecycle import CaseStatus, Milestone
from lifeline.domain.model import Case
from lifeline.services.dispatch.attention import AlarmGroup
from lifeline.services.dispatch.routing import DispatchPlan
from lifeline.services.read_model import ReadModel, Timestamp


class DispatchRead(ReadModel):
    """The case sent to one unit, and how far its escalation got."""

    id: int
    unit_id: str
    unit_name: str
    purpose: Annotated[str, Field(description="respond or trace")]
    state: DispatchState
    reason: Annotated[
        str, Field(description="the routing rule or the operator's choice that sent the case here")
    ]
    started_at: Timestamp
    started_by: str
    acknowledged_at: Timestamp | None
    acknowledged_by: str | None
    step_index: int
    steps: Annotated[int, Field(description="how many steps the escalation policy has")]
    next_at: Timestamp | None
    ended_at: Timestamp | None
    end_reason: str | None
    policy: Annotated[str, Field(description="the escalation policy's id")]
    reach: Annotated[
        Reach,
        Field(
            description="how far its messages got: delivered (someone was told), sending, or "
            "nobody_reached (no contact, or every message failed): an active dispatch that "
            "reached nobody is not waiting for anyone's acknowledgement"
        ),
    ]

    @classmethod
    def of(cls, d: Dispatch, notifications: Iterable[Notification]) -> Self:
        """`notifications`: the case's (those of other dispatches are not counted)."""
        assert d.id is not None, "a read dispatch is stored"
        return cls(
            reach=reach_of(d.id, notifications),
            id=d.id,
            unit_id=d.unit_id,
            unit_name=d.unit_name,
            purpose=d.purpose,
            state=d.state,
            reason=d.reason,
            started_at=d.started_at,
            started_by=d.started_by,
            acknowledged_at=d.acknowledged_at,
            acknowledged_by=d.acknowledged_by,
            step_index=d.step_index,
            steps=len(d.policy.steps),
            next_at=d.next_at,
            ended_at=d.ended_at,
            end_reason=d.end_reason,
            policy=d.policy.id,
        )


class NotificationRead(ReadModel):
    """One message: to whom, and how far it got; with the channel's last error (`detail`)."""

    id: int
    dispatch_id: Annotated[int | None, Field(description="null for an SMC alarm message")]
    unit_id: str
    contact_name: str
    contact_role: str
    purpose: Annotated[str, Field(description="respond, trace or alarm")]
    step_index: int
    state: NotificationState
    attempts: Annotated[int, Field(description="attempts on the current channel")]
    channel_index: int
    channels: Annotated[int, Field(description="how many channels the contact has")]
    detail: Annotated[str, Field(description="the last delivery error, as the channel reported it")]
    created_at: Timestamp
    delivered_at: Timestamp | None
    delivered_via: Annotated[
        str | None, Field(description='the channel\'s description (e.g. "sms"), never its URL')
    ]

    @classmethod
    def of(cls, n: Notification) -> Self:
        assert n.id is not None, "a read notification is stored"
        return cls(
            id=n.id,
            dispatch_id=n.dispatch_id,
            unit_id=n.unit_id,
            contact_name=n.contact_name,
            contact_role=n.contact_role,
            purpose=n.purpose,
            step_index=n.step_index,
            state=n.state,
            attempts=n.attempts,
            channel_index=n.channel_index,
            channels=len(n.channels),
            detail=n.detail,
            created_at=n.created_at,
            delivered_at=n.delivered_at,
            delivered_via=n.delivered_via,
        )


class OfficerNotificationRead(ReadModel):
    """A message as a district officer sees it: who was sent the case and whether it got
    there, not the channels' error details."""

    id: int
    dispatch_id: int | None
    unit_id: str
    contact_name: str
    contact_role: str
    purpose: str
    step_index: int
    state: NotificationState
    attempts: int
    channel_index: int
    channels: int
    created_at: Timestamp
    delivered_at: Timestamp | None
    delivered_via: str | None

    @classmethod
    def of(cls, n: Notification) -> Self:
        return cls.model_validate(NotificationRead.of(n))


class AlarmRead(ReadModel):
    """An open SMC alarm: what is wrong (`kind`, its figures in `details`, in English in
    `reason`), and whether an operator has acknowledged it (quiet until something new)."""

    id: int
    case_id: int
    dispatch_id: int | None
    kind: Annotated[AlarmKind, Field(description="what the alarm is about")]
    details: Annotated[
        dict[str, Any],
        Field(description="its figures: units (how many), seconds (waited or late), unit"),
    ]
    reason: Annotated[str, Field(description="the alarm in English")]
    raised_at: Timestamp
    acknowledged_at: Timestamp | None
    acknowledged_by: str | None


class AlarmGroupRead(ReadModel):
    """A case's open alarms as the console's banner shows them: one line per case."""

    case_id: int
    level: Annotated[str | None, Field(description="the case's risk level (null: not assessed)")]
    kind: Annotated[
        AlarmKind,
        Field(description="the most urgent kind of the loud alarms (of all, when quiet)"),
    ]
    reason: Annotated[str, Field(description="that kind, in English")]
    since: Timestamp
    units: Annotated[int, Field(description="how many units the alarms are about")]
    quiet: Annotated[bool, Field(description="every alarm of the case is acknowledged")]
    acknowledged_by: str | None
    acknowledged_at: Timestamp | None
    alarms: list[AlarmRead]

    @classmethod
    def of(cls, group: AlarmGroup) -> Self:
        named = next(a for a in group.alarms if a.kind is group.kind)
        return cls(
            case_id=group.case_id,
            level=group.level.value if group.level else None,
            kind=group.kind,
            reason=alarm_reason(group.kind, named.details),
            since=group.since,
            units=group.units,
            quiet=group.quiet,
            acknowledged_by=group.acknowledged_by,
            acknowledged_at=group.acknowledged_at,
            alarms=[AlarmRead.model_validate(a) for a in group.alarms],
        )


class AlarmsAcknowledgedRead(ReadModel):
    """A case's alarms an operator has just acknowledged (empty: all already were)."""

    case_id: int
    acknowledged: list[int]


class RoutingFactsRead(ReadModel):
    """What routing looked at for the case."""

    source: str
    level: str | None
    state: str | None
    district_lgd: str | None
    located: bool
    hour_ist: int
    sender_verified: bool
    sender_verification: str


class PlannedUnitRead(ReadModel):
    """A unit the case would be sent to, by which rule, under which policy, and who would get
    the first message (the unit's contacts or an ancestor's: `contacts_of`)."""

    unit_id: str
    unit_name: str
    kind: str
    purpose: str
    rule: str
    policy: str
    contacts: list[str]
    contacts_of: str | None


class DispatchPlanRead(ReadModel):
    """Who would be notified for a case, and why (a dry run: nothing is sent)."""

    case_id: int
    facts: RoutingFactsRead
    automatic: Annotated[
        bool,
        Field(
            description="whether Lifeline would send at once, without an operator's confirmation"
        ),
    ]
    why: str
    rules_matched: list[str]
    units: list[PlannedUnitRead]
    problems: Annotated[
        list[str], Field(description="why the plan is incomplete or needs a person")
    ]


class DispatchedRead(ReadModel):
    """A case just sent to units: where it stands, and the escalations started."""

    id: int
    status: CaseStatus
    milestones: dict[Milestone, Timestamp]
    dispatches: list[DispatchRead]

    @classmethod
    def of(cls, case: Case, started: list[Dispatch], notifications: list[Notification]) -> Self:
        assert case.id is not None, "a dispatched case is stored"
        return cls(
            id=case.id,
            status=case.status,
            milestones=dict(case.milestones),
            dispatches=[DispatchRead.of(d, notifications) for d in started],
        )


class TraceAnsweredRead(ReadModel):
    """A case the STF's trace answer located: where it stands, and who it would go to now."""

    id: int
    status: CaseStatus
    milestones: dict[Milestone, Timestamp]
    plan: DispatchPlanRead

    @classmethod
    def of(cls, case: Case, plan: DispatchPlan) -> Self:
        assert case.id is not None, "a traced case is stored"
        return cls(
            id=case.id,
            status=case.status,
            milestones=dict(case.milestones),
            plan=plan,
        )
