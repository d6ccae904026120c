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
from lifeline.services.dispatch.notify import send_notification, send_notifications
from lifeline.services.dispatch.relocation import resolve_location
from lifeline.services.job_prune.prune import prune_jobs
from lifeline.services.job_spec import (
    FreeJobHandler,
    FreeJobSpec,
    JobHandler,
    JobSpec,
    ReadAhead,
    free_job,
    job,
)
from lifeline.services.job_types import (
    AlertJob,
    AlertSteps,
    BadJobPayload,
    CheckpointJob,
    EventJob,
    JobKind,
    PermanentJobError,
    parse_payload,
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


#: the steps `process_alert` may run, in the order intake names them
ALERT_STEPS: dict[str, JobSpec[AlertJob]] = {
    spec.kind: spec for spec in (resolve_location, link_repeat_cases, assess_risk)
}
#: steps after which the dispatch is considered (the two facts automatic dispatch waits for)
_DISPATCH_FACTS = frozenset({JobKind.RESOLVE_LOCATION, JobKind.ASSESS_RISK})


@job(JobKind.PROCESS_ALERT, payload=AlertSteps)
def process_alert(ctx: Context, uow: UnitOfWork, work: AlertSteps) -> None:
    """Job handler: everything a stored alert needs after intake, in one transaction: its
    steps (location, repeat links, triage) in order, the desk's timer if triage made the case
    imminent, then the dispatch considered once, with the level and place both steps found.
    If it fails, the worker splits it into one job per step (`split_alert_steps`), so a
    failing step (a broken model) never holds up the others (the dispatch of a located
    platform alert)."""
    unknown = [step for step in work.steps if step not in ALERT_STEPS]
    if unknown:
        raise PermanentJobError(f"process_alert names unknown steps {unknown}")
    one = AlertJob(work.alert_id, work.case_id)
    # Intake's locks on the case's merge keys before the case row, as assess_risk takes them:
    # an alert merging into this case meanwhile waits for us, never the other way round.
    alerts = uow.alerts.for_case(work.case_id)
    uow.lock_keys(sorted({key for a in alerts for key in a.merge_keys()}))
    # The case row next, as intake locks it, and once: every step that changes the case (the
    # place, the level, the dispatch) would lock it, each reading it again.
    before = uow.cases.get(work.case_id, for_update=True).risk_level
    for step in work.steps:
        ALERT_STEPS[step](ctx, uow, one)
    if JobKind.ASSESS_RISK in work.steps:
        watch_desk(ctx, uow, work.case_id, before)
    if _DISPATCH_FACTS.intersection(work.steps):
        consider_dispatch(ctx, uow, work.case_id)


def split_alert_steps(job: Job) -> list[tuple[JobKind, AlertJob]]:
    """What a failed `process_alert` job becomes: one job per step, each retried (and, after
    its last attempt, failed) on its own, as before steps ran together. BadJobPayload if the
    payload cannot be read (the job then fails as any other)."""
    work = parse_payload(JobKind.PROCESS_ALERT, job.id, AlertSteps, job.payload)
    unknown = [step for step in work.steps if step not in ALERT_STEPS]
    if unknown:
        raise BadJobPayload(JobKind.PROCESS_ALERT, job.id, "steps", f"names unknown {unknown}")
    one = AlertJob(work.alert_id, work.case_id)
    return [(JobKind(step), one) for step in work.steps]


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
    process_alert,
)
#: handlers that open their own transactions (they call the network and must hold no lock, or,
#: as the retention purge, work in many small ones) and complete their job themselves
FREE: tuple[FreeJobSpec[Any], ...] = (
    send_notifications,
    send_notification,
    deliver_event,
    send_audit_checkpoint,
    retention_purge,
    prune_jobs,
)

DEFAULT_HANDLERS: dict[str, JobHandler] = {spec.kind: spec.run for spec in TRANSACTIONAL}
FREE_HANDLERS: dict[str, FreeJobHandler] = {spec.kind: spec.run for spec in FREE}
#: free jobs that read ahead in the transaction that claims them
READ_AHEAD: dict[str, ReadAhead] = {
    spec.kind: spec.run_read_ahead for spec in FREE if spec.read_ahead is not None
}
#: kinds whose failed job is replaced by the jobs it is made of (in the failure's transaction)
SPLIT_ON_FAILURE = {JobKind.PROCESS_ALERT.value: split_alert_steps}
