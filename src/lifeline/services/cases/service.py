"""Reading and moving cases: every read by a person or partner and every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lifeline.domain.access import Permission
from lifeline.domain.aftercare import FollowUpPlan
from lifeline.domain.alert import Alert, Subject
from lifeline.domain.dispatch import Alarm, AlarmKind, Dispatch, Notification
from lifeline.domain.errors import InvalidOutcome, NotFound, PermissionDenied
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor, Case, OutcomeKind, TimelineEntry
from lifeline.domain.place import StoredResolution
from lifeline.domain.risk import RiskAssessment
from lifeline.services.access.authorisation import (
    ACTION_PERMISSIONS,
    enforce_case,
    require,
    traces_only,
    visible_case_ids,
)
from lifeline.services.aftercare.followups import propose_plan
from lifeline.services.aftercare.ports import EarlierCase
from lifeline.services.context import Context
from lifeline.services.dispatch.acknowledgement import acknowledge_units
from lifeline.services.dispatch.escalations import (
    SETTLED,
    stop_escalations,
    stop_traces,
)
from lifeline.services.location.case_place import CasePlace, case_place
from lifeline.services.location.resolution import resolutions_of
from lifeline.services.ports import CaseSummary, UnitOfWork


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    subject: Subject | None
    alerts: list[Alert]
    timeline: list[TimelineEntry]
    allowed_steps: list[str]
    follow_ups: list[FollowUpPlan] = field(default_factory=list)
    #: earlier cases about the same person (repeat risk), newest first
    history: list[EarlierCase] = field(default_factory=list)
    #: risk assessments by the model and operators, oldest first
    assessments: list[RiskAssessment] = field(default_factory=list)
    #: location resolutions of the case's alerts, oldest first
    resolutions: list[StoredResolution] = field(default_factory=list)
    #: the case's one place, chosen from them and any operator's or STF's answer
    place: CasePlace = field(default_factory=CasePlace)
    #: escalations to units, their messages, and the case's open SMC alarms
    dispatches: list[Dispatch] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)


def list_cases(
    ctx: Context, actor: Actor, *, statuses: list[str] | None = None, limit: int = 100
) -> list[CaseSummary]:
    for status in statuses or []:
        if status not in CaseStatus.__members__.values():
            known = ", ".join(s.value for s in CaseStatus)
            raise NotFound(f"unknown case status {status!r}; known: {known}")
    if actor.kind != "partner":
        require(actor, Permission.QUEUE_READ)
    with ctx.uow(readonly=True) as uow:
        visible = visible_case_ids(uow, actor)
        found = uow.cases.summaries(statuses=statuses, limit=limit)
        if traces_only(actor):
            return []  # trace requests are listed on the console's queue
        return found if visible is None else [s for s in found if s.id in visible]


def show_case(ctx: Context, actor: Actor, case_id: int, *, purpose: str = "view") -> CaseDetail:
    """Return a case with its alerts and timeline, and audit that `actor` read it."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        case = uow.cases.get(case_id)
        if actor.kind == "partner" and int(actor.id) not in uow.cases.partner_ids(case_id):
            # A partner sees only cases its own alerts opened or joined; say "not found" so
            # the existence of other cases is not revealed.
            raise NotFound(f"case {case_id} not found")
        subject = uow.subjects.get(case.subject_id) if case.subject_id is not None else None
        detail = CaseDetail(
            case=case,
            subject=subject,
            alerts=uow.alerts.for_case(case_id),
            timeline=uow.cases.timeline(case_id),
            allowed_steps=[s.name.lower() for s in case.steps()],
            follow_ups=uow.aftercare.plans_for_case(case_id),
            history=uow.aftercare.history(case_id),
            assessments=uow.assessments.for_case(case_id),
            resolutions=resolutions_of(uow, case_id),
            place=case_place(uow, case_id, ctx.config.home_state),
        )
        detail.dispatches.extend(uow.dispatches.for_case(case_id))
        detail.notifications.extend(uow.dispatches.notifications_for_case(case_id))
        detail.alarms.extend(uow.dispatches.open_alarms({case_id}))
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="case.read",
            case_id=case_id,
            details={"purpose": purpose},
        )
        uow.commit()
        return detail


def _change(
    ctx: Context,
    actor: Actor,
    case_id: int,
    action: str,
    change: Callable[[Case], None],
    details: dict[str, Any] | None = None,
    after: Callable[[Context, UnitOfWork, Case, Actor], object] | None = None,
) -> Case:
    if actor.kind == "partner":  # enforce_case leaves partners to their own rule: this one
        raise PermissionDenied("partners may send alerts and read their cases, not change them")
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, ACTION_PERMISSIONS[action])
        case = uow.cases.get(case_id, for_update=True)
        before = case.status
        change(case)
        uow.cases.save(case)
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action=f"case.{action}",
            case_id=case_id,
            details={"from": before.value, "to": case.status.value, **(details or {})},
        )
        if case.status in SETTLED and before not in SETTLED:
            stop_escalations(uow, case, f"case is {case.status.value}", ctx.clock.now())
            # the response is over: nothing about it is left to alarm the desk about
            uow.dispatches.clear_alarms(case_id, ctx.clock.now(), "system:lifeline")
        if after is not None:  # follow-on changes in the same transaction
            after(ctx, uow, case, actor)
        uow.commit()
        return case


