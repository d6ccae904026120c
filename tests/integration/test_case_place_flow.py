"""The case's one place and history across every door (issue #15), end to end on SQLite and
PostgreSQL with real local endpoints: a change of place after dispatch is told to the units
already notified, the queue shows the best district candidate and a conflict flag, and a
released quarantine mail links the earlier case without sending the station again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from console_support import make_person, signed_in
from dispatch_support import Receiver, unit_endpoints
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.model import Actor
from lifeline.domain.place import Candidate, LocationQuery, Resolution
from lifeline.services.cases import service as cases
from lifeline.services.console import desk as console
from lifeline.services.console.ports import QueueItem
from lifeline.services.dispatch import acknowledgement, relocation
from lifeline.services.dispatch import escalations as dispatch
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.ports import Job
from lifeline.simulate import Person, make_email
from lifeline.worker import Worker
from support import FakeClock

OP = Actor("user", "op", "smc_operator")
CLI = Actor("cli", "test")
AT_RISK = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
MADEYGANJ = LocationHint(text="Madeyganj, Lucknow", lat=26.88, lon=80.91, pin="226020")
PERSON = Person(
    "Ravi Kumar",
    "ravi.k.lko",
    "facebook",
    "+919800000042",
    ("Madeyganj, Lucknow", "226020", 26.88, 80.91, "Lucknow"),
    "FB-55501",
    AT_RISK,
)


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


def send(app: Lifeline, hint: LocationHint = MADEYGANJ, text: str = AT_RISK) -> int:
    alert = Alert(
        AlertSource.PLATFORM_API,
        app.clock.now(),
        b'{"test": true}',
        "application/json",
        platform="facebook",
        reference=PERSON.reference,
        subject=Subject(
            handle=PERSON.handle,
            name=PERSON.name,
            phone=PERSON.phone,
            profile_url=PERSON.profile_url,
        ),
        post=Post(text=text),
        location=hint,
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, Actor("partner", "test"))).case_id


def drain(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def queue_row(app: Lifeline, case_id: int) -> QueueItem:
    with app.ctx.uow(readonly=True) as uow:
        rows = uow.console.open_queue(case_ids=None, trace_only=False, limit=50)
    return next(r for r in rows if r.case_id == case_id)


def test_a_change_of_place_after_dispatch_is_told_to_the_units_already_notified(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    assert len(station.received) == 1 and "Madeyganj" in station.bodies()[0]
    console.record_place(lifeline.ctx, OP, case_id, "Lanka, Varanasi", "197")
    drain(lifeline)
    assert len(station.received) == 2
    told = station.received[1]
    body = json.dumps(told, ensure_ascii=False)
    assert told["incident"]["purpose"] == "relocated" and "Varanasi" in body
    assert "place has changed" in body and "स्थान बदल गया" in body
    assert told["incident"]["ack_url"] is None  # news for a unit, not a new request
    assert sorted(others.paths).count("/up112") == 2  # UP-112 was told too
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    changed = [t for t in detail.timeline if t.kind == "location_changed"]
    assert len(changed) == 1 and changed[0].details["district_lgd"] == "197"
    shown = cases.show_case(lifeline.ctx, OP, case_id).place
    assert shown.source == "operator" and shown.district_lgd == "197"


class Answering:
    """The real resolver, except that it answers what the test says (the choice among
    answers is under test here, not the resolver's scoring)."""

    def __init__(self, real: Any, answer: Resolution) -> None:
        self.real, self.answer = real, answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def resolve(self, query: LocationQuery, *, on: date | None = None) -> Resolution:
        return self.answer


LUCKNOW = Candidate("Uttar Pradesh", "Lucknow", "157", 0.97, police_station="Madeyganj")
VARANASI = Candidate("Uttar Pradesh", "Varanasi", "197", 0.95)


def answer(top: Candidate, *others: Candidate, review: bool = False) -> Resolution:
    return Resolution(
        top.state,
        None if review else top.district,
        None if review else top.district_lgd,
        None,
        None,
        top.police_station,
        top.confidence,
        review,
        (top, *others),
    )


def resolve(app: Lifeline, case_id: int, result: Resolution) -> None:
    """The resolve_location job for the case's newest alert, answering `result`."""
    ctx = replace(app.ctx, locator=Answering(app.ctx.locator, result))
    with ctx.uow() as uow:
        alert_id = uow.alerts.for_case(case_id)[-1].id
        job = Job(0, "resolve_location", {"alert_id": alert_id, "case_id": case_id}, case_id,
                  1, 8, "t", app.clock.now(), app.clock.now())  # fmt: skip
        relocation.resolve_location.run(ctx, uow, job)
        uow.commit()


def test_the_queue_shows_the_best_district_candidate_and_flags_disagreeing_alerts(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = send(lifeline, LocationHint(text="GPS, PIN and IP agree"))
    resolve(lifeline, case_id, answer(LUCKNOW, VARANASI, review=True))
    row = queue_row(lifeline, case_id)
    assert row.place is None and row.place_candidate == "Lucknow" and not row.place_conflict
    web, _ = signed_in(lifeline, make_person(lifeline, "op1", "smc_operator"), clock)
    page = web.get("/console/queue").text
    assert "Lucknow? <span" in page and "needs review" in page
    clock.advance(seconds=30)
    resolve(lifeline, case_id, answer(LUCKNOW))
    row = queue_row(lifeline, case_id)
    assert row.place is not None and "Lucknow" in row.place and row.place_candidate is None
    clock.advance(seconds=30)
    send(lifeline, LocationHint(text="Lanka, Varanasi"))
    resolve(lifeline, case_id, answer(VARANASI))
    row = queue_row(lifeline, case_id)
    assert row.place is not None and "Lucknow" in row.place and row.place_conflict
    assert "alerts disagree on the place" in web.get("/console/queue").text
    page = web.get(f"/console/cases/{case_id}").text
    assert "Place of the case" in page and "alerts disagree on the place: Varanasi" in page
    clock.advance(seconds=30)
    console.record_place(lifeline.ctx, OP, case_id, "Madeyganj", "157")
    assert not queue_row(lifeline, case_id).place_conflict


def test_a_released_quarantine_mail_links_the_earlier_case_and_does_not_send_the_station_again(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    raw = make_email(PERSON, "plain_en", clock.now(), sender="alerts@unknown.example")
    held = lifeline.receive_email(raw, "alerts@unknown.example")
    assert held.status == "quarantined" and held.quarantine_id is not None
    clock.advance(minutes=2)
    earlier = send(lifeline)  # the platform's API alert about the same person, meanwhile
    drain(lifeline)
    assert len(station.received) == 1
    token = station.received[0]["incident"]["ack_url"].rsplit("/ack/", 1)[1]
    acknowledgement.acknowledge_link(lifeline.ctx, token, "SI Verma")
    clock.advance(minutes=9)
    cases.mark_on_scene(lifeline.ctx, OP, earlier)
    cases.record_outcome(lifeline.ctx, OP, earlier, "reached_safe")
    clock.advance(minutes=20)
    released = lifeline.release_quarantined(OP, held.quarantine_id)
    assert released.case_id is not None and released.case_id != earlier
    later = released.case_id
    drain(lifeline)
    assert len(station.received) == 1, "the station that reached the person was sent again"
    detail = cases.show_case(lifeline.ctx, OP, later)
    assert detail.case.status.value == "received"
    assert detail.case.opened_at < cases.show_case(lifeline.ctx, OP, earlier).case.opened_at
    assert [e.case_id for e in detail.history] == [earlier]
    assert any(t.kind == "repeat_subject" for t in detail.timeline)
    plan = dispatch.preview_dispatch(lifeline.ctx, OP, later)
    assert not plan.automatic and f"case #{earlier}" in plan.why
    assert "up-lko-ps-madeyganj" not in [u.unit_id for u in plan.units]
    assert any(f"acknowledged case #{earlier}" in p for p in plan.problems)


def test_a_phone_alert_about_a_person_a_station_already_acknowledged_does_not_send_it_again(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    earlier = send(lifeline)
    drain(lifeline)
    token = station.received[0]["incident"]["ack_url"].rsplit("/ack/", 1)[1]
    acknowledgement.acknowledge_link(lifeline.ctx, token, "SI Verma")
    clock.advance(minutes=5)
    call = console.PhoneAlert(
        call_received_at=clock.now(),
        platform="instagram",  # another account: only the phone number is shared
        caller_name="Meta LERT",
        callback_number="+16505550100",
        subject_name="Ravi",
        subject_phone=PERSON.phone[-10:],
        post_text=AT_RISK,
        location_text="Madeyganj, Lucknow",
        pin="226020",
    )
    later = console.enter_phone_alert(lifeline.ctx, OP, call).case_id
    assert later != earlier
    drain(lifeline)
    assert len(station.received) == 1
    detail = cases.show_case(lifeline.ctx, OP, later)
    assert [e.case_id for e in detail.history] == [earlier]
    assert detail.case.status.value == "received"
