"""The retention purge: `plan` (what a run would erase) and `run` (erase it), and the durable
daily `retention_purge` job that runs it and schedules the next.

Each case is erased in its own short transaction with its row locked (the worker may be writing
to other cases meanwhile); a case is re-checked under the lock (held, reopened, already done),
so a run is idempotent and two runs at once erase each field once. One audit entry per run
carries the counts, never content.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lifeline.domain.model import SYSTEM, Actor
from lifeline.domain.retention import CASE_POLICIES, Policy, PurgeCounts
from lifeline.services.context import Context
from lifeline.services.job_spec import free_job
from lifeline.services.job_types import JobKind, PurgeJob, enqueue
from lifeline.services.ports import Job, UnitOfWork

#: cases read per batch (each is then erased in its own transaction)
BATCH = 200
#: how often the purge job runs
EVERY = timedelta(days=1)
OWN_POLICIES = (Policy.QUARANTINE, Policy.LOG, Policy.EXPIRED)


def plan(ctx: Context, now: datetime) -> PurgeCounts:
    """What `run` would erase now; changes nothing."""
    return run(ctx, now, dry_run=True)


def run(
    ctx: Context, now: datetime, *, dry_run: bool = False, actor: Actor = SYSTEM
) -> PurgeCounts:
    periods = ctx.config.retention
    total = PurgeCounts()
    dismissed_before = periods.ended_cutoff(Policy.CASE, now, dismissed=True)
    for policy in CASE_POLICIES:
        closed_before = periods.ended_cutoff(policy, now, dismissed=False)
        done: set[int] = set()
        while True:
            with ctx.uow(readonly=True) as uow:
                due = [
                    c
                    for c in uow.retention.due_cases(
                        policy,
                        closed_before=closed_before,
                        dismissed_before=dismissed_before,
                        limit=BATCH + len(done),
                    )
                    if c not in done
                ]
            if not due:
                break
            for case_id in due:
                done.add(case_id)
                erase_case(ctx, total, case_id, policy, now, dry_run=dry_run, ended_only=True)
            if dry_run and len(due) < BATCH:
                break  # a dry run marks nothing: the same cases would come back
    for policy in OWN_POLICIES:
        with ctx.uow() as uow:
            total.merge(
                uow.retention.erase_own(policy, periods.own_cutoff(policy, now), dry_run=dry_run)
            )
            if not dry_run:
                uow.commit()
    with ctx.uow() as uow:
        total.held = uow.retention.held_due(
            closed_before=periods.ended_cutoff(Policy.POST_TEXT, now, dismissed=False),
            dismissed_before=dismissed_before,
        )
        if not dry_run:
            uow.retention.record_run(now, total)
            uow.audit.append(
                at=now,
                actor=str(actor),
                action="retention.purge",
                case_id=None,
                details=total.as_dict(),
            )
            uow.commit()
    return total


def erase_case(
    ctx: Context,
    total: PurgeCounts,
    case_id: int,
    policy: Policy,
    now: datetime,
    *,
    dry_run: bool,
    ended_only: bool,
) -> None:
    """Erase one case's data under one policy in its own transaction (a dry run only counts),
    adding what was erased, and the case, to `total`. Used by the purge and by erase_person."""
    with ctx.uow() as uow:
        counts = uow.retention.erase_case(
            case_id, policy, now, dry_run=dry_run, ended_only=ended_only
        )
        if not dry_run:
            uow.commit()
    if counts is not None:
        total.merge(counts)
        total.add_case(policy, case_id)


def ensure_scheduled(uow: UnitOfWork, now: datetime) -> bool:
    """Schedule the daily purge if no purge job is pending (at start-up and `db upgrade`);
    True if it scheduled one. Runs in the caller's transaction."""
    if uow.retention.purge_scheduled() is not None:
        return False
    enqueue(uow.jobs, JobKind.RETENTION_PURGE, PurgeJob(), now=now, run_at=now)
    return True


@free_job(JobKind.RETENTION_PURGE, payload=PurgeJob)
def retention_purge(ctx: Context, job: Job, _: PurgeJob) -> None:
    """Free handler: the purge opens one small transaction per case (a day's closures must not
    hold one long lock against intake); the next run is scheduled as the job completes."""
    now = ctx.clock.now()
    run(ctx, now)
    with ctx.uow() as uow:
        uow.jobs.complete(job, ctx.clock.now())
        # two workers starting at once may each have scheduled one: the chains become one
        if uow.retention.purge_scheduled(running=False) is None:
            enqueue(uow.jobs, JobKind.RETENTION_PURGE, PurgeJob(), now=now, run_at=now + EVERY)
        uow.commit()
