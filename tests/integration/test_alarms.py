"""SMC alarms on a real database (SQLite and PostgreSQL), driven by the real worker and a
controllable clock: each kind raised by its timer, the shift in-charge paged at a real local
HTTP endpoint, one line per case, an operator's acknowledgement (quiet, then loud again on a
new alarm) through the console and the API, and the banner in Hindi."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dispatch_entry_support import OP, STATION, Endpoints, configure, drain, endpoints, new_case
from sqlalchemy import text

from console_support import LUCKNOW, VARANASI, make_person, signed_in
from console_support import OPERATOR as CONSOLE_OPERATOR
from lifeline.adapters.db import migrate
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.dispatch import DEFAULT_POLICY, AlarmKind, Dispatch
from lifeline.domain.model import Actor
from lifeline.domain.risk import level_at_risk
from lifeline.services.aftercare import followups as aftercare
from lifeline.services.cases import service as cases
from lifeline.services.dispatch import attention
from lifeline.services.dispatch.escalations import confirm_dispatch, raise_alarm
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.jobs import DEFAULT_HANDLERS
from lifeline.settings import Settings
from lifeline.worker import Worker
from staff_support import staff_token
from support import FakeClock

DESK = 60  # LIFELINE_DESK_UNATTENDED_SECONDS
DEADLINE = 120  # imminent=120 in LIFELINE_DISPATCH_DEADLINE_SECONDS


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return configure(settings)  # nothing goes out on its own: the deadline is the operator's


@pytest.fixture
def sent(lifeline: Lifeline) -> Iterator[Endpoints]:
    with endpoints(lifeline) as found:
        yield found


def open_alarms(app: Lifeline, case_id: int) -> list[AlarmKind]:
    with app.ctx.uow(readonly=True) as uow:
        return [a.kind for a in uow.dispatches.open_alarms({case_id})]


def alarm_messages(smc: list[dict[str, object]], case_id: int) -> list[dict[str, object]]:
    return [m for m in smc if "SMC ALARM" in str(m.get("title")) and m.get("case_id") == case_id]


def test_an_imminent_case_not_dispatched_by_its_deadline_is_alarmed_and_paged(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    drain(lifeline)  # triage: imminent ("आज मैं आत्महत्या कर रहा हूं")
    assert cases.show_case(lifeline.ctx, OP, case_id).case.risk_level == "imminent"
    clock.advance(seconds=DEADLINE - 10)
    drain(lifeline)
    assert AlarmKind.NOT_DISPATCHED not in open_alarms(lifeline, case_id)
    clock.advance(seconds=11)
    drain(lifeline)
    assert AlarmKind.NOT_DISPATCHED in open_alarms(lifeline, case_id)
    assert alarm_messages(sent.smc.received, case_id)  # the SMC's contacts were messaged
    timeline = cases.show_case(lifeline.ctx, OP, case_id).timeline
    assert any(t.kind == "smc_alarm" and "not dispatched 2 min" in t.summary for t in timeline)
    clock.advance(minutes=10)
    drain(lifeline)  # once: the timer does not come back
    assert open_alarms(lifeline, case_id).count(AlarmKind.NOT_DISPATCHED) == 1


def smc_find(app: Lifeline, text: str, handle: str) -> int:
    """A post the SMC found itself and typed in (manual: no review queue, see
    test_review_queue.py): no platform's flag, so no floor under its level."""
    alert = Alert(
        source=AlertSource.MANUAL,
        received_at=app.clock.now(),
        raw_payload=b"{}",
        raw_content_type="application/json",
        platform="x",
        reference=f"X-{handle}",
        subject=Subject(name="Ravi K", handle=handle),
        post=Post(text),
        location=LocationHint("Madeyganj, Lucknow"),
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, CONSOLE_OPERATOR)).case_id


