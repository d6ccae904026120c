"""Dispatch use cases: start escalations to units, acknowledge them, stop them, answer traces.

Everything here runs in the caller's transaction or opens its own; timers and messages are jobs
written in the same transaction (the outbox), so nothing is sent for a change that rolled back
and nothing is lost when a worker dies (docs/dispatch.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from lifeline.domain.access import Permission
from lifeline.domain.dispatch import (
    AlarmKind,
    Contact,
    Dispatch,
    DispatchError,
    DispatchState,
    Notification,
    Purpose,
    alarm_reason,
)
from lifeline.domain.events import DispatchStarted, SmcAlarmRaised
from lifeline.domain.lifecycle import CaseStatus, Milestone
from lifeline.domain.model import SYSTEM, Actor, Case, TimelineEntry
from lifeline.domain.risk import level_at_risk
from lifeline.services.access.authorisation import enforce_case
from lifeline.services.context import Context
from lifeline.services.dispatch.briefs import CaseBrief, case_brief
from lifeline.services.dispatch.routing import (
    IST,
    SMC_UNIT,
    DispatchPlan,
    RegistryView,
    plan_dispatch,
    refuse_unknown_units,
    registry_view,
)
from lifeline.services.job_spec import job
from lifeline.services.job_types import (
    CaseJob,
    EscalationJob,
    JobKind,
    NotificationsJob,
    enqueue,
)
from lifeline.services.location.registry import dispatch_rules_in_force
from lifeline.services.ports import UnitOfWork

#: states in which a case no longer needs anyone to come: escalations stop
SETTLED = frozenset(
    {
        CaseStatus.ON_SCENE,
        CaseStatus.RESOLVED,
        CaseStatus.HANDED_OVER,
        CaseStatus.DISMISSED,
        CaseStatus.CLOSED,
    }
)


# -- starting -------------------------------------------------------------------------------


def start_dispatch(
    ctx: Context, uow: UnitOfWork, case: Case, plan: DispatchPlan, actor: Actor, now: datetime
) -> list[Dispatch]:
    """Start an escalation for every planned unit that has none running; the first step
    fires at once (its messages are jobs in this transaction)."""
    assert case.id is not None
    repo = uow.dispatches
    running = {d.unit_id for d in repo.for_case(case.id) if d.state is not DispatchState.STOPPED}
    rules = dispatch_rules_in_force(ctx, uow)
    new: list[Dispatch] = []
    for unit in plan.units:
        if unit.unit_id in running:
            continue
        if unit.purpose is Purpose.TRACE and case.trace_requested_at is None:
            case.request_trace(now, actor)
        dispatch = Dispatch(
            case_id=case.id,
            unit_id=unit.unit_id,
            unit_name=unit.unit_name,
            policy=rules.policy(unit.policy),
            started_at=now,
            started_by=str(actor),
            reason=unit.rule[:300],
            purpose=unit.purpose,
        )
        new.append(dispatch)
    started = repo.add_all(new)
    if not started:
        return []
    first = Milestone.DISPATCHED not in case.milestones
    case.dispatch(now, actor, [d.unit_name for d in started])
    # sent now: an alarm that it was not sent is over (the banner must not say otherwise)
    repo.clear_alarms(case.id, now, str(actor), kind=AlarmKind.NOT_DISPATCHED)
    if first and ctx.measure is not None and not case.drill:
        ctx.measure("alert_to_dispatched", (now - case.opened_at).total_seconds())
    for dispatch in started:
        case.events.append(
            DispatchStarted(
                case.id, now, dispatch.unit_id, dispatch.purpose.value, dispatch.policy.id
            )
        )
    uow.cases.save(case)
    brief = case_brief(uow, case, ctx.config.home_state)  # one read for every first message
    sends: list[Notification] = []  # every unit's first messages: one job sends them all
    for dispatch in started:
        note(
            uow,
            case.id,
            now,
            "escalation_started",
            f"Escalation to {dispatch.unit_name} started ({dispatch.reason}; policy "
            f"{dispatch.policy.id}) / {dispatch.unit_name} को सूचना शुरू",
            actor,
            unit_id=dispatch.unit_id,
            purpose=dispatch.purpose,
            policy=dispatch.policy.as_dict(),
        )
        fire_step(ctx, uow, dispatch, now, brief, sends=sends)
    send_queued(uow, case.id, sends, now)
    enqueue(
        uow.jobs,
        JobKind.CHECK_REACHED,
        CaseJob(case.id),
        now=now,
        case_id=case.id,
        run_at=now + ctx.config.unreached_alarm_after.for_level(case.risk_level),
    )
    uow.audit.append(
        at=now,
        actor=str(actor),
        action="case.dispatch_started",
        case_id=case.id,
        details={"units": [d.unit_id for d in started], "automatic": actor == SYSTEM},
    )
    return started


def consider_dispatch(ctx: Context, uow: UnitOfWork, case_id: int) -> list[Dispatch]:
    """After triage or location: send a platform alert at once if the policy allows it
    (DESIGN.md §1.2); anything else waits for an operator."""
    if not ctx.config.auto_dispatch:
        return []
    case = uow.cases.get(case_id, for_update=True)
    if case.status is not CaseStatus.RECEIVED or not level_at_risk(case.risk_level):
        return []  # below ideation (or not yet assessed) never goes out by itself
    if uow.dispatches.for_case(case_id):
        return []
    now = ctx.clock.now()
    plan = plan_dispatch(ctx, uow, case, now)
    if not plan.automatic or not plan.units:
        return []
    return start_dispatch(ctx, uow, case, plan, SYSTEM, now)


def preview_dispatch(
    ctx: Context, actor: Actor, case_id: int, unit_ids: Sequence[str] = ()
) -> DispatchPlan:
    """Who would be notified for this case (the dry run); changes nothing but the audit."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        case = uow.cases.get(case_id)
        plan = plan_dispatch(ctx, uow, case, ctx.clock.now(), unit_ids=unit_ids)
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="case.dispatch_previewed",
            case_id=case_id,
            details={"units": [u.unit_id for u in plan.units]},
        )
        uow.commit()
        return plan


