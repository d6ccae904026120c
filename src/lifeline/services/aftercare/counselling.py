"""What the console shows about follow-ups: the counsellor's list of calls to make, and the
follow-up plan of one case for the SMC's case page.

The counsellor's list holds the check-ins that are overdue (their time has passed and nothing is
recorded: what reports count as overdue) and those falling due within `DUE_SOON`, overdue first
(the longest overdue first), then the soonest due. A counsellor sees the plans assigned to them
and the unassigned ones (as `list_plans`); the person's name and phone, the language they wrote
in, and nothing else of the case, only on the plans they may work (assigned to them, or every
plan for the SMC), each such read audited as `followup.read`, like `show_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.access import Permission
from lifeline.domain.aftercare import CheckIn, FollowUpPlan, PlanStatus
from lifeline.domain.errors import PermissionDenied
from lifeline.domain.model import Actor
from lifeline.domain.risk import RiskAssessment
from lifeline.services.access.authorisation import enforce_case, may
from lifeline.services.context import Context
from lifeline.services.ports import UnitOfWork

#: how far ahead the counsellor's list looks: a check-in due within a day is a call to plan today
DUE_SOON = timedelta(hours=24)
#: the most plans one list reads (a counsellor's caseload is far smaller)
LIST_LIMIT = 200


@dataclass(frozen=True)
class Person:
    """Who to call: the name and phone the alerts gave, nothing else of the case."""

    name: str | None
    phone: str | None


@dataclass(frozen=True)
class Step:
    """A check-in of a plan with its state at the time of reading."""

    check_in: CheckIn
    #: overdue, due, scheduled, reached, not_reached, needs_escalation or cancelled
    state: str


@dataclass(frozen=True)
class PlanView:
    """A plan as a page shows it: its check-ins with their states, and the next one due."""

    plan: FollowUpPlan
    steps: list[Step]
    next_due: datetime | None


@dataclass(frozen=True)
class Call:
    """One check-in to make. `person` and `language` are None on a plan the reader may not
    work yet (unassigned: a counsellor takes it first)."""

    plan: PlanView
    check_in: CheckIn
    #: "overdue" (its time has passed) or "due" (within DUE_SOON)
    state: str
    person: Person | None
    language: str | None
    #: the reader may record this check-in (their plan, or the SMC)
    workable: bool


@dataclass(frozen=True)
class CounsellorDesk:
    now: datetime
    calls: list[Call]


def counsellor_desk(ctx: Context, actor: Actor) -> CounsellorDesk:
    """The check-ins overdue and due soon that `actor` may see, overdue first, then soonest."""
    if not may(actor, Permission.FOLLOWUP_WORK):
        raise PermissionDenied(f"role {actor.role or actor.kind!r} may not list follow-up plans")
    manager = may(actor, Permission.FOLLOWUP_MANAGE)
    now = ctx.clock.now()
    calls: list[Call] = []
    with ctx.uow() as uow:
        plans = uow.aftercare.plans(
            statuses=[PlanStatus.ACTIVE.value],
            counsellor=None if manager else actor.id,
            with_unassigned=not manager,
            due_before=now + DUE_SOON,
            limit=LIST_LIMIT,
        )
        for plan in plans:
            workable = manager or plan.counsellor == actor.id
            person, language = _contact(ctx, uow, actor, plan) if workable else (None, None)
            view = plan_view(plan, now)
            for step in view.steps:
                if step.state in ("overdue", "due"):
                    calls.append(Call(view, step.check_in, step.state, person, language, workable))
        uow.commit()
    calls.sort(key=lambda c: (c.state != "overdue", c.check_in.due_at, c.check_in.id or 0))
    return CounsellorDesk(now, calls)


def case_follow_ups(ctx: Context, actor: Actor, case_id: int) -> list[PlanView] | None:
    """The follow-up plans of a case for its page, newest first; None for a reader who does
    not manage follow-ups (the panel is not shown to them)."""
    if not may(actor, Permission.FOLLOWUP_MANAGE):
        return None
    with ctx.uow(readonly=True) as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        plans = uow.aftercare.plans_for_case(case_id)
    now = ctx.clock.now()
    newest = sorted(plans, key=lambda p: (p.proposed_at, p.id or 0), reverse=True)
    return [plan_view(p, now) for p in newest]


def check_in_state(check_in: CheckIn, now: datetime) -> str:
    """overdue (its time passed, nothing recorded), due (within DUE_SOON), scheduled, or how it
    ended: reached, not_reached, needs_escalation, cancelled."""
    if not check_in.is_open:
        return check_in.state(now)
    if check_in.due_at <= now:
        return "overdue"
    return "due" if check_in.due_at <= now + DUE_SOON else "scheduled"


def plan_view(plan: FollowUpPlan, now: datetime) -> PlanView:
    due = [c.due_at for c in plan.check_ins if c.is_open]
    steps = [Step(c, check_in_state(c, now)) for c in sorted(plan.check_ins, key=_due)]
    return PlanView(plan, steps, min(due) if due else None)


def _due(check_in: CheckIn) -> datetime:
    return check_in.due_at


def _contact(
    ctx: Context, uow: UnitOfWork, actor: Actor, plan: FollowUpPlan
) -> tuple[Person | None, str | None]:
    case = uow.cases.get(plan.case_id)
    subject = uow.subjects.get(case.subject_id) if case.subject_id is not None else None
    uow.audit.append(
        at=ctx.clock.now(),
        actor=str(actor),
        action="followup.read",
        case_id=plan.case_id,
        details={"plan_id": plan.id, "purpose": "counsellor_console"},
    )
    person = Person(subject.name, subject.phone) if subject is not None else None
    return person, _language(uow.assessments.for_case(plan.case_id))


def _language(assessments: list[RiskAssessment]) -> str | None:
    """The language the person wrote in, as the model last read it."""
    found = [a for a in assessments if a.language]
    return max(found, key=lambda a: a.at).language if found else None
