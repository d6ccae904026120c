"""In-memory implementations of the service ports, for unit tests with no IO."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from aftercare_fakes import FakeAftercare, FakeJurisdictions, FakeReports
from dispatch_fakes import DispatchStore, FakeDispatches, FakeSmsAckFailures
from monitoring_fakes import FakeMonitoring, MonitoringData
from retention_fakes import FakeRetention, RetentionData
from triage_fakes import FakeAssessments

from lifeline.domain.aftercare import FollowUpPlan
from lifeline.domain.alert import Alert, Attachment, Subject
from lifeline.domain.audit import GENESIS, AuditRecord, Checkpoint, chain_hash
from lifeline.domain.errors import NotFound
from lifeline.domain.lifecycle import MERGEABLE_STATES
from lifeline.domain.mail import QuarantineStatus
from lifeline.domain.model import Case, TimelineEntry
from lifeline.domain.place import Resolution, StoredResolution
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.review import Review
from lifeline.domain.risk import RiskLevel
from lifeline.domain.routing import DispatchRules
from lifeline.services.access.ports import (
    ConsoleProfile,
    PartnerRecord,
    PartnerRepository,
    ProfileStore,
    SessionRecord,
    SessionStore,
    SignInAttempt,
    SignInLog,
    UserRecord,
    UserRepository,
)
from lifeline.services.aftercare.ports import AftercareRepository
from lifeline.services.cases.ports import ReviewItem, ReviewPost, ReviewReads
from lifeline.services.console.ports import ConsoleReads, MapItem, QueueItem
from lifeline.services.context import Context, ServiceConfig
from lifeline.services.dispatch.ports import DispatchRepository, SmsAckFailures
from lifeline.services.intake.ports import (
    IdempotencyRecord,
    IdempotencyStore,
    ImapLedger,
    IntakeReceipts,
    PartnerSenders,
    Quarantine,
    QuarantinedMessage,
    SignatureLedger,
)
from lifeline.services.job_prune.ports import JobPruneStore, JobTableSize
from lifeline.services.location.ports import JurisdictionIndex, LocationRepository
from lifeline.services.monitoring.ports import MonitoringRepository
from lifeline.services.outbox import EventOutbox, collect_new_events
from lifeline.services.ports import (
    AlertRepository,
    AuditLog,
    CaseRepository,
    CaseSummary,
    Job,
    JobQueue,
    JobStats,
    SubjectRepository,
)
from lifeline.services.reports.ports import ReportSource
from lifeline.services.retention.ports import RetentionStore
from lifeline.services.triage.ports import AssessmentRepository
from support import FakeClock, RecordingSink

#: the states the console's queue and map show (as the SQL read models)
_OPEN = ("received", "dispatched", "acknowledged", "on_scene")


class Store:
    """Everything the fakes keep; shared by all units of work of one test."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.cases: dict[int, Case] = {}
        self.case_keys: dict[str, set[int]] = {}
        self.timeline: dict[int, list[TimelineEntry]] = {}
        self.alerts: dict[int, Alert] = {}
        self.subjects: dict[int, Subject] = {}
        self.partners: dict[str, PartnerRecord] = {}
        self.users: dict[str, UserRecord] = {}
        self.jobs: list[dict[str, Any]] = []
        self.audit: list[AuditRecord] = []
        self.audit_checkpoints: list[Checkpoint] = []
        self.idempotency: dict[tuple[int, str], IdempotencyRecord] = {}
        self.signatures: set[tuple[int, str]] = set()
        self.signature_times: list[tuple[int, datetime]] = []
        self.resolutions: list[StoredResolution] = []
        self.registry: list[tuple[str, list[RegistryUnit]]] = []
        self.receipts: dict[str, tuple[int, int]] = {}
        self.quarantine: dict[int, QuarantinedMessage] = {}
        self.senders: dict[str, int] = {}
        self.pinned: dict[tuple[str, str], tuple[int, str]] = {}
        self.imap: set[tuple[str, int, int]] = set()
        self.sessions: dict[str, SessionRecord] = {}
        self.sign_ins: list[SignInAttempt] = []
        self.profiles: dict[int, ConsoleProfile] = {}
        self.plans: dict[int, FollowUpPlan] = {}
        self.links: dict[int, dict[int, set[str]]] = {}
        self.districts: dict[int, str] = {}
        self.assigned: dict[int, tuple[str, datetime]] = {}
        self.assessments: list[Any] = []
        self.dispatch = DispatchStore()
        self.dispatch_rules: list[DispatchRules | None] = []
        self.monitoring = MonitoringData()
        self.retention = RetentionData()


