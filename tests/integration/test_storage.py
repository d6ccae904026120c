"""Storage on both databases: personal data encrypted at rest, cases round-trip, merge."""

from __future__ import annotations

import json

from sqlalchemy import text

from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, Caller, LocationHint, Post, PostKind, Subject
from lifeline.domain.model import Actor, TimelineEntry
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from support import FakeClock, alert_body, dumps

OP = Actor("cli", "tester", "admin")
SECRETS = ("Ravi Kumar", "ravi.k.1999", "9812345678", "आत्महत्या", "Madeyganj", "ravi@example.org")


def make_alert(clock: FakeClock, **subject: str) -> Alert:
    body = alert_body()
    return Alert(
        source=AlertSource.PLATFORM_API,
        received_at=clock.now(),
        raw_payload=dumps(body),
        raw_content_type="application/json",
        platform="facebook",
        reference="FB-77812093",
        subject=Subject(
            **(
                subject
                or {
                    "name": "Ravi Kumar",
                    "handle": "ravi.k.1999",
                    "phone": "+919812345678",
                    "email": "ravi@example.org",
                }
            )
        ),
        post=Post(body["post"]["text"], body["post"]["url"], None, PostKind.TEXT),
        location=LocationHint("Madeyganj, Lucknow", 26.88, 80.91, "226020", "Lucknow"),
        caller=Caller("Desk", "Meta", "+10000000000", clock.now(), "called"),
    )


def dump_database(app: Lifeline) -> str:
    chunks = []
    with app.engine.connect() as conn:
        for table in ("subjects", "alerts", "cases", "timeline", "audit_log", "jobs", "case_keys"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            chunks.append(json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False))
    return "\n".join(chunks)


def test_personal_data_is_never_stored_in_the_clear(lifeline: Lifeline, clock: FakeClock) -> None:
    receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP))
    everything = dump_database(lifeline)
    for secret in SECRETS:
        assert secret not in everything, f"{secret!r} is stored in the clear"


def test_a_case_reads_back_with_its_alert_exactly_as_received(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    alert = make_alert(clock)
    receipt = receive_alert(lifeline.ctx, ReceiveAlert(alert, OP))
    data = CaseRead.of(cases.show_case(lifeline.ctx, OP, receipt.case_id)).plain()
    (stored,) = data["alerts"]
    assert stored["raw_payload"] == alert.raw_payload.decode()
    assert stored["post"]["text"] == "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
    assert stored["subject"]["phone"] == "+919812345678"
    assert stored["location"] == {
        "text": "Madeyganj, Lucknow",
        "lat": 26.88,
        "lon": 80.91,
        "pin": "226020",
        "ip_city": "Lucknow",
    }
    assert stored["caller"]["organisation"] == "Meta"
    assert data["subject"]["name"] == "Ravi Kumar"
    assert data["milestones"]["received"] == clock.now().isoformat()
    # a platform's alert counts as at least intent from the start (the floor)
    assert [t["kind"] for t in data["timeline"]] == ["case_opened", "risk_floor"]


def test_alerts_merge_by_keyed_hash_of_the_account(lifeline: Lifeline, clock: FakeClock) -> None:
    first = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP))
    clock.advance(minutes=30)
    second_alert = make_alert(clock, handle="@RAVI.K.1999")
    second_alert.reference = "FB-other"
    second = receive_alert(lifeline.ctx, ReceiveAlert(second_alert, OP))
    assert second.merged and second.case_id == first.case_id
    detail = cases.show_case(lifeline.ctx, OP, first.case_id)
    assert detail.case.alert_count == 2 and len(detail.alerts) == 2


def test_a_full_lifecycle_is_stored_with_every_milestone(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    ctx = lifeline.ctx
    steps = [
        lambda: cases.record_location(ctx, OP, case_id, "PS Madeyganj, Lucknow"),
        lambda: cases.dispatch_case(ctx, OP, case_id, ["PS Madeyganj", "UP-112"]),
        lambda: cases.acknowledge(ctx, OP, case_id, "PS Madeyganj"),
        lambda: cases.mark_on_scene(ctx, OP, case_id),
        lambda: cases.record_outcome(ctx, OP, case_id, "reached_safe"),
        lambda: cases.close_case(ctx, OP, case_id),
    ]
    for step in steps:
        clock.advance(minutes=2)
        step()
    data = CaseRead.of(cases.show_case(ctx, OP, case_id)).plain()
    assert data["status"] == "closed"
    assert list(data["milestones"]) == [
        "received",
        "located",
        "dispatched",
        "acknowledged",
        "on_scene",
        "resolved",
        "closed",
    ]
    assert data["location"]["place"] == "PS Madeyganj, Lucknow"
    assert data["outcome"]["outcome"] == "reached_safe"
    assert data["outcome"]["recorded_by"] == "cli:tester"


def test_timeline_entries_are_kept_in_order_with_the_commit_and_dropped_with_a_rollback(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id

    def notes(uow: object) -> list[str]:
        entries = uow.cases.timeline(case_id)  # type: ignore[attr-defined]
        return [e.summary for e in entries if e.kind == "test_note"]

    with lifeline.ctx.uow() as uow:
        for n in range(3):
            uow.cases.note(case_id, TimelineEntry(clock.now(), "test_note", f"dropped {n}"))
        assert notes(uow) == ["dropped 0", "dropped 1", "dropped 2"]  # seen in its transaction
        uow.rollback()
    with lifeline.ctx.uow() as uow:
        uow.cases.note(case_id, TimelineEntry(clock.now(), "test_note", "kept 1"))
        uow.cases.note(case_id, TimelineEntry(clock.now(), "test_note", "kept 2"))
        uow.commit()
    with lifeline.ctx.uow(readonly=True) as uow:
        assert notes(uow) == ["kept 1", "kept 2"]
