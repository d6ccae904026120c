"""An officer records "on scene" and the outcome from the acknowledgement link in the message
the unit received: the case moves as an operator's steps would move it, the SMC sees it on the
queue and the case page, an outcome that ends the response waits for an operator's
confirmation while escalation runs on, and replays, expired links, alarms and bad input are
refused. Messages are really sent to HTTP endpoints on 127.0.0.1; the web side runs
in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from dispatch_entry_support import (
    OP,
    PERSON,
    POST,
    SMC_PHONE,
    STATION,
    ack_link,
    configure,
    drain,
    new_case,
)
from fastapi.testclient import TestClient

from console_support import client, form_token, make_person, signed_in
from dispatch_support import Receiver, import_overlay, receiver, registry_overlay
from lifeline.bootstrap import Lifeline
from lifeline.domain.dispatch import AlarmKind, DispatchState
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import OutcomeKind
from lifeline.services.cases import service as cases
from lifeline.services.dispatch.escalations import confirm_dispatch, raise_alarm
from lifeline.settings import Settings
from support import FakeClock

CELL = "up-cell-lucknow"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return configure(settings)


@dataclass
class Units:
    station: Receiver
    cell: Receiver
    smc: Receiver


@pytest.fixture
def units(lifeline: Lifeline) -> Iterator[Units]:
    with receiver() as station, receiver() as cell, receiver() as smc:
        text = registry_overlay(station.url("/station"), smc.url("/smc"), cell=cell.url("/cell"))
        import_overlay(lifeline, text)
        yield Units(station, cell, smc)


def dispatched(app: Lifeline, units: Units, handle: str = "a") -> tuple[int, str]:
    """A case sent to the Madeyganj police station and the Lucknow cell; the link in the
    station's message."""
    case_id = new_case(app, handle)
    confirm_dispatch(app.ctx, OP, case_id, [STATION, CELL])
    drain(app)
    assert units.station.received and units.cell.received, "a unit got no message"
    return case_id, "/ack/" + ack_link(units.station.received[-1]["message"])


def acknowledged(app: Lifeline, units: Units, web: TestClient) -> tuple[int, str]:
    case_id, url = dispatched(app, units)
    done = web.post(url, data={"name": "SI Verma"})
    assert done.status_code == 200, done.text
    return case_id, url


def dispatch_states(app: Lifeline, case_id: int) -> dict[str, DispatchState]:
    with app.ctx.uow(readonly=True) as uow:
        return {d.unit_id: d.state for d in uow.dispatches.for_case(case_id)}


def timeline(app: Lifeline, case_id: int) -> list[tuple[str, str, str]]:
    with app.ctx.uow(readonly=True) as uow:
        return [(e.kind, e.summary, e.actor) for e in uow.cases.timeline(case_id)]


def actions(app: Lifeline, case_id: int) -> list[tuple[str, str]]:
    with app.ctx.uow(readonly=True) as uow:
        return [(r.action, r.actor) for r in uow.audit.records() if r.case_id == case_id]


def no_personal_data(html: str) -> None:
    for personal in (*PERSON, "Ravi", POST[:10], "FB-"):
        assert personal not in html, personal


def queue_row(web: TestClient, case_id: int) -> str:
    rows = web.get("/console/queue/rows")
    assert rows.status_code == 200, rows.text
    found = re.search(rf'<tr[^>]*data-case="{case_id}".*?</tr>', rows.text, re.S)
    return found.group(0) if found else ""


# -- ack -> on scene -> outcome -------------------------------------------------------------


