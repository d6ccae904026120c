"""Receiving alerts through the service layer, with in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from fakes import make_context

from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import Conflict, InvalidOutcome, NotFound, PermissionDenied
from lifeline.domain.model import Actor, OutcomeKind
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, Replay, receive_alert
from support import FakeClock

PARTNER = Actor("partner", "1", "partner")
OP = Actor("user", "op", "smc_operator")


def alert(
    clock: FakeClock, handle: str = "ravi.k", reference: str = "FB-1", body: bytes = b'{"a": 1}'
) -> Alert:
    return Alert(
        source=AlertSource.PLATFORM_API,
        received_at=clock.now(),
        raw_payload=body,
        raw_content_type="application/json",
        platform="facebook",
        reference=reference,
        subject=Subject(name="Ravi", handle=handle),
        post=Post("jeena nahi hai"),
        partner_id=1,
    )


def test_a_new_subject_opens_a_case_and_the_raw_payload_is_kept_verbatim() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock, body=b'{"x": "\xe0\xa4\x86"}'), PARTNER))
    stored = factory.store.alerts[receipt.alert_id]
    assert stored.raw_payload == b'{"x": "\xe0\xa4\x86"}'
    assert stored.case_id == receipt.case_id
    assert not receipt.merged
    assert [r.action for r in factory.store.audit] == ["alert.received"]


def test_alerts_about_the_same_account_within_the_window_merge_into_one_case() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    first = receive_alert(ctx, ReceiveAlert(alert(clock, reference="FB-1"), PARTNER))
    clock.advance(hours=2)
    second = receive_alert(
        ctx, ReceiveAlert(alert(clock, handle="@Ravi.K", reference="FB-2"), PARTNER)
    )
    assert second.merged and second.case_id == first.case_id
    assert factory.store.cases[first.case_id].alert_count == 2


def test_the_same_platform_reference_merges_even_without_an_account() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    first = receive_alert(ctx, ReceiveAlert(alert(clock, handle="a"), PARTNER))
    second = receive_alert(ctx, ReceiveAlert(alert(clock, handle="b"), PARTNER))
    assert second.case_id == first.case_id


def test_an_alert_after_the_merge_window_opens_a_new_case() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock, merge_window=timedelta(hours=1))
    first = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    clock.advance(hours=2)
    second = receive_alert(ctx, ReceiveAlert(alert(clock, reference="FB-9"), PARTNER))
    assert second.case_id != first.case_id and not second.merged


def test_an_alert_about_a_subject_whose_case_was_closed_opens_a_new_case() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    first = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    cases.dismiss(ctx, OP, first.case_id, OutcomeKind.DUPLICATE.value, "test")
    cases.close_case(ctx, OP, first.case_id)
    second = receive_alert(ctx, ReceiveAlert(alert(clock, reference="FB-3"), PARTNER))
    assert second.case_id != first.case_id


def test_the_same_idempotency_key_returns_the_same_alert_and_stores_nothing_new() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    first = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER, "key-1", "sig-1"))
    again = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER, "key-1", "sig-1"))
    assert (again.alert_id, again.case_id, again.replayed) == (first.alert_id, first.case_id, True)
    assert len(factory.store.alerts) == 1


def test_an_idempotency_key_reused_for_a_different_body_is_a_conflict() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER, "key-1", "sig-1"))
    with pytest.raises(Conflict, match="different alert body"):
        receive_alert(ctx, ReceiveAlert(alert(clock, body=b"{}"), PARTNER, "key-1", "sig-2"))
    assert len(factory.store.alerts) == 1


def test_a_replayed_signature_without_idempotency_key_is_refused_and_stores_nothing() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER, None, "sig-1"))
    with pytest.raises(Replay, match="already used"):
        receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER, None, "sig-1"))
    assert len(factory.store.alerts) == 1


def test_every_event_becomes_a_delivery_job_in_the_same_transaction() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock, webhooks=("http://a", "http://b"))
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    deliveries = [j for j in factory.store.jobs if j["kind"] == "deliver_event"]
    assert {j["payload"]["url"] for j in deliveries} == {"http://a", "http://b"}
    assert {j["payload"]["event"]["event"] for j in deliveries} == {"case_opened"}
    assert all(j["payload"]["event"]["case_id"] == receipt.case_id for j in deliveries)


def test_a_dispatch_deadline_timer_is_scheduled_when_a_case_opens() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    timers = [j for j in factory.store.jobs if j["kind"] == "check_dispatch_deadline"]
    assert len(timers) == 1
    # the level is not known yet: the timer first looks at the shortest deadline (imminent)
    assert timers[0]["run_at"] == clock.now() + ctx.config.dispatch_deadline.shortest


def test_reading_a_case_is_audited_and_partners_see_only_their_own_cases() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    cases.show_case(ctx, OP, receipt.case_id)
    assert factory.store.audit[-1].action == "case.read"
    assert factory.store.audit[-1].actor == "user:op"
    with pytest.raises(Exception, match="not found"):
        cases.show_case(ctx, Actor("partner", "2", "partner"), receipt.case_id)


def test_partners_and_counsellors_cannot_change_cases() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    with pytest.raises(PermissionDenied, match=r"may not|not change"):
        cases.request_trace(ctx, PARTNER, receipt.case_id)
    # a counsellor reaches no case at all: out of scope reads as missing (404), never 403
    with pytest.raises(NotFound, match=f"case {receipt.case_id} not found"):
        cases.request_trace(ctx, Actor("user", "c", "counsellor"), receipt.case_id)


def test_only_a_person_whose_role_enters_alerts_may_enter_one() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    with pytest.raises(PermissionDenied, match=r"may not alert\.enter"):
        receive_alert(ctx, ReceiveAlert(alert(clock), Actor("user", "dsp", "district_officer")))
    assert factory.store.cases == {}
    assert receive_alert(ctx, ReceiveAlert(alert(clock), OP)).case_id


def test_an_outcome_dated_in_the_future_is_refused() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    cases.request_trace(ctx, OP, receipt.case_id)
    cases.dispatch_case(ctx, OP, receipt.case_id, ["STF"])
    with pytest.raises(InvalidOutcome, match="in the future"):
        cases.record_outcome(
            ctx, OP, receipt.case_id, "reached_safe", at=clock.now() + timedelta(hours=1)
        )
    assert factory.store.cases[receipt.case_id].outcome is None


def test_an_unknown_outcome_lists_the_known_ones() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    receipt = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    with pytest.raises(InvalidOutcome, match="known outcomes: reached_safe"):
        cases.record_outcome(ctx, OP, receipt.case_id, "rescued")


def test_configured_alert_jobs_are_enqueued_for_every_alert_with_its_ids() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    ctx = replace(ctx, config=replace(ctx.config, alert_jobs=("assess_risk", "resolve_location")))
    first = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER))
    second = receive_alert(ctx, ReceiveAlert(alert(clock, reference="FB-2"), PARTNER))
    pipeline = [
        (j["kind"], j["payload"])
        for j in factory.store.jobs
        if j["kind"] in ("assess_risk", "resolve_location")
    ]
    assert pipeline == [
        ("assess_risk", {"alert_id": first.alert_id, "case_id": first.case_id}),
        ("resolve_location", {"alert_id": first.alert_id, "case_id": first.case_id}),
        ("assess_risk", {"alert_id": second.alert_id, "case_id": first.case_id}),
        ("resolve_location", {"alert_id": second.alert_id, "case_id": first.case_id}),
    ]
