"""After the rescue: follow-up plans, counsellors' check-ins, and repeat risk.

An outcome where the person is alive gets a plan in the same transaction (`propose_plan`, called
by services.cases.record_outcome); each check-in is a durable `followup_due` job that notifies
the counsellor through the event outbox. A check-in that needs escalation reopens the case at
the SMC in the transaction that records it. Every stored alert also gets a `link_repeat_cases`
job that links its case to earlier cases about the same person, matched on keyed hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lifeline.domain.access import Permission, Role
from lifeline.domain.aftercare import (
    TELE_MANAS,
    CheckInResult,
    FollowUpPlan,
    InvalidFollowUp,
    PlanStatus,
    Referral,
    ReferralKind,
    RepeatSubjectLinked,
)
from lifeline.domain.alert import Subject
from lifeline.domain.dispatch import AlarmKind
from lifeline.domain.errors import NotFound, PermissionDenied
from lifeline.domain.model import ALIVE_OUTCOMES, SYSTEM, Actor, Case, TimelineEntry
from lifeline.services.access.authorisation import may
from lifeline.services.context import Context
from lifeline.services.job_spec import job
from lifeline.services.job_types import AlertJob, CheckInJob, JobKind, enqueue
from lifeline.services.location.registry import current_registry
from lifeline.services.ports import UnitOfWork


@dataclass(frozen=True)
class PlanDetail:
    """A plan with what the counsellor needs to call the person (the read is audited)."""

    plan: FollowUpPlan
    subject: Subject | None


# -- proposing, and the check-in timers ------------------------------------------------------


def propose_plan(ctx: Context, uow: UnitOfWork, case: Case, actor: Actor) -> FollowUpPlan | None:
    """In the caller's transaction: a plan for a case whose outcome left the person alive (none
    for other outcomes, or while the case already has an active plan)."""
    if case.id is None or case.outcome is None or case.outcome.kind not in ALIVE_OUTCOMES:
        return None
    if any(p.status is PlanStatus.ACTIVE for p in uow.aftercare.plans_for_case(case.id)):
        return None
    now = ctx.clock.now()
    plan = FollowUpPlan.propose(case, now, actor, ctx.config.followup_schedule)
    uow.aftercare.add_plan(plan)
    plan.planned()
    for check_in in plan.check_ins:
        assert plan.id is not None and check_in.id is not None
        enqueue(
            uow.jobs,
            JobKind.FOLLOW_UP_DUE,
            CheckInJob(plan.id, check_in.id),
            now=now,
            case_id=case.id,
            run_at=check_in.due_at,
        )
    _flush(ctx, uow, plan, actor, "followup.planned", {"check_ins": len(plan.check_ins)})
    return plan


@job(JobKind.FOLLOW_UP_DUE, payload=CheckInJob)
def followup_due(ctx: Context, uow: UnitOfWork, job: CheckInJob) -> None:
    """Job handler: tell the counsellor a check-in is due. A no-op when stale (the plan ended,
    or the check-in was recorded or already notified)."""
    plan = uow.aftercare.get_plan(job.plan_id, for_update=True)
    if not plan.mark_due(job.check_in_id, ctx.clock.now()):
        return
    uow.aftercare.save_plan(plan)
    now = ctx.clock.now()  # still not recorded after the grace period: the supervisor's alarm
    enqueue(
        uow.jobs,
        JobKind.CHECK_FOLLOWUP_RECORDED,
        job,
        now=now,
        case_id=plan.case_id,
        run_at=now + ctx.config.followup_overdue,
    )
    _flush(ctx, uow, plan, SYSTEM, "followup.due", {"check_in_id": job.check_in_id})


# -- what counsellors and the SMC do ---------------------------------------------------------


def record_check_in(
    ctx: Context,
    actor: Actor,
    check_in_id: int,
    result: str,
    note: str | None = None,
    at: datetime | None = None,
) -> FollowUpPlan:
    """Record how a check-in went; `needs_escalation` also reopens the case at the SMC."""
    outcome = _result(result)
    when = _when(ctx, at)
    with ctx.uow() as uow:
        plan = uow.aftercare.plan_of_check_in(check_in_id, for_update=True)
        _require_manager_or_assigned(actor, plan, "record a check-in on")
        plan.record(check_in_id, outcome, when, actor, note)
        uow.dispatches.clear_alarms(
            plan.case_id, ctx.clock.now(), str(actor), kind=AlarmKind.FOLLOWUP_OVERDUE
        )
        if outcome is CheckInResult.NEEDS_ESCALATION:
            _reopen(ctx, uow, plan, actor, when, note)
        uow.aftercare.save_plan(plan)
        _flush(ctx, uow, plan, actor, "followup.recorded", {"result": outcome.value})
        uow.commit()
        return plan


def assign_counsellor(ctx: Context, actor: Actor, plan_id: int, counsellor: str) -> FollowUpPlan:
    """The SMC assigns a counsellor; a counsellor may take an unassigned plan themselves."""
    _require(actor, Permission.FOLLOWUP_WORK, "assign follow-up plans")
    with ctx.uow() as uow:
        plan = uow.aftercare.get_plan(plan_id, for_update=True)
        taking = counsellor.strip() == actor.id and plan.counsellor in (None, actor.id)
        if not may(actor, Permission.FOLLOWUP_MANAGE) and not taking:
            raise PermissionDenied("a counsellor may only take an unassigned plan themselves")
        user = uow.users.by_username(counsellor.strip())
        if user is None or not user.active or user.role != Role.COUNSELLOR:
            raise NotFound(f"no active counsellor {counsellor!r}; create one with role counsellor")
        plan.assign(user.username, ctx.clock.now(), actor)
        uow.aftercare.save_plan(plan)
        _flush(ctx, uow, plan, actor, "followup.assigned", {"counsellor": user.username})
        uow.commit()
        return plan


def change_referral(
    ctx: Context,
    actor: Actor,
    plan_id: int,
    kind: str,
    *,
    unit_id: str | None = None,
    name: str | None = None,
) -> FollowUpPlan:
    """Refer to Tele-MANAS, the case's district mental-health programme, or an NGO (a unit of
    the jurisdiction registry, by id)."""
    try:
        referral_kind = ReferralKind(kind.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in ReferralKind)
        raise InvalidFollowUp(f"unknown referral {kind!r}; known: {known}") from None
    ngo = _registry_unit(ctx, unit_id) if referral_kind is ReferralKind.NGO else None
    with ctx.uow() as uow:
        plan = uow.aftercare.get_plan(plan_id, for_update=True)
        _require_manager_or_assigned(actor, plan, "change the referral of")
        referral = _referral(uow, plan, referral_kind, ngo, name)
        plan.refer(referral, ctx.clock.now(), actor)
        uow.aftercare.save_plan(plan)
        _flush(ctx, uow, plan, actor, "followup.referred", {"referral": referral_kind.value})
        uow.commit()
        return plan


def cancel_plan(ctx: Context, actor: Actor, plan_id: int, reason: str) -> FollowUpPlan:
    """End a plan early, with a reason (the person declined, moved away, ...)."""
    with ctx.uow() as uow:
        plan = uow.aftercare.get_plan(plan_id, for_update=True)
        _require_manager_or_assigned(actor, plan, "cancel")
        plan.cancel(ctx.clock.now(), actor, reason)
        uow.aftercare.save_plan(plan)
        _flush(ctx, uow, plan, actor, "followup.cancelled", {})
        uow.commit()
        return plan


def list_plans(
    ctx: Context,
    actor: Actor,
    *,
    due: bool = False,
    counsellor: str | None = None,
    statuses: list[str] | None = None,
    limit: int = 100,
) -> list[FollowUpPlan]:
    """Plans, soonest check-in first (no personal data). A counsellor sees the plans assigned
    to them and the unassigned ones; `due` keeps plans with a check-in due now."""
    _require(actor, Permission.FOLLOWUP_WORK, "list follow-up plans")
    for status in statuses or []:
        if status not in PlanStatus.__members__.values():
            known = ", ".join(s.value for s in PlanStatus)
            raise InvalidFollowUp(f"unknown plan status {status!r}; known: {known}")
    mine = not may(actor, Permission.FOLLOWUP_MANAGE)  # a counsellor: theirs and unassigned
    with ctx.uow(readonly=True) as uow:
        return uow.aftercare.plans(
            statuses=statuses if statuses is not None else [PlanStatus.ACTIVE.value],
            counsellor=actor.id if mine else counsellor,
            with_unassigned=mine,
            due_before=ctx.clock.now() if due else None,
            limit=limit,
        )


def show_plan(ctx: Context, actor: Actor, plan_id: int) -> PlanDetail:
    """A plan with the person's name and phone, for the SMC or the assigned counsellor only.
    The read is audited like a case read."""
    with ctx.uow() as uow:
        plan = uow.aftercare.get_plan(plan_id)
        _require_manager_or_assigned(actor, plan, "read")
        case = uow.cases.get(plan.case_id)
        subject = uow.subjects.get(case.subject_id) if case.subject_id is not None else None
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="followup.read",
            case_id=plan.case_id,
            details={"plan_id": plan_id},
        )
        uow.commit()
        return PlanDetail(plan, subject)


# -- repeat risk -----------------------------------------------------------------------------


@job(JobKind.LINK_REPEAT_CASES, payload=AlertJob)
def link_repeat_cases(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None:
    """Job handler: link the case to earlier cases about the same person (account, profile,
    phone or e-mail, compared as keyed hashes) and say so on both cases' timelines."""
    alert_id, case_id = job.alert_id, job.case_id
    alert = next((a for a in uow.alerts.for_case(case_id) if a.id == alert_id), None)
    if alert is None:
        raise NotFound(f"alert {alert_id} of case {case_id} not found")
    case = uow.cases.get(case_id)
    keys = alert.subject.identity_keys()
    found = uow.aftercare.find_earlier_cases(keys, before=case.opened_at, exclude=case_id)
    fresh = uow.aftercare.link_cases(case_id, found, ctx.clock.now()) if found else []
    if not fresh:
        return
    now = ctx.clock.now()
    earlier = {e.case_id: e for e in uow.aftercare.history(case_id)}
    listed = ", ".join(
        f"#{i} ({earlier[i].outcome or earlier[i].status})" for i in fresh if i in earlier
    )
    matched = tuple(sorted(set().union(*(found[i] for i in fresh))))
    uow.cases.note(
        case_id,
        TimelineEntry(
            now,
            "repeat_subject",
            f"Seen before: {listed} / यह व्यक्ति पहले भी: {listed}",
            details={"earlier_case_ids": fresh, "matched_on": list(matched)},
        ),
    )
    for other in fresh:
        uow.cases.note(
            other,
            TimelineEntry(
                now,
                "repeat_subject_later",
                f"New alert about this person: case #{case_id} / इस व्यक्ति पर नया अलर्ट",
                details={"later_case_id": case_id, "matched_on": sorted(found[other])},
            ),
        )
    uow.audit.append(
        at=now,
        actor=str(SYSTEM),
        action="case.repeat_linked",
        case_id=case_id,
        details={"earlier_case_ids": fresh, "matched_on": list(matched)},
    )
    case.events.append(RepeatSubjectLinked(case_id, now, tuple(fresh), matched))