class FakeCases:
    def __init__(self, store: Store) -> None:
        self.s = store
        #: the cases handed out or stored, for the unit of work to collect their events
        self.seen: list[Case] = []

    def _see(self, case: Case) -> Case:
        if not any(case is c for c in self.seen):
            self.seen.append(case)
        return case

    def add(self, case: Case) -> Case:
        case.id = next(self.s.ids)
        case.version = 1
        self.s.timeline[case.id] = list(case.new_timeline)
        case.new_timeline.clear()
        self.s.cases[case.id] = copy.deepcopy(case)
        return self._see(case)

    def get(self, case_id: int, *, for_update: bool = False) -> Case:
        if case_id not in self.s.cases:
            raise NotFound(f"case {case_id} not found")
        return self._see(copy.deepcopy(self.s.cases[case_id]))

    def levels_and_traces(
        self, case_ids: set[int]
    ) -> dict[int, tuple[RiskLevel | None, datetime | None]]:
        found = [self.s.cases[cid] for cid in case_ids if cid in self.s.cases]
        return {c.id or 0: (c.risk_level, c.trace_requested_at) for c in found}

    def save(self, case: Case) -> None:
        assert case.id is not None
        case.version += 1
        self.s.timeline[case.id].extend(case.new_timeline)
        case.new_timeline.clear()
        stored = copy.deepcopy(case)
        stored.events = []
        self.s.cases[case.id] = stored
        self._see(case)

    def find_mergeable(self, keys: list[str], since: datetime) -> Case | None:
        ids = set().union(*(self.s.case_keys.get(k, set()) for k in keys))
        found = [
            c
            for c in (self.s.cases[i] for i in ids)
            if c.status in MERGEABLE_STATES and (c.last_alert_at or c.opened_at) >= since
        ]
        found.sort(key=lambda c: c.last_alert_at or c.opened_at, reverse=True)
        return self._see(copy.deepcopy(found[0])) if found else None

    def attach_keys(self, case_id: int, keys: list[str], at: datetime) -> None:
        for key in keys:
            self.s.case_keys.setdefault(key, set()).add(case_id)

    def summaries(
        self, *, statuses: list[str] | None = None, limit: int = 100
    ) -> list[CaseSummary]:
        rows = [c for c in self.s.cases.values() if not statuses or c.status in statuses]
        rows.sort(key=lambda c: c.opened_at, reverse=True)
        return [
            CaseSummary(
                c.id or 0,
                c.status,
                c.platform,
                c.risk_level,
                c.opened_at,
                c.last_alert_at,
                c.alert_count,
                c.outcome.kind.value if c.outcome else None,
            )
            for c in rows[:limit]
        ]

    def timeline(self, case_id: int) -> list[TimelineEntry]:
        return list(self.s.timeline.get(case_id, []))

    def times_of(self, case_id: int, kind: str) -> set[datetime]:
        return {t.at for t in self.s.timeline.get(case_id, []) if t.kind == kind}

    def note(self, case_id: int, entry: TimelineEntry) -> None:
        self.s.timeline.setdefault(case_id, []).append(entry)

    def partner_ids(self, case_id: int) -> set[int]:
        return {
            a.partner_id
            for a in self.s.alerts.values()
            if a.case_id == case_id and a.partner_id is not None
        }


