"""Ports: what the use cases need from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from lifeline.domain.aftercare import FollowUpPlan
from lifeline.domain.audit import AuditRecord, Checkpoint
from lifeline.domain.model import Alert, Attachment, Case, Subject, TimelineEntry


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


@dataclass(frozen=True)
class QuarantinedMessage:
    id: int
    received_at: datetime
    channel: str
    mail_from: str
    reason: str
    size: int
    status: str
    alert_id: int | None = None
    reviewed_by: str | None = None
    raw: bytes | None = None


class IntakeReceipts(Protocol):
    """What each transport-level message (email Message-ID, IMAP UID) became, so a message
    delivered twice is taken in once."""

    def get(self, key: str) -> tuple[int, int] | None: ...
    def put(self, key: str, alert_id: int, case_id: int, at: datetime) -> None: ...


class Quarantine(Protocol):
    def add(
        self, *, channel: str, mail_from: str, raw: bytes, reason: str, at: datetime
    ) -> int: ...
    def get(self, message_id: int, *, for_update: bool = False) -> QuarantinedMessage: ...
    def recent(self, status: str | None = None, limit: int = 100) -> list[QuarantinedMessage]: ...
    def mark(
        self, message_id: int, *, status: str, alert_id: int | None, by: str, at: datetime
    ) -> None: ...


class PartnerSenders(Protocol):
    def add(self, partner_id: int, pattern: str, at: datetime) -> None: ...
    def partner_for(self, address: str) -> int | None:
        """The partner whose allow-list covers this address (exact address or its domain)."""
        ...

    # email authenticity (docs/email-intake.md)
    def owner(self, pattern: str) -> int | None:
        """The partner that registered exactly this address or domain."""
        ...

    def patterns_of(self, partner_id: int) -> list[str]: ...
    def pin_key(
        self, partner_id: int, domain: str, selector: str, public_key: str, at: datetime
    ) -> None:
        """Pin a DKIM public key (the `p=` value) for a domain and selector (replacing any)."""
        ...

    def pinned_key(self, domain: str, selector: str) -> str | None: ...
    def pinned_of(self, partner_id: int) -> list[tuple[str, str]]:
        """(domain, selector) of each key pinned for the partner."""
        ...

    def partner_key(self, partner_id: int) -> str | None:
        """The partner's key id (what SMTP AUTH logged in with)."""
        ...


class ImapLedger(Protocol):
    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool: ...
    def mark(
        self,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        *,
        alert_id: int | None,
        quarantine_id: int | None,
        at: datetime,
    ) -> None: ...
    def last_uid(self, mailbox: str, uidvalidity: int) -> int: ...


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


class JurisdictionIndex(Protocol):
    """Which districts (LGD codes) a case belongs to: confident location resolutions and
    operators' choices."""

    def for_case(self, case_id: int) -> set[str]: ...
    def for_cases(self, case_ids: Iterable[int]) -> dict[int, set[str]]:
        """`for_case` of many cases in a few queries: every id given is a key."""
        ...

    def cases_in(self, districts: set[str]) -> set[int]: ...
    def assign(self, case_id: int, district_lgd: str, by: str, at: datetime) -> None: ...
    def assigned(self, case_id: int) -> tuple[str, datetime] | None:
        """The district an operator assigned last, and when (None if nobody did)."""
        ...

    def district_code(self, value: str) -> str | None:
        """The LGD code of a district given by code or by name (English or Hindi)."""
        ...

    def districts(self) -> list[tuple[str, str, str]]:
        """(LGD code, English name, Hindi name) of the districts a case can be assigned to."""
        ...


# -- aftercare and reports (issue 8) ---------------------------------------------------------


@dataclass(frozen=True)
class EarlierCase:
    """A case about the same person opened before this one, and how it ended."""

    case_id: int
    opened_at: datetime
    status: str
    outcome: str | None
    outcome_at: datetime | None
    #: which kinds of identifier matched: account, profile, phone, email (never the values)
    matched_on: tuple[str, ...]
    #: status of its latest follow-up plan, if it had one
    follow_up: str | None = None


