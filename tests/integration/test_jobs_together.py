"""Transactional jobs claimed together run in one transaction, a savepoint each (issue 18's hot
path, LIFELINE_WORKER_RUN_TOGETHER): every alert is processed and its messages sent as if
alone; a job that fails rolls back only its own work, which is recorded and split as if it had
run alone; the audit chain holds. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from dispatch_support import Receiver, drain, resolutions, take_alert, unit_endpoints
from lifeline.adapters.db.tables import jobs
from lifeline.bootstrap import Lifeline
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor
from lifeline.services.access.audit import verify_audit
from lifeline.services.cases import service as cases
from lifeline.services.context import Context
from lifeline.services.jobs import DEFAULT_HANDLERS
from lifeline.services.ports import Job, UnitOfWork
from lifeline.worker import Worker

OP = Actor("user", "op", "smc_operator")


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


def savepoints(lifeline: Lifeline, worker: Worker) -> list[str]:
    """Run the worker once; the SAVEPOINT statements it sent."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("SAVEPOINT"):
            seen.append(statement)

    found = (lifeline.engine, lifeline._worker_engine)
    engines = list({id(e): e for e in found if e is not None}.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        worker.run_once()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
    return seen


def job_status(lifeline: Lifeline, case_id: int, kind: str) -> str:
    with lifeline.engine.connect() as conn:
        query = select(jobs.c.status).where(jobs.c.case_id == case_id, jobs.c.kind == kind)
        return str(conn.execute(query).scalar_one())


def test_alerts_claimed_together_are_processed_in_one_transaction_and_each_sent(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    together = lifeline.settings.worker_run_together
    assert together > 1  # the default
    ids = [take_alert(lifeline, f"person{i}") for i in range(together)]
    worker = Worker(lifeline)
    assert len(savepoints(lifeline, worker)) == together  # one transaction, one each
    for case_id in ids:
        assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED
        assert job_status(lifeline, case_id, "process_alert") == "done"
    drain(lifeline)
    assert len(station.received) == together and len(others.received) == 2 * together
    assert verify_audit(lifeline.ctx).ok


def test_a_job_failing_among_others_rolls_back_alone_and_is_split_as_if_alone(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    ids = [take_alert(lifeline, f"person{i}") for i in range(3)]
    broken = ids[1]
    real = DEFAULT_HANDLERS["process_alert"]

    def fails_after_its_work(ctx: Context, uow: UnitOfWork, job: Job) -> None:
        real(ctx, uow, job)  # everything written, then it fails: all of it must go
        if job.case_id == broken:
            raise RuntimeError("the disk said no")

    worker = Worker(lifeline, handlers={**DEFAULT_HANDLERS, "process_alert": fails_after_its_work})
    assert len(savepoints(lifeline, worker)) == 3
    for case_id in (ids[0], ids[2]):
        assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED
        assert resolutions(lifeline, case_id) == 1
    detail = cases.show_case(lifeline.ctx, OP, broken)
    assert detail.case.status is CaseStatus.RECEIVED and resolutions(lifeline, broken) == 0
    assert len(station.received) == 2
    # recorded as a job failing alone is: split into its steps, the error on the timeline
    assert job_status(lifeline, broken, "process_alert") == "done"
    [failed] = [t for t in detail.timeline if t.kind == "job_failed"]
    assert "the disk said no" in failed.details["error"]
    assert verify_audit(lifeline.ctx).ok  # the rolled-back audit rows left no gap
    drain(lifeline)  # its steps, run on their own, dispatch it
    detail = cases.show_case(lifeline.ctx, OP, broken)
    assert detail.case.status is CaseStatus.DISPATCHED and resolutions(lifeline, broken) == 1
    assert len(station.received) == 3
    assert verify_audit(lifeline.ctx).ok


def test_with_run_together_1_each_job_has_a_transaction_of_its_own(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    for i in range(3):
        take_alert(lifeline, f"person{i}")
    worker = Worker(lifeline)
    worker.run_together = 1
    assert savepoints(lifeline, worker) == []
    drain(lifeline)
    assert len(station.received) == 3
