"""The kernel's ports: what every feature shares, as Protocols the adapters implement: the unit
of work and its factory, the clock, the event sink, password hashing, encryption, jobs, and the
core repositories (cases, alerts, subjects, jobs, the audit log).

Each feature declares its own ports in its `ports.py` (access, intake, triage, location,
dispatch, aftercare, reports, console); the unit of work names their repositories, imported
from those modules only, which import nothing but the domain."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from lifeline.domain.alert import Alert, Attachment, Subject
from lifeline.domain.audit import AuditRecord, Checkpoint
from lifeline.domain.model import Case, TimelineEntry
from lifeline.domain.risk import RiskLevel
from lifeline.services.access.ports import (
    PartnerRepository,
    ProfileStore,
    SessionStore,
    SignInLog,
    UserRepository,
)
from lifeline.services.aftercare.ports import AftercareRepository
from lifeline.services.cases.ports import ReviewReads
from lifeline.services.console.ports import ConsoleReads
from lifeline.services.dispatch.ports import DispatchRepository, SmsAckFailures
from lifeline.services.intake.ports import (
    IdempotencyStore,
    ImapLedger,
    IntakeReceipts,
    PartnerSenders,
    Quarantine,
    SignatureLedger,
)
from lifeline.services.job_prune.ports import JobPruneStore
from lifeline.services.location.ports import JurisdictionIndex, LocationRepository
from lifeline.services.monitoring.ports import MonitoringRepository
from lifeline.services.reports.ports import ReportSource
from lifeline.services.retention.ports import RetentionStore
from lifeline.services.triage.ports import AssessmentRepository


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class CaseSummary:
    id: int
    status: str
    platform: str
    risk_level: str | None
    opened_at: datetime
    last_alert_at: datetime | None
    alert_count: int
    outcome: str | None


@dataclass
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    case_id: int | None
    attempts: int
    max_attempts: int
    claim_token: str
    created_at: datetime
    run_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobStats:
    pending: int
    running: int
    failed: int
    done: int


class ConcurrentWrite(Exception):
    """Someone else changed the row between our read and our write; the use case may retry."""


class StorageUnavailable(Exception):
    """The database cannot be reached or written just now (connection refused, locked too
    long, read-only, disk full). Nothing was stored; the caller may try again after
    `retry_after` seconds. The message names the kind of failure, never a host or a path."""

    def __init__(self, reason: str, retry_after: int = 30) -> None:
        super().__init__(f"the database is unavailable ({reason}); try again in {retry_after} s")
        self.reason, self.retry_after = reason, retry_after


class LeaseLost(Exception):
    """A job's lease expired and another worker claimed it; this run's effects are void."""


class CaseRepository(Protocol):
    def add(self, case: Case) -> Case: ...
    def get(self, case_id: int, *, for_update: bool = False) -> Case: ...
    def levels_and_traces(
        self, case_ids: set[int]
    ) -> dict[int, tuple[RiskLevel | None, datetime | None]]:
        """Per case, its risk level and when a trace was requested (None: not), in one read
        (the alarm banner); an id with no case is left out."""
        ...

    def save(self, case: Case) -> None: ...
    def find_mergeable(self, keys: list[str], since: datetime) -> Case | None: ...
    def attach_keys(self, case_id: int, keys: list[str], at: datetime) -> None: ...
    def summaries(
        self, *, statuses: list[str] | None = None, limit: int = 100
    ) -> list[CaseSummary]: ...
    def timeline(self, case_id: int) -> list[TimelineEntry]: ...
    def times_of(self, case_id: int, kind: str) -> set[datetime]:
        """When the case's timeline entries of `kind` were made (their details not read)."""
        ...

    def note(self, case_id: int, entry: TimelineEntry) -> None: ...
    def partner_ids(self, case_id: int) -> set[int]: ...


class AlertRepository(Protocol):
    def add(self, alert: Alert) -> Alert: ...
    def for_case(self, case_id: int) -> list[Alert]:
        """Alerts of a case, with attachment metadata (content left empty)."""
        ...

    def attachment(self, attachment_id: int) -> tuple[int, Attachment]:
        """(alert id, attachment with content)."""
        ...


class SubjectRepository(Protocol):
    def add(self, subject: Subject) -> Subject: ...
    def get(self, subject_id: int) -> Subject: ...


