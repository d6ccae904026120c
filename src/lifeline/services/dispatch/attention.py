"""The SMC's attention: the timers that raise alarms when something did not happen in time
(an at-risk case not dispatched, nobody at the desk for a new imminent case, a follow-up not
recorded), an operator's acknowledgement of a case's alarms, and the alarms grouped one line
per case, most urgent first, for the console's banner and the API.

An acknowledged alarm stays open (the case still needs what it is about) but quiet: a case's
line is loud again when an alarm is raised after the acknowledgement (the repository opens a
new row for each new kind, or for the same kind once the last was cleared).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.access import Permission, allowed
from lifeline.domain.aftercare import PlanStatus
from lifeline.domain.dispatch import ALARM_URGENCY, Alarm, AlarmKind
from lifeline.domain.errors import NotFound
from lifeline.domain.events import DispatchOverdue
from lifeline.domain.lifecycle import CaseStatus, Milestone
from lifeline.domain.model import Actor, TimelineEntry
from lifeline.domain.risk import RiskLevel, level_at_risk
from lifeline.domain.timestamps import iso
from lifeline.services.access.authorisation import (
    enforce_case,
    may,
    traces_only,
    visible_case_ids,
)
from lifeline.services.context import Context
from lifeline.services.dispatch.escalations import SETTLED, note, raise_alarm
from lifeline.services.job_spec import job
from lifeline.services.job_types import CaseJob, CheckInJob, DeskJob, JobKind, enqueue
from lifeline.services.ports import UnitOfWork

#: while a case's level is unknown, its deadline timer looks again this often (an assessment
#: that makes it imminent shortens its deadline)
RECHECK = timedelta(seconds=30)


# -- not dispatched in time -------------------------------------------------------------------


@job(JobKind.CHECK_DISPATCH_DEADLINE, payload=CaseJob)
def check_dispatch_deadline(ctx: Context, uow: UnitOfWork, job: CaseJob) -> None:
    """Job handler: alarm the SMC if an at-risk case (or one nobody could assess) still waits
    for a dispatch after its level's deadline. Intake schedules it at the shortest deadline,
    when the level is rarely known yet; it looks again until the deadline of the level known
    then has passed."""
    case_id = job.case_id
    case = uow.cases.get(case_id, for_update=True)
    if Milestone.DISPATCHED in case.milestones or case.status is not CaseStatus.RECEIVED:
        return  # the timer is stale: the case moved on, nothing to do
    if case.review is not None and case.review.pending:
        return  # a monitoring find has no dispatch clock until a person escalates it (review.py)
    now = ctx.clock.now()
    due = case.opened_at + ctx.config.dispatch_deadline.for_level(case.risk_level)
    if now < due:
        run_at = min(due, now + RECHECK) if case.risk_level is None else due
        enqueue(
            uow.jobs, JobKind.CHECK_DISPATCH_DEADLINE, job, now=now, case_id=case_id, run_at=run_at
        )
        return
    waited = int((now - case.opened_at).total_seconds())
    uow.cases.note(
        case_id,
        TimelineEntry(
            now,
            "dispatch_overdue",
            f"Not dispatched {waited // 60} min after the alert / अलर्ट के {waited // 60} मिनट "
            "बाद भी भेजा नहीं गया",
            details={"waited_seconds": waited},
        ),
    )
    uow.audit.append(
        at=now,
        actor="system:lifeline",
        action="case.dispatch_overdue",
        case_id=case_id,
        details={"waited_seconds": waited},
    )
    case.events.append(DispatchOverdue(case_id, now, waited, case.status.value))
    if case.risk_level is None or level_at_risk(case.risk_level):
        raise_alarm(
            ctx, uow, case_id, None, AlarmKind.NOT_DISPATCHED, {"seconds": waited, "units": 0}, now
        )


# -- nobody at the desk -----------------------------------------------------------------------


def watch_desk(ctx: Context, uow: UnitOfWork, case_id: int, before: RiskLevel | None) -> None:
    """In the transaction that made a case imminent (its level was `before`): a timer that
    pages the shift in-charge if nobody at the desk opens it in time."""
    case = uow.cases.get(case_id)
    if case.risk_level is not RiskLevel.IMMINENT or before is RiskLevel.IMMINENT:
        return
    if case.status in SETTLED:
        return
    now = ctx.clock.now()
    enqueue(
        uow.jobs,
        JobKind.CHECK_DESK_ATTENDED,
        DeskJob(case_id, iso(now)),
        now=now,
        case_id=case_id,
        run_at=now + ctx.config.desk_unattended,
    )


def _at_the_desk(uow: UnitOfWork, actor: str, cache: dict[str, bool]) -> bool:
    """Whether an audit record's actor is a person who works the desk (may manage cases)."""
    if actor not in cache:
        kind, _, name = actor.partition(":")
        user = uow.users.by_username(name) if kind == "user" else None
        cache[actor] = user is not None and allowed(user.role, Permission.CASE_MANAGE)
    return cache[actor]


@job(JobKind.CHECK_DESK_ATTENDED, payload=DeskJob)
def check_desk_attended(ctx: Context, uow: UnitOfWork, job: DeskJob) -> None:
    """Job handler: if no operator has opened the imminent case (a console case-page read) or
    done anything on it (an acknowledged alarm included) since it became imminent, raise a
    desk_unattended alarm, which pages the up-smc contacts. Once per case, and not once a
    unit has acknowledged it."""
    case = uow.cases.get(job.case_id, for_update=True)
    if case.status in SETTLED or case.status is CaseStatus.ACKNOWLEDGED:
        return  # a unit has taken it: the desk is not what stands between it and help
    if case.risk_level is not RiskLevel.IMMINENT:
        return
    if uow.dispatches.ever_alarmed(job.case_id, AlarmKind.DESK_UNATTENDED):
        return
    since = datetime.fromisoformat(job.imminent_at)
    people: dict[str, bool] = {}
    for record in uow.audit.for_case(job.case_id, since):
        if record.action != "access.denied" and _at_the_desk(uow, record.actor, people):
            return
    seconds = int(ctx.config.desk_unattended.total_seconds())
    raise_alarm(
        ctx,
        uow,
        job.case_id,
        None,
        AlarmKind.DESK_UNATTENDED,
        {"seconds": seconds, "units": 0},
        ctx.clock.now(),
    )