class AftercareRepository(Protocol):
    """Follow-up plans with their check-ins (notes encrypted), and links between cases about
    the same person."""

    def add_plan(self, plan: FollowUpPlan) -> FollowUpPlan: ...
    def get_plan(self, plan_id: int, *, for_update: bool = False) -> FollowUpPlan: ...
    def plan_of_check_in(self, check_in_id: int, *, for_update: bool = False) -> FollowUpPlan: ...
    def save_plan(self, plan: FollowUpPlan) -> None: ...
    def plans_for_case(self, case_id: int) -> list[FollowUpPlan]: ...
    def plans(
        self,
        *,
        statuses: list[str] | None = None,
        counsellor: str | None = None,
        with_unassigned: bool = False,
        due_before: datetime | None = None,
        limit: int = 100,
    ) -> list[FollowUpPlan]:
        """Plans, soonest open check-in first. `counsellor` keeps that counsellor's plans (and
        unassigned ones with `with_unassigned`); `due_before` keeps plans with an open check-in
        due by then."""
        ...

    def find_earlier_cases(
        self, identity_keys: list[str], *, before: datetime, exclude: int
    ) -> dict[int, set[str]]:
        """Cases whose subject or keys share a keyed hash with one of `identity_keys`
        (Subject.identity_keys) and that came before case `exclude`: opened before `before`,
        or stored before it (a lower id) although timed later, as a released quarantine mail
        is timed from its arrival. Case id -> kinds matched."""
        ...

    def link_cases(self, case_id: int, earlier: dict[int, set[str]], at: datetime) -> list[int]:
        """Record links to earlier cases; returns the ids not linked before."""
        ...

    def history(self, case_id: int) -> list[EarlierCase]: ...


@dataclass(frozen=True)
class CaseFacts:
    """What a report needs of a case: no personal data, only ids, kinds and timestamps."""

    id: int
    platform: str
    status: str
    opened_at: datetime
    outcome: str | None
    #: milestone name (received, triaged, located, dispatched, ...) -> first time reached
    milestones: dict[str, datetime]


@dataclass(frozen=True)
class AlertFacts:
    id: int
    case_id: int
    source: str
    platform: str
    received_at: datetime


@dataclass(frozen=True)
class CheckInFacts:
    id: int
    plan_id: int
    case_id: int
    label: str
    due_at: datetime
    result: str | None
    cancelled: bool


class ReportSource(Protocol):
    """Read-only facts for reports (districts come from `UnitOfWork.jurisdictions`)."""

    def cases_opened(self, start: datetime, end: datetime) -> list[CaseFacts]:
        """Cases opened in [start, end)."""
        ...

    def alerts_of(self, case_ids: list[int]) -> list[AlertFacts]: ...
    def check_ins_due(self, start: datetime, end: datetime) -> list[CheckInFacts]:
        """Check-ins due in [start, end), of every plan."""
        ...


# -- sign-in (issue 14) -----------------------------------------------------------------------


@dataclass(frozen=True)
class SignInAttempt:
    """One row of the sign-in log. `address` is a keyed hash of the client address, never the
    address; a throttled burst is one row whose `repeats` counts the attempts it refused."""

    id: int
    username: str
    at: datetime
    ok: bool
    reason: str
    address: str | None
    repeats: int = 1


class SignInLog(Protocol):
    """Every sign-in attempt, by every door: the throttles are computed from it."""

    def record(
        self,
        *,
        username: str,
        at: datetime,
        ok: bool,
        reason: str,
        address: str | None,
        totp_step: int | None = None,
    ) -> None: ...
    def streak(self, username: str, since: datetime) -> list[tuple[datetime, str | None]]:
        """(time, address hash) of this username's failures since `since` and since its last
        success or unlock, newest first (throttled bursts not counted)."""
        ...

    def failures_from(self, address: str, since: datetime, limit: int) -> list[datetime]:
        """Times of the failures from this address since `since`, any username, newest first
        (at most `limit`; throttled bursts not counted)."""
        ...

    def latest(self, username: str, address: str | None) -> SignInAttempt | None:
        """The newest row for this username from this address."""
        ...

    def extend_burst(self, attempt_id: int) -> None:
        """Count one more refused attempt in a throttled burst."""
        ...

    def forgive(self, username: str, address: str | None) -> None:
        """Stop counting this username's failures from `address` (None: from anywhere) towards
        the address's limit: after the person signed in there, or an admin unlocked them."""
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