def test_on_scene_then_reached_safe_settles_the_case_and_the_smc_sees_it(
    lifeline: Lifeline, units: Units, clock: FakeClock
) -> None:
    web = client(lifeline)
    case_id, url = dispatched(lifeline, units)
    done = web.post(url, data={"name": "SI Verma"})
    # right after acknowledging, the same page offers the next step
    assert done.status_code == 200 and "Thank you" in done.text
    assert f'action="{url}/on-scene"' in done.text and "हम मौके पर हैं" in done.text
    no_personal_data(done.text)
    operator, _ = signed_in(lifeline, make_person(lifeline, "op1", "smc_operator"), clock)

    scene = web.post(url + "/on-scene", data={"name": "SI Verma"})
    assert scene.status_code == 200, scene.text
    assert "On scene recorded" in scene.text and "मौके पर पहुँचना दर्ज" in scene.text
    assert f'action="{url}/outcome"' in scene.text and "on-scene" not in scene.text
    no_personal_data(scene.text)
    case = cases.show_case(lifeline.ctx, OP, case_id).case
    assert case.status is CaseStatus.ON_SCENE
    # the other unit's escalation stopped, as the console's on-scene would stop it
    assert dispatch_states(lifeline, case_id)[CELL] is DispatchState.STOPPED
    actor = f"contact:duty@{STATION}"
    assert ("on_scene", "Officers on scene", actor) in timeline(lifeline, case_id)
    assert ("case.on_scene", actor) in actions(lifeline, case_id)
    assert "On scene" in queue_row(operator, case_id)  # the live queue's row says so

    again = web.post(url + "/on-scene", data={})  # a replay: a no-op that says so
    before = len(timeline(lifeline, case_id))
    assert again.status_code == 409 and "already recorded" in again.text
    assert len(timeline(lifeline, case_id)) == before
    reack = web.post(url, data={})  # the acknowledgement replayed: refused, the outcome offered
    assert reack.status_code == 409 and "no longer needs acknowledging" in reack.text
    assert f'action="{url}/outcome"' in reack.text
    assert [k for k, _, _ in timeline(lifeline, case_id)[before:]] == ["acknowledge_refused"]
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.ON_SCENE

    clock.advance(minutes=3)
    out = web.post(url + "/outcome", data={"outcome": "reached_safe", "note": "with family"})
    assert out.status_code == 200, out.text
    assert "Outcome recorded" in out.text and "परिणाम दर्ज हुआ" in out.text
    no_personal_data(out.text)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.RESOLVED
    assert detail.case.outcome is not None
    assert detail.case.outcome.kind is OutcomeKind.REACHED_SAFE
    assert detail.case.outcome.recorded_by == actor
    assert detail.follow_ups, "a reached-safe outcome gets a follow-up plan, as from the console"
    assert ("case.outcome", actor) in actions(lifeline, case_id)
    assert queue_row(operator, case_id) == ""  # settled: off the live queue
    page = operator.get(f"/console/cases/{case_id}")
    assert "Outcome: reached_safe" in page.text
    assert "recorded by a contact of Madeyganj" in page.text

    replay = web.post(url + "/outcome", data={"outcome": "false_alarm", "note": "x"})
    assert replay.status_code == 409 and "already recorded" in replay.text
    kept = cases.show_case(lifeline.ctx, OP, case_id).case.outcome
    assert kept is not None and kept.kind is OutcomeKind.REACHED_SAFE
    shown = web.get(url)  # the link now says where things stand, without a form
    assert shown.status_code == 200 and 'method="post"' not in shown.text
    assert "Reached, safe" in shown.text


