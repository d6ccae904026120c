"""The SQL unit of work: one connection, one transaction, all repositories on it."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, text

from lifeline.adapters.db.access import (
    SqlIdempotencyStore,
    SqlPartnerRepository,
    SqlSignatureLedger,
    SqlSignInLog,
    SqlUserRepository,
)
from lifeline.adapters.db.aftercare_repos import SqlAftercareRepository, SqlReportSource
from lifeline.adapters.db.alert_repos import SqlAlertRepository, SqlSubjectRepository
from lifeline.adapters.db.assessments import SqlAssessmentRepository
from lifeline.adapters.db.audit import SqlAuditLog
from lifeline.adapters.db.console_repos import SqlConsoleReads, SqlJurisdictionIndex
from lifeline.adapters.db.dispatch_repos import SqlDispatchRepository
from lifeline.adapters.db.intake_repos import (
    SqlImapLedger,
    SqlIntakeReceipts,
    SqlPartnerSenders,
    SqlQuarantine,
)
from lifeline.adapters.db.job_prune import SqlJobPruneStore
from lifeline.adapters.db.jobs import SqlJobQueue
from lifeline.adapters.db.locations import SqlLocationRepository
from lifeline.adapters.db.monitoring_repos import SqlMonitoringStore
from lifeline.adapters.db.outage import classify
from lifeline.adapters.db.repositories import SqlCaseRepository
from lifeline.adapters.db.retention import SqlRetentionStore
from lifeline.adapters.db.review_repos import SqlReviewReads
from lifeline.adapters.db.sessions import SqlProfileStore, SqlSessionStore
from lifeline.adapters.db.sms_ack_repos import SqlSmsAckFailures
from lifeline.domain.audit import AuditKey
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
from lifeline.services.outbox import EventOutbox, collect_new_events
from lifeline.services.ports import (
    AlertRepository,
    AuditLog,
    CaseRepository,
    Cipher,
    JobQueue,
    SubjectRepository,
)
from lifeline.services.reports.ports import ReportSource
from lifeline.services.retention.ports import RetentionStore
from lifeline.services.triage.ports import AssessmentRepository

_LOCK_KEYS = text(
    "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:ks AS bigint[])) AS k ORDER BY k"
)

#: seconds a SQLite writer waits for the in-process write lock (as long as SQLite's busy timeout)
WRITE_LOCK_TIMEOUT = 30.0


class SqlUnitOfWork:
    """Enter to begin a transaction; `commit()` to keep it. Leaving without commit rolls back.
    Before COMMIT, the new events of the cases and plans its repositories saw become outbox
    rows (`outbox`; without one they are dropped, as with no webhook configured), and the jobs
    it added are inserted in one statement.

    The steps of one alert read the same rows: a case's alerts, assessments and resolutions,
    its assigned district and the audit chain's head are read once per transaction and kept
    by their repository, the only writer of those rows in a transaction (the retention purge,
    which erases fields of them too, reads none of them back in its transactions)."""

    conn: Connection
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
    console: ConsoleReads
    reviews: ReviewReads
    sessions: SessionStore
    profiles: ProfileStore
    sign_ins: SignInLog
    jurisdictions: JurisdictionIndex
    aftercare: AftercareRepository
    reports: ReportSource
    locations: LocationRepository
    assessments: AssessmentRepository
    dispatches: DispatchRepository
    sms_ack_failures: SmsAckFailures
    monitoring: MonitoringRepository
    retention: RetentionStore
    # the job table's prune (finished jobs deleted after a while)
    job_prune: JobPruneStore

    def __init__(
        self,
        engine: Engine,
        keys: Cipher,
        *,
        readonly: bool = False,
        job_max_attempts: int = 8,
        write_lock: threading.RLock | None = None,
        audit_key: AuditKey,
        outbox: EventOutbox | None = None,
    ) -> None:
        self.engine, self.keys, self.readonly = engine, keys, readonly
        self.audit_key = audit_key
        self.outbox = outbox
        self.job_max_attempts = job_max_attempts
        self._write_lock = None if readonly else write_lock
        self._locked = False

    def __enter__(self) -> Self:
        if self._write_lock is not None:
            # Bounded like SQLite's busy timeout; past it, SQLite's own busy handling decides.
            self._locked = self._write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT)
        try:
            return self._begin()
        except BaseException as exc:
            self._release()
            outage = classify(exc)
            if outage is not None and outage is not exc:
                raise outage from exc
            raise

    def _release(self) -> None:
        if self._locked and self._write_lock is not None:
            self._locked = False
            self._write_lock.release()

    def _begin(self) -> Self:
        conn = self.engine.connect()
        if self.readonly:
            conn = conn.execution_options(sqlite_begin="DEFERRED")
        self.conn = conn
        self._tx = conn.begin()
        self._key_locks: set[int] = set()
        self.cases = self._case_repo = SqlCaseRepository(conn, self.keys)
        self.alerts = self._alerts = SqlAlertRepository(conn, self.keys)
        self.subjects = SqlSubjectRepository(conn, self.keys)
        self.partners = SqlPartnerRepository(conn, self.keys)
        self.users = SqlUserRepository(conn, self.keys)
        self.jobs = self._jobs = SqlJobQueue(conn, self.job_max_attempts)
        self.audit = self._audit = SqlAuditLog(conn, self.audit_key)
        self.idempotency = SqlIdempotencyStore(conn)
        self.signatures = SqlSignatureLedger(conn)
        self.locations = self._locations = SqlLocationRepository(conn, self.keys)
        self.receipts = SqlIntakeReceipts(conn, self.keys)
        self.quarantine = SqlQuarantine(conn, self.keys)
        self.senders = SqlPartnerSenders(conn)
        self.imap = SqlImapLedger(conn)
        self.console = SqlConsoleReads(conn, self.keys)
        self.reviews = SqlReviewReads(conn, self.keys)
        self.sessions = SqlSessionStore(conn)
        self.profiles = SqlProfileStore(conn)
        self.sign_ins = SqlSignInLog(conn)
        self.jurisdictions = self._jurisdictions = SqlJurisdictionIndex(conn)
        self.aftercare = self._aftercare_repo = SqlAftercareRepository(conn, self.keys)
        self.reports = SqlReportSource(conn)
        self.assessments = self._assessments = SqlAssessmentRepository(conn, self.keys)
        self.dispatches = self._dispatches = SqlDispatchRepository(conn, self.keys)
        self.sms_ack_failures = SqlSmsAckFailures(conn, self.keys)
        self.monitoring = SqlMonitoringStore(conn, self.keys)
        self.retention = SqlRetentionStore(conn, self.keys)
        self.job_prune = SqlJobPruneStore(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._tx.is_active:
                self._tx.rollback()
        except Exception:
            if exc is None:
                raise
            # the connection died with the error being raised: that error is the one to report
        finally:
            try:
                self.conn.close()
            finally:
                self._release()
        # An outage (refused, locked too long, read-only, disk full) leaves the unit of work as
        # StorageUnavailable, so entrypoints answer 503 without knowing SQLAlchemy.
        outage = None if exc is None else classify(exc)
        if outage is not None and outage is not exc:
            raise outage from exc

    def lock_keys(self, keys: Iterable[str]) -> None:
        if self.conn.dialect.name != "postgresql":
            return  # SQLite: BEGIN IMMEDIATE already made this transaction the only writer
        # The keyed hash, not the key: pg_locks must not show a guessable digest of a handle.
        numbers = sorted(
            {
                int.from_bytes(bytes.fromhex(self.keys.blind_index(key))[:8], "big", signed=True)
                for key in keys
            }
            - self._key_locks
        )
        if numbers:
            # held until the transaction ends: asked again (an alert's job, then its triage
            # step), only the ones not yet held are taken
            self._key_locks.update(numbers)
            # One statement, taking the locks in ascending order (PostgreSQL evaluates a
            # volatile output expression after ORDER BY): two intakes never wait on each other
            # in a cycle.
            self.conn.execute(_LOCK_KEYS, {"ks": numbers})

    def flush(self) -> None:
        """Write what is held back to COMMIT: the events' outbox rows, case saves, timeline
        entries, audit rows, dispatch saves and new jobs."""
        events = list(collect_new_events([*self._case_repo.seen, *self._aftercare_repo.seen]))
        if self.outbox is not None:
            self.outbox.write(self.jobs, events)
        self._case_repo.flush_saves()
        self._case_repo.flush_timeline()
        self._audit.flush()
        self._dispatches.flush()
        self._jobs.flush()

    def commit(self) -> None:
        self.flush()
        self._tx.commit()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that fails alone (SAVEPOINT): at its end what it holds
        back is written and the savepoint released; an exception in it rolls back to its start
        (what the transaction kept of its reads is forgotten and read again) and is raised. What
        was held back before it is written first, so a rollback loses only its own work."""
        self.flush()
        nested = self.conn.begin_nested()
        try:
            yield
            self.flush()
        except BaseException:
            if nested.is_active:
                nested.rollback()
            self._forget()
            raise
        nested.commit()

    def rollback(self) -> None:
        self._forget()
        self._tx.rollback()

    def _forget(self) -> None:
        # what this transaction read or wrote is gone: the next one reads it again
        for repo in (
            self._alerts,
            self._assessments,
            self._audit,
            self._locations,
            self._jurisdictions,
            self._jobs,
            self._dispatches,
        ):
            repo.forget()
        self._case_repo.discard_timeline()
        self._key_locks.clear()
        self._case_repo.seen.clear()
        self._aftercare_repo.forget()


