"""An alert stored through intake is assessed by the worker, on both databases."""

from __future__ import annotations

from sqlalchemy import select

from lifeline.adapters.db.tables import risk_assessments
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.domain.risk import RiskLevel
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.triage.assessment import assessments_of, record_operator_assessment
from lifeline.worker import Worker
from support import FakeClock

OP = Actor("cli", "tester", "admin")
POST = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"


def alert(clock: FakeClock, text: str = POST) -> Alert:
    return Alert(
        source=AlertSource.PLATFORM_API,
        received_at=clock.now(),
        raw_payload=b'{"post": "..."}',
        raw_content_type="application/json",
        platform="facebook",
        reference="FB-1",
        subject=Subject(handle="someone.1"),
        post=Post(text),
    )


def run_all(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def test_a_stored_alert_is_assessed_and_the_case_triaged(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    receipt = receive_alert(lifeline.ctx, ReceiveAlert(alert(clock), OP))
    run_all(lifeline)
    (assessment,) = assessments_of(lifeline.ctx, receipt.case_id)
    assert assessment.level is RiskLevel.IMMINENT
    assert assessment.language == "hi" and assessment.score is not None
    assert assessment.alert_id == receipt.alert_id
    assert assessment.model_version and assessment.assessed_by.startswith("model:")
    assert {c.tag for c in assessment.cues} >= {"time", "suicide"}
    with lifeline.ctx.uow(readonly=True) as uow:
        case = uow.cases.get(receipt.case_id)
    assert case.risk_level == "imminent"
    assert Milestone.TRIAGED in case.milestones


def test_cue_text_is_encrypted_at_rest_and_an_operator_can_correct(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    receipt = receive_alert(lifeline.ctx, ReceiveAlert(alert(clock), OP))
    run_all(lifeline)
    with lifeline.engine.connect() as conn:
        (row,) = conn.execute(select(risk_assessments)).all()
    assert "आत्महत्या" not in row.cues_enc
    clock.advance(minutes=3)
    record_operator_assessment(lifeline.ctx, OP, receipt.case_id, "intent", note="checked")
    levels = [(a.source, a.level.value) for a in assessments_of(lifeline.ctx, receipt.case_id)]
    assert levels == [("model", "imminent"), ("operator", "intent")]
