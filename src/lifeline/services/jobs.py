"""The jobs the worker runs: every job kind's handler, declared with its typed payload
(`services/job_spec.py`). A handler runs inside the transaction that marks its job done, so its
database effects happen exactly once; a free handler calls the network outside any transaction,
and its external effects carry an id the receiver can dedupe on."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lifeline.services.aftercare.followups import followup_due, link_repeat_cases
from lifeline.services.context import Context
from lifeline.services.dispatch.attention import (
    check_desk_attended,
    check_dispatch_deadline,
    check_followup_recorded,
    watch_desk,
)
from lifeline.services.dispatch.escalations import (
    check_reached,
    consider_dispatch,
    escalation_step,
)
from lifeline.services.dispatch.notify import send_notification
from lifeline.services.dispatch.relocation import resolve_location
from lifeline.services.job_prune.prune import prune_jobs
from lifeline.services.job_spec import (
    FreeJobHandler,
    FreeJobSpec,
    JobHandler,
    JobSpec,
    free_job,
)
from lifeline.services.job_types import (
    AlertJob,
    CheckpointJob,
    EventJob,
    JobKind,
    PermanentJobError,
)
from lifeline.services.ports import Job, UnitOfWork
from lifeline.services.retention.purge import retention_purge
from lifeline.services.triage.assessment import assess_risk


@free_job(JobKind.DELIVER_EVENT, payload=EventJob)
def deliver_event(ctx: Context, job: Job, delivery: EventJob) -> None:
    """Free handler: the HTTP call holds no database lock (a slow receiver must not hold up
    intake or escalation timers); the job is completed after the receiver said yes."""
    ctx.events.deliver(delivery.url, f"job-{job.id}", delivery.event)
    with ctx.uow() as uow:
        uow.jobs.complete(job, ctx.clock.now())
        uow.commit()


@free_job(JobKind.SEND_AUDIT_CHECKPOINT, payload=CheckpointJob)
def send_audit_checkpoint(ctx: Context, job: Job, checkpoint: CheckpointJob) -> None:
    """Free handler: POST one audit checkpoint line to LIFELINE_AUDIT_ANCHOR_WEBHOOK outside any
    transaction, then complete the job (a refusal is retried with backoff like any job)."""
    trust = ctx.audit
    if trust is None or not trust.webhook_url or trust.webhook is None:
        raise PermanentJobError("no LIFELINE_AUDIT_ANCHOR_WEBHOOK is configured")
    trust.webhook.post(trust.webhook_url, checkpoint.line)
    with ctx.uow() as uow:
        uow.jobs.complete(job, ctx.clock.now())
        uow.commit()


def _then_watch_desk(spec: JobSpec[AlertJob]) -> JobSpec[AlertJob]:
    """An assessment that makes a case imminent starts the desk's timer (nobody opened it:
    page the shift in-charge)."""

    def run(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None:
        before = uow.cases.get(job.case_id).risk_level
        spec.handler(ctx, uow, job)
        watch_desk(ctx, uow, job.case_id, before)

    return replace(spec, handler=run)


def _then_consider_dispatch(spec: JobSpec[AlertJob]) -> JobSpec[AlertJob]:
    """Triage and location are the two facts automatic dispatch waits for: whichever job
    finishes second sends the case (in its own transaction), if the policy allows."""

    def run(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None:
        spec(ctx, uow, job)
        consider_dispatch(ctx, uow, job.case_id)

    return replace(spec, handler=run)


#: handlers run in the transaction that completes their job
TRANSACTIONAL: tuple[JobSpec[Any], ...] = (
    check_dispatch_deadline,
    _then_consider_dispatch(resolve_location),
    followup_due,
    link_repeat_cases,
    _then_consider_dispatch(_then_watch_desk(assess_risk)),
    escalation_step,
    check_reached,
    check_desk_attended,
    check_followup_recorded,
)
#: handlers that open their own transactions (they call the network and must hold no lock, or,
#: as the retention purge, work in many small ones) and complete their job themselves
FREE: tuple[FreeJobSpec[Any], ...] = (
    send_notification,
    deliver_event,
    send_audit_checkpoint,
    retention_purge,
    prune_jobs,
)

DEFAULT_HANDLERS: dict[str, JobHandler] = {spec.kind: spec.run for spec in TRANSACTIONAL}
FREE_HANDLERS: dict[str, FreeJobHandler] = {spec.kind: spec.run for spec in FREE}