class FakeAlerts:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(self, alert: Alert) -> Alert:
        alert.id = next(self.s.ids)
        for attachment in alert.attachments:
            attachment.id = next(self.s.ids)
        self.s.alerts[alert.id] = copy.deepcopy(alert)
        return alert

    def for_case(self, case_id: int) -> list[Alert]:
        return [copy.deepcopy(a) for a in self.s.alerts.values() if a.case_id == case_id]

    def attachment(self, attachment_id: int) -> tuple[int, Attachment]:
        for alert in self.s.alerts.values():
            for attachment in alert.attachments:
                if attachment.id == attachment_id:
                    assert alert.id is not None
                    return alert.id, copy.deepcopy(attachment)
        raise NotFound(f"attachment {attachment_id} not found")


class FakeSubjects:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(self, subject: Subject) -> Subject:
        subject.id = next(self.s.ids)
        self.s.subjects[subject.id] = copy.deepcopy(subject)
        return subject

    def get(self, subject_id: int) -> Subject:
        return copy.deepcopy(self.s.subjects[subject_id])


class FakePartners:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(self, name: str, key_id: str, secret: str, at: datetime) -> PartnerRecord:
        record = PartnerRecord(next(self.s.ids), name, key_id, secret)
        self.s.partners[key_id] = record
        return record

    def by_key_id(self, key_id: str) -> PartnerRecord | None:
        return self.s.partners.get(key_id)


class FakeUsers:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(
        self,
        *,
        username: str,
        password_hash: str,
        totp_secret: str,
        role: str,
        jurisdiction: str | None,
        at: datetime,
    ) -> UserRecord:
        record = UserRecord(
            next(self.s.ids), username, password_hash, totp_secret, role, jurisdiction
        )
        self.s.users[username] = record
        return record

    def by_username(self, username: str) -> UserRecord | None:
        return self.s.users.get(username)

    def all(self) -> list[UserRecord]:
        return sorted(self.s.users.values(), key=lambda u: u.id)

    def _change(self, user_id: int, **changes: Any) -> None:
        for name, record in self.s.users.items():
            if record.id == user_id:
                self.s.users[name] = replace(record, **changes)

    def set_active(self, user_id: int, active: bool) -> None:
        self._change(user_id, active=active)

    def set_role(self, user_id: int, role: str, jurisdiction: str | None) -> None:
        self._change(user_id, role=role, jurisdiction=jurisdiction)

    def revoke_tokens(self, user_id: int) -> None:
        user = next(u for u in self.s.users.values() if u.id == user_id)
        self._change(user_id, token_generation=user.token_generation + 1)

    def set_two_factor(
        self, user_id: int, totp_secret: str, code_hash: str, expires_at: datetime
    ) -> None:
        self._change(user_id, totp_secret=totp_secret, last_totp_step=None,
                     enrolment_code_hash=code_hash, enrolment_expires_at=expires_at)  # fmt: skip

    def consume_enrolment(self, user_id: int, code_hash: str) -> bool:
        user = next(u for u in self.s.users.values() if u.id == user_id)
        if user.enrolment_code_hash != code_hash:
            return False
        self._change(user_id, enrolment_code_hash=None, enrolment_expires_at=None)
        return True

    def accept_totp_step(self, user_id: int, step: int) -> bool:
        user = next(u for u in self.s.users.values() if u.id == user_id)
        if user.last_totp_step is not None and user.last_totp_step >= step:
            return False
        self._change(user_id, last_totp_step=step)
        return True


_UNCOUNTED = ("throttled", "forgiven")


class FakeSignIns:
    def __init__(self, store: Store) -> None:
        self.s = store

    def record(self, *, username: str, at: datetime, ok: bool, reason: str,
               address: str | None, totp_step: int | None = None) -> None:  # fmt: skip
        self.s.sign_ins.append(SignInAttempt(next(self.s.ids), username, at, ok, reason, address))

    def streak(self, username: str, since: datetime) -> list[tuple[datetime, str | None]]:
        found: list[tuple[datetime, str | None]] = []
        for row in reversed(self.s.sign_ins):
            if row.username != username or row.at < since or row.reason in _UNCOUNTED:
                continue
            if row.ok:
                break
            found.append((row.at, row.address))
        return found

    def failures_from(self, address: str, since: datetime, limit: int) -> list[datetime]:
        found = [
            r.at
            for r in reversed(self.s.sign_ins)
            if r.address == address and r.at >= since and not r.ok and r.reason not in _UNCOUNTED
        ]
        return found[:limit]

    def latest(self, username: str, address: str | None) -> SignInAttempt | None:
        for row in reversed(self.s.sign_ins):
            if row.username == username and row.address == address:
                return row
        return None

    def forgive(self, username: str, address: str | None) -> None:
        self.s.sign_ins = [
            replace(r, reason="forgiven")
            if r.username == username and not r.ok and r.reason != "throttled"
            and (address is None or r.address == address)
            else r
            for r in self.s.sign_ins
        ]  # fmt: skip

    def extend_burst(self, attempt_id: int) -> None:
        self.s.sign_ins = [
            replace(r, repeats=r.repeats + 1) if r.id == attempt_id else r for r in self.s.sign_ins
        ]