# -- internals -------------------------------------------------------------------------------


def _flush(
    ctx: Context,
    uow: UnitOfWork,
    plan: FollowUpPlan,
    actor: Actor,
    action: str,
    details: dict[str, Any],
) -> None:
    """Write the plan's timeline entries on its case and audit the change (the unit of work
    publishes its events)."""
    for entry in plan.new_timeline:
        uow.cases.note(plan.case_id, entry)
    plan.new_timeline.clear()
    uow.audit.append(
        at=ctx.clock.now(),
        actor=str(actor),
        action=action,
        case_id=plan.case_id,
        details={"plan_id": plan.id, **details},
    )


def _reopen(
    ctx: Context,
    uow: UnitOfWork,
    plan: FollowUpPlan,
    actor: Actor,
    at: datetime,
    note: str | None,
) -> None:
    case = uow.cases.get(plan.case_id, for_update=True)
    before = case.status
    case.reopen(at, actor, (note or "").strip() or "a follow-up check-in needs escalation")
    uow.cases.save(case)
    uow.audit.append(
        at=ctx.clock.now(),
        actor=str(actor),
        action="case.reopened",
        case_id=plan.case_id,
        details={"from": before.value, "to": case.status.value, "plan_id": plan.id},
    )


def _result(value: str) -> CheckInResult:
    try:
        return CheckInResult(value.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in CheckInResult)
        raise InvalidFollowUp(f"unknown check-in result {value!r}; known: {known}") from None


