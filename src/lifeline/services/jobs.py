"""Handlers for durable jobs. Each runs inside the transaction that marks its job done, so its
database effects happen exactly once; external effects carry an id the receiver can dedupe on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lifeline.domain.events import DispatchOverdue
from lifeline.domain.lifecycle import CaseStatus, Milestone
from lifeline.domain.model import TimelineEntry
from lifeline.services.access.audit import SEND_AUDIT_CHECKPOINT
from lifeline.services.aftercare.followups import (
    FOLLOW_UP_DUE,
    LINK_REPEAT_CASES,
    followup_due,
    link_repeat_cases,
)
from lifeline.services.context import Context, publish
from lifeline.services.dispatch.escalations import (
    CHECK_REACHED,
    ESCALATION_STEP,
    SEND_NOTIFICATION,
    check_reached,
    consider_dispatch,
    escalation_step,
)
from lifeline.services.dispatch.notify import send_notification
from lifeline.services.dispatch.relocation import resolve_location
from lifeline.services.ports import Job, UnitOfWork
from lifeline.services.triage.assessment import assess_risk

JobHandler = Callable[[Context, UnitOfWork, Job], None]


class PermanentJobError(Exception):
    """A job that can never succeed (bad payload): fail it at once instead of retrying."""


def deliver_event(ctx: Context, job: Job) -> None:
    """Free handler: the HTTP call holds no database lock (a slow receiver must not hold up
    intake or escalation timers); the job is completed after the receiver said yes."""
    url = job.payload.get("url")
    event: Any = job.payload.get("event")
    if not isinstance(url, str) or not isinstance(event, dict):
        raise PermanentJobError("deliver_event payload needs 'url' and 'event'")
    ctx.events.deliver(url, f"job-{job.id}", event)
    with ctx.uow() as uow:
        uow.jobs.complete(job, ctx.clock.now())
        uow.commit()


def send_audit_checkpoint(ctx: Context, job: Job) -> None:
    """Free handler: POST one audit checkpoint line to LIFELINE_AUDIT_ANCHOR_WEBHOOK outside any
    transaction, then complete the job (a refusal is retried with backoff like any job)."""
    trust = ctx.audit
    line = job.payload.get("line")
    if trust is None or not trust.webhook_url or trust.webhook is None:
        raise PermanentJobError("no LIFELINE_AUDIT_ANCHOR_WEBHOOK is configured")
    if not isinstance(line, str):
        raise PermanentJobError("send_audit_checkpoint payload needs a 'line'")
    trust.webhook.post(trust.webhook_url, line)
    with ctx.uow() as uow:
        uow.jobs.complete(job, ctx.clock.now())
        uow.commit()


def check_dispatch_deadline(ctx: Context, uow: UnitOfWork, job: Job) -> None:
    case_id = job.payload.get("case_id")
    if not isinstance(case_id, int):
        raise PermanentJobError("check_dispatch_deadline payload needs an integer 'case_id'")
    case = uow.cases.get(case_id, for_update=True)
    if Milestone.DISPATCHED in case.milestones or case.status is not CaseStatus.RECEIVED:
        return  # the timer is stale: the case moved on, nothing to do
    now = ctx.clock.now()
    waited = int((now - case.opened_at).total_seconds())
    uow.cases.note(
        case_id,
        TimelineEntry(
            now,
            "dispatch_overdue",
            f"Not dispatched {waited // 60} min after the alert / अलर्ट के {waited // 60} मिनट "
            "बाद भी भेजा नहीं गया",
            details={"waited_seconds": waited},
        ),
    )
    uow.audit.append(
        at=now,
        actor="system:lifeline",
        action="case.dispatch_overdue",
        case_id=case_id,
        details={"waited_seconds": waited},
    )
    publish(ctx, uow, case_id, [DispatchOverdue(case_id, now, waited, case.status.value)])


def _then_consider_dispatch(handler: JobHandler) -> JobHandler:
    """Triage and location are the two facts automatic dispatch waits for: whichever job
    finishes second sends the case (in its own transaction), if the policy allows."""

    def run(ctx: Context, uow: UnitOfWork, job: Job) -> None:
        handler(ctx, uow, job)
        case_id = job.payload.get("case_id")
        if isinstance(case_id, int):
            consider_dispatch(ctx, uow, case_id)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


DEFAULT_HANDLERS: dict[str, JobHandler] = {
    "check_dispatch_deadline": check_dispatch_deadline,
    "resolve_location": _then_consider_dispatch(resolve_location),
    FOLLOW_UP_DUE: followup_due,
    LINK_REPEAT_CASES: link_repeat_cases,
    "assess_risk": _then_consider_dispatch(assess_risk),
    ESCALATION_STEP: escalation_step,
    CHECK_REACHED: check_reached,
}

#: handlers that open their own transactions (they call the network and must hold no lock)
#: and complete their job themselves
FreeJobHandler = Callable[[Context, Job], None]
FREE_HANDLERS: dict[str, FreeJobHandler] = {
    SEND_NOTIFICATION: send_notification,
    "deliver_event": deliver_event,
    SEND_AUDIT_CHECKPOINT: send_audit_checkpoint,
}
