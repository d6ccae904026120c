"""The job table is kept small: the `prune_jobs` job deletes finished jobs past their keeping
period, in batches, leaves pending, running and recent jobs alone, and schedules itself once
(both databases)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from dispatch_support import drain
from lifeline.adapters.db.tables import jobs
from lifeline.bootstrap import Lifeline
from lifeline.doctor.base import Run
from lifeline.doctor.jobs import job_table
from lifeline.services.job_prune import prune
from lifeline.services.job_types import EventJob, JobKind, PruneJob, enqueue
from lifeline.settings import Settings
from support import FakeClock

PRUNE = "prune_jobs"
KEEP_DONE = timedelta(days=1)  # the defaults: done jobs a day, failed ones 30 days


def add_job(app: Lifeline, status: str, finished: datetime | None, label: str) -> int:
    """A deliver_event job (never due: run_at in the past is fine, the worker is not run on it
    unless pending) with the given status and finish time; `label` is kept in its payload."""
    now = app.clock.now()
    with app.ctx.uow() as uow:
        payload = asdict(EventJob("http://127.0.0.1:9/x", {"l": label}))
        job_id = uow.jobs.enqueue(JobKind.DELIVER_EVENT, payload, now=now)  # its id, at once
        uow.commit()
    run_at = (finished or now) - timedelta(seconds=1)
    with app.engine.begin() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(status=status, run_at=run_at, created_at=run_at, finished_at=finished)
        )
    return job_id


def rows(app: Lifeline, kind: str | None = None) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        query = select(jobs).order_by(jobs.c.id)
        if kind is not None:
            query = query.where(jobs.c.kind == kind)
        return [dict(r._mapping) for r in conn.execute(query)]


def prune_audit(app: Lifeline) -> list[dict[str, Any]]:
    with app.ctx.uow(readonly=True) as uow:
        return [r.details for r in uow.audit.records() if r.action == "jobs.prune"]


def test_old_finished_jobs_go_and_pending_running_and_recent_ones_stay(
    lifeline: Lifeline, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = lifeline
    monkeypatch.setattr(prune, "BATCH", 3)  # several batches, each its own transaction
    now = clock.now()
    old_done = [
        add_job(app, "done", now - KEEP_DONE - timedelta(minutes=i + 1), "d") for i in range(7)
    ]
    recent_done = add_job(app, "done", now - KEEP_DONE + timedelta(minutes=5), "recent")
    old_failed = add_job(app, "failed", now - timedelta(days=31), "f")
    young_failed = add_job(app, "failed", now - timedelta(days=10), "f10")
    stays = {
        recent_done,
        young_failed,
        add_job(app, "pending", None, "p"),  # due long ago, never finished
        add_job(app, "running", None, "r"),
    }
    with app.engine.begin() as conn:  # pending and running since long before the periods
        conn.execute(
            update(jobs)
            .where(jobs.c.status.in_(("pending", "running")))
            .values(run_at=now - timedelta(days=60), created_at=now - timedelta(days=60))
        )

    counts = prune.run(app.ctx, now)

    assert (counts.done, counts.failed) == (7, 1)
    assert counts.batches == 4  # 3 + 3 + 1 done, then 1 failed
    left = {r["id"] for r in rows(app)}
    assert stays <= left
    assert not (set(old_done) | {old_failed}) & left
    assert prune_audit(app) == [{"done": 7, "failed": 1, "batches": 4}], "counts, never payloads"
    assert prune.run(app.ctx, now).as_dict() == {"done": 0, "failed": 0, "batches": 0}
    assert len(prune_audit(app)) == 1, "a run that deleted nothing writes no audit entry"


def test_a_failed_job_retried_while_the_prune_runs_stays(lifeline: Lifeline) -> None:
    app = lifeline
    now = app.clock.now()
    failed = add_job(app, "failed", now - timedelta(days=40), "f")
    with app.ctx.uow() as uow:
        found = uow.job_prune.finished_before("failed", now - timedelta(days=30), 10)
        uow.commit()
    assert found == [failed]
    with app.ctx.uow() as uow:  # an operator's `jobs retry` between the read and the delete
        assert uow.jobs.retry(failed, now)
        uow.commit()
    with app.ctx.uow() as uow:
        assert uow.job_prune.delete("failed", found) == 0
        uow.commit()
    assert [r["status"] for r in rows(app) if r["id"] == failed] == ["pending"]


def test_the_prune_job_runs_from_the_worker_and_schedules_itself_exactly_once(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    app = lifeline
    every = app.ctx.config.job_keep.every
    assert every == timedelta(hours=1)
    app.schedule_retention()  # a worker's start schedules the purge and the prune
    app.schedule_retention()
    assert [r["status"] for r in rows(app, PRUNE)] == ["pending"], "scheduled once"
    stale = add_job(app, "done", clock.now() - KEEP_DONE - timedelta(hours=1), "stale")

    drain(app)

    chain = rows(app, PRUNE)
    assert [r["status"] for r in chain] == ["done", "pending"]
    assert chain[1]["run_at"] == clock.now() + every
    assert stale not in {r["id"] for r in rows(app)}
    drain(app)  # not due yet: nothing new
    assert len(rows(app, PRUNE)) == 2
    clock.advance(seconds=every.total_seconds())
    drain(app)
    assert [r["status"] for r in rows(app, PRUNE)] == ["done", "done", "pending"]
    clock.advance(days=2)  # the first two prune jobs are now old done jobs themselves
    drain(app)
    statuses = [r["status"] for r in rows(app, PRUNE)]
    assert statuses.count("pending") == 1 and len(statuses) <= 2


def test_two_prune_chains_become_one(lifeline: Lifeline, clock: FakeClock) -> None:
    app = lifeline
    with app.ctx.uow() as uow:  # two workers started at the same instant
        for _ in range(2):
            enqueue(uow.jobs, JobKind.PRUNE_JOBS, PruneJob(), now=clock.now())
        uow.commit()
    drain(app)
    assert [r["status"] for r in rows(app, PRUNE)].count("pending") == 1


def test_doctor_warns_when_the_prune_is_not_scheduled_or_has_not_run(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    app = lifeline
    checked = Run(app.settings, False, [], engine=app.engine, db_ready=True)
    job_table(checked, now=clock.now())
    assert checked.checks[-1].status == "warn" and "not scheduled" in checked.checks[-1].found
    assert checked.checks[-1].setting == "LIFELINE_JOB_KEEP_DONE_SECONDS"
    app.schedule_retention()
    add_job(app, "done", clock.now(), "fresh")
    job_table(checked, now=clock.now())
    assert checked.checks[-1].status == "ok", checked.checks[-1]
    job_table(checked, now=clock.now() + timedelta(days=3))  # no worker ran it for days
    assert checked.checks[-1].status == "warn" and "has not run" in checked.checks[-1].found
    assert checked.checks[-1].fix


def test_bad_keeping_periods_are_refused_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="job_keep_done_seconds"):
        Settings(job_keep_done_seconds=5, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="LIFELINE_JOB_KEEP_FAILED_DAYS"):
        Settings(job_keep_done_seconds=3 * 86400, job_keep_failed_days=2, _env_file=None)  # type: ignore[call-arg]
    keep = Settings(job_keep_done_seconds=600, _env_file=None).job_keep  # type: ignore[call-arg]
    assert keep.done == timedelta(minutes=10) and keep.every == timedelta(seconds=150)
