"""Ports: what the use cases need from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from lifeline.domain.audit import AuditRecord, Checkpoint
from lifeline.domain.model import Alert, Attachment, Case, Subject, TimelineEntry
from lifeline.services.access.ports import (  # re-exported: the unit of work names them
    SignInAttempt as SignInAttempt,
)
from lifeline.services.access.ports import (
    SignInLog as SignInLog,
)
from lifeline.services.aftercare.ports import (
    AftercareRepository as AftercareRepository,
)
from lifeline.services.aftercare.ports import (
    AlertFacts as AlertFacts,
)
from lifeline.services.aftercare.ports import (
    CaseFacts as CaseFacts,
)
from lifeline.services.aftercare.ports import (
    CheckInFacts as CheckInFacts,
)
from lifeline.services.aftercare.ports import (  # re-exported: the unit of work names them
    EarlierCase as EarlierCase,
)
from lifeline.services.aftercare.ports import (
    ReportSource as ReportSource,
)
from lifeline.services.dispatch.ports import DispatchRepository, SmsAckFailures
from lifeline.services.intake.ports import (
    ImapLedger as ImapLedger,
)
from lifeline.services.intake.ports import (
    IntakeReceipts as IntakeReceipts,
)
from lifeline.services.intake.ports import (
    PartnerSenders as PartnerSenders,
)
from lifeline.services.intake.ports import (
    Quarantine as Quarantine,
)
from lifeline.services.intake.ports import (  # re-exported: the unit of work names them
    QuarantinedMessage as QuarantinedMessage,
)
from lifeline.services.location.ports import JurisdictionIndex, LocationRepository
from lifeline.services.triage.ports import AssessmentRepository


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class PartnerRecord:
    id: int
    name: str
    key_id: str
    secret: str
    active: bool = True


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    password_hash: str
    totp_secret: str
    role: str
    jurisdiction: str | None = None
    active: bool = True
    #: bumped to revoke every bearer token and console session of the person at once
    token_generation: int = 0
    #: the two-factor time step last accepted (a code is accepted once)
    last_totp_step: int | None = None
    #: SHA-256 of the one-time enrolment code, and when it expires (None: none pending)
    enrolment_code_hash: str | None = None
    enrolment_expires_at: datetime | None = None


@dataclass(frozen=True)
class IdempotencyRecord:
    partner_id: int
    key: str
    request_digest: str
    alert_id: int
    case_id: int
    merged: bool


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
    def save(self, case: Case) -> None: ...
    def find_mergeable(self, keys: list[str], since: datetime) -> Case | None: ...
    def attach_keys(self, case_id: int, keys: list[str], at: datetime) -> None: ...
    def summaries(
        self, *, statuses: list[str] | None = None, limit: int = 100
    ) -> list[CaseSummary]: ...
    def timeline(self, case_id: int) -> list[TimelineEntry]: ...
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


class PartnerRepository(Protocol):
    def add(self, name: str, key_id: str, secret: str, at: datetime) -> PartnerRecord: ...
    def by_key_id(self, key_id: str) -> PartnerRecord | None: ...


class UserRepository(Protocol):
    def add(
        self,
        *,
        username: str,
        password_hash: str,
        totp_secret: str,
        role: str,
        jurisdiction: str | None,
        at: datetime,
    ) -> UserRecord: ...
    def by_username(self, username: str) -> UserRecord | None: ...
    def all(self) -> list[UserRecord]: ...
    def set_active(self, user_id: int, active: bool) -> None: ...
    def set_role(self, user_id: int, role: str, jurisdiction: str | None) -> None: ...
    def revoke_tokens(self, user_id: int) -> None:
        """Bump the token generation: every bearer token issued so far stops working."""
        ...

    def set_two_factor(
        self, user_id: int, totp_secret: str, code_hash: str, expires_at: datetime
    ) -> None:
        """A new TOTP secret with a pending enrolment code (its hash); the step memory resets."""
        ...

    def consume_enrolment(self, user_id: int, code_hash: str) -> bool:
        """Clear the pending enrolment code if it is `code_hash`; False if it was not (or was
        used by a concurrent request)."""
        ...

    def accept_totp_step(self, user_id: int, step: int) -> bool:
        """Record `step` as the last accepted one if it is later than any before; False (and
        nothing changed) if that step or a later one was already accepted."""
        ...


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
    def complete(self, job: Job, now: datetime) -> None: ...
    def claim(self, now: datetime, lease: timedelta, limit: int = 10) -> list[Job]: ...
    def fail(self, job: Job, now: datetime, error: str, *, permanent: bool = False) -> bool: ...
    def release(self, jobs: list[Job], now: datetime) -> None:
        """Give back claimed jobs not started (a stopping worker): due again at once, the
        attempt not counted."""
        ...

    def retry(self, job_id: int, now: datetime) -> bool: ...
    def stats(self) -> JobStats: ...
    def recent(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]: ...
    def heartbeat(self, worker_id: str, started_at: datetime, now: datetime) -> None: ...
    def latest_heartbeat(self) -> datetime | None: ...


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
    def head(self) -> tuple[int, str]:
        """(rows, hash of the newest row) of the committed chain; (0, GENESIS) when empty."""
        ...

    def claim_checkpoint_writer(self) -> bool:
        """Become the deployment's one checkpoint writer until this transaction ends; False
        if another process is writing one now."""
        ...

    def last_checkpoint(self) -> Checkpoint | None: ...
    def save_checkpoint(self, checkpoint: Checkpoint) -> None: ...


class IdempotencyStore(Protocol):
    def get(self, partner_id: int, key: str) -> IdempotencyRecord | None: ...
    def put(self, record: IdempotencyRecord, at: datetime) -> None: ...


class SignatureLedger(Protocol):
    def remember(self, partner_id: int, signature: str, at: datetime) -> bool:
        """Store a signature; False if it was seen before (a replay)."""
        ...

    def forget_before(self, cutoff: datetime) -> int:
        """Drop signatures too old to be accepted again anyway; returns how many."""
        ...


# -- console: sessions, sign-in attempts, profiles, the queue, jurisdiction ---------------------


@dataclass(frozen=True)
class SessionRecord:
    id: int
    user_id: int
    username: str
    role: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class ConsoleProfile:
    user_id: int
    language: str
    enrolled_at: datetime | None = None


@dataclass(frozen=True)
class QueueItem:
    """One open case as the live queue shows it (post text decrypted; no other personal data)."""

    case_id: int
    status: str
    platform: str
    source: str
    risk_level: str | None
    opened_at: datetime
    last_alert_at: datetime | None
    alert_count: int
    acknowledged_at: datetime | None
    dispatched_at: datetime | None
    trace_requested_at: datetime | None
    post_text: str | None
    post_kind: str
    place: str | None
    units: tuple[str, ...] = ()
    #: the riskiest model assessment's score and cues (tag, text, start, end), if any
    score: float | None = None
    cues: tuple[tuple[str, str, int, int], ...] = ()
    #: False when no alert of the case comes from a proven sender, with why (the latest's)
    sender_verified: bool = True
    sender_verification: str = ""
    #: while the place needs review: the best district candidate (shown marked as such)
    place_candidate: str | None = None
    #: confident answers of the case's alerts disagree on the district
    place_conflict: bool = False


@dataclass(frozen=True)
class MapItem:
    """A case as the console's map places it: no personal data but the coordinates the newest
    alert that gave any carried (decrypted; the map rounds them)."""

    case_id: int
    status: str
    risk_level: str | None
    opened_at: datetime
    outcome: str | None
    outcome_at: datetime | None
    coordinates: tuple[float, float] | None  # (lat, lon)


class ConsoleStore(Protocol):
    def add_session(
        self,
        *,
        token_hash: str,
        user_id: int,
        username: str,
        role: str,
        csrf_token: str,
        at: datetime,
        expires_at: datetime,
        ip: str | None,
    ) -> SessionRecord: ...
    def session(self, token_hash: str) -> SessionRecord | None: ...
    def touch_session(self, session_id: int, at: datetime) -> None: ...
    def revoke_session(self, session_id: int, at: datetime) -> None: ...
    def revoke_user_sessions(self, user_id: int, at: datetime) -> int:
        """End every open session of a person; how many were open."""
        ...

    def profile(self, user_id: int) -> ConsoleProfile | None: ...
    def save_profile(
        self, user_id: int, *, language: str, enrolled_at: datetime | None, at: datetime
    ) -> None: ...
    def open_queue(
        self, *, case_ids: set[int] | None, trace_only: bool, limit: int
    ) -> list[QueueItem]:
        """Open cases (`case_ids` None: all; `trace_only`: only those with a trace request)."""
        ...

    def map_items(
        self, *, case_ids: set[int] | None, outcomes_since: datetime, limit: int
    ) -> list[MapItem]:
        """Open cases and cases whose outcome was recorded at or after `outcomes_since`
        (`case_ids` None: all), for the console's map."""
        ...


class UnitOfWork(Protocol):
    cases: CaseRepository
    alerts: AlertRepository
    subjects: SubjectRepository
    partners: PartnerRepository
    users: UserRepository
    jobs: JobQueue
    audit: AuditLog
    idempotency: IdempotencyStore
    signatures: SignatureLedger
    receipts: IntakeReceipts
    quarantine: Quarantine
    senders: PartnerSenders
    imap: ImapLedger
    console: ConsoleStore
    sign_ins: SignInLog
    jurisdictions: JurisdictionIndex
    aftercare: AftercareRepository
    reports: ReportSource
    locations: LocationRepository
    assessments: AssessmentRepository
    dispatches: DispatchRepository
    sms_ack_failures: SmsAckFailures

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