def test_an_ending_outcome_waits_for_the_smc_and_escalation_runs_until_confirmed(
    lifeline: Lifeline, units: Units, clock: FakeClock
) -> None:
    web = client(lifeline)
    case_id, url = acknowledged(lifeline, units, web)
    before = (len(timeline(lifeline, case_id)), len(actions(lifeline, case_id)))
    shown = web.get(url)  # link previews fetch it: a GET of the steps changes nothing
    assert shown.status_code == 200 and f'action="{url}/outcome"' in shown.text
    no_personal_data(shown.text)
    assert (len(timeline(lifeline, case_id)), len(actions(lifeline, case_id))) == before
    sent_to_cell = len(units.cell.received)
    out = web.post(
        url + "/outcome", data={"outcome": "not_located", "note": "house locked", "name": "SI V"}
    )
    assert out.status_code == 200, out.text
    assert "The SMC will confirm" in out.text and "SMC इसकी पुष्टि करेगा" in out.text
    case = cases.show_case(lifeline.ctx, OP, case_id).case
    assert case.status is CaseStatus.ACKNOWLEDGED and case.outcome is None
    assert dispatch_states(lifeline, case_id)[CELL] is DispatchState.ACTIVE
    assert any(k == "field_outcome_reported" for k, _, _ in timeline(lifeline, case_id))
    replay = web.post(url + "/outcome", data={"outcome": "not_located", "note": "house locked"})
    assert replay.status_code == 409 and "awaits the SMC" in replay.text

    clock.advance(minutes=10)  # escalation to the cell runs on while the report waits
    drain(lifeline)
    assert len(units.cell.received) > sent_to_cell

    operator, _ = signed_in(lifeline, make_person(lifeline, "op1", "smc_operator"), clock)
    page = operator.get(f"/console/cases/{case_id}")
    assert "Outcomes reported from the field" in page.text and "house locked" in page.text
    found = re.search(r'action="(/console/cases/\d+/field-reports/\d+/confirm)"', page.text)
    assert found, page.text
    confirmed = operator.post(found.group(1), data={"csrf": form_token(page.text)})
    assert confirmed.status_code == 303, confirmed.text
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.RESOLVED
    assert detail.case.outcome is not None
    assert detail.case.outcome.kind is OutcomeKind.NOT_LOCATED
    assert detail.case.outcome.reason == "house locked"
    assert detail.case.outcome.recorded_by == f"contact:duty@{STATION}"
    assert dispatch_states(lifeline, case_id)[CELL] is DispatchState.STOPPED
    assert ("case.field_outcome_confirmed", "user:op1") in actions(lifeline, case_id)
    again = operator.post(found.group(1), data={"csrf": form_token(page.text)})
    assert again.status_code == 404  # nothing awaits any more
    assert "Outcomes reported from the field" not in operator.get(f"/console/cases/{case_id}").text
    after = len(units.cell.received)
    clock.advance(minutes=30)
    drain(lifeline)
    assert len(units.cell.received) == after  # escalation stopped at the confirmation


def test_a_rejected_report_leaves_the_case_and_its_escalation_running(
    lifeline: Lifeline, units: Units, clock: FakeClock
) -> None:
    web = client(lifeline)
    case_id, url = acknowledged(lifeline, units, web)
    web.post(url + "/outcome", data={"outcome": "false_alarm", "note": "prank"})
    operator, _ = signed_in(lifeline, make_person(lifeline, "op1", "smc_operator"), clock)
    page = operator.get(f"/console/cases/{case_id}")
    found = re.search(r'action="(/console/cases/\d+/field-reports/\d+/reject)"', page.text)
    assert found
    rejected = operator.post(
        found.group(1), data={"csrf": form_token(page.text), "reason": "unit says no"}
    )
    assert rejected.status_code == 303
    case = cases.show_case(lifeline.ctx, OP, case_id).case
    assert case.status is CaseStatus.ACKNOWLEDGED and case.outcome is None
    assert dispatch_states(lifeline, case_id)[CELL] is DispatchState.ACTIVE
    assert ("case.field_outcome_rejected", "user:op1") in actions(lifeline, case_id)
    shown = web.get(url)  # the field may report again
    assert f'action="{url}/outcome"' in shown.text


def test_a_reader_cannot_confirm_and_other_districts_do_not_see_the_report(
    lifeline: Lifeline, units: Units, clock: FakeClock
) -> None:
    web = client(lifeline)
    case_id, url = acknowledged(lifeline, units, web)
    web.post(url + "/outcome", data={"outcome": "not_located", "note": "no such house"})
    other, csrf = signed_in(
        lifeline, make_person(lifeline, "dvns", "district_officer", "197"), clock
    )
    with lifeline.ctx.uow(readonly=True) as uow:
        report_id = max(e.id or 0 for e in uow.cases.timeline(case_id))
    refused = other.post(
        f"/console/cases/{case_id}/field-reports/{report_id}/confirm", data={"csrf": csrf}
    )
    assert refused.status_code == 404  # out of scope answers as a missing case would
    assert cases.show_case(lifeline.ctx, OP, case_id).case.outcome is None


# -- refusals -------------------------------------------------------------------------------


def test_steps_need_the_acknowledgement_first(lifeline: Lifeline, units: Units) -> None:
    web = client(lifeline)
    case_id, url = dispatched(lifeline, units)
    refused = web.post(url + "/on-scene", data={})
    assert refused.status_code == 409 and "Acknowledge the case first" in refused.text
    refused = web.post(url + "/outcome", data={"outcome": "reached_safe"})
    assert refused.status_code == 409
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED
    assert ("case.field_step_refused", "anonymous:link") in actions(lifeline, case_id)


