"""The review queue of monitoring cases (issue 19), on SQLite and PostgreSQL, through the real
intake, worker and triage model: finds wait in their own queue (highest level, then newest post
first) and out of the live queue; nothing dispatches one before a person escalates it; escalate
and dismiss are audited, refused where they make no sense, and become training labels; the
JSON API says the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from dispatch_support import drain, take_alert
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import AlertSource
from lifeline.domain.dispatch import AlarmKind
from lifeline.domain.errors import IllegalTransition, NotFound, PermissionDenied
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor
from lifeline.domain.monitoring import MonitoringPost
from lifeline.domain.review import InvalidReview, ReviewState
from lifeline.domain.risk import AssessmentSource, RiskLevel, RiskSubject
from lifeline.services.cases import review
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.console import desk
from lifeline.services.dispatch import escalations as dispatch
from lifeline.services.monitoring.ingest import ingest_posts
from lifeline.services.triage.assessment import feedback_examples
from lifeline.web.app import create_app
from staff_support import staff_token
from support import FakeClock

OP = Actor("user", "op", "smc_operator")
IMMINENT = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
IDEATION = "I want to die, nothing matters anymore"
AWARENESS = "Suicide prevention helpline Tele-MANAS 14416 is free, please share"
ABOUT_BROTHER = "my brother posted goodbye and his phone is off, please help"


def find(app: Lifeline, clock: FakeClock, text: str, handle: str) -> int:
    """A post the SMC's monitoring flagged, taken in as the stream would: its case id."""
    clock.advance(minutes=1)
    return take_alert(app, handle, text=text, source=AlertSource.MONITORING, actor=OP)


def audited(app: Lifeline, case_id: int, action: str) -> list[dict[str, object]]:
    with app.ctx.uow(readonly=True) as uow:
        since = app.clock.now() - timedelta(days=1)
        return [r.details for r in uow.audit.for_case(case_id, since) if r.action == action]


def live_queue(app: Lifeline) -> list[int]:
    return [r.case_id for r in desk.queue(app.ctx, OP, ack_sla=timedelta(minutes=10))]