def _when(ctx: Context, at: datetime | None) -> datetime:
    now = ctx.clock.now()
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidFollowUp("a time must carry a timezone (e.g. 2026-11-28T10:00:00+05:30)")
    if at > now + timedelta(minutes=1):
        raise InvalidFollowUp(f"time {at.isoformat()} is in the future")
    return at


def _require(actor: Actor, permission: Permission, what: str) -> None:
    if not may(actor, permission):
        raise PermissionDenied(f"role {actor.role or actor.kind!r} may not {what}")


def _require_manager_or_assigned(actor: Actor, plan: FollowUpPlan, what: str) -> None:
    """Every plan for those who manage follow-ups; a counsellor, the plans assigned to them."""
    _require(actor, Permission.FOLLOWUP_WORK, f"{what} follow-up plans")
    if not may(actor, Permission.FOLLOWUP_MANAGE) and plan.counsellor != actor.id:
        raise PermissionDenied(
            f"follow-up plan {plan.id} is not assigned to you; take it first "
            "(assign it to yourself) or ask the SMC"
        )


def _registry_unit(ctx: Context, unit_id: str | None) -> Referral:
    if not unit_id or not unit_id.strip():
        raise InvalidFollowUp("an NGO referral names a registry unit id (--unit)")
    units, version = current_registry(ctx)
    today = ctx.clock.now().date()
    for unit in units:
        if unit.id == unit_id.strip() and unit.valid_on(today):
            contact = unit.extra.get("phone") if isinstance(unit.extra, dict) else None
            return Referral(ReferralKind.NGO, unit.name, contact, unit.id)
    raise NotFound(f"unit {unit_id!r} is not in the registry in force ({version})")


def _referral(
    uow: UnitOfWork,
    plan: FollowUpPlan,
    kind: ReferralKind,
    ngo: Referral | None,
    name: str | None,
) -> Referral:
    if kind is ReferralKind.TELE_MANAS:
        return TELE_MANAS
    if kind is ReferralKind.NGO:
        assert ngo is not None
        return ngo
    if name and name.strip():
        return Referral(kind, name.strip()[:200])
    codes = uow.jurisdictions.for_case(plan.case_id)
    names = {code: english for code, english, _ in uow.jurisdictions.districts()}
    if len(codes) != 1 or next(iter(codes)) not in names:
        raise InvalidFollowUp(
            "the case's district is not known yet: give the programme's name (--name)"
        )
    return Referral(kind, f"District Mental Health Programme, {names[next(iter(codes))]}")