class FakeJobPrune:
    """The job table's prune store over the fake jobs (which keep no finish time: the prune
    itself is tested against the real databases)."""

    def __init__(self, store: Store) -> None:
        self.s = store

    def finished_before(self, status: str, before: datetime, limit: int) -> list[int]:
        raise NotImplementedError("the prune is tested against the real database")

    def delete(self, status: str, ids: list[int]) -> int:
        raise NotImplementedError("the prune is tested against the real database")

    def prune_scheduled(self, *, running: bool = True) -> datetime | None:
        statuses = ("pending", "running") if running else ("pending",)
        due = [
            j["run_at"]
            for j in self.s.jobs
            if j["kind"] == "prune_jobs" and j["status"] in statuses
        ]
        return min(due, default=None)

    def size(self) -> JobTableSize:
        counts: dict[str, int] = {}
        for j in self.s.jobs:
            counts[j["status"]] = counts.get(j["status"], 0) + 1
        return JobTableSize(counts, None)


class FakeJobs:
    def __init__(self, store: Store) -> None:
        self.s = store

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        case_id: int | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
    ) -> int:
        job_id = next(self.s.ids)
        self.s.jobs.append(
            {
                "id": job_id,
                "kind": kind,
                "payload": payload,
                "case_id": case_id,
                "run_at": run_at or now,
                "status": "pending",
            }
        )
        return job_id

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
        self.enqueue(
            kind, payload, now=now, case_id=case_id, run_at=run_at, max_attempts=max_attempts
        )

    def flush(self) -> None:
        pass

    def complete(self, job: Job, now: datetime) -> None:
        raise NotImplementedError("the worker is tested against the real database")

    def claim(self, now: datetime, lease: timedelta, limit: int = 10) -> list[Job]:
        raise NotImplementedError

    def fail(self, job: Job, now: datetime, error: str, *, permanent: bool = False) -> bool:
        raise NotImplementedError

    def release(self, jobs: list[Job], now: datetime) -> None:
        raise NotImplementedError

    def renew(self, tokens: Collection[str], until: datetime) -> set[int]:
        raise NotImplementedError

    def retry(self, job_id: int, now: datetime) -> bool:
        raise NotImplementedError

    def stats(self) -> JobStats:
        return JobStats(len(self.s.jobs), 0, 0, 0)

    def recent(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        return list(self.s.jobs)[-limit:]

    def heartbeat(self, worker_id: str, started_at: datetime, now: datetime) -> None:
        pass

    def latest_heartbeat(self) -> datetime | None:
        return None


class FakeAudit:
    def __init__(self, store: Store) -> None:
        self.s = store

    def append(
        self, *, at: datetime, actor: str, action: str, case_id: int | None, details: dict[str, Any]
    ) -> None:
        prev = self.s.audit[-1].hash if self.s.audit else GENESIS
        seq = len(self.s.audit) + 1
        self.s.audit.append(
            AuditRecord(
                seq,
                at,
                actor,
                action,
                case_id,
                details,
                prev,
                chain_hash(prev, seq, at, actor, action, case_id, details),
            )
        )

    def records(self) -> Iterator[AuditRecord]:
        return iter(list(self.s.audit))

    def for_case(self, case_id: int, since: datetime) -> list[AuditRecord]:
        return [r for r in self.s.audit if r.case_id == case_id and r.at >= since]

    def head(self) -> tuple[int, str]:
        return (len(self.s.audit), self.s.audit[-1].hash) if self.s.audit else (0, GENESIS)

    def claim_checkpoint_writer(self) -> bool:
        return True

    def last_checkpoint(self) -> Checkpoint | None:
        return self.s.audit_checkpoints[-1] if self.s.audit_checkpoints else None

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        self.s.audit_checkpoints.append(checkpoint)


class FakeIdempotency:
    def __init__(self, store: Store) -> None:
        self.s = store

    def get(self, partner_id: int, key: str) -> IdempotencyRecord | None:
        return self.s.idempotency.get((partner_id, key))

    def put(self, record: IdempotencyRecord, at: datetime) -> None:
        self.s.idempotency[(record.partner_id, record.key)] = record


class FakeSignatures:
    def __init__(self, store: Store) -> None:
        self.s = store

    def remember(self, partner_id: int, signature: str, at: datetime) -> bool:
        if (partner_id, signature) in self.s.signatures:
            return False
        self.s.signatures.add((partner_id, signature))
        self.s.signature_times.append((partner_id, at))
        return True

    def forget_before(self, cutoff: datetime) -> int:
        return 0

    def seen_since(self, partner_id: int, since: datetime) -> tuple[int, datetime | None]:
        times = [at for pid, at in self.s.signature_times if pid == partner_id and at > since]
        return len(times), min(times, default=None)


class FakeReceipts:
    def __init__(self, store: Store) -> None:
        self.s = store

    def get(self, key: str) -> tuple[int, int] | None:
        return self.s.receipts.get(key)

    def put(self, key: str, alert_id: int, case_id: int, at: datetime) -> None:
        self.s.receipts[key] = (alert_id, case_id)


class FakeQuarantine:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(self, *, channel: str, mail_from: str, raw: bytes, reason: str, at: datetime) -> int:
        qid = next(self.s.ids)
        self.s.quarantine[qid] = QuarantinedMessage(
            qid, at, channel, mail_from, reason, len(raw), QuarantineStatus.PENDING, raw=raw
        )
        return qid

    def get(self, message_id: int, *, for_update: bool = False) -> QuarantinedMessage:
        if message_id not in self.s.quarantine:
            raise NotFound(f"quarantined message {message_id} not found")
        return self.s.quarantine[message_id]

    def recent(self, status: str | None = None, limit: int = 100) -> list[QuarantinedMessage]:
        return [m for m in self.s.quarantine.values() if status in (None, m.status)][:limit]

    def waiting(self, limit: int = 100) -> list[QuarantinedMessage]:
        pending = [m for m in self.s.quarantine.values() if m.status is QuarantineStatus.PENDING]
        return sorted(pending, key=lambda m: (m.received_at, m.id))[:limit]

    def waiting_summary(self) -> tuple[int, datetime | None]:
        pending = self.waiting(limit=len(self.s.quarantine))
        return len(pending), (pending[0].received_at if pending else None)

    def mark(
        self,
        message_id: int,
        *,
        status: QuarantineStatus,
        alert_id: int | None,
        by: str,
        at: datetime,
    ) -> None:
        self.s.quarantine[message_id] = replace(
            self.s.quarantine[message_id], status=status, alert_id=alert_id, reviewed_by=by
        )


class FakeSenders:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(self, partner_id: int, pattern: str, at: datetime) -> None:
        self.s.senders[pattern.lower().lstrip("@")] = partner_id

    def partner_for(self, address: str) -> int | None:
        address = address.lower()
        domain = address.rpartition("@")[2]
        return self.s.senders.get(address) or self.s.senders.get(domain)

    def owner(self, pattern: str) -> int | None:
        return self.s.senders.get(pattern.lower().lstrip("@"))

    def patterns_of(self, partner_id: int) -> list[str]:
        return sorted(p for p, owner in self.s.senders.items() if owner == partner_id)

    def pin_key(
        self, partner_id: int, domain: str, selector: str, public_key: str, at: datetime
    ) -> None:
        self.s.pinned[(domain, selector)] = (partner_id, public_key)

    def pinned_key(self, domain: str, selector: str) -> str | None:
        found = self.s.pinned.get((domain, selector))
        return None if found is None else found[1]

    def pinned_of(self, partner_id: int) -> list[tuple[str, str]]:
        return sorted(k for k, (owner, _) in self.s.pinned.items() if owner == partner_id)

    def partner_key(self, partner_id: int) -> str | None:
        return next((p.key_id for p in self.s.partners.values() if p.id == partner_id), None)


class FakeImap:
    def __init__(self, store: Store) -> None:
        self.s = store

    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool:
        return (mailbox, uidvalidity, uid) in self.s.imap

    def mark(
        self,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        *,
        alert_id: int | None,
        quarantine_id: int | None,
        at: datetime,
    ) -> None:
        self.s.imap.add((mailbox, uidvalidity, uid))

    def last_uid(self, mailbox: str, uidvalidity: int) -> int:
        return max((u for m, v, u in self.s.imap if (m, v) == (mailbox, uidvalidity)), default=0)


class FakeLocations:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(self, alert_id: int, case_id: int, at: datetime, resolution: Resolution) -> None:
        self.s.resolutions.append(StoredResolution(alert_id, case_id, at, resolution))

    def for_case(self, case_id: int) -> list[StoredResolution]:
        return [r for r in self.s.resolutions if r.case_id == case_id]

    def registry_version(self) -> str | None:
        return self.s.registry[-1][0] if self.s.registry else None

    def registry_units(self) -> list[RegistryUnit]:
        return list(self.s.registry[-1][1]) if self.s.registry else []

    def replace_registry(
        self,
        units: Any,
        *,
        version: str,
        at: datetime,
        source: str,
        actor: str,
        rules: DispatchRules | None = None,
    ) -> None:
        self.s.registry.append((version, list(units)))
        self.s.dispatch_rules.append(rules)

    def dispatch_rules(self) -> DispatchRules | None:
        return self.s.dispatch_rules[-1] if self.s.dispatch_rules else None


class FakeSessions:
    def __init__(self, store: Store) -> None:
        self.s = store

    def add(self, *, token_hash: str, user_id: int, username: str, role: str,
                    csrf_token: str, at: datetime, expires_at: datetime,
                    ip: str | None) -> SessionRecord:  # fmt: skip
        record = SessionRecord(
            next(self.s.ids), user_id, username, role, csrf_token, at, at, expires_at
        )
        self.s.sessions[token_hash] = record
        return record

    def get(self, token_hash: str) -> SessionRecord | None:
        return self.s.sessions.get(token_hash)

    def _update(self, session_id: int, **changes: Any) -> None:
        for key, record in self.s.sessions.items():
            if record.id == session_id:
                self.s.sessions[key] = replace(record, **changes)

    def touch(self, session_id: int, at: datetime) -> None:
        self._update(session_id, last_seen_at=at)

    def revoke(self, session_id: int, at: datetime) -> None:
        self._update(session_id, revoked_at=at)

    def revoke_all(self, user_id: int, at: datetime) -> int:
        open_ = [r for r in self.s.sessions.values() if r.user_id == user_id and not r.revoked_at]
        for record in open_:
            self._update(record.id, revoked_at=at)
        return len(open_)


class FakeProfiles:
    def __init__(self, store: Store) -> None:
        self.s = store

    def get(self, user_id: int) -> ConsoleProfile | None:
        return self.s.profiles.get(user_id)

    def save(
        self, user_id: int, *, language: str, enrolled_at: datetime | None, at: datetime
    ) -> None:
        self.s.profiles[user_id] = ConsoleProfile(user_id, language, enrolled_at)


class FakeConsole:
    """The console's read models: the live queue and the map."""

    def __init__(self, store: Store) -> None:
        self.s = store

    def open_queue(
        self, *, case_ids: set[int] | None, trace_only: bool, limit: int
    ) -> list[QueueItem]:
        items = []
        for case in self.s.cases.values():
            if case.status.value not in _OPEN or (case.review is not None and case.review.pending):
                continue
            if (case_ids is not None and case.id not in case_ids) or (
                trace_only and case.trace_requested_at is None
            ):
                continue
            alerts = [a for a in self.s.alerts.values() if a.case_id == case.id]
            last = alerts[-1] if alerts else None
            assert case.id is not None
            items.append(
                QueueItem(
                    case.id,
                    case.status.value,
                    case.platform,
                    last.source.value if last else "",
                    case.risk_level,
                    case.opened_at,
                    case.last_alert_at,
                    case.alert_count,
                    None,
                    None,
                    case.trace_requested_at,
                    last.post.text if last else None,
                    "text",
                    None,
                )
            )
        return items[:limit]

    def map_items(
        self, *, case_ids: set[int] | None, outcomes_since: datetime, limit: int
    ) -> list[MapItem]:
        items = []
        for case in sorted(self.s.cases.values(), key=lambda c: (c.opened_at, c.id or 0)):
            assert case.id is not None
            outcome = case.outcome
            settled_at = outcome.recorded_at if outcome else None
            recent = settled_at is not None and settled_at >= outcomes_since
            if case.status.value not in _OPEN and not recent:
                continue
            if case_ids is not None and case.id not in case_ids:
                continue
            items.append(
                MapItem(
                    case.id,
                    case.status.value,
                    case.risk_level,
                    case.opened_at,
                    outcome.kind.value if outcome else None,
                    settled_at,
                    self._coordinates(case.id),
                )
            )
        return items[:limit]

    def _coordinates(self, case_id: int) -> tuple[float, float] | None:
        """(lat, lon) of the newest alert of the case that gave coordinates."""
        newest = sorted(
            (a for a in self.s.alerts.values() if a.case_id == case_id),
            key=lambda a: (a.received_at, a.id or 0),
            reverse=True,
        )
        for alert in newest:
            if alert.location.lat is not None and alert.location.lon is not None:
                return alert.location.lat, alert.location.lon
        return None


class FakeReviews:
    """The review queue of monitoring cases (services/cases/ports.py)."""

    def __init__(self, store: Store) -> None:
        self.s = store

    def _pending(self) -> list[Case]:
        return [
            c
            for c in self.s.cases.values()
            if c.review is not None and c.review.pending and c.status.value == "received"
        ]

    def pending_count(self) -> int:
        return len(self._pending())

    def pending_order(self) -> list[tuple[int, str | None, datetime]]:
        out = []
        for case in self._pending():
            assert case.id is not None
            posts = [a for a in self.s.alerts.values() if a.case_id == case.id]
            newest = max((a.post.posted_at or a.received_at for a in posts), default=case.opened_at)
            out.append((case.id, case.risk_level.value if case.risk_level else None, newest))
        return out

    def items(self, case_ids: list[int]) -> list[ReviewItem]:
        items = []
        for case_id in case_ids:
            case = self.s.cases[case_id]
            posts = sorted(
                (a for a in self.s.alerts.values() if a.case_id == case_id),
                key=lambda a: (a.post.posted_at or a.received_at, a.id or 0),
                reverse=True,
            )
            items.append(
                ReviewItem(
                    case_id,
                    case.opened_at,
                    case.risk_level.value if case.risk_level else None,
                    case.platform,
                    next((a.subject.handle for a in posts if a.subject.handle), None),
                    next((a.location.text for a in posts if a.location.text), None),
                    tuple(
                        ReviewPost(
                            a.id or 0, a.received_at, a.post.posted_at, a.post.text, a.post.url
                        )
                        for a in posts
                    ),
                )
            )
        return items

    def decided(self) -> list[tuple[int, Review]]:
        found = [
            (c.id or 0, c.review)
            for c in self.s.cases.values()
            if c.review is not None and not c.review.pending
        ]
        return sorted(found, key=lambda f: (f[1].at or datetime.min.replace(tzinfo=UTC), f[0]))


class FakeUnitOfWork:
    """Transactions are all-or-nothing: changes go to a copy of the store, kept on commit
    with the outbox rows of the events of the cases and plans seen (as the SQL one does).

    Every repository is declared with its port, so mypy (tests/test_quality.py) fails when a
    fake drifts from the Protocol the SQL repository implements."""

    cases: CaseRepository
    alerts: AlertRepository
    subjects: SubjectRepository
    jobs: JobQueue
    audit: AuditLog
    partners: PartnerRepository
    users: UserRepository
    sessions: SessionStore
    profiles: ProfileStore
    sign_ins: SignInLog
    idempotency: IdempotencyStore
    signatures: SignatureLedger
    receipts: IntakeReceipts
    quarantine: Quarantine
    senders: PartnerSenders
    imap: ImapLedger
    assessments: AssessmentRepository
    locations: LocationRepository
    jurisdictions: JurisdictionIndex
    dispatches: DispatchRepository
    sms_ack_failures: SmsAckFailures
    aftercare: AftercareRepository
    reports: ReportSource
    console: ConsoleReads
    reviews: ReviewReads
    monitoring: MonitoringRepository
    retention: RetentionStore
    job_prune: JobPruneStore

    def __init__(self, store_ref: list[Store], outbox: EventOutbox | None = None) -> None:
        self.ref = store_ref
        self.outbox = outbox
        self.committed = False

    def __enter__(self) -> Self:
        self._open(copy.deepcopy(self.ref[0]))
        return self

    def _open(self, work: Store) -> None:
        self.work = s = work
        # kept with their own types too: commit reads the aggregates they handed out
        self._seen_cases, self._seen_plans = FakeCases(s), FakeAftercare(s)
        self.cases, self.alerts, self.subjects = self._seen_cases, FakeAlerts(s), FakeSubjects(s)
        self.partners, self.users, self.jobs = FakePartners(s), FakeUsers(s), FakeJobs(s)
        self.audit, self.idempotency = FakeAudit(s), FakeIdempotency(s)
        self.signatures = FakeSignatures(s)
        self.locations = FakeLocations(s)
        self.receipts, self.quarantine = FakeReceipts(s), FakeQuarantine(s)
        self.senders, self.imap = FakeSenders(s), FakeImap(s)
        self.aftercare, self.reports = self._seen_plans, FakeReports(s)
        self.jurisdictions = FakeJurisdictions(s)
        self.console = FakeConsole(s)
        self.reviews = FakeReviews(s)
        self.sessions, self.profiles = FakeSessions(s), FakeProfiles(s)
        self.sign_ins = FakeSignIns(s)
        self.assessments = FakeAssessments(s)
        self.dispatches = FakeDispatches(s.dispatch)
        self.sms_ack_failures = FakeSmsAckFailures(s.dispatch)
        self.monitoring = FakeMonitoring(s.monitoring)
        self.retention = FakeRetention(s.retention, s.cases)
        self.job_prune = FakeJobPrune(s)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """The store as it was, back on an exception (the repositories rebuilt on it)."""
        before = copy.deepcopy(self.work)
        try:
            yield
        except BaseException:
            self._open(before)
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass

    def lock_keys(self, keys: Iterable[str]) -> None:
        pass

    def commit(self) -> None:
        events = list(collect_new_events([*self._seen_cases.seen, *self._seen_plans.seen]))
        if self.outbox is not None:
            self.outbox.write(self.jobs, events)
        self.ref[0] = self.work
        self.committed = True

    def rollback(self) -> None:
        pass


class FakeUowFactory:
    def __init__(self, outbox: EventOutbox | None = None) -> None:
        self.ref = [Store()]
        self.outbox = outbox

    @property
    def store(self) -> Store:
        return self.ref[0]

    def __call__(self, *, readonly: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.ref, self.outbox)


class PlainPasswords:
    """Not a password hash: fine for unit tests of the flows around it."""

    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain:" + password


def make_context(
    clock: FakeClock | None = None,
    *,
    webhooks: tuple[str, ...] = ("http://hook",),
    merge_window: timedelta = timedelta(hours=6),
) -> tuple[Context, FakeUowFactory, RecordingSink]:
    clock = clock or FakeClock()
    factory = FakeUowFactory(EventOutbox(webhooks, clock))
    sink = RecordingSink()
    ctx = Context(
        uow=factory,
        clock=clock,
        config=ServiceConfig(merge_window=merge_window),
        passwords=PlainPasswords(),
        events=sink,
    )
    return ctx, factory, sink