class JobQueue(Protocol):
    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        case_id: int | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
    ) -> int: ...
    def add(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        case_id: int | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
    ) -> None:
        """`enqueue` without an id: the job is written with the transaction's other added jobs
        in one statement just before it commits (`flush`), or not at all if it rolls back."""
        ...

    def flush(self) -> None:
        """Write the added jobs now (the unit of work calls this before COMMIT)."""
        ...

    def complete(self, job: Job, now: datetime) -> None: ...
    def claim(self, now: datetime, lease: timedelta, limit: int = 10) -> list[Job]: ...
    def fail(self, job: Job, now: datetime, error: str, *, permanent: bool = False) -> bool: ...
    def release(self, jobs: list[Job], now: datetime) -> None:
        """Give back claimed jobs not started (a stopping worker): due again at once, the
        attempt not counted."""
        ...

    def renew(self, tokens: Collection[str], until: datetime) -> set[int]:
        """The worker's heartbeat: extend to `until` the lease of every job still running
        under one of its claim `tokens`; the ids renewed (a job another worker took over has
        a new token and is left alone)."""
        ...

    def retry(self, job_id: int, now: datetime) -> bool: ...
    def stats(self) -> JobStats: ...
    def recent(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]: ...
    def heartbeat(self, worker_id: str, started_at: datetime, now: datetime) -> None: ...
    def latest_heartbeat(self) -> datetime | None: ...


class JobDueProbe(Protocol):
    """The idle worker's cheap poll (no transaction): when the next job falls due."""

    def next_due(self) -> datetime | None:
        """When the earliest job is due (a pending one, or a lease running out); None: none."""
        ...

    def close(self) -> None: ...


class AuditLog(Protocol):
    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        case_id: int | None,
        details: dict[str, Any],
    ) -> None: ...
    def records(self) -> Iterator[AuditRecord]: ...
    def for_case(self, case_id: int, since: datetime) -> list[AuditRecord]:
        """The case's records at or after `since`, oldest first (not verified: a read of
        who did what, e.g. whether anyone at the desk opened the case)."""
        ...

    def head(self) -> tuple[int, str]:
        """(rows, hash of the newest row) of the committed chain; (0, GENESIS) when empty."""
        ...

    def claim_checkpoint_writer(self) -> bool:
        """Become the deployment's one checkpoint writer until this transaction ends; False
        if another process is writing one now."""
        ...

    def last_checkpoint(self) -> Checkpoint | None: ...
    def save_checkpoint(self, checkpoint: Checkpoint) -> None: ...


class UnitOfWork(Protocol):
    """One transaction, with every repository on it (the SQL unit of work and the test fakes
    implement all of them)."""

    # cases, their alerts and subjects, jobs, the audit log (the kernel's own)
    cases: CaseRepository
    alerts: AlertRepository
    subjects: SubjectRepository
    jobs: JobQueue
    audit: AuditLog
    # access
    partners: PartnerRepository
    users: UserRepository
    sessions: SessionStore
    profiles: ProfileStore
    sign_ins: SignInLog
    # intake
    idempotency: IdempotencyStore
    signatures: SignatureLedger
    receipts: IntakeReceipts
    quarantine: Quarantine
    senders: PartnerSenders
    imap: ImapLedger
    # triage, location, dispatch
    assessments: AssessmentRepository
    locations: LocationRepository
    jurisdictions: JurisdictionIndex
    dispatches: DispatchRepository
    sms_ack_failures: SmsAckFailures
    # aftercare, reports, the console's read models
    aftercare: AftercareRepository
    reports: ReportSource
    console: ConsoleReads
    # cases: the review queue of monitoring cases
    reviews: ReviewReads
    # monitoring: posts seen (keyed hashes) and flagged authors' windows
    monitoring: MonitoringRepository
    # retention: the purge, legal holds, erasure on request (the registry of personal fields)
    retention: RetentionStore
    # the job table's prune (finished jobs deleted after a while)
    job_prune: JobPruneStore

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def lock_keys(self, keys: Iterable[str]) -> None:
        """Serialise concurrent intake of alerts sharing any of these keys (until commit)."""
        ...

    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def savepoint(self) -> AbstractContextManager[None]:
        """A part of the transaction that fails alone: an exception in it rolls back to its
        start and is raised; the rest of the transaction goes on."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...


class Cipher(Protocol):
    """Encrypts personal data for storage and makes keyed hashes for lookups on it."""

    primary: str

    def encrypt(self, plain: str | bytes | None, context: str) -> str | None: ...
    def decrypt(self, token: str | None, context: str) -> str | None: ...
    def decrypt_bytes(self, token: str | None, context: str) -> bytes | None: ...
    def key_id_of(self, token: str) -> str: ...
    def blind_index(self, value: str) -> str: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...


class EventSink(Protocol):
    """Somewhere domain events are delivered (a webhook). Raises on failure so the job retries."""

    def deliver(self, url: str, event_id: str, event: dict[str, Any]) -> None: ...
