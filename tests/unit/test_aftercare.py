"""After the rescue: outcomes, follow-up plans, check-ins and reopening, with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fakes import make_context

from lifeline.domain.aftercare import (
    CheckInResult,
    FollowUpPlan,
    InvalidFollowUp,
    PlanStatus,
    offset_label,
)
from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import Conflict, IllegalTransition, InvalidOutcome, PermissionDenied
from lifeline.domain.lifecycle import CaseStatus, Milestone, allowed_steps
from lifeline.domain.model import Actor, Case, OutcomeKind
from lifeline.services.access import accounts as access
from lifeline.services.aftercare import followups as aftercare
from lifeline.services.cases import service as cases
from lifeline.services.context import Context
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.job_types import JobKind
from lifeline.services.ports import Job
from support import FakeClock

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
OP = Actor("user", "op", "smc_operator")
COUNSELLOR = Actor("user", "asha", "counsellor")
SCHEDULE = (timedelta(hours=24), timedelta(days=7), timedelta(days=30))


def resolved_case(kind: OutcomeKind = OutcomeKind.REACHED_SAFE) -> Case:
    case = Case.open(
        Alert(AlertSource.PLATFORM_API, T0, b"{}", "application/json", subject=Subject(handle="x"))
    )
    case.id = 7
    case.mark_located(T0 + timedelta(minutes=1), "Lucknow", OP)
    case.dispatch(T0 + timedelta(minutes=2), OP, ["Thana Chinhat"])
    case.mark_on_scene(T0 + timedelta(minutes=9), OP)
    case.record_outcome(kind, T0 + timedelta(minutes=12), OP, "reason")
    return case


def numbered(plan: FollowUpPlan) -> FollowUpPlan:
    plan.id = 1
    for i, check_in in enumerate(plan.check_ins, start=10):
        check_in.id = i
    return plan


# -- the domain -------------------------------------------------------------------------------


def test_a_plan_has_a_check_in_at_each_offset_after_the_outcome() -> None:
    case = resolved_case()
    plan = FollowUpPlan.propose(case, T0 + timedelta(minutes=12), OP, SCHEDULE)
    outcome_at = T0 + timedelta(minutes=12)
    assert [c.due_at for c in plan.check_ins] == [outcome_at + o for o in SCHEDULE]
    assert [c.label for c in plan.check_ins] == ["24h", "7d", "30d"]
    assert plan.referral.contact == "14416" and plan.status is PlanStatus.ACTIVE


@pytest.mark.parametrize(
    "kind", [OutcomeKind.DECEASED, OutcomeKind.NOT_LOCATED, OutcomeKind.HANDED_OVER_OUT_OF_STATE]
)
def test_no_plan_for_a_person_not_reached_alive(kind: OutcomeKind) -> None:
    with pytest.raises(InvalidFollowUp, match=f"not {kind.value}"):
        FollowUpPlan.propose(resolved_case(kind), T0, OP, SCHEDULE)


def test_a_schedule_needs_positive_offsets() -> None:
    with pytest.raises(InvalidFollowUp):
        FollowUpPlan.propose(resolved_case(), T0, OP, [timedelta(0)])
    assert offset_label(timedelta(minutes=90)) == "90m"
    assert offset_label(timedelta(hours=24)) == "24h"


def test_a_check_in_is_recorded_once_and_the_last_one_completes_the_plan() -> None:
    plan = numbered(FollowUpPlan.propose(resolved_case(), T0, OP, SCHEDULE))
    later = T0 + timedelta(days=1)
    plan.record(10, CheckInResult.REACHED, later, COUNSELLOR, "spoke to him")
    with pytest.raises(Conflict, match="already recorded as reached"):
        plan.record(10, CheckInResult.NOT_REACHED, later, COUNSELLOR)
    plan.record(11, CheckInResult.NOT_REACHED, later, COUNSELLOR)
    assert plan.status is PlanStatus.ACTIVE
    plan.record(12, CheckInResult.REACHED, later, COUNSELLOR)
    assert plan.status is PlanStatus.COMPLETED
    assert [e.name for e in plan.events][-1] == "follow_up_ended"


def test_an_escalation_ends_the_plan_and_cancels_what_is_left() -> None:
    plan = numbered(FollowUpPlan.propose(resolved_case(), T0, OP, SCHEDULE))
    plan.record(10, CheckInResult.NEEDS_ESCALATION, T0 + timedelta(days=1), COUNSELLOR)
    assert plan.status is PlanStatus.ESCALATED
    assert [c.state() for c in plan.check_ins] == ["needs_escalation", "cancelled", "cancelled"]
    with pytest.raises(Conflict, match="it is escalated"):
        plan.record(11, CheckInResult.REACHED, T0 + timedelta(days=8), COUNSELLOR)


def test_a_timer_for_a_recorded_or_ended_check_in_is_stale() -> None:
    plan = numbered(FollowUpPlan.propose(resolved_case(), T0, OP, SCHEDULE))
    assert plan.mark_due(10, T0 + timedelta(days=1))
    assert not plan.mark_due(10, T0 + timedelta(days=1))  # already notified
    plan.record(11, CheckInResult.REACHED, T0 + timedelta(days=1), COUNSELLOR)
    assert not plan.mark_due(11, T0 + timedelta(days=7))
    plan.cancel(T0 + timedelta(days=2), OP, "moved to Delhi")
    assert not plan.mark_due(12, T0 + timedelta(days=30))


def test_reopening_puts_the_case_back_on_the_queue_and_keeps_first_milestones() -> None:
    case = resolved_case()
    case.close(T0 + timedelta(hours=1), OP)
    first = dict(case.milestones)
    previous = case.reopen(T0 + timedelta(days=7), COUNSELLOR, "talks of it again")
    assert previous.kind is OutcomeKind.REACHED_SAFE
    assert case.status is CaseStatus.RECEIVED and case.outcome is None
    assert case.milestones == first  # the first response's times still count
    assert allowed_steps(CaseStatus.CLOSED) == []  # reopening is not a step on the case page
    with pytest.raises(IllegalTransition, match="reopened and not dispatched again"):
        case.record_outcome(OutcomeKind.COUNSELLED_REMOTELY, T0 + timedelta(days=7), OP)
    case.dispatch(T0 + timedelta(days=7, minutes=5), OP, ["Tele-MANAS"])
    case.record_outcome(OutcomeKind.COUNSELLED_REMOTELY, T0 + timedelta(days=7, hours=1), OP)
    assert case.outcome is not None and case.outcome.kind is OutcomeKind.COUNSELLED_REMOTELY


def test_only_a_resolved_or_closed_case_is_reopened() -> None:
    case = resolved_case()
    case.reopen(T0 + timedelta(days=1), OP, "again")
    with pytest.raises(IllegalTransition, match="cannot reopen case 7: it is received"):
        case.reopen(T0 + timedelta(days=1), OP, "again")


def test_an_outcome_on_a_case_never_dispatched_says_so() -> None:
    case = Case.open(
        Alert(AlertSource.PLATFORM_API, T0, b"{}", "application/json", subject=Subject(handle="x"))
    )
    case.id = 3
    with pytest.raises(IllegalTransition, match="it was never dispatched"):
        case.record_outcome(OutcomeKind.REACHED_SAFE, T0, OP)


def test_identity_keys_match_the_subject_repository_normalisation() -> None:
    subject = Subject(
        platform="facebook", handle="@Ravi.K", phone="+91 98123-45678", email=" R@X.in "
    )
    assert subject.identity_keys() == [
        "account:facebook:ravi.k",
        "phone:9812345678",
        "email:r@x.in",
    ]


# -- the services -----------------------------------------------------------------------------


def opened(ctx: Context, clock: FakeClock, handle: str = "ravi", phone: str | None = None) -> int:
    alert = Alert(
        AlertSource.PLATFORM_API,
        clock.now(),
        b"{}",
        "application/json",
        platform="facebook",
        subject=Subject(handle=handle, phone=phone),
        post=Post("aaj khatam"),
    )
    return receive_alert(ctx, ReceiveAlert(alert, Actor("partner", "1"))).case_id


def rescued(ctx: Context, clock: FakeClock, outcome: str = "reached_safe") -> int:
    case_id = opened(ctx, clock)
    cases.record_location(ctx, OP, case_id, "Chinhat, Lucknow")
    cases.dispatch_case(ctx, OP, case_id, ["Thana Chinhat"])
    clock.advance(minutes=10)
    cases.mark_on_scene(ctx, OP, case_id)
    cases.record_outcome(ctx, OP, case_id, outcome, "reason")
    return case_id


def job(ctx: Context, store: object, kind: str) -> list[Job]:
    return [
        Job(j["id"], j["kind"], j["payload"], j["case_id"], 1, 8, "t", j["run_at"], j["run_at"])
        for j in store.jobs  # type: ignore[attr-defined]
        if j["kind"] == kind
    ]


def test_an_outcome_with_the_person_alive_proposes_a_plan_with_durable_check_ins() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    case_id = rescued(ctx, clock)
    [plan] = factory.store.plans.values()
    assert plan.case_id == case_id and len(plan.check_ins) == 3
    timers = job(ctx, factory.store, JobKind.FOLLOW_UP_DUE)
    assert [t.run_at for t in timers] == [c.due_at for c in plan.check_ins]
    assert "follow_up_planned" in [t.kind for t in factory.store.timeline[case_id]]


@pytest.mark.parametrize("outcome", ["deceased", "not_located"])
def test_no_plan_when_the_person_was_not_reached_alive(outcome: str) -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    rescued(ctx, clock, outcome)
    assert factory.store.plans == {}


def test_bad_outcomes_change_nothing() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    case_id = rescued(ctx, clock)
    before = len(factory.store.audit)
    with pytest.raises(IllegalTransition, match="already recorded"):
        cases.record_outcome(ctx, OP, case_id, "hospitalised")
    fresh = opened(ctx, clock, "other")
    before = len(factory.store.audit)
    with pytest.raises(IllegalTransition, match="never dispatched"):
        cases.record_outcome(ctx, OP, fresh, "reached_safe")
    cases.record_location(ctx, OP, fresh, "Lucknow")
    cases.dispatch_case(ctx, OP, fresh, ["X"])
    before = len(factory.store.audit)
    with pytest.raises(InvalidOutcome, match="in the future"):
        cases.record_outcome(ctx, OP, fresh, "reached_safe", at=clock.now() + timedelta(hours=1))
    assert len(factory.store.audit) == before
    assert len(factory.store.plans) == 1


def test_a_due_check_in_notifies_through_the_outbox_once() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    rescued(ctx, clock)
    first = job(ctx, factory.store, JobKind.FOLLOW_UP_DUE)[0]
    clock.advance(hours=25)
    for _ in range(2):  # a second run (a retried job) is a no-op
        with ctx.uow() as uow:
            aftercare.followup_due.run(ctx, uow, first)
            uow.commit()
    events = [
        j["payload"]["event"]
        for j in factory.store.jobs
        if j["kind"] == "deliver_event" and j["payload"]["event"]["event"] == "follow_up_due"
    ]
    assert len(events) == 1 and events[0]["label"] == "24h" and events[0]["counsellor"] is None


def test_counsellors_see_their_plans_and_record_only_when_assigned() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    rescued(ctx, clock)
    [plan] = factory.store.plans.values()
    assert plan.id is not None
    clock.advance(hours=25)
    assert [p.id for p in aftercare.list_plans(ctx, COUNSELLOR, due=True)] == [plan.id]
    with pytest.raises(PermissionDenied, match="not assigned to you"):
        aftercare.record_check_in(ctx, COUNSELLOR, plan.check_ins[0].id or 0, "reached")
    with pytest.raises(PermissionDenied):
        aftercare.list_plans(ctx, Actor("user", "x", "stf_analyst"))
    access.create_user(ctx, "asha", "counsellor")
    aftercare.assign_counsellor(ctx, COUNSELLOR, plan.id, "asha")
    done = aftercare.record_check_in(ctx, COUNSELLOR, plan.check_ins[0].id or 0, "reached")
    assert done.check_ins[0].recorded_by == "user:asha"
    assert aftercare.list_plans(ctx, Actor("user", "ben", "counsellor")) == []


def test_needs_escalation_reopens_the_case_in_the_same_transaction() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    case_id = rescued(ctx, clock)
    cases.close_case(ctx, OP, case_id)
    [plan] = factory.store.plans.values()
    clock.advance(days=7)
    aftercare.record_check_in(ctx, OP, plan.check_ins[1].id or 0, "needs_escalation", "again")
    case = factory.store.cases[case_id]
    assert case.status is CaseStatus.RECEIVED and case.outcome is None
    assert Milestone.CLOSED in case.milestones
    assert factory.store.plans[plan.id or 0].status is PlanStatus.ESCALATED
    actions = [r.action for r in factory.store.audit]
    assert actions[-2:] == ["case.reopened", "followup.recorded"]
    # the next outcome gets a new plan
    cases.dispatch_case(ctx, OP, case_id, ["Tele-MANAS"])
    cases.record_outcome(ctx, OP, case_id, "counselled_remotely")
    assert sorted(p.status for p in factory.store.plans.values()) == ["active", "escalated"]


def test_a_failed_check_in_changes_nothing() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    rescued(ctx, clock)
    [plan] = factory.store.plans.values()
    check_in = plan.check_ins[0].id or 0
    with pytest.raises(InvalidFollowUp, match="in the future"):
        aftercare.record_check_in(ctx, OP, check_in, "reached", at=clock.now() + timedelta(days=1))
    with pytest.raises(InvalidFollowUp, match="unknown check-in result"):
        aftercare.record_check_in(ctx, OP, check_in, "fine")
    with pytest.raises(InvalidFollowUp, match="needs a short reason"):
        aftercare.cancel_plan(ctx, OP, plan.id or 0, " ")
    assert factory.store.plans[plan.id or 0].check_ins[0].result is None


def test_a_repeat_alert_links_to_the_earlier_case_by_phone() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    first = opened(ctx, clock, "ravi", "+919812345678")
    clock.advance(days=20)
    second = opened(ctx, clock, "ravi_2", "09812345678")
    [alert] = [a for a in factory.store.alerts.values() if a.case_id == second]
    link = Job(
        1,
        "link_repeat_cases",
        {"alert_id": alert.id, "case_id": second},
        second,
        1,
        8,
        "t",
        clock.now(),
        clock.now(),
    )
    for _ in range(2):  # linking twice writes the timeline once
        with ctx.uow() as uow:
            aftercare.link_repeat_cases.run(ctx, uow, link)
            uow.commit()
    [earlier] = factory.store.links[second].items()
    assert earlier == (first, {"phone"})
    notes = [t.summary for t in factory.store.timeline[second] if t.kind == "repeat_subject"]
    assert len(notes) == 1 and f"#{first}" in notes[0]
    detail = cases.show_case(ctx, OP, second)
    assert [h.case_id for h in detail.history] == [first]
