"""A case as staff read it (API and `cases show --json`): after the worker has run, it carries
the risk assessment with its cues and the resolved place down to the police station."""

from __future__ import annotations

import json

import pyotp
from fastapi.testclient import TestClient
from test_storage import make_alert

from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.web.app import create_app
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
    data = CaseRead.of(cases.show_case(lifeline.ctx, OP, case_id)).plain()
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


def test_a_district_officer_gets_what_is_needed_to_act_and_nothing_more(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    worker = Worker(lifeline)
    while worker.run_once():
        pass
    officer = access.create_user(
        lifeline.ctx, "dsp.lko", "district_officer", jurisdiction="Lucknow"
    )
    with TestClient(create_app(lifeline, embedded_worker=False)) as web:
        token = web.post(
            "/api/v1/auth/token",
            json={
                "username": "dsp.lko",
                "password": officer.password,
                "totp": pyotp.TOTP(officer.totp_secret).at(clock.now()),
            },
        ).json()["token"]
        response = web.get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    data = response.json()
    text = json.dumps(data, ensure_ascii=False)
    assert data["subject"]["phone"] == "+919812345678"  # who to call
    assert data["alerts"][0]["post"]["text"].startswith("आज मैं")  # what was posted
    assert data["alerts"][0]["callback_number"] == "+10000000000"  # the platform's desk
    assert data["location"]["district"] == "Lucknow" and data["assessment"]["cues"]
    for withheld in ("raw_payload", "ravi@example.org", "extra", "partner_id", "history"):
        assert withheld not in text, withheld
