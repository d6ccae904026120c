"""Risk triage through the service layer, with in-memory fakes and a stub classifier."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from fakes import FakeUowFactory, make_context

from lifeline.domain.alert import Alert, AlertSource, Post, PostKind, Subject
from lifeline.domain.errors import PermissionDenied
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.domain.risk import Cue, RiskLevel, RiskResult
from lifeline.services.context import Context, ServiceConfig
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.job_types import BadJobPayload, PermanentJobError
from lifeline.services.ports import Job
from lifeline.services.triage.assessment import (
    InvalidTriage,
    QueueEntry,
    assess_risk,
    assessments_of,
    feedback_examples,
    record_operator_assessment,
)
from support import FakeClock

PARTNER = Actor("partner", "1", "partner")
OPERATOR = Actor("user", "asha", "smc_operator")


class StubClassifier:
    """Says what it is told to for each text (imminent for anything mentioning 'abhi')."""

    version = "stub-1"

    def classify(self, text: str) -> RiskResult:
        level = RiskLevel.IMMINENT if "abhi" in text else RiskLevel.IDEATION
        if "movie" in text:
            level = RiskLevel.NONE
        cues = (
            (Cue("time", "abhi", text.find("abhi"), text.find("abhi") + 4),)
            if "abhi" in text
            else ()
        )
        return RiskResult(level, 0.9 if level.at_risk else 0.05, "hi-Latn", cues, self.version)


def context(clock: FakeClock) -> tuple[Context, FakeUowFactory]:
    ctx, factory, _ = make_context(clock)
    ctx = replace(
        ctx,
        classifier=StubClassifier(),
        config=replace(ctx.config, alert_jobs=("assess_risk",)),
    )
    return ctx, factory


def alert(clock: FakeClock, text: str, kind: PostKind = PostKind.TEXT, ref: str = "FB-1") -> Alert:
    return Alert(
        source=AlertSource.PLATFORM_API,
        received_at=clock.now(),
        raw_payload=b"{}",
        raw_content_type="application/json",
        platform="facebook",
        reference=ref,
        subject=Subject(handle="ravi.k"),
        post=Post(text, kind=kind),
        partner_id=1,
    )


def run_assessments(ctx: Context, factory: FakeUowFactory) -> None:
    for job in [
        j for j in factory.store.jobs if j["kind"] == "assess_risk" and j["status"] == "pending"
    ]:
        with ctx.uow() as uow:
            assess_risk.run(
                ctx,
                uow,
                Job(
                    job["id"],
                    "assess_risk",
                    job["payload"],
                    job["case_id"],
                    1,
                    8,
                    "t",
                    ctx.clock.now(),
                    ctx.clock.now(),
                ),
            )
            uow.commit()
        job["status"] = "done"


def test_every_alert_gets_an_assessment_job_and_the_case_is_marked_triaged() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock, "pankha hai abhi"), PARTNER))
    run_assessments(ctx, factory)
    (assessment,) = assessments_of(ctx, receipt.case_id)
    assert assessment.level is RiskLevel.IMMINENT and assessment.source == "model"
    assert assessment.alert_id == receipt.alert_id and assessment.cues[0].tag == "time"
    case = factory.store.cases[receipt.case_id]
    assert case.risk_level == "imminent" and Milestone.TRIAGED in case.milestones
    assert "case.risk_assessed" in [r.action for r in factory.store.audit]


def test_a_live_video_with_ideation_is_imminent() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock, "jeena nahi", PostKind.LIVE), PARTNER))
    run_assessments(ctx, factory)
    assert assessments_of(ctx, receipt.case_id)[0].level is RiskLevel.IMMINENT


def test_the_riskiest_alert_decides_the_case_level() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    first = receive_alert(ctx, ReceiveAlert(alert(clock, "jeena nahi abhi"), PARTNER))
    clock.advance(minutes=5)
    receive_alert(ctx, ReceiveAlert(alert(clock, "movie dekhi", ref="FB-2"), PARTNER))
    run_assessments(ctx, factory)
    assert factory.store.cases[first.case_id].risk_level == "imminent"
    assert len(assessments_of(ctx, first.case_id)) == 2


def test_a_retried_job_does_not_assess_twice() -> None:
    clock = FakeClock()
    ctx, _factory = context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock, "jeena nahi"), PARTNER))
    job = Job(
        1,
        "assess_risk",
        {"alert_id": receipt.alert_id, "case_id": receipt.case_id},
        receipt.case_id,
        1,
        8,
        "t",
        clock.now(),
        clock.now(),
    )
    for _ in range(2):
        with ctx.uow() as uow:
            assess_risk.run(ctx, uow, job)
            uow.commit()
    assert len(assessments_of(ctx, receipt.case_id)) == 1


def test_a_bad_payload_is_a_permanent_failure_naming_the_job_and_the_field() -> None:
    clock = FakeClock()
    ctx, _ = context(clock)
    with ctx.uow() as uow, pytest.raises(BadJobPayload) as err:
        assess_risk.run(
            ctx,
            uow,
            Job(7, "assess_risk", {"alert_id": "x"}, None, 1, 8, "t", clock.now(), clock.now()),
        )
    assert isinstance(err.value, PermanentJobError)
    assert (err.value.kind, err.value.job_id, err.value.field) == ("assess_risk", 7, "alert_id")
    assert str(err.value) == "assess_risk job 7: payload field 'alert_id' must be int, got str"


def test_an_operator_correction_sets_the_level_and_becomes_a_labelled_example() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    receipt = receive_alert(
        ctx, ReceiveAlert(alert(clock, "movie ka naam Marjaavaan hai"), PARTNER)
    )
    run_assessments(ctx, factory)
    clock.advance(minutes=2)
    decision = record_operator_assessment(
        ctx, OPERATOR, receipt.case_id, "discussion", note="film title"
    )
    assert decision.source == "operator" and decision.alert_id == receipt.alert_id
    assert factory.store.cases[receipt.case_id].risk_level == "discussion"
    assert "case.risk_corrected" in [r.action for r in factory.store.audit]
    (example,) = feedback_examples(ctx)
    assert example.level is RiskLevel.DISCUSSION and "Marjaavaan" in example.text


def test_a_later_model_assessment_does_not_lower_an_operators_level() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock, "jeena nahi"), PARTNER))
    run_assessments(ctx, factory)
    record_operator_assessment(ctx, OPERATOR, receipt.case_id, "intent")
    clock.advance(minutes=1)
    receive_alert(ctx, ReceiveAlert(alert(clock, "movie", ref="FB-2"), PARTNER))
    run_assessments(ctx, factory)
    assert factory.store.cases[receipt.case_id].risk_level == "intent"


def test_only_staff_who_triage_may_decide_and_levels_are_checked() -> None:
    clock = FakeClock()
    ctx, _factory = context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock, "jeena nahi"), PARTNER))
    with pytest.raises(PermissionDenied):
        record_operator_assessment(ctx, Actor("user", "c", "counsellor"), receipt.case_id, "none")
    with pytest.raises(InvalidTriage):
        record_operator_assessment(ctx, OPERATOR, receipt.case_id, "urgent")


def test_the_queue_orders_by_level_then_score_then_age() -> None:
    clock = FakeClock()
    t0 = clock.now()
    entries = [
        QueueEntry(RiskLevel.IDEATION, 0.9, t0),
        QueueEntry(RiskLevel.IMMINENT, 0.6, t0 + timedelta(minutes=3)),
        QueueEntry(RiskLevel.IMMINENT, 0.6, t0 + timedelta(minutes=1)),
        QueueEntry(RiskLevel.IMMINENT, 0.8, t0 + timedelta(minutes=9)),
    ]
    ordered = sorted(entries, key=QueueEntry.sort_key)
    assert [(e.level, e.score) for e in ordered][:3] == [
        (RiskLevel.IMMINENT, 0.8),
        (RiskLevel.IMMINENT, 0.6),
        (RiskLevel.IMMINENT, 0.6),
    ]
    assert ordered[1].opened_at < ordered[2].opened_at
    assert not QueueEntry(RiskLevel.DISTRESS, 0.2, t0, AlertSource.MONITORING).urgent
    assert QueueEntry(RiskLevel.DISTRESS, 0.2, t0, AlertSource.PLATFORM_API).urgent


def test_service_config_default_has_no_alert_jobs() -> None:
    assert ServiceConfig().alert_jobs == ()