class SqlUnitOfWorkFactory:
    def __init__(
        self,
        engine: Engine,
        keys: Cipher,
        job_max_attempts: int = 8,
        *,
        write_lock: threading.RLock | None = None,
        audit_key: AuditKey,
        outbox: EventOutbox | None = None,
    ) -> None:
        self.engine, self.keys, self.job_max_attempts = engine, keys, job_max_attempts
        self.audit_key = audit_key
        self.outbox = outbox
        # SQLite has one writer at a time. Threads of this process queue for it on a lock
        # instead of in SQLite's busy handler, which sleeps up to 100 ms between retries and
        # lets newcomers overtake (seconds of tail latency under concurrent intake). Other
        # processes still wait in the busy handler.
        if write_lock is None and engine.dialect.name == "sqlite":
            write_lock = threading.RLock()
        self.write_lock = write_lock

    def on(self, engine: Engine) -> SqlUnitOfWorkFactory:
        """Units of work on another engine to the same database (the jobs' one, whose commits
        do not wait for the disk: engine.py), queueing for the same SQLite write lock."""
        return SqlUnitOfWorkFactory(
            engine,
            self.keys,
            self.job_max_attempts,
            write_lock=self.write_lock,
            audit_key=self.audit_key,
            outbox=self.outbox,
        )

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            self.keys,
            readonly=readonly,
            job_max_attempts=self.job_max_attempts,
            write_lock=self.write_lock,
            audit_key=self.audit_key,
            outbox=self.outbox,
        )
