"""The composition root: the one place that picks adapters and wires services.

Nothing is built at import time; `bootstrap()` builds an application from settings, and tests
call it with their own settings, clock or event sink. Adapters that are heavy to import (the
triage model, the resolver, notification channels, mail intake, PDF reports, migrations) are
imported when first used, so a command that needs none of them (`lifeline cases list`) starts
fast (bench/startup.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine

from lifeline.adapters.channels.anchor_webhook import HttpxCheckpointWebhook
from lifeline.adapters.channels.demo_inbox import DemoInboxChannels, MemoryDemoInbox
from lifeline.adapters.channels.lazy import LazyNotificationChannels
from lifeline.adapters.channels.phone_numbers import PhonenumbersE164
from lifeline.adapters.channels.webhook import HttpxWebhookSink
from lifeline.adapters.classifier.lazy import LazyRiskClassifier
from lifeline.adapters.crypto.ack_tokens import SignedAckTokens, ack_secret
from lifeline.adapters.crypto.anchor_file import AnchorFile
from lifeline.adapters.crypto.audit_key import AuditKeyError as AuditKeyError
from lifeline.adapters.crypto.audit_key import load_or_create_audit_key
from lifeline.adapters.crypto.keyring import Keyring
from lifeline.adapters.crypto.passwords import Argon2Passwords
from lifeline.adapters.db.engine import make_engine, probe_write
from lifeline.adapters.db.job_wakeup import JobsReady, PgJobListener, PgJobNotifier
from lifeline.adapters.db.jobs import SqlDueProbe
from lifeline.adapters.db.rotation import reencrypt_all
from lifeline.adapters.db.uow import SqlUnitOfWorkFactory
from lifeline.adapters.geo.lazy import LazyGeoLocator
from lifeline.adapters.reports.tabular import CsvReportWriter, JsonReportWriter, write_state_export
from lifeline.domain.errors import DomainError
from lifeline.domain.mail import EmailOutcome, EmailStatus
from lifeline.domain.model import Actor
from lifeline.domain.partner_limits import PostWindow
from lifeline.domain.signin import SignInPolicy
from lifeline.observability import Metrics
from lifeline.services.access import accounts as access
from lifeline.services.access.ports import AuditTrust
from lifeline.services.context import Context, ServiceConfig
from lifeline.services.dispatch.ports import NotificationChannels
from lifeline.services.intake import mail as email_intake
from lifeline.services.intake.ports import MailReader
from lifeline.services.job_prune.prune import ensure_scheduled as ensure_prune_scheduled
from lifeline.services.job_types import JobKind
from lifeline.services.monitoring.ingest import ingest_posts
from lifeline.services.monitoring.stream import record_rejected
from lifeline.services.outbox import EventOutbox
from lifeline.services.ports import (
    Clock,
    EventSink,
    JobDueProbe,
    JobStats,
    StorageUnavailable,
    UnitOfWork,
)
from lifeline.services.reports.report import ReportWriter, StateExport, require_format
from lifeline.services.retention.purge import ensure_scheduled
from lifeline.settings import Settings, load_settings

if TYPE_CHECKING:
    from lifeline.adapters.intake.authenticity import DkimAuthenticator
    from lifeline.adapters.intake.imap import ImapPoller
    from lifeline.adapters.intake.nats_stream import NatsConsumer, StreamStats
    from lifeline.adapters.intake.smtp import SmtpIntakeServer


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Lifeline:
    """A wired application: services context plus the operational handles entrypoints need."""

    settings: Settings
    engine: Engine
    keyring: Keyring
    ctx: Context
    metrics: Metrics
    key_created: bool = False
    audit_key_created: bool = False
    jobs_ready: JobsReady = field(default_factory=JobsReady)
    #: posts each partner key sent the monitoring stream in the last minute, in this process
    partner_posts: PostWindow = field(default_factory=PostWindow)
    #: partner secrets last found valid here: a badly signed alert is refused in a read
    #: transaction, never in the write one (services.access.accounts.KnownSecrets)
    known_secrets: access.KnownSecrets = field(default_factory=access.KnownSecrets)
    _worker_engine: Engine | None = None
    #: how DKIM keys are looked up in DNS (None: dnspython); tests give a local table
    dkim_dns_lookup: Callable[..., bytes | None] | None = None
    _worker_engine_lock: threading.Lock = field(default_factory=threading.Lock)
    #: where a job sending several messages sends all but the first (threads start when used)
    _send_pool: ThreadPoolExecutor | None = None

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    def worker_context(self) -> Context:
        """The context background jobs run with: unless `worker_durable_commits`, their
        commits do not wait for the disk (a job lost in a power cut is run again; intake and
        staff actions keep using `ctx`, whose commits do)."""
        factory = self.ctx.uow
        with self._worker_engine_lock:
            if self._send_pool is None:
                self._send_pool = ThreadPoolExecutor(
                    max_workers=2 * self.settings.notify_threads,
                    thread_name_prefix="lifeline-send-more",
                )
            ctx = replace(self.ctx, send_pool=self._send_pool)
            if self.settings.worker_durable_commits or not isinstance(
                factory, SqlUnitOfWorkFactory
            ):
                return ctx
            if self._worker_engine is None:
                self._worker_engine = make_engine(
                    self.settings.database_url,
                    sqlite_synchronous=self.settings.sqlite_synchronous,
                    durable=False,
                )
        return replace(ctx, uow=factory.on(self._worker_engine))

    def job_listener(self) -> PgJobListener | None:
        """What tells a worker that another process queued jobs (PostgreSQL LISTEN); None on
        SQLite, where the worker polls."""
        if self.engine.dialect.name != "postgresql":
            return None
        return PgJobListener(self.engine)

    def job_due_probe(self) -> JobDueProbe | None:
        """What an idle worker polls instead of claiming (adapters/db/jobs.py `SqlDueProbe`);
        None when the storage is not SQL (tests' fakes): the worker then claims each poll."""
        if not isinstance(self.ctx.uow, SqlUnitOfWorkFactory):
            return None
        return SqlDueProbe(self.engine)

    # Imported when first used (PLC0415 below): the modules are heavy to import (alembic, dkimpy,
    # aiosmtpd, imapclient, nats-py, matplotlib) and most commands need none of them.

    def upgrade_db(self) -> None:
        from lifeline.adapters.db import migrate  # noqa: PLC0415

        migrate.upgrade(self.engine)

    def upgrade_db_as_owner(self) -> str | None:
        """`lifeline db upgrade`: migrate with LIFELINE_MIGRATION_DATABASE_URL (a role that
        owns the schema) when set, else with the app's own URL. Returns the revision reached."""
        from lifeline.adapters.db import migrate  # noqa: PLC0415

        owner_url = self.settings.migration_database_url
        if owner_url is None:
            self.upgrade_db()
            return self.db_revision()
        engine = make_engine(owner_url.get_secret_value(), pool_size=1)
        try:
            migrate.upgrade(engine)
            return migrate.current(engine)
        finally:
            engine.dispose()

    def schedule_retention(self) -> bool:
        """Schedule the daily retention purge if none is pending (`db upgrade`, a worker's
        start); True if this scheduled it."""
        with self.ctx.uow() as uow:
            scheduled = ensure_scheduled(uow, self.clock.now())
            ensure_prune_scheduled(uow, self.clock.now())  # the job table's prune, likewise
            uow.commit()
        return scheduled

    def db_revision(self) -> str | None:
        from lifeline.adapters.db import migrate  # noqa: PLC0415

        return migrate.current(self.engine)

    def ping_db(self, wait_seconds: float = 2.0) -> None:
        """Reachable and writable (a write rolled back); StorageUnavailable if not. On SQLite
        the probe queues for this process's write lock like every writer here (in SQLite's
        busy handler, newcomers overtake: under load it would starve and cry "busy")."""
        lock = getattr(self.ctx.uow, "write_lock", None)
        if lock is not None and not lock.acquire(timeout=wait_seconds):
            raise StorageUnavailable(f"busy: no write for {wait_seconds:g} s in this process", 5)
        try:
            probe_write(self.engine, wait_seconds=wait_seconds)
        finally:
            if lock is not None:
                lock.release()

    def job_stats(self) -> JobStats:
        with self.ctx.uow(readonly=True) as uow:
            return uow.jobs.stats()

    def latest_heartbeat(self) -> datetime | None:
        with self.ctx.uow(readonly=True) as uow:
            return uow.jobs.latest_heartbeat()

    def rotate_key(self) -> tuple[str, dict[str, int]]:
        """Make a new primary key (key-file mode) and re-encrypt everything with it."""
        kid = self.keyring.add_primary()
        self.keyring.save()
        return kid, reencrypt_all(self.engine, self.keyring)

    def reencrypt(self) -> dict[str, int]:
        return reencrypt_all(self.engine, self.keyring)

    def token_secret(self) -> bytes:
        """Secret for signing staff API tokens, derived from the lookup key (stable across
        data-key rotation)."""
        return HKDF(SHA256(), 32, salt=None, info=b"lifeline api tokens v1").derive(
            self.keyring.index_key
        )

    def mail_authenticator(self) -> DkimAuthenticator:
        """DKIM (keys pinned or from DNS) and the trusted relays' Authentication-Results."""
        from lifeline.adapters.intake.authenticity import (  # noqa: PLC0415
            DkimAuthenticator,
            parse_trusted_relays,
        )

        return DkimAuthenticator(
            parse_trusted_relays(self.settings.smtp_trusted_relays),
            use_dns=self.settings.dkim_dns,
            dns=self.dkim_dns_lookup,
        )

    def address_key(self, host: str) -> str:
        """The keyed hash that stands for a client address in the sign-in log and audit."""
        return self.keyring.blind_index("client-address:" + host)

    def receive_email(
        self,
        raw: bytes,
        mail_from: str,
        partner_id: int | None = None,
        peer: str | None = None,
        channel: str = "smtp",
        in_transaction: Callable[[UnitOfWork, EmailOutcome], None] | None = None,
    ) -> EmailOutcome:
        from lifeline.adapters.intake.email_alert import parse_alert_email  # noqa: PLC0415

        outcome = email_intake.receive_email(
            self.ctx,
            parse_alert_email,
            self.mail_authenticator(),
            raw,
            email_intake.Delivery(mail_from, channel, partner_id, peer),
            in_transaction=in_transaction,
        )
        if outcome.status is EmailStatus.ALERT:
            self.metrics.alerts_received.labels("platform_email", "email").inc()
            self.jobs_ready.set()
        return outcome

    def add_partner_sender(
        self,
        key_id: str,
        domain: str,
        selector: str | None = None,
        public_key_text: str | None = None,
    ) -> access.PartnerSender:
        """Register a partner's sender domain, and pin a DKIM key (a PEM public key or the
        DNS record's p= value) for a selector of it."""
        from lifeline.adapters.intake.authenticity import dkim_public_key  # noqa: PLC0415

        key = None
        if public_key_text is not None:
            try:
                key = dkim_public_key(public_key_text)
            except ValueError as exc:
                raise DomainError(str(exc)) from None
        return access.register_sender(self.ctx, key_id, domain, selector=selector, public_key=key)

    def release_quarantined(
        self, actor: Actor, message_id: int, reason: str | None = None
    ) -> EmailOutcome:
        from lifeline.adapters.intake.email_alert import parse_alert_email  # noqa: PLC0415

        outcome = email_intake.release(self.ctx, parse_alert_email, actor, message_id, reason)
        self.jobs_ready.set()
        return outcome

    def mail_reader(self) -> MailReader:
        """How held mail is decoded for a person to read (the console and the CLI alike)."""
        from lifeline.adapters.intake.readable import read_held  # noqa: PLC0415

        return read_held

    def smtp_server(self) -> SmtpIntakeServer:
        from lifeline.adapters.intake.smtp import SmtpIntakeServer, SmtpOptions  # noqa: PLC0415

        s = self.settings
        options = SmtpOptions(
            s.smtp_host,
            s.smtp_port,
            s.smtp_max_bytes,
            s.smtp_rate_per_minute,
            s.smtp_tls_cert,
            s.smtp_tls_key,
            s.smtp_require_tls,
            s.smtp_require_auth,
            implicit_tls=s.smtp_tls_implicit,
        )
        return SmtpIntakeServer(
            options,
            lambda raw, sender, partner, peer: self.receive_email(raw, sender, partner, peer),
            lambda login, password: access.check_partner_login(self.ctx, login, password),
        )

    def imap_poller(self) -> ImapPoller | None:
        from lifeline.adapters.intake.imap import ImapOptions, ImapPoller  # noqa: PLC0415

        s = self.settings
        if not s.imap_host:
            return None
        password = s.imap_password.get_secret_value() if s.imap_password else ""
        options = ImapOptions(
            s.imap_host,
            s.imap_port,
            s.imap_ssl,
            s.imap_user or "",
            password,
            s.imap_folder,
            s.imap_move_to,
        )
        return ImapPoller(options, self.ctx.uow, self.receive_email)

    def nats_consumer(
        self, progress: Callable[[StreamStats], None] | None = None, **options: Any
    ) -> NatsConsumer:
        """A consumer of the monitoring stream on NATS JetStream (`options`: NatsOptions'
        fields) that ingests with `ctx` (durable commits: a message is acked only after its
        posts are on disk). StreamSetupError (a DomainError) names a bad option."""
        from lifeline.adapters.intake.nats_stream import NatsConsumer, NatsOptions  # noqa: PLC0415

        nats_options = NatsOptions(**options)
        source = f"nats {nats_options.subject} durable {nats_options.durable}"
        return NatsConsumer(
            nats_options,
            lambda posts: ingest_posts(self.ctx, posts),
            lambda rejected: record_rejected(self.ctx, rejected, source=source),
            progress,
        )

    def report_writer(self, fmt: str) -> ReportWriter:
        """The writer for a report format (json, csv, pdf)."""
        if require_format(fmt) == "pdf":
            from lifeline.adapters.reports.pdf import MatplotlibPdfWriter  # noqa: PLC0415

            return MatplotlibPdfWriter(self.settings.report_font)
        writers: dict[str, ReportWriter] = {"json": JsonReportWriter(), "csv": CsvReportWriter()}
        return writers[fmt]

    def state_export_csv(self, export: StateExport) -> bytes:
        return write_state_export(export)

    def warm_up(self, *, locator: bool = True) -> None:
        """Load the location resolver, the triage model and the notification channels now
        (about 1-2 s), so the first job that needs them does not hold a write transaction, and
        so intake, while they load. `locator=False`: the model only (a monitoring consumer
        never resolves places nor sends messages)."""
        if locator and isinstance(self.ctx.locator, LazyGeoLocator):
            self.ctx.locator.warm()
        if isinstance(self.ctx.classifier, LazyRiskClassifier):
            _ = self.ctx.classifier.model
        channels = getattr(self.ctx.channels, "inner", self.ctx.channels)
        if locator and isinstance(channels, LazyNotificationChannels):
            channels.warm()  # apprise's plugins: about half a second at the first message

    def dispose(self) -> None:
        close = getattr(self.ctx.channels, "close", None)
        if close is not None:
            close()  # the pooled HTTP clients of the channel adapters
        if self._send_pool is not None:
            self._send_pool.shutdown(wait=True)
        if self.jobs_ready.close is not None:
            self.jobs_ready.close()
        self.engine.dispose()
        if self._worker_engine is not None:
            self._worker_engine.dispose()


def triage_classifier(path: Path | None = None) -> LazyRiskClassifier:
    """The triage model alone, without database or keys (for `lifeline triage`)."""
    return LazyRiskClassifier(path)


def load_keyring(settings: Settings) -> tuple[Keyring, bool]:
    if settings.data_key is not None:
        index = settings.index_key.get_secret_value() if settings.index_key else None
        return Keyring.from_env_value(settings.data_key.get_secret_value(), index), False
    return Keyring.load_or_create(settings.data_key_file)


def audit_trust(settings: Settings) -> tuple[AuditTrust, bool]:
    """The audit key (created on first start, refused if it is the data key's file) and the
    checkpoint anchors. Returns (trust, key created)."""
    data_key_file = None if settings.data_key is not None else settings.data_key_file
    key, created = load_or_create_audit_key(settings.audit_key_path, data_key_file)
    trust = AuditTrust(
        key=key,
        anchor=AnchorFile(settings.audit_anchor_path),
        interval=timedelta(seconds=settings.audit_checkpoint_seconds),
        webhook_url=settings.audit_anchor_webhook or None,
        webhook=HttpxCheckpointWebhook() if settings.audit_anchor_webhook else None,
    )
    return trust, created


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    events: EventSink | None = None,
    channels: NotificationChannels | None = None,
) -> Lifeline:
    settings = settings or load_settings()
    keyring, created = load_keyring(settings)
    trust, audit_key_created = audit_trust(settings)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    secret = settings.event_webhook_secret
    metrics = Metrics()
    clock = clock or SystemClock()
    inbox = MemoryDemoInbox(now=clock.now) if settings.demo else None
    ctx = Context(
        uow=SqlUnitOfWorkFactory(
            engine,
            keyring,
            settings.job_max_attempts,
            audit_key=trust.key,
            outbox=EventOutbox(settings.webhook_urls, clock),
        ),
        clock=clock,
        config=ServiceConfig(
            merge_window=timedelta(seconds=settings.merge_window_seconds),
            signature_window=timedelta(seconds=settings.signature_window_seconds),
            dispatch_deadline=settings.dispatch_deadline,
            job_max_attempts=settings.job_max_attempts,
            allowed_senders=settings.allowed_senders,
            alert_jobs=(JobKind.RESOLVE_LOCATION, JobKind.LINK_REPEAT_CASES, JobKind.ASSESS_RISK),
            one_alert_job=True,
            followup_schedule=settings.followup_offsets,
            auto_dispatch=settings.auto_dispatch,
            unreached_alarm_after=settings.unreached_alarm_after,
            desk_unattended=timedelta(seconds=settings.desk_unattended_seconds),
            quarantine_alarm=timedelta(seconds=settings.quarantine_alarm_seconds),
            followup_overdue=timedelta(seconds=settings.followup_overdue_seconds),
            ack_link_max_age_seconds=settings.ack_link_hours * 3600,
            channel_attempts=settings.channel_attempts,
            channel_timeout=settings.channel_timeout_seconds,
            public_url=settings.public_url,
            smc_phone=settings.smc_phone,
            home_state=settings.home_state,
            monitoring=settings.monitoring,
            retention=settings.retention,
            partner_limits=settings.partner_limits,
            job_keep=settings.job_keep,
            signin=SignInPolicy(
                free_failures=settings.signin_free_failures,
                max_delay=timedelta(seconds=settings.signin_max_delay_seconds),
                pair_max_delay=timedelta(seconds=settings.signin_pair_max_delay_seconds),
                address_failures=settings.signin_address_failures,
                address_window=timedelta(minutes=settings.signin_address_window_minutes),
            ),
        ),
        passwords=Argon2Passwords(),
        events=events or HttpxWebhookSink(secret.get_secret_value() if secret else None),
        locator=LazyGeoLocator(settings.home_state),
        classifier=LazyRiskClassifier(),
        channels=DemoInboxChannels(channels or LazyNotificationChannels(), inbox),
        ack_tokens=SignedAckTokens(ack_secret(keyring.index_key), lambda: clock.now().timestamp()),
        phones=PhonenumbersE164(),
        measure=metrics.measure,
        audit=trust,
        demo_inbox=inbox,
    )
    app = Lifeline(settings, engine, keyring, ctx, metrics, created, audit_key_created)
    if engine.dialect.name == "postgresql":  # tell the worker processes too (LISTEN/NOTIFY)
        notifier = PgJobNotifier(engine)
        app.jobs_ready.notify, app.jobs_ready.close = notifier.poke, notifier.close
    app.metrics.watch_jobs(lambda: _job_counts(app))
    return app


def _job_counts(app: Lifeline) -> dict[str, int]:
    stats = app.job_stats()
    return {"pending": stats.pending, "running": stats.running, "failed": stats.failed}