def test_an_expired_or_forged_link_records_nothing(
    lifeline: Lifeline, units: Units, clock: FakeClock
) -> None:
    web = client(lifeline)
    case_id, url = acknowledged(lifeline, units, web)
    forged = web.post(url[:-4] + "AAAA/on-scene", data={})
    assert forged.status_code == 403 and "not valid" in forged.text
    assert web.post("/ack/" + "x" * 5000 + "/on-scene", data={}).status_code == 403
    clock.advance(hours=25)  # links last LIFELINE_ACK_LINK_HOURS (24)
    expired = web.post(url + "/on-scene", data={})
    assert expired.status_code == 410 and "expired" in expired.text and SMC_PHONE in expired.text
    expired = web.post(url + "/outcome", data={"outcome": "reached_safe"})
    assert expired.status_code == 410
    assert web.get(url).status_code == 410
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.ACKNOWLEDGED


def test_bad_input_is_refused_with_the_text_kept(lifeline: Lifeline, units: Units) -> None:
    web = client(lifeline)
    case_id, url = acknowledged(lifeline, units, web)
    unknown = web.post(url + "/outcome", data={"outcome": "vanished", "note": "keep me"})
    assert unknown.status_code == 422 and "Choose an outcome" in unknown.text
    assert "keep me" in unknown.text
    long_note = "बहुत लंबा नोट " * 60
    too_long = web.post(url + "/outcome", data={"outcome": "reached_safe", "note": long_note})
    assert too_long.status_code == 422 and "too long" in too_long.text
    assert long_note.strip() in too_long.text  # nothing typed is lost
    bare = web.post(url + "/outcome", data={"outcome": "not_located", "name": "SI V"})
    assert bare.status_code == 422 and "needs a short note" in bare.text
    assert 'value="SI V"' in bare.text and 'value="not_located" required checked' in bare.text
    case = cases.show_case(lifeline.ctx, OP, case_id).case
    assert case.status is CaseStatus.ACKNOWLEDGED and case.outcome is None


def test_a_cross_site_post_is_refused(lifeline: Lifeline, units: Units) -> None:
    web = client(lifeline)
    case_id, url = acknowledged(lifeline, units, web)
    forged = web.post(url + "/on-scene", data={}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    forged = web.post(url + "/on-scene", data={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.ACKNOWLEDGED


def test_a_settled_case_and_a_stopped_dispatch_take_no_steps(
    lifeline: Lifeline, units: Units
) -> None:
    web = client(lifeline)
    case_id, url = acknowledged(lifeline, units, web)
    cell_url = "/ack/" + ack_link(units.cell.received[-1]["message"])
    cases.mark_on_scene(lifeline.ctx, OP, case_id)  # the SMC heard by phone
    # the cell never acknowledged: its escalation stopped and its link takes no steps
    shown = web.get(cell_url)
    assert "no longer needs" in shown.text and 'method="post"' not in shown.text
    assert web.post(cell_url + "/on-scene", data={}).status_code == 409
    assert web.post(cell_url + "/outcome", data={"outcome": "reached_safe"}).status_code == 409
    cases.record_outcome(lifeline.ctx, OP, case_id, "reached_safe")
    cases.close_case(lifeline.ctx, OP, case_id)
    refused = web.post(url + "/outcome", data={"outcome": "false_alarm", "note": "x"})
    assert refused.status_code == 409
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.CLOSED


def test_an_alarm_message_has_no_steps(lifeline: Lifeline, units: Units) -> None:
    case_id, _ = dispatched(lifeline, units)
    with lifeline.ctx.uow() as uow:
        raise_alarm(lifeline.ctx, uow, case_id, None, AlarmKind.EXHAUSTED, {}, lifeline.clock.now())
        uow.commit()
    drain(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        alarm = [n for n in uow.dispatches.notifications_for_case(case_id) if n.dispatch_id is None]
    assert alarm and lifeline.ctx.ack_tokens is not None
    token = lifeline.ctx.ack_tokens.issue(alarm[0].id or 0)
    web = client(lifeline)
    refused = web.post(f"/ack/{token}/on-scene", data={})
    assert refused.status_code == 409 and "alarm" in refused.text
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED
