"""A send job claimed by the transaction that queued its messages is read ahead there (issue 18's
hot path): it sends without a read transaction of its own, and what it sends is what a read of
its own would have found; a read ahead that waited too long is read again, so a message whose
dispatch ended meanwhile is withdrawn, not sent. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from dispatch_support import PARTNER, Receiver, take_alert, unit_endpoints
from lifeline.bootstrap import Lifeline
from lifeline.domain.dispatch import NotificationState
from lifeline.services.dispatch.acknowledgement import acknowledge_units
from lifeline.services.dispatch.notify import READ_AHEAD_SECONDS
from lifeline.services.job_spec import READ_AHEAD_KEY
from lifeline.services.jobs import DEFAULT_HANDLERS
from lifeline.services.ports import Job
from lifeline.worker import Worker
from support import FakeClock


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


def claimed_sends(lifeline: Lifeline, clock: FakeClock, worker: Worker) -> list[Job]:
    """Run the alert's process_alert job as the worker does; the send job its COMMIT claimed."""
    lease = timedelta(seconds=lifeline.settings.job_lease_seconds)
    with lifeline.ctx.uow() as uow:
        (work,) = [j for j in uow.jobs.claim(clock.now(), lease) if j.kind == "process_alert"]
        uow.commit()
    claimed = worker._run(work, claim_next=10)
    assert [j.kind for j in claimed] == ["send_notifications"]
    return claimed


def states(lifeline: Lifeline, case_id: int) -> list[NotificationState]:
    with lifeline.ctx.uow(readonly=True) as uow:
        return [n.state for n in uow.dispatches.notifications_for_case(case_id)]


def test_messages_claimed_by_the_transaction_that_queued_them_go_out_without_a_read_of_their_own(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    case_id = take_alert(lifeline)
    worker = Worker(lifeline)
    (send,) = claimed_sends(lifeline, clock, worker)
    assert READ_AHEAD_KEY in send.extra
    begun: list[object] = []

    def count(conn: object) -> None:
        begun.append(conn)

    # the durable engine and the jobs' one (bootstrap.Lifeline.worker_context), if apart
    found = (lifeline.engine, lifeline._worker_engine)
    engines = list({id(e): e for e in found if e is not None}.values())
    for engine in engines:
        event.listen(engine, "begin", count)
    try:
        worker._run(send)
    finally:
        for engine in engines:
            event.remove(engine, "begin", count)
    assert len(begun) == 1  # recording the deliveries; before, a read transaction came first
    assert len(station.received) == 1 and sorted(others.paths) == ["/cell", "/up112"]
    assert states(lifeline, case_id) == [NotificationState.DELIVERED] * 3
    # what went out is what the job's own read composes
    [body] = station.received
    assert "Madeyganj" in str(body) and "/ack/" in str(body)


def test_a_read_ahead_that_waited_too_long_is_read_again_and_an_ended_dispatch_is_withdrawn(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    case_id = take_alert(lifeline)
    worker = Worker(lifeline)
    (send,) = claimed_sends(lifeline, clock, worker)
    # every unit acknowledges before the job gets a sending thread
    with lifeline.ctx.uow() as uow:
        case = uow.cases.get(case_id, for_update=True)
        assert acknowledge_units(lifeline.ctx, uow, case, PARTNER, "", clock.now(), "test")
        uow.cases.save(case)
        uow.commit()
    _, answer = send.extra[READ_AHEAD_KEY]
    send.extra[READ_AHEAD_KEY] = (time.monotonic() - READ_AHEAD_SECONDS - 0.1, answer)
    worker._run(send)
    assert station.received == [] and others.received == []
    assert states(lifeline, case_id) == [NotificationState.WITHDRAWN] * 3


def test_notifications_read_back_in_the_transaction_that_wrote_them_are_as_stored(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    take_alert(lifeline)
    lease = timedelta(seconds=lifeline.settings.job_lease_seconds)
    with lifeline.ctx.uow() as uow:
        (work,) = [j for j in uow.jobs.claim(clock.now(), lease) if j.kind == "process_alert"]
        uow.commit()
    with lifeline.ctx.uow() as uow:
        DEFAULT_HANDLERS["process_alert"](lifeline.ctx, uow, work)
        uow.jobs.complete(work, clock.now())
        (send,) = uow.jobs.claim(clock.now(), lease, 10)
        ids = send.payload["notification_ids"]
        kept = uow.dispatches.notifications(ids)
        kept[0].detail = "changed by its reader, not saved"  # a copy: not what is kept
        kept = uow.dispatches.notifications(ids)
        uow.commit()
    with lifeline.ctx.uow(readonly=True) as uow:
        stored = uow.dispatches.notifications(ids)
    assert len(stored) == 3
    assert [vars(n) for n in kept] == [vars(n) for n in stored]
