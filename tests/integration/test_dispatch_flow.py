"""Dispatch and escalation end to end against a real HTTP endpoint on 127.0.0.1, on SQLite and
PostgreSQL: a platform alert goes out at once, timers escalate, acknowledgements stop them,
failures move to the next channel and then alarm the SMC."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from dispatch_support import AT_RISK, MADEYGANJ, Receiver, drain, take_alert, unit_endpoints
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import AlertSource, LocationHint
from lifeline.domain.dispatch import (
    AcknowledgementRefused,
    AckTokenError,
    DispatchState,
    NotificationState,
)
from lifeline.domain.errors import IllegalTransition
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor
from lifeline.services.cases import review
from lifeline.services.cases import service as cases
from lifeline.services.dispatch import acknowledgement
from lifeline.services.dispatch import escalations as dispatch
from lifeline.services.job_types import JobKind
from support import FakeClock

OP = Actor("user", "op", "smc_operator")
CLI = Actor("cli", "test")


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


def send(
    app: Lifeline,
    handle: str = "a",
    hint: LocationHint = MADEYGANJ,
    source: AlertSource = AlertSource.PLATFORM_API,
    text: str = AT_RISK,
) -> int:
    return take_alert(app, handle, text=text, source=source, hint=hint)


def notifications(app: Lifeline, case_id: int) -> list:  # type: ignore[type-arg]
    with app.ctx.uow(readonly=True) as uow:
        return uow.dispatches.notifications_for_case(case_id)


def test_a_platform_alert_at_risk_with_a_confident_place_is_sent_to_the_station_at_once(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, smc, others = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.DISPATCHED
    assert len(station.received) == 1 and not smc.received
    assert sorted(others.paths) == ["/cell", "/up112"]
    body = station.bodies()[0]
    assert f"case {case_id}" in body and "मदद चाहिए" in body and "/ack/" in body
    assert "Madeyganj" in body and "+919800000001" in body
    sent = notifications(lifeline, case_id)
    delivered = [n for n in sent if n.state is NotificationState.DELIVERED]
    assert {n.unit_id for n in delivered} == {"up-lko-ps-madeyganj", "up-cell-lucknow", "up-112"}
    kinds = [t.kind for t in detail.timeline]
    assert "escalation_started" in kinds and "notification_delivered" in kinds


def test_each_message_keeps_what_it_told_the_unit_encrypted(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    (to_station,) = [n for n in notifications(lifeline, case_id) if n.unit_id.endswith("madeyganj")]
    with lifeline.ctx.uow(readonly=True) as uow:
        kept = uow.dispatches.notification(to_station.id).brief
    assert kept is not None
    assert kept["person_phone"] == "+919800000001" and "Madeyganj" in kept["place"]
    assert kept["level"] in ("ideation", "intent", "imminent")
    sent = station.received[0]["incident"]
    assert sent["person"]["phone"] == kept["person_phone"]
    assert sent["location"]["place"] == kept["place"] and sent["risk_level"] == kept["level"]
    with lifeline.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM notifications")).all()
    stored = json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False)
    for secret in ("+919800000001", "Ravi", "Madeyganj", "आत्महत्या"):
        assert secret not in stored, f"{secret!r} is stored in the clear"


def test_no_acknowledgement_escalates_on_the_timer_then_to_the_parent_then_alarms_the_smc(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, smc, _ = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    assert len(station.received) == 1
    clock.advance(seconds=30)
    drain(lifeline)
    assert len(station.received) == 1  # not due yet
    clock.advance(seconds=31)
    drain(lifeline)
    assert len(station.received) == 2  # round 2 of step 1
    clock.advance(seconds=61)
    drain(lifeline)
    # step 2: the unit again and its parent (Mahanagar circle has no contacts: its parents
    # neither, up to the state; the SMC is reached only by the alarm)
    assert len(station.received) == 3
    clock.advance(seconds=61)
    drain(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        alarms = uow.dispatches.open_alarms()
        states = [d.state for d in uow.dispatches.for_case(case_id)]
    assert DispatchState.EXHAUSTED in states
    assert any(a.case_id == case_id for a in alarms)
    assert smc.received and "SMC ALARM" in smc.bodies()[-1]


def test_the_link_acknowledges_once_and_stops_the_escalation(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    token = station.received[0]["message"].split("/ack/")[1].split()[0]
    case = acknowledgement.acknowledge_link(lifeline.ctx, token, "SI Verma")
    assert case.status is CaseStatus.ACKNOWLEDGED
    with pytest.raises(AcknowledgementRefused, match="already acknowledged"):
        acknowledgement.acknowledge_link(lifeline.ctx, token)
    with pytest.raises(AckTokenError, match="not valid"):
        acknowledgement.acknowledge_link(lifeline.ctx, token[:-3] + "xyz")
    clock.advance(minutes=10)
    drain(lifeline)
    assert len(station.received) == 1  # the timer found the dispatch acknowledged
    with lifeline.ctx.uow(readonly=True) as uow:
        assert not uow.dispatches.open_alarms()
    kinds = [t.kind for t in cases.show_case(lifeline.ctx, OP, case_id).timeline]
    assert "acknowledge_refused" in kinds


def test_an_expired_link_and_a_closed_case_are_refused_and_recorded(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    token = station.received[0]["message"].split("/ack/")[1].split()[0]
    cases.record_outcome(lifeline.ctx, OP, case_id, "reached_safe")
    cases.close_case(lifeline.ctx, OP, case_id)
    with pytest.raises(AcknowledgementRefused, match="closed"):
        acknowledgement.acknowledge_link(lifeline.ctx, token)
    clock.advance(hours=25)
    with pytest.raises(AckTokenError, match="expired"):
        acknowledgement.acknowledge_link(lifeline.ctx, token)


def test_an_sms_reply_code_acknowledges_and_a_wrong_code_does_not(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    code = re.search(r"ACK (\d+(?: \d+)*)", station.received[0]["message"]).group(1)  # type: ignore[union-attr]
    code = code.replace(" ", "")
    with pytest.raises(Exception, match="acknowledgement code"):
        acknowledgement.acknowledge_code(
            lifeline.ctx, code[:-1] + str((int(code[-1]) + 1) % 10), "+919811111111"
        )
    case = acknowledgement.acknowledge_code(lifeline.ctx, f"ack {code}", "+919811111111")
    assert case.status is CaseStatus.ACKNOWLEDGED and case.id == case_id


def test_a_failing_endpoint_is_retried_then_the_smc_is_alarmed(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, smc, _ = endpoints
    station.status = 500
    case_id = send(lifeline)
    drain(lifeline)
    for _ in range(3):
        clock.advance(seconds=11)
        drain(lifeline)
    sent = notifications(lifeline, case_id)
    first = next(n for n in sent if n.unit_id == "up-lko-ps-madeyganj")
    assert first.state is NotificationState.FAILED and "500" in first.detail
    assert smc.received and f"case {case_id}" in smc.bodies()[0]
    kinds = [t.kind for t in cases.show_case(lifeline.ctx, OP, case_id).timeline]
    assert "notification_retry" in kinds and "notification_failed" in kinds
    assert "smc_alarm" in kinds


def test_a_monitoring_find_waits_for_the_operator_then_goes_out_on_one_click(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = send(lifeline, source=AlertSource.MONITORING)
    drain(lifeline)
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.RECEIVED
    plan = dispatch.preview_dispatch(lifeline.ctx, OP, case_id)
    assert not plan.automatic and "up-lko-ps-madeyganj" in [u.unit_id for u in plan.units]
    assert not station.received
    # a find waits for its review: escalated first, then it goes out on one click
    with pytest.raises(IllegalTransition, match="review queue"):
        dispatch.confirm_dispatch(lifeline.ctx, OP, case_id)
    review.escalate(lifeline.ctx, case_id, OP)
    case, started = dispatch.confirm_dispatch(lifeline.ctx, OP, case_id)
    drain(lifeline)
    assert case.status is CaseStatus.DISPATCHED and started
    assert len(station.received) == 1


def test_a_stale_or_duplicate_timer_sends_nothing(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    with lifeline.ctx.uow() as uow:
        (d,) = [x for x in uow.dispatches.for_case(case_id) if x.unit_id.endswith("madeyganj")]
        uow.jobs.enqueue(
            JobKind.ESCALATION_STEP,
            {"dispatch_id": d.id, "token": "0123456789abcdef"},
            now=clock.now(),
            case_id=case_id,
        )
        uow.commit()
    drain(lifeline)
    assert len(station.received) == 1


def test_on_scene_stops_every_escalation_of_the_case(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = send(lifeline)
    drain(lifeline)
    cases.mark_on_scene(lifeline.ctx, OP, case_id)
    clock.advance(minutes=5)
    drain(lifeline)
    assert len(station.received) == 1
    with lifeline.ctx.uow(readonly=True) as uow:
        assert {d.state for d in uow.dispatches.for_case(case_id)} == {DispatchState.STOPPED}