def test_the_not_dispatched_alarm_ends_when_the_case_is_sent_or_finished(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    sent_later, phoned, finished = (new_case(lifeline, handle=h) for h in ("s1", "s2", "s3"))
    drain(lifeline)
    clock.advance(seconds=DEADLINE + 1)
    drain(lifeline)
    for case_id in (sent_later, phoned, finished):
        assert AlarmKind.NOT_DISPATCHED in open_alarms(lifeline, case_id)
    confirm_dispatch(lifeline.ctx, OP, sent_later, [STATION])  # through Lifeline
    cases.dispatch_case(lifeline.ctx, OP, phoned, ["Madeyganj PS (phoned)"])  # by hand
    cases.dismiss(lifeline.ctx, OP, finished, "false_alarm", "a film promotion")
    for case_id in (sent_later, phoned, finished):
        # the banner must never say "not sent to any unit" about a case that was
        assert AlarmKind.NOT_DISPATCHED not in open_alarms(lifeline, case_id)


def test_a_case_below_ideation_raises_no_dispatch_alarm(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = smc_find(lifeline, "Great match today, what a catch by Rinku!", "cricket")
    drain(lifeline)
    assert not level_at_risk(cases.show_case(lifeline.ctx, OP, case_id).case.risk_level)
    clock.advance(minutes=10)
    drain(lifeline)
    assert AlarmKind.NOT_DISPATCHED not in open_alarms(lifeline, case_id)


def test_a_platform_case_nobody_could_assess_is_alarmed_at_intents_deadline(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    # the triage model is down: only the deadline timer runs; the platform's flag is the floor
    timers = Worker(
        lifeline, handlers={"check_dispatch_deadline": DEFAULT_HANDLERS["check_dispatch_deadline"]}
    )
    clock.advance(seconds=DEADLINE + 1)
    while timers.run_once():
        pass
    assert AlarmKind.NOT_DISPATCHED in open_alarms(lifeline, case_id)


def test_a_case_nobody_could_assess_is_alarmed_at_the_default_deadline(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = smc_find(lifeline, "sab khatam", "unassessed")
    # the triage model is down: only the deadline timer runs, the level stays unknown
    timers = Worker(
        lifeline, handlers={"check_dispatch_deadline": DEFAULT_HANDLERS["check_dispatch_deadline"]}
    )
    clock.advance(seconds=DEADLINE + 1)  # intake's timer looks at the shortest deadline
    while timers.run_once():
        pass
    assert AlarmKind.NOT_DISPATCHED not in open_alarms(lifeline, case_id)  # default: 300 s
    clock.advance(seconds=300 - DEADLINE)
    while timers.run_once():
        pass
    assert AlarmKind.NOT_DISPATCHED in open_alarms(lifeline, case_id)


def test_dispatched_but_nobody_reached_raises_nobody_reached_with_the_units(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    drain(lifeline)
    sent.station.status = 500  # the station's gateway refuses everything
    confirm_dispatch(lifeline.ctx, OP, case_id, [STATION])
    drain(lifeline)
    clock.advance(seconds=121)  # imminent: LIFELINE_UNREACHED_ALARM_SECONDS imminent=120
    drain(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        found = {a.kind: a for a in uow.dispatches.open_alarms({case_id})}
    assert AlarmKind.NOBODY_REACHED in found
    assert found[AlarmKind.NOBODY_REACHED].details == {"seconds": 120, "units": 1}


def test_nobody_at_the_desk_pages_the_shift_in_charge_once(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    drain(lifeline)
    confirm_dispatch(lifeline.ctx, Actor("cli", "script"), case_id, [STATION])
    drain(lifeline)
    before = len(alarm_messages(sent.smc.received, case_id))
    clock.advance(seconds=DESK + 1)
    drain(lifeline)
    assert AlarmKind.DESK_UNATTENDED in open_alarms(lifeline, case_id)
    paged = alarm_messages(sent.smc.received, case_id)[before:]
    assert len(paged) == 1 and paged[0]["incident"]["purpose"] == "alarm"  # type: ignore[index]
    assert "nobody at the desk opened this imminent case" in str(paged[0]["title"])
    assert "डेस्क पर किसी ने" in str(paged[0]["message"])
    # acknowledged (by the operator who finally came), then nothing pages it again
    attention.acknowledge_alarms(lifeline.ctx, OP, case_id)
    with lifeline.ctx.uow() as uow:
        uow.dispatches.clear_alarms(case_id, clock.now(), "test")
        uow.commit()
    with lifeline.ctx.uow() as uow:  # a second imminent assessment starts the timer again
        attention.watch_desk(lifeline.ctx, uow, case_id, None)
        uow.commit()
    clock.advance(seconds=DESK + 1)
    drain(lifeline)
    assert AlarmKind.DESK_UNATTENDED not in open_alarms(lifeline, case_id)
    assert len(alarm_messages(sent.smc.received, case_id)) == before + 1


def test_an_operator_who_opens_the_case_page_in_time_keeps_the_desk_quiet(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    web, _ = signed_in(lifeline, make_person(lifeline, "op.desk", "smc_operator"), clock)
    case_id = new_case(lifeline)
    drain(lifeline)
    clock.advance(seconds=20)
    assert web.get(f"/console/cases/{case_id}").status_code == 200
    clock.advance(seconds=DESK)
    drain(lifeline)
    assert AlarmKind.DESK_UNATTENDED not in open_alarms(lifeline, case_id)


def test_a_district_officer_reading_the_case_is_not_the_desk(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    web, _ = signed_in(lifeline, make_person(lifeline, "dsp.l", "district_officer", LUCKNOW), clock)
    case_id = new_case(lifeline)
    drain(lifeline)
    assert web.get(f"/console/cases/{case_id}").status_code == 200
    clock.advance(seconds=DESK + 1)
    drain(lifeline)
    assert AlarmKind.DESK_UNATTENDED in open_alarms(lifeline, case_id)


def _raise(app: Lifeline, case_id: int, kind: AlarmKind, dispatch_id: int | None = None) -> None:
    with app.ctx.uow() as uow:
        raise_alarm(app.ctx, uow, case_id, dispatch_id, kind, {"seconds": 300}, app.clock.now())
        uow.commit()


def test_acknowledged_alarms_are_quiet_until_a_new_alarm_on_the_case(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    _raise(lifeline, case_id, AlarmKind.NOT_DISPATCHED)
    [line] = attention.alarm_groups_for(lifeline.ctx, OP)
    assert not line.quiet and line.kind is AlarmKind.NOT_DISPATCHED
    clock.advance(seconds=30)
    assert attention.acknowledge_alarms(lifeline.ctx, OP, case_id)
    [line] = attention.alarm_groups_for(lifeline.ctx, OP)
    assert line.quiet and line.acknowledged_by == "user:op"
    assert line.acknowledged_at == clock.now()
    assert attention.acknowledge_alarms(lifeline.ctx, OP, case_id) == []  # nothing new
    _raise(lifeline, case_id, AlarmKind.NOT_DISPATCHED)  # still open: not a new alarm
    assert attention.alarm_groups_for(lifeline.ctx, OP)[0].quiet
    clock.advance(seconds=30)
    _raise(lifeline, case_id, AlarmKind.NOBODY_REACHED)  # something new: loud again
    [line] = attention.alarm_groups_for(lifeline.ctx, OP)
    assert not line.quiet and line.kind is AlarmKind.NOBODY_REACHED
    assert line.since == clock.now()
    with lifeline.ctx.uow(readonly=True) as uow:
        audited = [r.action for r in uow.audit.for_case(case_id, clock.now().replace(year=2000))]
    assert audited.count("case.alarm_acknowledged") == 2


def test_the_banner_has_one_line_per_case_most_urgent_first_in_hindi_too(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    web, csrf = signed_in(lifeline, make_person(lifeline, "op.two", "smc_operator"), clock)
    first, second = new_case(lifeline, handle="one"), new_case(lifeline, handle="two")
    now = clock.now()
    with lifeline.ctx.uow() as uow:  # three units ran out of escalation steps on the first case
        for unit in ("up-a", "up-b", "up-c"):
            dispatch = uow.dispatches.add(Dispatch(first, unit, unit, DEFAULT_POLICY, now, "t"))
            details = {"unit": unit, "units": 1}
            raise_alarm(lifeline.ctx, uow, first, dispatch.id, AlarmKind.EXHAUSTED, details, now)
        uow.commit()
    page = web.get("/console/queue").text
    banner = page[page.index('id="alarm-lines"') : page.index("<main")]
    assert banner.count('class="alarm-line"') == 1 and "3 units did not acknowledge" in banner
    clock.advance(seconds=10)
    _raise(lifeline, second, AlarmKind.NOT_DISPATCHED)
    clock.advance(seconds=10)
    _raise(lifeline, first, AlarmKind.NOBODY_REACHED)  # more urgent: it names the line
    page = web.get("/console/queue").text
    banner = page[page.index('id="alarm-lines"') : page.index("<main")]
    assert banner.count('class="alarm-line"') == 2
    assert banner.count(f'href="/console/cases/{first}#dispatch"') == 1
    assert "No unit reached 5 min after dispatch" in banner and "3 units" in banner
    assert "did not acknowledge" not in banner
    # same level (not yet assessed): the oldest alarm first
    assert banner.index(f"#{first}<") < banner.index(f"#{second}<")
    assert "Not sent to any unit 5 min after the alert" in banner
    web.post("/console/language", data={"csrf": csrf, "lang": "hi", "back": "/console/queue"})
    hindi = web.get("/console/alarms/banner?back=/console/queue").text
    assert "अलर्ट के 5 मिनट बाद भी किसी इकाई को नहीं भेजा गया" in hindi
    assert "Not sent to any unit" not in hindi and "SMC चेतावनी" in hindi


def test_the_console_form_acknowledges_and_the_banner_shows_who(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    web, csrf = signed_in(lifeline, make_person(lifeline, "op.three", "smc_operator"), clock)
    case_id = new_case(lifeline)
    _raise(lifeline, case_id, AlarmKind.NOT_DISPATCHED)
    forged = web.post(
        f"/console/cases/{case_id}/alarms/acknowledge",
        data={"csrf": "forged", "back": "/console/queue"},
    )
    assert forged.status_code == 403 and not attention.alarm_groups_for(lifeline.ctx, OP)[0].quiet
    outside = web.post(
        f"/console/cases/{case_id}/alarms/acknowledge",
        data={"csrf": csrf, "back": "https://evil.example/x"},
    )
    assert outside.status_code == 303
    assert outside.headers["location"] == f"/console/cases/{case_id}"  # never off the console
    page = web.get("/console/queue").text
    banner = page[page.index('id="alarm-lines"') : page.index("<main")]
    assert "alarm-quiet" in banner and "acknowledged by op.three" in banner
    assert 'role="alert"' not in banner and "Acknowledge alarm" not in banner


def test_the_api_lists_alarms_per_case_scoped_and_acknowledges_with_permission(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    from console_support import client  # noqa: PLC0415 - the same client the other tests use

    case_id = new_case(lifeline)  # placed in Lucknow
    _raise(lifeline, case_id, AlarmKind.NOT_DISPATCHED)
    web = client(lifeline)
    operator = {"Authorization": "Bearer " + staff_token(lifeline, "op.api", "smc_operator")}
    listed = web.get("/api/v1/alarms", headers=operator)
    assert listed.status_code == 200, listed.text
    [line] = listed.json()
    assert line["case_id"] == case_id and line["kind"] == "not_dispatched"
    assert line["quiet"] is False and line["acknowledged_by"] is None
    assert line["reason"] == "not dispatched 5 min after the alert"
    assert line["alarms"][0]["details"] == {"seconds": 300}
    elsewhere = {
        "Authorization": "Bearer " + staff_token(lifeline, "dsp.v", "district_officer", VARANASI)
    }
    assert web.get("/api/v1/alarms", headers=elsewhere).json() == []
    local = {
        "Authorization": "Bearer " + staff_token(lifeline, "dsp.l", "district_officer", LUCKNOW)
    }
    assert [g["case_id"] for g in web.get("/api/v1/alarms", headers=local).json()] == [case_id]
    refused = web.post(f"/api/v1/cases/{case_id}/alarms/acknowledge", headers=local)
    assert refused.status_code == 403
    done = web.post(f"/api/v1/cases/{case_id}/alarms/acknowledge", headers=operator)
    assert done.status_code == 200 and len(done.json()["acknowledged"]) == 1
    [line] = web.get("/api/v1/alarms", headers=operator).json()
    assert line["quiet"] is True and line["acknowledged_by"] == "user:op.api"
    missing = web.post("/api/v1/cases/999999/alarms/acknowledge", headers=operator)
    assert missing.status_code == 404


def test_an_stf_analyst_sees_the_alarms_of_trace_requests_only_with_their_level(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    from console_support import client  # noqa: PLC0415 - the same client the other tests use

    traced, untraced = new_case(lifeline, handle="traced"), new_case(lifeline, handle="other")
    drain(lifeline)  # triage: imminent
    cases.request_trace(lifeline.ctx, OP, traced)
    _raise(lifeline, traced, AlarmKind.NOT_DISPATCHED)
    _raise(lifeline, untraced, AlarmKind.NOT_DISPATCHED)
    web = client(lifeline)
    operator = {"Authorization": "Bearer " + staff_token(lifeline, "op.stf", "smc_operator")}
    assert {g["case_id"] for g in web.get("/api/v1/alarms", headers=operator).json()} == {
        traced,
        untraced,
    }
    stf = {"Authorization": "Bearer " + staff_token(lifeline, "stf.a", "stf_analyst")}
    [line] = web.get("/api/v1/alarms", headers=stf).json()
    assert line["case_id"] == traced and line["level"] == "imminent"


def test_a_follow_up_not_recorded_after_the_grace_alarms_and_recording_clears_it(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    drain(lifeline)
    confirm_dispatch(lifeline.ctx, OP, case_id, [STATION])
    cases.mark_on_scene(lifeline.ctx, OP, case_id)
    cases.record_outcome(lifeline.ctx, OP, case_id, "attempt_interrupted")
    drain(lifeline)
    clock.advance(hours=24, minutes=1)
    drain(lifeline)  # the 24 h check-in is due
    assert AlarmKind.FOLLOWUP_OVERDUE not in open_alarms(lifeline, case_id)
    before = len(sent.smc.received)
    clock.advance(hours=4)
    drain(lifeline)
    assert AlarmKind.FOLLOWUP_OVERDUE in open_alarms(lifeline, case_id)
    assert len(sent.smc.received) == before  # on the console for the supervisor: nobody paged
    [plan] = aftercare.list_plans(lifeline.ctx, OP)
    aftercare.record_check_in(lifeline.ctx, OP, plan.check_ins[0].id or 0, "reached")
    assert AlarmKind.FOLLOWUP_OVERDUE not in open_alarms(lifeline, case_id)


def test_alarms_from_before_kinds_get_the_kind_their_reason_names(
    lifeline: Lifeline, clock: FakeClock, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    migrate.downgrade(lifeline.engine, "0013")
    reasons = [
        "Madeyganj did not acknowledge after every escalation step",
        "no unit reached 180 s after dispatch",
        "up-112: no contact reachable on any channel",
        "no contact to notify for Madeyganj (unit)",
        "something else",
    ]
    with lifeline.engine.begin() as conn:
        for reason in reasons:
            conn.execute(
                text("INSERT INTO smc_alarms (case_id, reason, raised_at) VALUES (:c, :r, :at)"),
                {"c": case_id, "r": reason, "at": clock.now()},
            )
    migrate.upgrade(lifeline.engine)
    assert open_alarms(lifeline, case_id) == [
        AlarmKind.EXHAUSTED,
        AlarmKind.NOBODY_REACHED,
        AlarmKind.DELIVERY_FAILED,
        AlarmKind.NO_CONTACT,
        AlarmKind.OTHER,
    ]
