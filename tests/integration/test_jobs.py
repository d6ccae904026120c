"""The durable job queue and the worker, on both databases."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from test_storage import make_alert

from lifeline.adapters.db.tables import jobs
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.domain.events import DispatchOverdue
from lifeline.domain.model import Actor, OutcomeKind
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.ports import Job, LeaseLost, UnitOfWork
from lifeline.settings import Settings
from lifeline.worker import Worker
from support import FakeClock, RecordingSink

OP = Actor("cli", "tester", "admin")


def job_rows(app: Lifeline, kind: str | None = None) -> list[dict]:
    with app.engine.connect() as conn:
        query = select(jobs).order_by(jobs.c.id)
        if kind:
            query = query.where(jobs.c.kind == kind)
        return [dict(r._mapping) for r in conn.execute(query)]


def test_intake_writes_its_jobs_in_the_same_transaction(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    receipt = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP))
    kinds = [r["kind"] for r in job_rows(lifeline)]
    # plus the per-alert pipeline jobs (risk, location) wired by bootstrap
    assert kinds.count("check_dispatch_deadline") == 1 and kinds.count("deliver_event") == 1
    assert all(r["case_id"] == receipt.case_id for r in job_rows(lifeline))


def test_the_worker_delivers_events_and_marks_jobs_done(
    lifeline: Lifeline, clock: FakeClock, sink: RecordingSink
) -> None:
    receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP))
    Worker(lifeline).run_once()
    assert job_rows(lifeline, "check_dispatch_deadline")[0]["status"] == "pending"  # not due
    delivery = job_rows(lifeline, "deliver_event")[0]  # the case_opened event
    assert delivery["status"] == "done" and delivery["attempts"] == 1
    assert ("http://127.0.0.1:9/events", f"job-{delivery['id']}", "case_opened") in [
        (url, eid, ev["event"]) for url, eid, ev in sink.delivered
    ]


def test_a_failing_job_is_retried_with_backoff_and_the_failure_is_on_the_timeline(
    lifeline: Lifeline, clock: FakeClock, sink: RecordingSink
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    worker = Worker(lifeline)
    while worker.run_once():  # the alert's own jobs, delivered fine
        pass
    with lifeline.ctx.uow() as uow:
        job_id = uow.jobs.enqueue(
            "deliver_event",
            {"url": "http://hook", "event": {"event": "test"}},
            now=clock.now(),
            case_id=case_id,
        )
        uow.commit()
    sink.fail_with = ConnectionError("receiver down")
    assert worker.run_once() == 1
    job = next(r for r in job_rows(lifeline) if r["id"] == job_id)
    assert job["status"] == "pending" and job["attempts"] == 1
    assert job["run_at"] == clock.now() + timedelta(seconds=5)
    assert "receiver down" in job["last_error"]
    assert worker.run_once() == 0  # not due before the backoff
    clock.advance(seconds=6)
    sink.fail_with = None
    assert worker.run_once() == 1
    assert next(r for r in job_rows(lifeline) if r["id"] == job_id)["status"] == "done"
    timeline = cases.show_case(lifeline.ctx, OP, case_id).timeline
    failures = [t for t in timeline if t.kind == "job_failed"]
    assert len(failures) == 1 and "will retry" in failures[0].summary
    assert failures[0].details["job_id"] == job_id


def test_after_the_last_attempt_a_job_is_kept_as_failed_never_dropped(
    lifeline: Lifeline, clock: FakeClock, sink: RecordingSink
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    sink.fail_with = ConnectionError("receiver down")
    worker = Worker(lifeline)
    for _ in range(lifeline.settings.job_max_attempts):
        clock.advance(hours=2)
        worker.run_once()
    job = job_rows(lifeline, "deliver_event")[0]  # the case_opened event
    assert job["status"] == "failed" and job["attempts"] == lifeline.settings.job_max_attempts
    assert lifeline.job_stats().failed >= 1
    final = [
        t for t in cases.show_case(lifeline.ctx, OP, case_id).timeline if t.details.get("final")
    ]
    assert final and "failed for good" in final[0].summary
    with lifeline.ctx.uow() as uow:
        assert uow.jobs.retry(job["id"], clock.now())
        uow.commit()
    sink.fail_with = None
    worker.run_once()
    assert job_rows(lifeline, "deliver_event")[0]["status"] == "done"


def test_a_job_whose_lease_expired_is_taken_over_and_the_old_run_cannot_complete(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP))
    lease = timedelta(seconds=lifeline.settings.job_lease_seconds)
    with lifeline.ctx.uow() as uow:
        stale = next(j for j in uow.jobs.claim(clock.now(), lease) if j.kind == "deliver_event")
        uow.commit()
    clock.advance(seconds=lifeline.settings.job_lease_seconds + 1)
    with lifeline.ctx.uow() as uow:
        (fresh,) = [j for j in uow.jobs.claim(clock.now(), lease) if j.id == stale.id]
        uow.commit()
    assert fresh.attempts == 2 and fresh.claim_token != stale.claim_token
    with lifeline.ctx.uow() as uow, pytest.raises(LeaseLost):
        uow.jobs.complete(stale, clock.now())
    with lifeline.ctx.uow() as uow:
        uow.jobs.complete(fresh, clock.now())
        uow.commit()


class SlowJob:
    """A free job (run outside a transaction, as sending is) that waits to be told to finish,
    then completes in its own transaction; records every worker that ran it to completion."""

    def __init__(self) -> None:
        self.started, self.proceed = threading.Event(), threading.Event()
        self.completed: list[str] = []

    def handler(self, name: str, *, wait: bool) -> Any:
        def run(ctx: Any, job: Job) -> None:
            if wait:
                self.started.set()
                assert self.proceed.wait(30)
            with ctx.uow() as uow:
                uow.jobs.complete(job, ctx.clock.now())
                uow.commit()
            self.completed.append(name)

        return run


def _running_slow_job(
    lifeline: Lifeline, clock: FakeClock, kind: str = "slow"
) -> tuple[SlowJob, Worker, Any]:
    """Worker `a` claims a slow job and is in the middle of it."""
    slow = SlowJob()
    with lifeline.ctx.uow() as uow:
        uow.jobs.enqueue(kind, {}, now=clock.now())
        uow.commit()
    a = Worker(lifeline, handlers={}, free_handlers={kind: slow.handler("a", wait=True)})
    runner = threading.Thread(target=a.run_once)
    runner.start()
    assert slow.started.wait(30)
    return slow, a, runner


def test_a_worker_that_heartbeats_keeps_its_job_past_the_lease(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    slow, a, runner = _running_slow_job(lifeline, clock)
    b = Worker(lifeline, handlers={}, free_handlers={"slow": slow.handler("b", wait=False)})
    lease = lifeline.settings.job_lease_seconds
    assert len(a.held()) == 1
    for _ in range(4):  # 2.4 leases in all, each renewal within one
        clock.advance(seconds=lease * 0.6)
        assert a.beat() == set()
        assert b.run_once() == 0  # nothing to take over: the job is still a's
    slow.proceed.set()
    runner.join(30)
    (row,) = job_rows(lifeline, "slow")
    assert slow.completed == ["a"] and (row["status"], row["attempts"]) == ("done", 1)
    assert a.held() == set() and a.beat() == set()  # a finished job is not renewed


def test_a_worker_that_stops_heartbeating_loses_its_job_and_cannot_complete_it(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    slow, a, runner = _running_slow_job(lifeline, clock)
    b = Worker(lifeline, handlers={}, free_handlers={"slow": slow.handler("b", wait=False)})
    clock.advance(seconds=lifeline.settings.job_lease_seconds * 0.6)
    assert a.beat() == set()
    # a misses its renewals (stalled, or its heartbeat cannot reach the database)
    clock.advance(seconds=lifeline.settings.job_lease_seconds + 1)
    assert b.run_once() == 1  # taken over once the renewed lease ran out
    assert slow.completed == ["b"]
    (job_id,) = [r["id"] for r in job_rows(lifeline, "slow")]
    assert a.beat() == {job_id}  # a's renewal finds the job gone: logged, no longer renewed
    assert a.held() == set()
    slow.proceed.set()
    runner.join(30)
    # a's late completion was refused (LeaseLost), not recorded as a failure: b's run stands
    (row,) = job_rows(lifeline, "slow")
    assert slow.completed == ["b"]
    assert (row["status"], row["attempts"], row["last_error"]) == ("done", 2, None)


def test_a_job_hung_past_the_run_limit_is_no_longer_renewed_and_is_taken_over(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """A live worker whose runner hangs (a call with no timeout, a bug) must not hold an
    escalation step or a message for ever by renewing it: past LIFELINE_JOB_MAX_RUN_SECONDS
    it gives the job up, another worker runs it, and the hung run's completion is refused."""
    slow, a, runner = _running_slow_job(lifeline, clock)
    b = Worker(lifeline, handlers={}, free_handlers={"slow": slow.handler("b", wait=False)})
    lease = lifeline.settings.job_lease_seconds
    limit = lifeline.settings.job_max_run_seconds
    claimed_at = clock.now()
    while (clock.now() - claimed_at).total_seconds() + lease * 0.6 <= limit:
        clock.advance(seconds=lease * 0.6)
        assert a.beat() == set() and len(a.held()) == 1  # renewed up to the limit
        assert b.run_once() == 0
    clock.advance(seconds=lease * 0.6)  # past the limit: the next beat gives the job up
    assert a.beat() == set() and a.held() == set()
    assert b.run_once() == 0  # its last renewal still runs one lease
    clock.advance(seconds=lease + 1)
    assert b.run_once() == 1 and slow.completed == ["b"]
    slow.proceed.set()
    runner.join(30)
    (row,) = job_rows(lifeline, "slow")
    assert slow.completed == ["b"]  # the hung run's late completion was refused
    assert (row["status"], row["attempts"]) == ("done", 2)


