"""The job prune: done jobs older than LIFELINE_JOB_KEEP_DONE_SECONDS and failed jobs older
than LIFELINE_JOB_KEEP_FAILED_DAYS are deleted, by a durable `prune_jobs` job that schedules the
next run (every `JobKeep.every`).

Each batch of at most BATCH rows is found and deleted in its own short transaction, so the
table is never locked for long and workers claim and complete jobs meanwhile (on SQLite the
write lock is held for one batch; on PostgreSQL only the deleted rows are locked). Pending and
running jobs are never touched. One audit entry per run that deleted anything carries the
counts, never a payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lifeline.domain.model import SYSTEM, Actor
from lifeline.services.context import Context
from lifeline.services.job_spec import free_job
from lifeline.services.job_types import JobKind, PruneJob, enqueue
from lifeline.services.ports import Job, UnitOfWork

#: rows deleted per transaction
BATCH = 500


@dataclass
class PruneCounts:
    done: int = 0
    failed: int = 0
    batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"done": self.done, "failed": self.failed, "batches": self.batches}


def run(ctx: Context, now: datetime, *, actor: Actor = SYSTEM) -> PruneCounts:
    """Delete the finished jobs past their keeping period, BATCH rows per transaction."""
    keep = ctx.config.job_keep
    counts = PruneCounts()
    for status, before in (("done", now - keep.done), ("failed", now - keep.failed)):
        while True:
            with ctx.uow() as uow:
                ids = uow.job_prune.finished_before(status, before, BATCH)
                gone = uow.job_prune.delete(status, ids)
                uow.commit()
            if not ids:
                break
            counts.batches += 1
            setattr(counts, status, getattr(counts, status) + gone)
            if len(ids) < BATCH:
                break
    if counts.done or counts.failed:
        with ctx.uow() as uow:
            uow.audit.append(
                at=now,
                actor=str(actor),
                action="jobs.prune",
                case_id=None,
                details=counts.as_dict(),
            )
            uow.commit()
    return counts


def ensure_scheduled(uow: UnitOfWork, now: datetime) -> bool:
    """Schedule the prune if no prune job is pending (a worker's start, `db upgrade`); True if
    it scheduled one. Runs in the caller's transaction."""
    if uow.job_prune.prune_scheduled() is not None:
        return False
    enqueue(uow.jobs, JobKind.PRUNE_JOBS, PruneJob(), now=now, run_at=now)
    return True


@free_job(JobKind.PRUNE_JOBS, payload=PruneJob)
def prune_jobs(ctx: Context, job: Job, _: PruneJob) -> None:
    """Free handler: the prune works in many small transactions; the next run is scheduled as
    this job completes, unless another is already pending (two chains become one)."""
    now = ctx.clock.now()
    run(ctx, now)
    with ctx.uow() as uow:
        uow.jobs.complete(job, ctx.clock.now())
        if uow.job_prune.prune_scheduled(running=False) is None:
            enqueue(
                uow.jobs,
                JobKind.PRUNE_JOBS,
                PruneJob(),
                now=now,
                run_at=now + ctx.config.job_keep.every,
            )
        uow.commit()
