"""What every use case is given: a unit-of-work factory, a clock and the service configuration."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import timedelta

from lifeline.domain.monitoring import MonitoringPolicy
from lifeline.domain.partner_limits import PartnerLimits
from lifeline.domain.place import DEFAULT_HOME_STATE
from lifeline.domain.retention import RetentionPeriods
from lifeline.domain.risk import LevelDurations
from lifeline.domain.signin import SignInPolicy
from lifeline.services.access.ports import AuditTrust
from lifeline.services.dispatch.ports import (
    AckTokens,
    DemoInbox,
    NotificationChannels,
    PhoneNumbers,
)
from lifeline.services.job_prune.ports import JobKeep
from lifeline.services.job_types import JobKind
from lifeline.services.location.ports import Locator
from lifeline.services.ports import Clock, EventSink, PasswordHasher, UnitOfWorkFactory
from lifeline.services.triage.ports import RiskClassifier


@dataclass(frozen=True)
class ServiceConfig:
    merge_window: timedelta = timedelta(hours=6)
    signature_window: timedelta = timedelta(minutes=5)
    #: an at-risk case not dispatched this long after the alert alarms the SMC (per level)
    dispatch_deadline: LevelDurations = field(
        default_factory=lambda: LevelDurations.parse("imminent=120,intent=120,300")
    )
    job_max_attempts: int = 8
    #: job kinds enqueued for every stored alert with an AlertJob payload
    #: (e.g. risk triage and location resolution, registered by bootstrap when wired)
    alert_jobs: tuple[JobKind, ...] = field(default_factory=tuple)
    #: run `alert_jobs` as one `process_alert` job (one transaction, the dispatch considered
    #: once) instead of one job each (bootstrap turns it on)
    one_alert_job: bool = False
    #: addresses or domains whose mail is taken in directly (others go to the quarantine)
    allowed_senders: tuple[str, ...] = field(default_factory=tuple)
    #: offsets after an outcome (person alive) at which follow-up check-ins fall due
    followup_schedule: tuple[timedelta, ...] = (
        timedelta(hours=24),
        timedelta(days=7),
        timedelta(days=30),
    )
    #: send platform alerts at ideation+ with a confident location without waiting (DESIGN §1.2)
    auto_dispatch: bool = True
    #: the SMC is alarmed if no message was delivered this long after a dispatch (per level)
    unreached_alarm_after: LevelDurations = field(
        default_factory=lambda: LevelDurations.parse("imminent=120,intent=120,180")
    )
    #: no operator opened a new imminent case or acknowledged its alarm this long: page the
    #: shift in-charge (the contacts of the registry's up-smc unit)
    desk_unattended: timedelta = timedelta(seconds=60)
    #: held mail waiting this long is an alarm in the console header (no case exists for it)
    quarantine_alarm: timedelta = timedelta(seconds=120)
    #: a follow-up check-in not recorded this long after it fell due alarms the supervisor
    followup_overdue: timedelta = timedelta(hours=4)
    #: how long an acknowledgement link stays valid
    ack_link_max_age_seconds: int = 24 * 3600
    #: attempts on one channel before the contact's next channel is tried
    channel_attempts: int = 3
    #: seconds one channel attempt may take
    channel_timeout: float = 5.0
    #: base of links in messages (acknowledgement pages)
    public_url: str = "http://127.0.0.1:8000"
    #: numbers an officer can call back at the SMC, put in every message
    smc_phone: str = ""
    #: sign-in throttles, the same at every door (console, API, enrolment)
    signin: SignInPolicy = field(default_factory=SignInPolicy)
    #: the SMC's own state (LIFELINE_HOME_STATE): routing's `in_state`, an operator's district
    home_state: str = DEFAULT_HOME_STATE
    #: how long personal data is kept (LIFELINE_RETENTION_*_DAYS, services/retention)
    retention: RetentionPeriods = field(default_factory=RetentionPeriods)
    #: what one partner key may send the monitoring stream a minute (LIFELINE_MONITORING_PARTNER_*)
    partner_limits: PartnerLimits = field(default_factory=PartnerLimits)
    #: how long finished jobs stay in the job table (LIFELINE_JOB_KEEP_*, services/job_prune)
    job_keep: JobKeep = field(default_factory=JobKeep)
    #: what monitoring flags and keeps (LIFELINE_MONITORING_*)
    monitoring: MonitoringPolicy = field(default_factory=MonitoringPolicy)


@dataclass(frozen=True)
class Context:
    uow: UnitOfWorkFactory
    clock: Clock
    config: ServiceConfig
    passwords: PasswordHasher
    events: EventSink
    locator: Locator | None = None
    classifier: RiskClassifier | None = None
    channels: NotificationChannels | None = None
    ack_tokens: AckTokens | None = None
    #: reads phone numbers (who may acknowledge by SMS)
    phones: PhoneNumbers | None = None
    #: records a duration in seconds under a name (the /metrics histograms)
    measure: Callable[[str, float], None] | None = None
    #: the audit key and where checkpoints go (None: verification without a key)
    audit: AuditTrust | None = None
    #: the demo inbox (`demo://` channels), in demo mode only (LIFELINE_DEMO); None otherwise
    demo_inbox: DemoInbox | None = None
    #: threads on which a job sending several messages sends all but the first, so a slow
    #: endpoint never holds up the others (None: one after the other)
    send_pool: Executor | None = None
