"""A case as staff read it (API and `cases show --json`): after the worker has run, it carries
the risk assessment with its cues and the resolved place down to the police station."""

from __future__ import annotations

from test_storage import make_alert

from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services import cases
from lifeline.services.intake import ReceiveAlert, receive_alert
from lifeline.services.views import case_dict
from lifeline.worker import Worker
from support import FakeClock

OP = Actor("cli", "tester", "admin")


def test_a_processed_case_shows_its_assessment_cues_and_location(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    worker = Worker(lifeline)
    while worker.run_once():
        pass
    data = case_dict(cases.show_case(lifeline.ctx, OP, case_id))
    assessment = data["assessment"]
    assert assessment["level"] == "imminent"  # "आज मैं आत्महत्या कर रहा हूं"
    assert assessment["language"] == "hi" and assessment["source"] == "model"
    assert any(c["tag"] == "time" for c in assessment["cues"])
    assert data["assessments"] and data["assessments"][0]["model_version"]
    location = data["location"]
    assert location["district"] == "Lucknow" and location["state"] == "Uttar Pradesh"
    assert location["police_station"] is not None and "Madeyganj" in location["police_station"]
    assert location["located_at"] is not None and location["candidates"]
    assert {"received", "located", "triaged"} <= set(data["milestones"])