def confirm_dispatch(
    ctx: Context, actor: Actor, case_id: int, unit_ids: Sequence[str] = ()
) -> tuple[Case, list[Dispatch]]:
    """An operator's one click: send the case to the routed units (or those named)."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_MANAGE)
        case = uow.cases.get(case_id, for_update=True)
        now = ctx.clock.now()
        cleaned = [u.strip() for u in unit_ids if u.strip()]
        refuse_unknown_units(registry_view(ctx, uow, now.astimezone(IST).date()), cleaned)
        plan = plan_dispatch(ctx, uow, case, now, unit_ids=cleaned)
        if not plan.units:
            raise DispatchError(
                "nothing to dispatch to: " + ("; ".join(plan.problems) or "no unit found")
            )
        started = start_dispatch(ctx, uow, case, plan, actor, now)
        if not started:
            raise DispatchError("every unit planned already has an escalation running")
        uow.commit()
        return case, started


# -- timers ---------------------------------------------------------------------------------


def contact_label(role: str) -> str:
    """A contact as timelines name them: by role ("the duty contact"), never by name or
    number (the notification keeps who it was)."""
    role = " ".join(role.split())[:40]
    return f"the {role} contact" if role else "a contact"


def note(
    uow: UnitOfWork,
    case_id: int,
    at: datetime,
    kind: str,
    summary: str,
    actor: Actor = SYSTEM,
    **details: object,
) -> None:
    uow.cases.note(case_id, TimelineEntry(at, kind, summary, str(actor), dict(details)))


def fire_step(
    ctx: Context,
    uow: UnitOfWork,
    dispatch: Dispatch,
    now: datetime,
    brief: CaseBrief | None = None,
    *,
    sends: list[Notification] | None = None,
) -> None:
    """Run the dispatch's due step: notify its targets, schedule the next timer (a job that
    carries the new token, committed with this transaction) or raise the SMC alarm. Its
    messages describe the case as `brief` (read here if not given). The step's messages are
    sent by one job, or, with `sends`, added to it for the caller's one job."""
    assert dispatch.id is not None
    batch: list[Notification] = [] if sends is None else sends
    repo = uow.dispatches
    firing = dispatch.fire(now)
    repo.save(dispatch)
    if firing.exhausted:
        raise_alarm(
            ctx,
            uow,
            dispatch.case_id,
            dispatch.id,
            AlarmKind.EXHAUSTED,
            {"unit": dispatch.unit_name, "units": 1},
            now,
        )
        return
    view = registry_view(ctx, uow, now.date())
    reached: list[str] = []
    for target in firing.notify:
        for unit_id, contacts in _targets(view, dispatch.unit_id, target):
            for contact in contacts:
                if brief is None:
                    brief = case_brief(uow, uow.cases.get(dispatch.case_id), ctx.config.home_state)
                queue_notification(
                    uow, dispatch, unit_id, contact, firing.step_index, now, brief, sends=batch
                )
                reached.append(f"{contact_label(contact.role)} ({unit_id})")
    steps = len(dispatch.policy.steps)
    summary = (
        f"Escalation step {firing.step_index + 1}/{steps} (round {firing.round + 1}) for "
        f"{dispatch.unit_name}: " + (", ".join(reached) or "nobody to notify")
    )
    note(
        uow,
        dispatch.case_id,
        now,
        "escalation_step",
        summary,
        unit_id=dispatch.unit_id,
        step=firing.step_index,
        round=firing.round,
        targets=list(firing.notify),
    )
    if not reached:
        raise_alarm(
            ctx,
            uow,
            dispatch.case_id,
            dispatch.id,
            AlarmKind.NO_CONTACT,
            {"unit": dispatch.unit_name, "units": 1, "targets": list(firing.notify)},
            now,
        )
    if firing.next_at is not None:
        enqueue(
            uow.jobs,
            JobKind.ESCALATION_STEP,
            EscalationJob(dispatch.id, dispatch.timer_token),
            now=now,
            case_id=dispatch.case_id,
            run_at=firing.next_at,
        )
    if sends is None:
        send_queued(uow, dispatch.case_id, batch, now)


