"""The stored assessment keeps whose risk it is (issue 19, migration 0025), on both databases:
the worker's assessment of a report about a brother says `other`, its subject cues are
encrypted at rest like the cues, and the case read (`cases show --json`) carries both; an
operator's assessment has no subject."""

from __future__ import annotations

from sqlalchemy import select
from test_triage_job import OP, alert, run_all

from lifeline.adapters.db.tables import risk_assessments
from lifeline.bootstrap import Lifeline
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.triage.assessment import assessments_of, record_operator_assessment
from support import FakeClock

REPORT = "मेरे भाई ने स्टेटस में अलविदा लिखा है, अब उसका फोन बंद है, कोई मदद करो"


def test_a_report_about_someone_else_is_stored_and_read_as_such(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    receipt = receive_alert(lifeline.ctx, ReceiveAlert(alert(clock, REPORT), OP))
    run_all(lifeline)
    (assessment,) = assessments_of(lifeline.ctx, receipt.case_id)
    assert assessment.subject is not None and assessment.subject.value == "other"
    assert assessment.subject_cues and assessment.level.at_risk
    with lifeline.engine.connect() as conn:
        (row,) = conn.execute(select(risk_assessments)).all()
    assert row.subject == "other"
    assert row.subject_cues_enc and "भाई" not in row.subject_cues_enc
    data = CaseRead.of(cases.show_case(lifeline.ctx, OP, receipt.case_id)).plain()
    assert data["assessment"]["subject"] == "other"
    assert data["assessments"][0]["subject_cues"][0]["text"] in REPORT
    assert data["risk_basis"]["model"]["subject"] == "other"
    clock.advance(minutes=2)
    record_operator_assessment(lifeline.ctx, OP, receipt.case_id, "imminent", note="brother")
    operator = assessments_of(lifeline.ctx, receipt.case_id)[-1]
    assert operator.subject is None and operator.subject_cues == ()
