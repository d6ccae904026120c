"""After the rescue on a real database (SQLite and PostgreSQL), with the worker: the plan, the
durable check-in timers, the counsellor's record, reopening, and repeat-alert history."""

from __future__ import annotations

from sqlalchemy import select

from lifeline.adapters.db.tables import follow_up_check_ins
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.aftercare import followups as aftercare
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.worker import Worker
from support import FakeClock, RecordingSink

OP = Actor("user", "op", "smc_operator")
PARTNER = Actor("partner", "1", "partner")


def drain(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def alert(app: Lifeline, handle: str, phone: str | None = None) -> int:
    new = Alert(
        AlertSource.PLATFORM_API,
        app.clock.now(),
        b"{}",
        "application/json",
        platform="instagram",
        subject=Subject(handle=handle, phone=phone),
        post=Post("aaj sab khatam"),
        location=LocationHint(text="Hazratganj, Lucknow"),
    )
    return receive_alert(app.ctx, ReceiveAlert(new, PARTNER)).case_id


def rescue(app: Lifeline, clock: FakeClock, case_id: int) -> None:
    cases.dispatch_case(app.ctx, OP, case_id, ["Hazratganj PS"])
    clock.advance(minutes=9)
    cases.mark_on_scene(app.ctx, OP, case_id)
    clock.advance(minutes=5)
    cases.record_outcome(app.ctx, OP, case_id, "attempt_interrupted")


def test_a_rescue_gets_follow_ups_a_counsellor_records_them_and_an_escalation_reopens(
    lifeline: Lifeline, clock: FakeClock, sink: RecordingSink
) -> None:
    case_id = alert(lifeline, "ravi.k", "+919812345678")
    drain(lifeline)  # resolves the location
    rescue(lifeline, clock, case_id)
    access.create_user(lifeline.ctx, "asha", "counsellor")
    shown = CaseRead.of(cases.show_case(lifeline.ctx, OP, case_id)).plain()
    [plan] = shown["follow_ups"]
    assert [c["label"] for c in plan["check_ins"]] == ["24h", "7d", "30d"]
    assert plan["referral"]["contact"] == "14416"
    aftercare.assign_counsellor(lifeline.ctx, OP, plan["id"], "asha")

    drain(lifeline)
    assert not [e for _, _, e in sink.delivered if e["event"] == "follow_up_due"]  # not yet
    clock.advance(hours=24, minutes=1)
    drain(lifeline)
    due = [e for _, _, e in sink.delivered if e["event"] == "follow_up_due"]
    assert [(e["label"], e["counsellor"]) for e in due] == [("24h", "asha")]

    asha = Actor("user", "asha", "counsellor")
    [mine] = aftercare.list_plans(lifeline.ctx, asha, due=True)
    first, second = mine.check_ins[0].id or 0, mine.check_ins[1].id or 0
    aftercare.record_check_in(lifeline.ctx, asha, first, "reached", "spoke with his sister")
    with lifeline.engine.connect() as conn:
        stored = conn.execute(
            select(follow_up_check_ins.c.note_enc).where(follow_up_check_ins.c.id == first)
        ).scalar_one()
    assert "sister" not in stored  # the note is encrypted at rest

    cases.close_case(lifeline.ctx, OP, case_id)
    clock.advance(days=6)
    drain(lifeline)
    aftercare.record_check_in(lifeline.ctx, asha, second, "needs_escalation", "planning again")
    reopened = CaseRead.of(cases.show_case(lifeline.ctx, OP, case_id)).plain()
    assert reopened["status"] == "received" and reopened["outcome"] is None
    assert reopened["milestones"]["closed"] is not None  # first response's times stay
    assert reopened["follow_ups"][0]["status"] == "escalated"
    assert [c["state"] for c in reopened["follow_ups"][0]["check_ins"]] == [
        "reached",
        "needs_escalation",
        "cancelled",
    ]
    assert "reopened" in [t["kind"] for t in reopened["timeline"]]
    clock.advance(days=30)
    drain(lifeline)  # the 30-day timer is stale now: nothing is sent
    assert len([e for _, _, e in sink.delivered if e["event"] == "follow_up_due"]) == 2


def test_a_repeat_alert_shows_the_earlier_cases_and_their_outcomes(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    first = alert(lifeline, "ravi.k", "+91 98123 45678")
    drain(lifeline)
    rescue(lifeline, clock, first)
    clock.advance(days=40)  # long past the merge window: a new case
    second = alert(lifeline, "ravi_k_new", "09812345678")
    third = alert(lifeline, "someone.else")
    drain(lifeline)
    history = CaseRead.of(cases.show_case(lifeline.ctx, OP, second)).plain()["history"]
    assert [(h["case_id"], h["outcome"], h["matched_on"]) for h in history] == [
        (first, "attempt_interrupted", ["phone"])
    ]
    assert history[0]["follow_up"] == "active"
    assert CaseRead.of(cases.show_case(lifeline.ctx, OP, third)).plain()["history"] == []
    earlier = CaseRead.of(cases.show_case(lifeline.ctx, OP, first)).plain()["timeline"]
    assert any(t["kind"] == "repeat_subject_later" for t in earlier)

    clock.advance(days=10)  # the same account again: matched through the account's keyed hash
    fourth = alert(lifeline, "@Ravi.K")
    drain(lifeline)
    matched = {
        h["case_id"]: h["matched_on"]
        for h in CaseRead.of(cases.show_case(lifeline.ctx, OP, fourth)).plain()["history"]
    }
    assert matched == {first: ["account"]}


def test_an_account_named_by_an_alert_merged_into_an_earlier_case_links_a_later_one(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    def about(handle: str, reference: str) -> int:
        new = Alert(
            AlertSource.PLATFORM_API,
            clock.now(),
            b"{}",
            "application/json",
            platform="instagram",
            reference=reference,
            subject=Subject(handle=handle),
            post=Post("aaj sab khatam"),
            location=LocationHint(text="Hazratganj, Lucknow"),
        )
        return receive_alert(lifeline.ctx, ReceiveAlert(new, PARTNER)).case_id

    first = about("ravi.k", "IG-1")
    clock.advance(minutes=5)  # the same report within the merge window: the same case
    assert about("ravi.second", "IG-1") == first
    clock.advance(days=40)
    later = about("ravi.second", "IG-2")  # only the account the merged alert named
    other = about("ravi.third", "IG-3")
    drain(lifeline)
    history = CaseRead.of(cases.show_case(lifeline.ctx, OP, later)).plain()["history"]
    assert [(h["case_id"], h["matched_on"]) for h in history] == [(first, ["account"])]
    assert CaseRead.of(cases.show_case(lifeline.ctx, OP, other)).plain()["history"] == []