def _targets(
    view: RegistryView, unit_id: str, target: str
) -> list[tuple[str, tuple[Contact, ...]]]:
    """The contacts a step target means for a dispatch to `unit_id` (DESIGN: `unit` is the
    unit the case was routed to, `parent` the unit above it, `role:X` the nearest contacts
    with role X, `unit:ID` a named unit, `smc` the SMC)."""
    if target in ("unit", "parent", "smc") or target.startswith("unit:"):
        if target == "unit":
            wanted = unit_id
        elif target == "smc":
            wanted = SMC_UNIT
        elif target == "parent":
            unit = view.get(unit_id)
            wanted = unit.parent if unit and unit.parent else SMC_UNIT
        else:
            wanted = target.removeprefix("unit:")
        holder, contacts = view.contacts_for(wanted)
        return [(holder.id, contacts)] if holder is not None else []
    role = target.removeprefix("role:")
    for unit in view.chain(unit_id):
        chosen = tuple(c for c in unit.contacts if c.role == role)
        if chosen:
            return [(unit.id, chosen)]
    return []


def queue_notification(
    uow: UnitOfWork,
    dispatch: Dispatch | None,
    unit_id: str,
    contact: Contact,
    step_index: int,
    now: datetime,
    brief: CaseBrief,
    *,
    purpose: Purpose | None = None,
    sends: list[Notification] | None = None,
) -> Notification:
    """A notification for one contact, telling `brief`, and the job that sends it (run at
    once); with `sends`, it is added there, not yet stored, for the caller to store with the
    others and send by one job (`send_queued`)."""
    owner = brief.case_id
    notification = Notification(
        case_id=owner,
        dispatch_id=dispatch.id if dispatch is not None else None,
        unit_id=unit_id,
        contact_name=contact.name,
        contact_role=contact.role,
        channels=contact.channels,
        created_at=now,
        step_index=step_index,
        purpose=purpose or (dispatch.purpose if dispatch is not None else Purpose.ALARM),
        brief=brief.as_dict(),
    )
    if sends is not None:
        sends.append(notification)
        return notification
    notification = uow.dispatches.add_notification(notification)
    assert notification.id is not None
    send_together(uow, owner, [notification.id], now)
    return notification


def send_queued(uow: UnitOfWork, case_id: int, queued: list[Notification], now: datetime) -> None:
    """Store the notifications `queue_notification` collected (one statement) and send them
    by one job."""
    stored = uow.dispatches.add_notifications(queued)
    send_together(uow, case_id, [n.id for n in stored if n.id is not None], now)


def send_together(
    uow: UnitOfWork, case_id: int, notification_ids: list[int], now: datetime
) -> None:
    """One job (run at once) that sends these notifications of the case, each on its own:
    one claim, one read and one record for all of them instead of one per message."""
    if notification_ids:
        enqueue(
            uow.jobs,
            JobKind.SEND_NOTIFICATIONS,
            NotificationsJob(list(notification_ids)),
            now=now,
            case_id=case_id,
            max_attempts=3,
        )


@job(JobKind.ESCALATION_STEP, payload=EscalationJob)
def escalation_step(ctx: Context, uow: UnitOfWork, job: EscalationJob) -> None:
    """Job handler: fire the next step unless the timer is stale (another token), the unit
    acknowledged, or the case no longer needs anyone."""
    dispatch_id, token = job.dispatch_id, job.token
    repo = uow.dispatches
    case = uow.cases.get(repo.get(dispatch_id).case_id, for_update=True)
    dispatch = repo.get(dispatch_id, for_update=True)
    if dispatch.timer_token != token or dispatch.state is not DispatchState.ACTIVE:
        return  # stale or duplicate timer: the dispatch moved on
    now = ctx.clock.now()
    if case.status in SETTLED:
        stop_escalations(uow, case, f"case is {case.status.value}", now)
        return
    if ctx.measure is not None and dispatch.next_at is not None:
        ctx.measure("escalation_step_lag", max(0.0, (now - dispatch.next_at).total_seconds()))
    fire_step(ctx, uow, dispatch, now)