# -- follow-ups not recorded ------------------------------------------------------------------


@job(JobKind.CHECK_FOLLOWUP_RECORDED, payload=CheckInJob)
def check_followup_recorded(ctx: Context, uow: UnitOfWork, job: CheckInJob) -> None:
    """Job handler (scheduled by aftercare when a check-in falls due, LIFELINE_FOLLOWUP_OVERDUE_
    SECONDS later): a followup_overdue alarm (on the console, nobody paged) if the check-in is
    still open on an active plan. Recording it clears the alarm."""
    try:
        plan = uow.aftercare.get_plan(job.plan_id)
        check_in = plan.check_in(job.check_in_id)
    except NotFound:
        return  # the plan is gone (erased): nothing to chase
    if plan.status is not PlanStatus.ACTIVE or not check_in.is_open:
        return
    now = ctx.clock.now()
    late = int((now - check_in.due_at).total_seconds())
    raise_alarm(
        ctx,
        uow,
        plan.case_id,
        None,
        AlarmKind.FOLLOWUP_OVERDUE,
        {"seconds": late, "units": 0, "check_in_id": job.check_in_id},
        now,
        page_smc=False,
    )


# -- acknowledging ----------------------------------------------------------------------------


def acknowledge_alarms(ctx: Context, actor: Actor, case_id: int) -> list[int]:
    """An operator has seen the case's alarms: quiet them (they stay open until the case moves
    on). Audited; the ids acknowledged (none if all were already)."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.ALARM_ACKNOWLEDGE)
        uow.cases.get(case_id, for_update=True)  # one acknowledgement at a time per case
        now = ctx.clock.now()
        done = uow.dispatches.acknowledge_alarms(case_id, now, str(actor))
        if done:
            note(
                uow,
                case_id,
                now,
                "alarm_acknowledged",
                f"SMC alarm acknowledged by {actor.id} / SMC चेतावनी देखी गई: {actor.id}",
                actor,
                alarm_ids=done,
            )
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="case.alarm_acknowledged",
            case_id=case_id,
            details={"alarm_ids": done},
        )
        uow.commit()
        return done


# -- one line per case ------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmGroup:
    """A case's open alarms as one line: the most urgent kind of those still loud (of all, once
    every one is acknowledged), since when, how many units; `quiet` when an operator has
    acknowledged every one of them."""

    case_id: int
    level: RiskLevel | None
    kind: AlarmKind
    since: datetime
    units: int
    quiet: bool
    alarms: tuple[Alarm, ...]
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None

    @property
    def newest_id(self) -> int:
        """The newest alarm's id (the console beeps when a loud line's changes)."""
        return max(a.id for a in self.alarms)


def group_alarms(found: list[Alarm], levels: dict[int, RiskLevel | None]) -> list[AlarmGroup]:
    """Alarms as one group per case: loud before quiet, then the riskiest level, then the
    oldest alarm."""
    by_case: dict[int, list[Alarm]] = {}
    for alarm in found:
        by_case.setdefault(alarm.case_id, []).append(alarm)
    groups = []
    for case_id, alarms in by_case.items():
        loud = [a for a in alarms if a.acknowledged_at is None]
        named = loud or alarms
        kind = min((a.kind for a in named), key=ALARM_URGENCY.index)
        units = {a.dispatch_id for a in alarms if a.dispatch_id is not None}
        counted = max([int(a.details.get("units") or 0) for a in alarms] + [len(units)])
        last_ack = max(
            (a for a in alarms if a.acknowledged_at is not None),
            key=lambda a: a.acknowledged_at or a.raised_at,
            default=None,
        )
        groups.append(
            AlarmGroup(
                case_id=case_id,
                level=levels.get(case_id),
                kind=kind,
                since=min(a.raised_at for a in named),
                units=counted,
                quiet=not loud,
                alarms=tuple(alarms),
                acknowledged_by=last_ack.acknowledged_by if last_ack else None,
                acknowledged_at=last_ack.acknowledged_at if last_ack else None,
            )
        )
    groups.sort(key=lambda g: (g.quiet, -(g.level.rank if g.level else 0), g.since, g.case_id))
    return groups


def alarm_groups_for(ctx: Context, actor: Actor) -> list[AlarmGroup]:
    """The open alarms `actor` may see, one group per case, scoped as the live queue is (a
    district officer: their district's cases; the STF: trace requests; a role without the
    queue: nothing)."""
    if actor.kind != "user" or not may(actor, Permission.QUEUE_READ):
        return []
    with ctx.uow(readonly=True) as uow:
        found = uow.dispatches.open_alarms()
        if not found:
            return []
        visible = visible_case_ids(uow, actor)
        if visible is not None:
            found = [a for a in found if a.case_id in visible]
        # one read of what the lines need, not one case read per alarm
        cases = uow.cases.levels_and_traces({a.case_id for a in found})
        found = [a for a in found if a.case_id in cases]  # (an alarm always has its case)
        if traces_only(actor):
            found = [a for a in found if cases[a.case_id][1]]
        return group_alarms(found, {cid: level for cid, (level, _) in cases.items()})
