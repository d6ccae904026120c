"""Job kinds with typed payloads, and events collected by the unit of work (with fakes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from fakes import make_context

from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.events import DispatchOverdue
from lifeline.domain.model import Actor, OutcomeKind
from lifeline.domain.values import field_values
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.job_spec import job
from lifeline.services.job_types import (
    PAYLOADS,
    AlertJob,
    AlertSteps,
    BadJobPayload,
    CaseJob,
    EventJob,
    JobKind,
    NotificationsJob,
    PurgeJob,
    enqueue,
    parse_payload,
)
from lifeline.services.jobs import DEFAULT_HANDLERS, FREE, FREE_HANDLERS, TRANSACTIONAL
from support import FakeClock

PARTNER = Actor("partner", "1", "partner")
OP = Actor("user", "op", "smc_operator")


def alert(clock: FakeClock) -> Alert:
    return Alert(
        source=AlertSource.PLATFORM_API,
        received_at=clock.now(),
        raw_payload=b"{}",
        raw_content_type="application/json",
        platform="facebook",
        reference="FB-1",
        subject=Subject(name="Ravi", handle="ravi.k"),
        post=Post("jeena nahi hai"),
        partner_id=1,
    )


def deliveries(jobs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (j["payload"]["url"], j["payload"]["event"]["event"])
        for j in jobs
        if j["kind"] == JobKind.DELIVER_EVENT
    ]


# -- job kinds and payloads -------------------------------------------------------------------


def test_every_job_kind_has_exactly_one_handler_taking_its_payload() -> None:
    specs = [*TRANSACTIONAL, *FREE]
    assert sorted(s.kind for s in specs) == sorted(JobKind)
    assert all(s.payload is PAYLOADS[s.kind] for s in specs)
    assert set(DEFAULT_HANDLERS).isdisjoint(FREE_HANDLERS)
    assert set(DEFAULT_HANDLERS) | set(FREE_HANDLERS) == set(JobKind)


def test_stored_kinds_are_unchanged() -> None:
    assert [k.value for k in JobKind] == [
        "assess_risk",
        "resolve_location",
        "link_repeat_cases",
        "check_dispatch_deadline",
        "escalation_step",
        "check_reached",
        "send_notification",
        "followup_due",
        "deliver_event",
        "send_audit_checkpoint",
        "check_desk_attended",
        "check_followup_recorded",
        "retention_purge",
        "process_alert",
        "send_notifications",
        "prune_jobs",
    ]


def test_a_payload_that_does_not_fit_its_kind_is_refused_before_it_is_stored() -> None:
    ctx, factory, _ = make_context()
    with ctx.uow() as uow, pytest.raises(TypeError, match="carries AlertJob, not CaseJob"):
        enqueue(uow.jobs, JobKind.ASSESS_RISK, CaseJob(1), now=ctx.clock.now())
    with pytest.raises(TypeError, match="carries CaseJob"):
        job(JobKind.CHECK_REACHED, payload=AlertJob)
    assert factory.store.jobs == []


@pytest.mark.parametrize(
    ("stored", "field", "problem"),
    [
        ({"case_id": 3}, "alert_id", "is missing"),
        ({"alert_id": "4", "case_id": 3}, "alert_id", "must be int, got str"),
        ({"alert_id": 4, "case_id": True}, "case_id", "must be int, got bool"),
        (["alert_id", 4], "*", "expected an object, got list"),
    ],
)
def test_a_bad_stored_payload_is_one_error_naming_kind_job_and_field(
    stored: object, field: str, problem: str
) -> None:
    with pytest.raises(BadJobPayload) as err:
        parse_payload(JobKind.ASSESS_RISK, 12, AlertJob, stored)
    assert (err.value.kind, err.value.job_id, err.value.field) == ("assess_risk", 12, field)
    assert str(err.value) == f"assess_risk job 12: payload field {field!r} {problem}"


def test_a_good_payload_is_handed_over_typed_and_extra_keys_are_ignored() -> None:
    parsed = parse_payload(JobKind.ASSESS_RISK, 1, AlertJob, {"alert_id": 4, "case_id": 3, "x": 0})
    assert parsed == AlertJob(alert_id=4, case_id=3)


# -- events collected by the unit of work -----------------------------------------------------


def test_a_use_case_gets_the_outbox_rows_of_its_events_without_publishing() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock, webhooks=("http://a", "http://b"))
    case_id = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER)).case_id
    before = len(factory.store.jobs)
    cases.dismiss(ctx, OP, case_id, OutcomeKind.FALSE_ALARM.value, "a film quote")
    new = deliveries(factory.store.jobs[before:])
    # one row per event and webhook: the transition, its milestone and the outcome
    assert sorted(new) == sorted(
        (url, name)
        for url in ("http://a", "http://b")
        for name in ("outcome_recorded", "case_transitioned", "milestone_reached")
    )
    assert all(j["case_id"] == case_id for j in factory.store.jobs[before:])


def test_an_event_recorded_on_any_case_the_transaction_saw_is_written_at_commit() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    case_id = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER)).case_id
    before = len(factory.store.jobs)
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)  # read, never saved
        case.events.append(DispatchOverdue(case_id, clock.now(), 300, "received"))
        assert len(uow.jobs.recent(limit=1000)) == before  # not before COMMIT
        uow.commit()
    assert deliveries(factory.store.jobs[before:]) == [("http://hook", "dispatch_overdue")]
    assert case.events == []  # taken once: a second commit would not repeat them


def test_a_transaction_that_does_not_commit_writes_no_outbox_rows() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    case_id = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER)).case_id
    before = len(factory.store.jobs)
    with pytest.raises(RuntimeError), ctx.uow() as uow:
        case = uow.cases.get(case_id)
        case.events.append(DispatchOverdue(case_id, clock.now(), 300, "received"))
        raise RuntimeError("the use case failed after recording the event")
    assert len(factory.store.jobs) == before


def test_with_no_webhook_configured_events_write_nothing() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock, webhooks=())
    case_id = receive_alert(ctx, ReceiveAlert(alert(clock), PARTNER)).case_id
    clock.advance(minutes=1)
    cases.dismiss(ctx, OP, case_id, OutcomeKind.FALSE_ALARM.value, "a film quote")
    assert deliveries(factory.store.jobs) == []
    assert [j["kind"] for j in factory.store.jobs] == [JobKind.CHECK_DISPATCH_DEADLINE]


def test_a_payload_is_stored_as_asdict_stores_it_with_lists_and_dicts_of_its_own() -> None:
    event = {"kind": "case_dispatched", "units": ["a", "b"], "at": {"utc": "2026-01-01"}}
    payloads = [
        AlertSteps(1, 2, ["resolve_location", "assess_risk"]),
        NotificationsJob([3, 4, 5]),
        EventJob("https://example.org/hook", event),
        PurgeJob(),
    ]
    for payload in payloads:
        assert field_values(payload, own_containers=True) == asdict(payload)
    stored = field_values(EventJob("https://example.org/hook", event), own_containers=True)
    assert stored["event"] is not event and stored["event"]["units"] is not event["units"]