@job(JobKind.CHECK_REACHED, payload=CaseJob)
def check_reached(ctx: Context, uow: UnitOfWork, job: CaseJob) -> None:
    """Job handler: alarm the SMC if no unit has been reached (no message delivered, no
    acknowledgement) since the case was dispatched."""
    case_id = job.case_id
    case = uow.cases.get(case_id, for_update=True)
    if case.status in SETTLED or case.status is CaseStatus.ACKNOWLEDGED:
        return
    repo = uow.dispatches
    delivered = any(n.delivered_at for n in repo.notifications_for_case(case_id))
    if delivered:
        return
    waited = int(ctx.config.unreached_alarm_after.for_level(case.risk_level).total_seconds())
    units = len({d.unit_id for d in repo.for_case(case_id)})
    raise_alarm(
        ctx,
        uow,
        case_id,
        None,
        AlarmKind.NOBODY_REACHED,
        {"seconds": waited, "units": units},
        ctx.clock.now(),
    )


def raise_alarm(
    ctx: Context,
    uow: UnitOfWork,
    case_id: int,
    dispatch_id: int | None,
    kind: AlarmKind,
    details: dict[str, Any],
    now: datetime,
    *,
    page_smc: bool = True,
) -> int | None:
    """Alarm the SMC: a banner on every console, a timeline entry, an event, and (`page_smc`)
    messages to the SMC's own contacts; once per case, dispatch and kind while the alarm is
    open. The new alarm's id, None if one was open already."""
    repo = uow.dispatches
    reason = alarm_reason(kind, details)
    alarm_id = repo.raise_alarm(case_id, dispatch_id, reason, now, kind=kind, details=details)
    if alarm_id is None:
        return None
    note(
        uow,
        case_id,
        now,
        "smc_alarm",
        f"SMC alarm: {reason} / SMC चेतावनी",
        alarm_id=alarm_id,
        alarm_kind=kind.value,
    )
    uow.audit.append(
        at=now,
        actor=str(SYSTEM),
        action="case.smc_alarm",
        case_id=case_id,
        details={"reason": reason, "kind": kind.value, "dispatch_id": dispatch_id},
    )
    case = uow.cases.get(case_id)
    case.events.append(SmcAlarmRaised(case_id, now, reason))
    if not page_smc:
        return alarm_id
    view = registry_view(ctx, uow, now.date())
    holder, contacts = view.contacts_for(SMC_UNIT)
    brief = case_brief(uow, case, ctx.config.home_state) if contacts else None
    sends: list[Notification] = []
    for contact in contacts:
        assert brief is not None
        unit_id = holder.id if holder else SMC_UNIT
        about = replace(brief, alarm_kind=kind.value)
        queue_notification(
            uow, None, unit_id, contact, 0, now, about, purpose=Purpose.ALARM, sends=sends
        )
    send_queued(uow, case_id, sends, now)
    return alarm_id


def stop_escalations(uow: UnitOfWork, case: Case, reason: str, now: datetime) -> int:
    """Stop every running escalation of the case (on scene, outcome, closed...)."""
    assert case.id is not None
    repo = uow.dispatches
    stopped = 0
    for dispatch in repo.for_case(case.id, for_update=True):
        if dispatch.stop(now, reason):
            repo.save(dispatch)
            stopped += 1
            note(
                uow,
                case.id,
                now,
                "escalation_stopped",
                f"Escalation to {dispatch.unit_name} stopped: {reason}",
                unit_id=dispatch.unit_id,
            )
    if stopped:
        repo.clear_alarms(case.id, now, "system:lifeline")
    return stopped


def stop_traces(uow: UnitOfWork, case_id: int, reason: str, now: datetime) -> int:
    """End the STF trace escalations of a case (someone located the person another way)."""
    repo = uow.dispatches
    stopped = 0
    for dispatch in repo.for_case(case_id, for_update=True):
        if dispatch.purpose is Purpose.TRACE and dispatch.stop(now, reason):
            repo.save(dispatch)
            stopped += 1
            note(
                uow,
                case_id,
                now,
                "escalation_stopped",
                f"Trace request to {dispatch.unit_name} ended: {reason}",
                unit_id=dispatch.unit_id,
            )
    return stopped
