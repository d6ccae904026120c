"""What a worker records when a job fails (lifeline.worker): a job made of steps
(`process_alert`) is replaced by one job per step; any other is retried with backoff, or kept
as `failed` after its last attempt; either way the case timeline says so."""

from __future__ import annotations

from dataclasses import asdict

import structlog

from lifeline.domain.model import TimelineEntry
from lifeline.observability import Metrics
from lifeline.services.context import Context
from lifeline.services.job_types import PermanentJobError
from lifeline.services.jobs import SPLIT_ON_FAILURE
from lifeline.services.ports import Job, LeaseLost

log = structlog.get_logger("lifeline.worker")


def _split(ctx: Context, metrics: Metrics, job: Job, error: str) -> bool:
    """Replace a failed job made of steps (`process_alert`) by one job per step, in one
    transaction that also completes it; True if done. False (the failure is recorded as
    for any job) when its kind has no steps or its payload cannot be read."""
    split = SPLIT_ON_FAILURE.get(job.kind)
    if split is None:
        return False
    try:
        steps = split(job)
    except PermanentJobError:
        return False
    now = ctx.clock.now()
    try:
        with ctx.uow() as uow:
            uow.jobs.complete(job, now)
            ids = [  # with their ids, for the timeline
                uow.jobs.enqueue(kind, asdict(payload), now=now, case_id=job.case_id)
                for kind, payload in steps
            ]
            if job.case_id is not None:
                uow.cases.note(
                    job.case_id,
                    TimelineEntry(
                        now,
                        "job_failed",
                        f"Background step {job.kind} failed; its steps "
                        f"({', '.join(kind.value for kind, _ in steps)}) run on their own "
                        "/ पृष्ठभूमि कार्य विफल, उसके चरण अलग से चलेंगे",
                        details={"job_id": job.id, "error": error[:500], "split_into": ids},
                    ),
                )
            uow.commit()
    except LeaseLost:  # another worker took the job over: it decides
        log.warning("job.lease_lost", job_id=job.id, kind=job.kind)
        return True
    metrics.jobs_run.labels(job.kind, "split").inc()
    log.warning("job.split", job_id=job.id, kind=job.kind, case_id=job.case_id, error=error)
    return True


def record_failure(
    ctx: Context, metrics: Metrics, job: Job, exc: Exception, permanent: bool
) -> None:
    """Record a job's failure: a job made of steps is split into them; any other is
    rescheduled with backoff, or kept as failed after its last attempt, with the failure on
    the case timeline. Nothing is dropped silently."""
    error = f"{type(exc).__name__}: {exc}"
    if _split(ctx, metrics, job, error):
        return
    now = ctx.clock.now()
    with ctx.uow() as uow:
        final = uow.jobs.fail(job, now, error, permanent=permanent)
        if job.case_id is not None:
            what = "failed for good" if final else "failed, will retry"
            uow.cases.note(
                job.case_id,
                TimelineEntry(
                    now,
                    "job_failed",
                    f"Background step {job.kind} {what} (attempt {job.attempts}/"
                    f"{job.max_attempts}) / पृष्ठभूमि कार्य विफल",
                    details={"job_id": job.id, "error": error[:500], "final": final},
                ),
            )
        uow.commit()
    metrics.jobs_run.labels(job.kind, "failed" if final else "retry").inc()
    log.warning(
        "job.failed",
        job_id=job.id,
        kind=job.kind,
        case_id=job.case_id,
        attempt=job.attempts,
        final=final,
        error=error,
    )
