"""The durable jobs' vocabulary: every job kind, the typed payload each carries, and the one
error for a payload that can never run.

A job's payload is stored as JSON; `enqueue` writes a payload object and `parse_payload` reads
it back, checking every field once, so a handler is given a typed object and a bad row fails
with `BadJobPayload` naming the kind, the job and the field (docs/operations.md, Jobs).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, get_origin, get_type_hints

from lifeline.domain.values import field_values
from lifeline.services.ports import JobQueue

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class JobKind(StrEnum):
    """Every kind of durable job (the value is what the `jobs.kind` column stores)."""

    ASSESS_RISK = "assess_risk"
    RESOLVE_LOCATION = "resolve_location"
    LINK_REPEAT_CASES = "link_repeat_cases"
    CHECK_DISPATCH_DEADLINE = "check_dispatch_deadline"
    ESCALATION_STEP = "escalation_step"
    CHECK_REACHED = "check_reached"
    SEND_NOTIFICATION = "send_notification"
    FOLLOW_UP_DUE = "followup_due"
    DELIVER_EVENT = "deliver_event"
    SEND_AUDIT_CHECKPOINT = "send_audit_checkpoint"
    CHECK_DESK_ATTENDED = "check_desk_attended"
    CHECK_FOLLOWUP_RECORDED = "check_followup_recorded"
    RETENTION_PURGE = "retention_purge"
    PROCESS_ALERT = "process_alert"
    SEND_NOTIFICATIONS = "send_notifications"
    PRUNE_JOBS = "prune_jobs"


class PermanentJobError(Exception):
    """A job that can never succeed: the worker fails it at once instead of retrying."""


class BadJobPayload(PermanentJobError):
    """A stored payload that does not fit its job kind (a missing field, a wrong type)."""

    def __init__(self, kind: str, job_id: int, field: str, problem: str) -> None:
        super().__init__(f"{kind} job {job_id}: payload field {field!r} {problem}")
        self.kind, self.job_id, self.field = kind, job_id, field


# -- payloads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertJob:
    """Work on one stored alert of a case (triage, location, repeat-subject links)."""

    alert_id: int
    case_id: int


@dataclass(frozen=True)
class AlertSteps:
    """All the work on one stored alert in one job: `steps` are the per-alert kinds
    (`resolve_location`, `link_repeat_cases`, `assess_risk`) run in order, in one transaction,
    then the dispatch is considered once (services/jobs.py, `process_alert`)."""

    alert_id: int
    case_id: int
    steps: list[str]


@dataclass(frozen=True)
class CaseJob:
    """A timer on a case (the dispatch deadline, the "nobody reached" alarm)."""

    case_id: int


@dataclass(frozen=True)
class DeskJob:
    """Whether anyone at the desk opened a case that became imminent at `imminent_at` (ISO
    8601 UTC)."""

    case_id: int
    imminent_at: str


@dataclass(frozen=True)
class EscalationJob:
    """The next step of a dispatch's escalation; stale unless `token` is still the dispatch's."""

    dispatch_id: int
    token: str


@dataclass(frozen=True)
class NotificationJob:
    """Send one notification (a message to one contact)."""

    notification_id: int


@dataclass(frozen=True)
class NotificationsJob:
    """Send the notifications of one case written in one transaction (the first messages to
    every unit a case is dispatched to, an escalation step's, an SMC alarm's): each is sent,
    retried and recorded on its own; one job, one read and one record for all of them."""

    notification_ids: list[int]


@dataclass(frozen=True)
class CheckInJob:
    """A follow-up check-in of an aftercare plan falls due."""

    plan_id: int
    check_in_id: int


@dataclass(frozen=True)
class EventJob:
    """Deliver one domain event (as `Event.as_dict`) to one webhook."""

    url: str
    event: dict[str, Any]


@dataclass(frozen=True)
class CheckpointJob:
    """Post one signed audit checkpoint line to the anchor webhook."""

    line: str


@dataclass(frozen=True)
class PurgeJob:
    """The daily retention purge (services/retention/purge.py); it schedules the next one."""


@dataclass(frozen=True)
class PruneJob:
    """Delete finished jobs past their keeping period (services/job_prune); it schedules the
    next one."""


#: the payload each kind carries (`enqueue` and `@job` are checked against it)
PAYLOADS: dict[JobKind, type] = {
    JobKind.ASSESS_RISK: AlertJob,
    JobKind.RESOLVE_LOCATION: AlertJob,
    JobKind.LINK_REPEAT_CASES: AlertJob,
    JobKind.CHECK_DISPATCH_DEADLINE: CaseJob,
    JobKind.ESCALATION_STEP: EscalationJob,
    JobKind.CHECK_REACHED: CaseJob,
    JobKind.CHECK_DESK_ATTENDED: DeskJob,
    JobKind.CHECK_FOLLOWUP_RECORDED: CheckInJob,
    JobKind.SEND_NOTIFICATION: NotificationJob,
    JobKind.SEND_NOTIFICATIONS: NotificationsJob,
    JobKind.FOLLOW_UP_DUE: CheckInJob,
    JobKind.DELIVER_EVENT: EventJob,
    JobKind.SEND_AUDIT_CHECKPOINT: CheckpointJob,
    JobKind.RETENTION_PURGE: PurgeJob,
    JobKind.PROCESS_ALERT: AlertSteps,
    JobKind.PRUNE_JOBS: PruneJob,
}


P = TypeVar("P", bound="DataclassInstance")


def enqueue(
    jobs: JobQueue,
    kind: JobKind,
    payload: DataclassInstance,
    *,
    now: datetime,
    case_id: int | None = None,
    run_at: datetime | None = None,
    max_attempts: int | None = None,
) -> None:
    """Write a job in the caller's transaction (with its other new jobs, in one statement
    before it commits); its payload must be the kind's (a TypeError is a programming error,
    caught by the tests, never a job that fails later)."""
    expected = PAYLOADS[JobKind(kind)]
    if type(payload) is not expected:
        raise TypeError(f"a {kind} job carries {expected.__name__}, not {type(payload).__name__}")
    jobs.add(
        kind,
        field_values(payload, own_containers=True),  # the job keeps its own lists
        now=now,
        case_id=case_id,
        run_at=run_at,
        max_attempts=max_attempts,
    )


@cache
def _field_types(payload: type) -> dict[str, type]:
    hints = get_type_hints(payload)
    return {f.name: get_origin(hints[f.name]) or hints[f.name] for f in fields(payload)}


def parse_payload(kind: str, job_id: int, payload: type[P], stored: object) -> P:
    """The stored JSON as `payload`, every field present with its type (extra keys ignored);
    else BadJobPayload. A bool is not taken for an integer."""
    if not isinstance(stored, dict):
        raise BadJobPayload(kind, job_id, "*", f"expected an object, got {type(stored).__name__}")
    values: dict[str, Any] = {}
    for name, wanted in _field_types(payload).items():
        if name not in stored:
            raise BadJobPayload(kind, job_id, name, "is missing")
        value = stored[name]
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            got = type(value).__name__
            raise BadJobPayload(kind, job_id, name, f"must be {wanted.__name__}, got {got}")
        values[name] = value
    return payload(**values)
