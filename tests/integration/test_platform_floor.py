"""The platform's flag is the floor (issue 16), through the real API, worker, triage model and a
unit endpoint on 127.0.0.1, on SQLite and PostgreSQL: a signed platform alert the model reads
as distress, or cannot read at all, is ordered and dispatched as intent; an unverified email is
ordered as urgently but waits for an operator; a post the SMC found itself gets no floor; and
the floor never becomes a training label."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dispatch_support import Receiver, drain, take_alert, unit_endpoints
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import AlertSource
from lifeline.domain.model import Actor
from lifeline.services.access.accounts import NewPartner, create_partner
from lifeline.services.cases import review
from lifeline.services.cases import service as cases
from lifeline.services.console import desk
from lifeline.services.dispatch.escalations import preview_dispatch
from lifeline.services.reports.dashboard import dashboard
from lifeline.services.reports.report import IST
from lifeline.services.triage.assessment import feedback_examples, record_operator_assessment
from lifeline.web.app import create_app
from staff_support import staff_token
from support import FakeClock, alert_body, dumps, signed_headers

OP = Actor("user", "op", "smc_operator")
TIRED = "I am so tired of everything"
MADEYGANJ = {"text": "Madeyganj, Lucknow", "lat": 26.88, "lon": 80.91, "pin": "226020"}


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


@pytest.fixture
def partner(lifeline: Lifeline) -> NewPartner:
    return create_partner(lifeline.ctx, "floor tests")


@pytest.fixture
def web(lifeline: Lifeline) -> TestClient:
    app = TestClient(create_app(lifeline, embedded_worker=False), raise_server_exceptions=False)
    app.headers["Authorization"] = "Bearer " + staff_token(lifeline, "op", "smc_operator")
    return app


def post_signed(
    web: TestClient, partner: NewPartner, clock: FakeClock, text: str, handle: str
) -> int:
    clock.advance(seconds=1)
    body = alert_body(
        reference=f"FB-{handle}",
        subject={"name": "Ravi", "handle": handle, "phone": "+919800000001"},
        post={"text": text, "kind": "text"},
        location=MADEYGANJ,
    )
    raw = dumps(body)
    headers = signed_headers(
        partner.key_id, partner.secret, raw, timestamp=int(clock.now().timestamp())
    )
    accepted = web.post("/api/v1/alerts", content=raw, headers=headers)
    assert accepted.status_code == 202, accepted.text
    return int(accepted.json()["case_id"])


def take(app: Lifeline, source: AlertSource, text: str, handle: str, **kw: Any) -> int:
    return take_alert(app, handle, text=text, source=source, actor=Actor("cli", "test"), **kw)


def read(web: TestClient, case_id: int) -> dict[str, Any]:
    got = web.get(f"/api/v1/cases/{case_id}")
    assert got.status_code == 200, got.text
    return dict(got.json())


def test_a_signed_platform_alert_the_model_reads_as_distress_is_dispatched_as_intent(
    lifeline: Lifeline,
    web: TestClient,
    partner: NewPartner,
    clock: FakeClock,
    endpoints: tuple[Receiver, Receiver, Receiver],
) -> None:
    station, _, _ = endpoints
    case_id = post_signed(web, partner, clock, TIRED, "tired.one")
    drain(lifeline)
    case = read(web, case_id)
    assert case["status"] == "dispatched"
    assert case["assessment"]["level"] == "intent"
    (model,) = [a for a in case["assessments"] if a["source"] == "model"]
    assert model["level"] == "distress" and model["readable"] is True
    basis = case["risk_basis"]
    assert basis["platform"]["label"] == "imminent-risk escalation"
    assert basis["platform"]["floor"] == "intent" and basis["platform"]["source"] == "platform_api"
    assert basis["model"]["level"] == "distress" and basis["model"]["score_band"] == "low"
    assert basis["level_basis"] == "platform_floor" and basis["disagree"] is True
    assert len(station.received) == 1
    assert station.received[0]["incident"]["risk_level"] == "intent"


def test_a_video_placeholder_is_unreadable_not_none_and_still_goes_out_as_intent(
    lifeline: Lifeline,
    web: TestClient,
    partner: NewPartner,
    clock: FakeClock,
    endpoints: tuple[Receiver, Receiver, Receiver],
) -> None:
    station, _, _ = endpoints
    case_id = post_signed(web, partner, clock, "[video]", "video.one")
    drain(lifeline)
    case = read(web, case_id)
    (model,) = [a for a in case["assessments"] if a["source"] == "model"]
    assert model["readable"] is False and model["unreadable"] == "video"
    assert model["level"] is None and model["score"] is None
    assert case["risk_basis"]["model"] == {
        "level": None,
        "score": None,
        "score_band": None,
        "readable": False,
        "unreadable": "video",
        "alert_id": model["alert_id"],
        "model_version": model["model_version"],
        "subject": None,  # nobody's risk was read
    }
    assert case["assessment"]["level"] == "intent" and case["status"] == "dispatched"
    assert len(station.received) == 1


def test_the_floor_orders_the_queue_above_a_monitoring_find_the_model_reads_higher(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    found = take(lifeline, AlertSource.MONITORING, "jeena nahi chahta ab", "found.one")
    flagged = post_signed(web, partner, clock, TIRED, "tired.two")
    drain(lifeline)
    review.escalate(lifeline.ctx, found, OP)  # a find joins the live queue once escalated
    rows = desk.queue(lifeline.ctx, OP, ack_sla=timedelta(minutes=10))
    order = [r.item.case_id for r in rows]
    levels = {r.item.case_id: r.level for r in rows}
    assert levels[flagged] == "intent"
    assert levels[found] in ("distress", "ideation")  # the model's reading, no floor
    assert order.index(flagged) < order.index(found)


def test_an_unverified_email_is_ordered_as_intent_but_waits_for_an_operator(
    lifeline: Lifeline, web: TestClient, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = take(
        lifeline,
        AlertSource.PLATFORM_EMAIL,
        TIRED,
        "mail.one",
        sender_verified=False,
        sender_verification="dkim: no signature",
    )
    drain(lifeline)
    case = read(web, case_id)
    assert case["assessment"]["level"] == "intent" and case["status"] == "received"
    assert case["risk_basis"]["platform"]["sender_verified"] is False
    assert not station.received
    plan = preview_dispatch(lifeline.ctx, OP, case_id)
    assert plan.automatic is False and "sender not verified" in plan.why


def test_a_post_the_smc_found_itself_gets_no_floor(
    lifeline: Lifeline, web: TestClient, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = take(lifeline, AlertSource.MONITORING, TIRED, "found.two")
    drain(lifeline)
    case = read(web, case_id)
    assert case["assessment"]["level"] == "distress" and case["status"] == "received"
    assert case["risk_basis"]["platform"] is None
    assert case["risk_basis"]["level_basis"] == "model"
    assert case["risk_basis"]["disagree"] is False
    assert not station.received


def test_an_operator_may_lower_a_flagged_case_and_only_their_word_is_a_label(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    flagged = post_signed(web, partner, clock, TIRED, "tired.three")
    video = post_signed(web, partner, clock, "[वीडियो] 😢", "video.two")
    drain(lifeline)
    # the floor raised both cases; neither is a label for its text
    assert feedback_examples(lifeline.ctx) == []
    clock.advance(minutes=1)
    record_operator_assessment(lifeline.ctx, OP, flagged, "distress", note="spoke to him")
    record_operator_assessment(lifeline.ctx, OP, video, "intent")
    assert cases.show_case(lifeline.ctx, OP, flagged).case.risk_level == "distress"
    assert read(web, flagged)["risk_basis"]["level_basis"] == "operator"
    # the operator's word on a readable post is a label; a post nobody can read teaches nothing
    (example,) = feedback_examples(lifeline.ctx)
    assert (example.text, example.level.value) == (TIRED, "distress")


def test_the_report_counts_platform_model_disagreements(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    tired = post_signed(web, partner, clock, TIRED, "tired.four")
    video = post_signed(web, partner, clock, "[live video]", "video.three")
    agreed = post_signed(web, partner, clock, "आज मैं आत्महत्या कर रहा हूं", "agreed.one")
    found = take(lifeline, AlertSource.MONITORING, TIRED, "found.three")
    drain(lifeline)
    admin = TestClient(create_app(lifeline, embedded_worker=False))
    admin.headers["Authorization"] = "Bearer " + staff_token(lifeline, "sup", "supervisor")
    day = clock.now().astimezone(IST).date().isoformat()
    got = admin.get(f"/api/v1/reports?from={day}&to={day}")
    assert got.status_code == 200, got.text
    figures = {f["key"]: f for s in got.json()["sections"] for f in s["figures"]}
    counted = figures["platform_model_disagreements"]
    assert counted["value"] == 2 and counted["case_ids"] == sorted([tired, video])
    assert counted["below_intent_case_ids"] == [tired]
    assert counted["unreadable_case_ids"] == [video]
    assert sorted(counted["flagged_case_ids"]) == sorted([tired, video, agreed])
    assert found not in counted["case_ids"]
    assert figures["unreadable_posts"]["case_ids"] == [video]
    # the dashboard counts the same cases, today and this month
    board = dashboard(lifeline.ctx, Actor("user", "sup", "supervisor"))
    for period in ("today", "month"):
        shown = {f.key: f for f in board.platform_model[period].figures}
        assert shown["platform_model_disagreements"].case_ids == tuple(sorted([tired, video]))