def test_the_retention_purge_is_renewed_past_the_run_limit(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Housekeeping may rightly run long on a large database: the purge keeps its lease."""
    slow, a, runner = _running_slow_job(lifeline, clock, kind="retention_purge")
    b = Worker(
        lifeline, handlers={}, free_handlers={"retention_purge": slow.handler("b", wait=False)}
    )
    lease = lifeline.settings.job_lease_seconds
    for _ in range(int(lifeline.settings.job_max_run_seconds / (lease * 0.6)) + 3):
        clock.advance(seconds=lease * 0.6)
        assert a.beat() == set() and len(a.held()) == 1
        assert b.run_once() == 0
    slow.proceed.set()
    runner.join(30)
    assert slow.completed == ["a"]


def test_the_dispatch_deadline_alarms_on_the_timeline_only_if_still_undispatched(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    # the deadline is for cases waiting on a person (automatic dispatch would send this one)
    lifeline.ctx = replace(lifeline.ctx, config=replace(lifeline.ctx.config, auto_dispatch=False))
    waiting = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    other = make_alert(clock, handle="someone.else")
    other.reference = "FB-2"
    moved = receive_alert(lifeline.ctx, ReceiveAlert(other, OP)).case_id
    cases.request_trace(lifeline.ctx, OP, moved)
    cases.dispatch_case(lifeline.ctx, OP, moved, ["STF"])
    clock.advance(seconds=lifeline.settings.dispatch_deadline.default.total_seconds() + 1)
    Worker(lifeline).run_once()
    overdue = [t.kind for t in cases.show_case(lifeline.ctx, OP, waiting).timeline]
    dispatched = [t.kind for t in cases.show_case(lifeline.ctx, OP, moved).timeline]
    assert "dispatch_overdue" in overdue
    assert "dispatch_overdue" not in dispatched
    assert all(r["status"] == "done" for r in job_rows(lifeline, "check_dispatch_deadline"))


def test_several_workers_never_run_one_job_twice(lifeline: Lifeline, clock: FakeClock) -> None:
    ran: list[int] = []
    lock = threading.Lock()

    def record(ctx: object, uow: UnitOfWork, job: Job) -> None:
        with lock:
            ran.append(job.id)

    with lifeline.ctx.uow() as uow:
        for i in range(200):
            uow.jobs.enqueue("record", {"i": i}, now=clock.now())
        uow.commit()
    workers = [Worker(lifeline, handlers={"record": record}) for _ in range(4)]

    def drain(worker: Worker) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(ran) == sorted(set(ran)) and len(ran) == 200
    with lifeline.engine.connect() as conn:
        statuses = conn.execute(text("SELECT DISTINCT status FROM jobs")).scalars().all()
    assert statuses == ["done"]


def test_housekeeping_forgets_only_signatures_too_old_to_replay(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    with lifeline.ctx.uow() as uow:
        partner = uow.partners.add("Meta", "pk_x", "s", clock.now())
        assert uow.signatures.remember(partner.id, "a" * 64, clock.now())
        uow.commit()
    clock.advance(minutes=9)
    with lifeline.ctx.uow() as uow:
        assert uow.signatures.remember(partner.id, "b" * 64, clock.now())
        uow.commit()
    clock.advance(minutes=2)
    Worker(lifeline).housekeeping()
    with lifeline.ctx.uow() as uow:
        assert uow.signatures.remember(partner.id, "a" * 64, clock.now())  # forgotten
        assert not uow.signatures.remember(partner.id, "b" * 64, clock.now())  # still known


def test_a_job_with_a_bad_payload_fails_for_good_at_once_on_its_case_timeline(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    worker = Worker(lifeline)
    while worker.run_once():  # the alert's own jobs
        pass
    with lifeline.ctx.uow() as uow:
        job_id = uow.jobs.enqueue(
            "assess_risk", {"alert_id": "x", "case_id": case_id}, now=clock.now(), case_id=case_id
        )
        uow.commit()
    assert worker.run_once() == 1
    job = next(r for r in job_rows(lifeline) if r["id"] == job_id)
    assert job["status"] == "failed" and job["attempts"] == 1  # not retried
    assert job["last_error"] == (
        f"BadJobPayload: assess_risk job {job_id}: payload field 'alert_id' must be int, got str"
    )
    (failure,) = [
        t for t in cases.show_case(lifeline.ctx, OP, case_id).timeline if t.kind == "job_failed"
    ]
    assert "assess_risk failed for good" in failure.summary and failure.details["final"]


def test_the_unit_of_work_writes_the_events_outbox_rows_in_the_committing_transaction(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    before = {r["id"] for r in job_rows(lifeline)}
    # a use case that records events on the case calls no publish: its unit of work writes them
    cases.dismiss(lifeline.ctx, OP, case_id, "false_alarm", "a film quote")
    new = [r for r in job_rows(lifeline, "deliver_event") if r["id"] not in before]
    assert sorted(r["payload"]["event"]["event"] for r in new) == [
        "case_transitioned",
        "milestone_reached",
        "outcome_recorded",
    ]
    assert {(r["case_id"], r["payload"]["url"]) for r in new} == {
        (case_id, "http://127.0.0.1:9/events")
    }
    # an event on a case the transaction only read is written too, and only at COMMIT
    with lifeline.ctx.uow() as uow:
        rows = len(uow.jobs.recent(limit=1000))
        case = uow.cases.get(case_id)
        case.events.append(DispatchOverdue(case_id, clock.now(), 300, "dismissed"))
        assert len(uow.jobs.recent(limit=1000)) == rows  # written at COMMIT, not before
        uow.commit()
    assert job_rows(lifeline, "deliver_event")[-1]["payload"]["event"]["event"] == (
        "dispatch_overdue"
    )


def test_a_rolled_back_transaction_writes_no_outbox_rows(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    before = job_rows(lifeline)
    with pytest.raises(RuntimeError), lifeline.ctx.uow() as uow:
        case = uow.cases.get(case_id, for_update=True)
        case.dismiss(OutcomeKind.FALSE_ALARM, clock.now(), OP, "a film quote")
        uow.cases.save(case)
        raise RuntimeError("a later step of the use case failed")
    with lifeline.ctx.uow() as uow:
        case = uow.cases.get(case_id, for_update=True)
        case.dismiss(OutcomeKind.FALSE_ALARM, clock.now(), OP, "a film quote")
        uow.cases.save(case)
        uow.rollback()
    assert job_rows(lifeline) == before


def test_the_idle_poll_reads_when_the_next_job_is_due_without_holding_a_transaction(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    probe = lifeline.job_due_probe()
    assert probe is not None
    try:
        assert probe.next_due() is None  # nothing waits
        with lifeline.ctx.uow() as uow:
            uow.jobs.enqueue(
                "later", {}, now=clock.now(), run_at=clock.now() + timedelta(seconds=60)
            )
            uow.jobs.enqueue("soon", {}, now=clock.now(), run_at=clock.now() + timedelta(seconds=9))
            uow.commit()
        assert probe.next_due() == clock.now() + timedelta(seconds=9)
        # a claimed job's lease running out counts too (its worker may have died)
        clock.advance(seconds=10)
        lease = timedelta(seconds=lifeline.settings.job_lease_seconds)
        with lifeline.ctx.uow() as uow:
            (held,) = uow.jobs.claim(clock.now(), lease)
            uow.commit()
        assert held.kind == "soon"
        assert probe.next_due() == min(clock.now() + lease, clock.now() + timedelta(seconds=50))
        # the probe holds no transaction: a writer is not kept waiting by it (SQLite's lock)
        with lifeline.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=100")
            conn.execute(text("UPDATE jobs SET attempts = attempts WHERE id = :i"), {"i": held.id})
            conn.commit()
    finally:
        probe.close()


def test_on_postgresql_a_worker_is_told_at_once_of_jobs_another_process_queued(
    lifeline: Lifeline, settings: Settings, clock: FakeClock
) -> None:
    listener = lifeline.job_listener()
    if lifeline.engine.dialect.name != "postgresql":
        assert listener is None  # SQLite: the worker polls
        return
    assert listener is not None
    woken, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=listener.run, args=(woken.set, stop), daemon=True)
    thread.start()
    other = bootstrap(settings, clock=clock)  # an API process, say
    try:
        assert woken.wait(10)  # listening: told to look once at the start
        woken.clear()
        assert listener.listening
        other.jobs_ready.set()  # what an API does after committing an alert's jobs
        assert woken.wait(5), "the notification never came"
    finally:
        stop.set()
        thread.join(10)
        other.dispose()
    assert not thread.is_alive() and not listener.listening
    # the notifying side's thread and connection end with its application
    assert not [t for t in threading.enumerate() if t.name == "lifeline-notify"]


def test_a_batch_cut_short_by_the_database_leaves_its_unrun_jobs_unrenewed_and_taken_over(
    lifeline: Lifeline, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away mid-batch: a job fails and even its failure cannot be recorded.
    The jobs of the batch not yet run must not stay leased by the worker's heartbeat (the soak
    found two escalation steps held, unrun, for seven minutes after a PostgreSQL restart)."""
    ran: list[str] = []

    def boom(ctx: Any, uow: UnitOfWork, job: Job) -> None:
        raise RuntimeError("the handler's statement failed")

    def record(name: str) -> Any:
        def run(ctx: Any, uow: UnitOfWork, job: Job) -> None:
            ran.append(name)

        return run

    with lifeline.ctx.uow() as uow:
        uow.jobs.enqueue("boom", {}, now=clock.now())
        uow.jobs.enqueue("after", {}, now=clock.now())
        uow.commit()
    a = Worker(lifeline, handlers={"boom": boom, "after": record("a")}, free_handlers={})
    a.run_together = 1  # each job in its own transaction: "after" is still to run after "boom"

    def database_away(job: Job, exc: Exception, permanent: bool) -> None:
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(a, "_record_failure", database_away)
    with pytest.raises(ConnectionError):
        a.run_once()
    assert a.held() == set() and a.beat() == set()  # nothing left to renew
    assert ran == []
    b = Worker(lifeline, handlers={"boom": boom, "after": record("b")}, free_handlers={})
    assert b.run_once() >= 1  # the unrun job was given back: claimed at once, not after a lease
    assert ran == ["b"]