def _when(ctx: Context, at: datetime | None) -> datetime:
    now = ctx.clock.now()
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidOutcome("a time must carry a timezone (e.g. 2026-11-28T03:12:00+05:30)")
    if at > now + timedelta(minutes=1):
        raise InvalidOutcome(f"time {at.isoformat()} is in the future")
    return at


def acknowledge(
    ctx: Context, actor: Actor, case_id: int, unit: str = "", via: str = "console"
) -> Case:
    """A unit (or the SMC on its behalf) takes the case: its escalation stops (every running
    escalation if no unit is named)."""
    now = ctx.clock.now()

    def units(ctx: Context, uow: UnitOfWork, case: Case, actor: Actor) -> None:
        acknowledge_units(ctx, uow, case, actor, unit, now, via)
        uow.cases.save(case)

    return _change(
        ctx,
        actor,
        case_id,
        "acknowledge",
        lambda c: c.acknowledge(now, actor, unit),
        {"unit": unit, "via": via},
        after=units,
    )


def mark_on_scene(ctx: Context, actor: Actor, case_id: int, at: datetime | None = None) -> Case:
    when = _when(ctx, at)
    return _change(ctx, actor, case_id, "on_scene", lambda c: c.mark_on_scene(when, actor))


def record_outcome(
    ctx: Context,
    actor: Actor,
    case_id: int,
    outcome: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> Case:
    kind = parse_outcome(outcome)
    when = _when(ctx, at)
    return _change(
        ctx,
        actor,
        case_id,
        "outcome",
        lambda c: c.record_outcome(kind, when, actor, reason),
        {"outcome": kind.value},
        after=propose_plan,
    )


def dismiss(ctx: Context, actor: Actor, case_id: int, outcome: str, reason: str) -> Case:
    kind = parse_outcome(outcome)
    now = ctx.clock.now()
    return _change(
        ctx,
        actor,
        case_id,
        "dismiss",
        lambda c: c.dismiss(kind, now, actor, reason),
        {"outcome": kind.value},
    )


def close_case(ctx: Context, actor: Actor, case_id: int) -> Case:
    now = ctx.clock.now()
    return _change(ctx, actor, case_id, "close", lambda c: c.close(now, actor))


def record_location(ctx: Context, actor: Actor, case_id: int, place: str) -> Case:
    """An operator records where the person is (before automatic location resolution exists,
    and to override it)."""
    if not place.strip():
        raise InvalidOutcome("a location needs a place (district, police station or address)")
    now = ctx.clock.now()

    def end_traces(ctx: Context, uow: UnitOfWork, case: Case, actor: Actor) -> None:
        stop_traces(uow, case_id, "the SMC recorded where the person is", now)

    return _change(
        ctx,
        actor,
        case_id,
        "locate",
        lambda c: c.mark_located(now, place.strip(), actor),
        after=end_traces,
    )


def request_trace(ctx: Context, actor: Actor, case_id: int) -> Case:
    now = ctx.clock.now()
    return _change(ctx, actor, case_id, "request_trace", lambda c: c.request_trace(now, actor))


def dispatch_case(ctx: Context, actor: Actor, case_id: int, units: list[str]) -> Case:
    """Record that the case was sent to units (e.g. the operator phoned the thana)."""
    cleaned = [u.strip() for u in units if u.strip()]
    now = ctx.clock.now()
    return _change(
        ctx,
        actor,
        case_id,
        "dispatch",
        lambda c: c.dispatch(now, actor, cleaned),
        {"units": cleaned},
        after=_sent_by_hand,
    )


def _sent_by_hand(ctx: Context, uow: UnitOfWork, case: Case, actor: Actor) -> None:
    """A case recorded as sent (phoned) is no longer "not sent to any unit"."""
    assert case.id is not None
    uow.dispatches.clear_alarms(case.id, ctx.clock.now(), str(actor), kind=AlarmKind.NOT_DISPATCHED)


def hand_over(ctx: Context, actor: Actor, case_id: int, state: str, reason: str) -> Case:
    now = ctx.clock.now()
    return _change(
        ctx,
        actor,
        case_id,
        "hand_over",
        lambda c: c.hand_over(now, actor, state, reason),
        {"state": state},
    )


def parse_outcome(value: str) -> OutcomeKind:
    try:
        return OutcomeKind(value.strip().lower())
    except ValueError:
        known = ", ".join(o.value for o in OutcomeKind)
        raise InvalidOutcome(f"unknown outcome {value!r}; known outcomes: {known}") from None