def test_finds_wait_in_the_review_queue_highest_level_first_then_newest_post(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    older_ideation = find(lifeline, clock, IDEATION, "older")
    imminent = find(lifeline, clock, IMMINENT, "imminent")
    newer_ideation = find(lifeline, clock, "mann karta hai mar jaun, kuch accha nahi lagta", "n")
    platform = take_alert(lifeline, "platform", text=IDEATION)
    drain(lifeline)
    queue = review.review_queue(lifeline.ctx, OP)
    order = [row.case_id for row in queue.rows]
    levels = {row.case_id: row.level for row in queue.rows}
    assert queue.pending == 3 and platform not in order
    assert levels == {imminent: "imminent", newer_ideation: "ideation", older_ideation: "ideation"}
    assert order == [imminent, newer_ideation, older_ideation]
    row = queue.rows[0]
    assert row.post.text == IMMINENT and row.band is not None
    assert row.item.handle == "imminent" and row.item.place == "Madeyganj, Lucknow"
    assert any(cue[1] == "आत्महत्या" for cue in row.post.cues)
    # the live queue shows the platform's case, not the finds waiting for a person
    assert live_queue(lifeline) == [platform]
    assert review.pending_reviews(lifeline.ctx, OP) == 3
    district = Actor("user", "dso", "district_officer")
    assert review.pending_reviews(lifeline.ctx, district) is None
    with pytest.raises(PermissionDenied):
        review.review_queue(lifeline.ctx, district)


def test_a_find_is_dispatched_only_after_a_person_escalates_it(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = find(lifeline, clock, ABOUT_BROTHER, "sister")
    drain(lifeline)
    with pytest.raises(IllegalTransition, match="escalate it from the review queue"):
        cases.dispatch_case(lifeline.ctx, OP, case_id, ["Madeyganj PS"])
    with pytest.raises(IllegalTransition, match="review queue"):
        dispatch.confirm_dispatch(lifeline.ctx, OP, case_id)
    # no dispatch clock runs while it waits: no "not dispatched" alarm (an imminent find that
    # nobody opens still pages the desk: a person must look at it)
    clock.advance(minutes=30)
    drain(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        waiting = {a.kind for a in uow.dispatches.open_alarms({case_id})}
    assert AlarmKind.NOT_DISPATCHED not in waiting
    assert waiting <= {AlarmKind.DESK_UNATTENDED}
    escalated = review.escalate(
        lifeline.ctx, case_id, OP, "imminent", "called the sister", subject="other"
    )
    assert escalated.review is not None and escalated.review.state is ReviewState.ESCALATED
    assert escalated.risk_level is RiskLevel.IMMINENT
    assert case_id in live_queue(lifeline)
    assert review.review_queue(lifeline.ctx, OP).pending == 0
    (record,) = audited(lifeline, case_id, "case.review_escalated")
    assert record["level"] == "imminent" and record["subject"] == "other"
    operator = [
        a
        for a in cases.show_case(lifeline.ctx, OP, case_id).assessments
        if a.source is AssessmentSource.OPERATOR
    ]
    assert [a.level for a in operator] == [RiskLevel.IMMINENT]
    # its dispatch clock starts at the escalation: alarmed if nobody sends it in time
    clock.advance(minutes=10)
    drain(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        kinds = [a.kind for a in uow.dispatches.open_alarms({case_id})]
    assert AlarmKind.NOT_DISPATCHED in kinds
    sent = cases.dispatch_case(lifeline.ctx, OP, case_id, ["Madeyganj PS (phoned)"])
    assert sent.status is CaseStatus.DISPATCHED
    # the escalation is a label at the chosen level, about someone else
    (example,) = feedback_examples(lifeline.ctx)
    assert (example.text, example.level, example.subject) == (
        ABOUT_BROTHER,
        RiskLevel.IMMINENT,
        RiskSubject.OTHER,
    )


def test_a_dismissal_needs_a_reason_leaves_the_queues_and_teaches_the_model(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    news = find(lifeline, clock, AWARENESS, "helpline")
    odd = find(lifeline, clock, IDEATION, "odd")
    drain(lifeline)
    with pytest.raises(InvalidReview, match="unknown dismiss reason"):
        review.dismiss(lifeline.ctx, news, OP, "boring")
    with pytest.raises(InvalidReview, match="needs a note"):
        review.dismiss(lifeline.ctx, odd, OP, "other")
    dismissed = review.dismiss(lifeline.ctx, news, OP, "news_or_awareness", "a helpline post")
    review.dismiss(lifeline.ctx, odd, OP, "other", "the account of a film character")
    assert dismissed.status is CaseStatus.DISMISSED
    assert review.review_queue(lifeline.ctx, OP).rows == []
    assert news not in live_queue(lifeline)
    (record,) = audited(lifeline, news, "case.review_dismissed")
    assert record["reason"] == "news_or_awareness"
    stored = cases.show_case(lifeline.ctx, OP, news).case
    assert stored.review is not None and stored.review.note == "a helpline post"
    shown = CaseRead.of(cases.show_case(lifeline.ctx, OP, news))
    assert shown.review is not None and (shown.review.state, shown.review.reason) == (
        ReviewState.DISMISSED,
        "news_or_awareness",
    )
    assert stored.review.reason is not None and stored.review.by == "user:op"
    # the note is stored encrypted, like every free text
    with lifeline.engine.connect() as conn:
        sealed = conn.execute(
            text("SELECT review_note_enc, review_reason FROM cases WHERE id = :id"), {"id": news}
        ).one()
    assert "helpline" not in sealed[0] and sealed[1] == "news_or_awareness"
    # a dismissed find was never sent to anyone: reports count it neither as a case handled
    # nor as a false alarm; a find still waiting for review is counted
    waiting = find(lifeline, clock, IDEATION, "waiting")
    with lifeline.ctx.uow(readonly=True) as uow:
        now = lifeline.clock.now()
        day = timedelta(days=1)
        counted = {c.id for c in uow.reports.cases_opened(now - day, now + day)}
    assert waiting in counted and news not in counted and odd not in counted
    # news is a label (discussion, general); "other" says nothing about the text
    (example,) = feedback_examples(lifeline.ctx)
    assert (example.text, example.level, example.subject) == (
        AWARENESS,
        RiskLevel.DISCUSSION,
        RiskSubject.GENERAL,
    )


def test_review_steps_are_refused_where_they_make_no_sense(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    platform = take_alert(lifeline, "platform", text=IDEATION)
    found = find(lifeline, clock, IDEATION, "twice")
    drain(lifeline)
    with pytest.raises(IllegalTransition, match="not a monitoring case"):
        review.escalate(lifeline.ctx, platform, OP)
    with pytest.raises(IllegalTransition, match="not a monitoring case"):
        review.dismiss(lifeline.ctx, platform, OP, "not_at_risk")
    review.dismiss(lifeline.ctx, found, OP, "not_at_risk")
    with pytest.raises(IllegalTransition, match=r"review dismissed.*already reviewed"):
        review.escalate(lifeline.ctx, found, OP)
    with pytest.raises(NotFound):  # a counsellor's scope holds no case: "not found"
        review.escalate(lifeline.ctx, found, Actor("user", "c", "counsellor"))


def test_a_platform_alert_about_the_same_person_lifts_the_review(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    found = find(lifeline, clock, IDEATION, "same.person")
    platform = take_alert(lifeline, "same.person", text=IMMINENT)
    assert platform == found  # merged: the same person
    drain(lifeline)
    case = cases.show_case(lifeline.ctx, OP, found).case
    assert case.review is not None and case.review.state is ReviewState.ESCALATED
    assert case.review.by == "system:lifeline"
    assert found in live_queue(lifeline) and review.review_queue(lifeline.ctx, OP).pending == 0
    assert feedback_examples(lifeline.ctx) == []  # the system's lift is nobody's label


def test_the_json_api_lists_escalates_and_dismisses(lifeline: Lifeline, clock: FakeClock) -> None:
    first = find(lifeline, clock, IMMINENT, "api.one")
    second = find(lifeline, clock, AWARENESS, "api.two")
    drain(lifeline)
    api = TestClient(create_app(lifeline, embedded_worker=False), raise_server_exceptions=False)
    api.headers["Authorization"] = "Bearer " + staff_token(lifeline, "op", "smc_operator")
    got = api.get("/api/v1/monitoring/review")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["pending"] == 2 and [r["case_id"] for r in body["rows"]] == [first, second]
    assert body["rows"][0]["post"]["text"] == IMMINENT
    assert body["rows"][0]["author_handle"] == "api.one"
    refused = api.post(f"/api/v1/cases/{second}/review/dismiss", json={"reason": "other"})
    assert refused.status_code == 422 and "needs a note" in refused.json()["error"]["message"]
    done = api.post(f"/api/v1/cases/{second}/review/dismiss", json={"reason": "spam_or_duplicate"})
    assert done.status_code == 200, done.text
    assert done.json()["review_state"] == "dismissed" and done.json()["status"] == "dismissed"
    up = api.post(f"/api/v1/cases/{first}/review/escalate", json={"subject": "self"})
    assert up.status_code == 200, up.text
    assert up.json()["review_state"] == "escalated" and up.json()["level"] == "imminent"
    again = api.post(f"/api/v1/cases/{first}/review/escalate", json={})
    assert again.status_code == 409 and "already reviewed" in again.json()["error"]["message"]
    officer = TestClient(create_app(lifeline, embedded_worker=False))
    officer.headers["Authorization"] = "Bearer " + staff_token(
        lifeline, "dso", "district_officer", "Lucknow"
    )
    assert officer.get("/api/v1/monitoring/review").status_code == 403


def test_a_streamed_find_shows_the_authors_other_recent_posts(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    ordinary = "Beautiful sunset at Marine Drive today with friends"
    got = ingest_posts(
        lifeline.ctx,
        [
            MonitoringPost("x", "s-1", "asha_k", ordinary),
            MonitoringPost("x", "s-2", "asha_k", IDEATION, place="Madeyganj, Lucknow"),
            MonitoringPost("x", "s-3", "someone.else", "match dekha kal, kya khela Kohli ne"),
        ],
    )
    (case_id,) = got.case_ids
    (row,) = review.review_queue(lifeline.ctx, OP).rows
    assert row.case_id == case_id and row.post.text == IDEATION
    assert row.item.handle == "asha_k" and row.item.place == "Madeyganj, Lucknow"
    # the author's window: their ordinary post, not the flagged one again, nobody else's
    assert [p.text for p in row.others] == [ordinary]
    assert row.others[0].alert_id is None
    # looking at the queue is audited (which cases were shown, no content)
    with lifeline.ctx.uow(readonly=True) as uow:
        reads = [r for r in uow.audit.records() if r.action == "monitoring.review_read"]
    assert reads[-1].details == {"case_ids": [case_id]}
