"""All configuration, from LIFELINE_* environment variables (and an optional .env file).

This is the only module that reads the environment. Nothing is read at import time: call
`load_settings()`. The monitoring stream's and retention's settings are declared in
`settings_data.py` (what is kept, and for how long) and read here with the rest.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lifeline.domain.place import DEFAULT_HOME_STATE
from lifeline.domain.risk import LevelDurations
from lifeline.settings_data import DataSettings


class Settings(BaseSettings, DataSettings):
    model_config = SettingsConfigDict(
        env_prefix="LIFELINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        "sqlite:///var/lifeline.db",
        description="SQLAlchemy URL. SQLite file by default; postgresql://user@host/db for "
        "deployments.",
    )
    data_key: SecretStr | None = Field(
        None,
        description='Data encryption key(s): "kid:base64key[,kid:base64key]" (first encrypts, '
        "all decrypt). If unset, the key file is used (and created on first start).",
    )
    data_key_file: Path = Field(
        Path("var/lifeline.key"), description="Key file used when LIFELINE_DATA_KEY is unset."
    )
    audit_key_file: Path | None = Field(
        None,
        description="Key the audit chain and its checkpoints are MACed with, created (0600) on "
        "first start; never the data key's file (unset: lifeline-audit.key beside the data key "
        "file).",
    )
    audit_anchor_file: Path | None = Field(
        None,
        description="Append-only file that receives the signed audit checkpoints, one JSON line "
        "each (unset: lifeline-audit-anchors.jsonl beside the audit key).",
    )
    backup_key_file: Path | None = Field(
        None,
        description="Key the backup archives are encrypted with, created (0600) by the first "
        "`backup create`; never the data or audit key's file (unset: lifeline-backup.key "
        "beside the data key file).",
    )
    audit_checkpoint_seconds: int = Field(
        300,
        ge=0,
        description="A worker writes an audit checkpoint this often when the log has grown "
        "(one writer for the deployment; 0: only `lifeline audit checkpoint`).",
    )
    audit_anchor_webhook: str | None = Field(
        None, description="URL that also receives each audit checkpoint line by HTTP POST."
    )
    index_key: SecretStr | None = Field(
        None, description="Base64 key for keyed lookup hashes when keys come from the environment."
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL put in links sent to officers."
    )
    http_host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    http_port: int = Field(8000, description="Port of the API and console.")
    smtp_host: str = Field("127.0.0.1", description="Address the SMTP intake listens on.")
    smtp_port: int = Field(2525, description="Port of the SMTP intake.")
    smtp_enabled: bool = Field(True, description="Run the SMTP intake inside `lifeline serve`.")
    smtp_allowed_senders: str = Field(
        "",
        description="Comma-separated sender addresses or domains taken in directly (besides "
        "each partner's own); mail from others is quarantined for review.",
    )
    smtp_trusted_relays: str = Field(
        "",
        description="Comma-separated CIDR=authserv-id: mail from an SMTP client in CIDR is "
        "authenticated by that relay's topmost Authentication-Results (dkim or dmarc pass).",
    )
    dkim_dns: bool = Field(
        True,
        description="Look DKIM keys up in DNS (false: only keys pinned with `partners "
        "add-sender --dkim-public-key`, for a control room without outside DNS).",
    )
    smtp_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest message the SMTP intake accepts."
    )
    smtp_rate_per_minute: int = Field(
        60,
        ge=0,
        description="Messages in any minute per SMTP AUTH partner, else per client address "
        "(IPv6: per /64), before 451 (0: no limit).",
    )
    smtp_tls_cert: str | None = Field(None, description="PEM certificate enabling STARTTLS.")
    smtp_tls_key: str | None = Field(None, description="PEM private key for STARTTLS.")
    smtp_require_tls: bool = Field(False, description="Refuse mail before STARTTLS.")
    smtp_tls_implicit: bool = Field(
        False, description="Serve SMTP over TLS from the first byte (SMTPS) instead of STARTTLS."
    )
    smtp_require_auth: bool = Field(
        False, description="Require SMTP AUTH (partner key id and secret) before MAIL."
    )
    imap_host: str | None = Field(None, description="IMAP server to poll (unset: no polling).")
    imap_port: int = Field(993, description="IMAP port.")
    imap_ssl: bool = Field(True, description="Use IMAP over TLS.")
    imap_user: str | None = Field(None, description="IMAP login.")
    imap_password: SecretStr | None = Field(None, description="IMAP password.")
    imap_folder: str = Field("INBOX", description="Folder polled for alert mail.")
    imap_move_to: str | None = Field(
        None, description="Folder taken messages are moved to (unset: marked \\Seen)."
    )
    imap_poll_seconds: float = Field(15.0, gt=0, description="Seconds between IMAP polls.")
    merge_window_seconds: int = Field(
        6 * 3600,
        ge=0,
        description="Alerts about the same subject within this many seconds merge into one case.",
    )
    signature_window_seconds: int = Field(
        300, ge=1, description="Signed requests are accepted within this many seconds of now."
    )
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body accepted.")
    dispatch_deadline_seconds: str = Field(
        "imminent=120,intent=120,300",
        description="If a case is not dispatched this long after the alert, the SMC is alarmed: "
        'seconds, or per risk level with the default last ("imminent=120,intent=120,300").',
    )
    auto_dispatch: bool = Field(
        True,
        description="Send platform alerts at ideation or above with a confident location to "
        "the routed units at once (false: every dispatch waits for an operator).",
    )
    unreached_alarm_seconds: str = Field(
        "imminent=120,intent=120,180",
        description="Alarm the SMC if no message was delivered this long after a dispatch: "
        'seconds, or per risk level with the default last ("imminent=120,intent=120,180").',
    )
    desk_unattended_seconds: int = Field(
        60,
        ge=10,
        description="If no operator opens a new imminent case or acknowledges its alarm this "
        "long, the shift in-charge (the contacts of the registry's up-smc unit) is paged.",
    )
    quarantine_alarm_seconds: int = Field(
        120,
        ge=10,
        description="Held mail (the quarantine) waiting this long turns the console header's "
        "held-mail badge into an alarm.",
    )
    followup_overdue_seconds: int = Field(
        4 * 3600,
        ge=60,
        description="A follow-up check-in not recorded this long after it fell due raises a "
        "followup_overdue alarm on the console (for the supervisor; nobody is paged).",
    )
    ack_link_hours: int = Field(
        24, ge=1, description="How long an acknowledgement link in a message stays valid."
    )
    channel_attempts: int = Field(
        3, ge=1, le=10, description="Attempts on one channel before a contact's next channel."
    )
    channel_timeout_seconds: float = Field(
        5.0, gt=0, le=60, description="Seconds one attempt to send a message may take."
    )
    notify_threads: int = Field(4, ge=1, le=64, description="Threads a worker sends messages on.")
    smc_phone: str = Field(
        "", description="The SMC's call-back number(s), put in every message to officers."
    )
    home_state: str = Field(
        DEFAULT_HOME_STATE,
        min_length=1,
        description="The SMC's own state, named as in the shipped state list: routing rules' "
        "in_state, the resolver's leniency towards its place names, the state of a district an "
        "operator assigns.",
    )
    sms_inbound_token: SecretStr | None = Field(
        None,
        description="Shared secret the SMS gateway sends with replies to /api/v1/inbound/sms "
        "(unset: the endpoint refuses everything).",
    )
    job_max_attempts: int = Field(8, ge=1, description="Attempts before a job is marked failed.")
    job_lease_seconds: int = Field(
        15,
        ge=5,
        description="How long a claimed job is leased to its worker. A running worker renews "
        "the leases of the jobs it holds every quarter lease (5 s at most), so a job may run "
        "longer; a dead worker's jobs are taken over by another within about one lease.",
    )
    job_max_run_seconds: int = Field(
        300,
        ge=60,
        description="The longest a worker keeps renewing the lease of a job it holds. A job "
        "run longer (its runner hung, or lost to a bug) is logged job.overran and taken over "
        "by another worker after one more lease, so no escalation step or message is held back "
        "for ever; the old run's completion is refused. The retention purge and job pruning "
        "are exempt. Keep it above the longest a send may take (channel timeout × attempts × "
        "channels × a case's messages).",
    )
    worker_poll_seconds: float = Field(
        0.05,
        gt=0,
        description="How often an idle worker reads when the next job is due (SQLite; on "
        "PostgreSQL workers are told of new jobs by LISTEN/NOTIFY and sleep until the next is "
        "due, at most 1 s).",
    )
    worker_batch: int = Field(20, ge=1, description="Jobs a worker claims at once.")
    worker_run_together: int = Field(
        4,
        ge=1,
        description="Background jobs of a claimed batch run in one transaction, a savepoint "
        "each (fewer transactions per alert; on SQLite intake waits for all of them). 1: each "
        "job in its own transaction.",
    )
    worker_durable_commits: bool = Field(
        False,
        description="Background jobs' commits wait for the disk too. Off: a power cut may "
        "undo a job's last steps, which are then run again; what was answered with 202 and "
        "what staff did is always on disk first.",
    )
    heartbeat_stale_seconds: int = Field(
        30, ge=1, description="/healthz reports the worker down after this long without one."
    )
    event_webhooks: str = Field(
        "", description="Comma-separated URLs that receive every case event as signed JSON."
    )
    event_webhook_secret: SecretStr | None = Field(
        None, description="HMAC secret for X-Lifeline-Signature on outgoing event webhooks."
    )
    sqlite_synchronous: str = Field(
        "FULL", description="SQLite synchronous pragma (FULL: a 202 survives power loss)."
    )
    env: Literal["development", "production"] = Field(
        "development",
        description="development or production: production closes what is open for "
        "convenience (/metrics without LIFELINE_METRICS_TOKEN, the API docs), refuses to start "
        "on a failing `lifeline doctor` check, and `serve` never migrates.",
    )
    workers: Literal["embedded", "separate"] = Field(
        "embedded",
        description="Where jobs run: embedded (the worker inside `lifeline serve`) or separate "
        "(`serve --no-worker` plus `lifeline worker` processes; PostgreSQL only in production). "
        "`lifeline doctor` checks the deployment described here.",
    )
    migration_database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL `lifeline db upgrade` migrates with: a role that owns the "
        "schema, apart from the app's (unset: LIFELINE_DATABASE_URL; doctor warns in "
        "production on PostgreSQL).",
    )
    demo: bool = Field(
        False,
        description="Demo mode (`make run`): `demo://inbox` channels deliver to the demo inbox "
        "at /console/demo-inbox. Refused with LIFELINE_ENV=production.",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token /metrics requires (Authorization: Bearer ...). Unset: "
        "/metrics is open in development and refused in production.",
    )
    public_docs: bool | None = Field(
        None,
        description="Serve /docs, /redoc and /openapi.json to anyone (unset: yes in "
        "development, no in production).",
    )
    log_level: str = Field("INFO", description="Log level.")
    log_json: bool = Field(True, description="JSON logs (false: human-readable console logs).")
    token_ttl_seconds: int = Field(
        8 * 3600, ge=60, description="Lifetime of staff API bearer tokens."
    )

    console_idle_minutes: int = Field(
        30, ge=1, description="A console session unused this long is signed out."
    )
    console_session_hours: float = Field(
        12, gt=0, description="A console session ends this long after sign-in, used or not."
    )
    signin_free_failures: int = Field(
        3,
        ge=1,
        description="Failed sign-ins in a row (console or API) before a username's attempts "
        "are spaced out: after n failures the next is accepted 2^n seconds after the last.",
    )
    signin_max_delay_seconds: int = Field(
        60,
        ge=1,
        description="The longest wait between sign-in attempts on one username from any "
        "address: all that a stranger's failures can cost its owner.",
    )
    signin_pair_max_delay_seconds: int = Field(
        900,
        ge=1,
        description="The longest wait between sign-in attempts on one username from an "
        "address that failed on it.",
    )
    signin_address_failures: int = Field(
        20,
        ge=1,
        description="Failed sign-ins from one client address (any username) within "
        "LIFELINE_SIGNIN_ADDRESS_WINDOW_MINUTES before that address has to wait.",
    )
    signin_address_window_minutes: int = Field(
        15, ge=1, description="The window of LIFELINE_SIGNIN_ADDRESS_FAILURES."
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Comma list of proxy addresses (or CIDRs) whose X-Forwarded-For is "
        "believed; empty: the client address is the socket's, whatever the headers say.",
    )
    console_ack_sla_minutes: int = Field(
        10, ge=1, description="A case not acknowledged this long after the alert turns red."
    )
    console_on_scene_minutes: int = Field(
        30,
        ge=1,
        description="A case acknowledged this long ago with no officer on scene is listed "
        "as overdue at the top of the queue.",
    )
    console_poll_seconds: float = Field(
        1.5, gt=0, description="How often an open queue page asks for new cases."
    )
    console_secure_cookies: bool = Field(
        True, description="Mark console cookies Secure (sent over HTTPS and to localhost only)."
    )

    followup_schedule: str = Field(
        "24h,7d,30d",
        description="When follow-up check-ins fall due after an outcome where the person is "
        "alive: comma-separated offsets with a unit m, h or d.",
    )
    report_min_cell: int = Field(
        5, ge=2, description="k of the k-anonymous state export: smaller counts are suppressed."
    )
    report_font: Path | None = Field(
        None,
        description="TrueType font with Devanagari for PDF reports (unset: Noto Sans "
        "Devanagari, shipped with Lifeline as the package fontpkg-noto-sans-devanagari).",
    )

    @model_validator(mode="after")
    def _no_demo_in_production(self) -> Settings:
        if self.demo and self.env == "production":
            raise ValueError(
                "LIFELINE_DEMO=true is refused with LIFELINE_ENV=production: the demo inbox "
                "would take messages meant for officers"
            )
        return self

    @field_validator("smtp_trusted_relays")
    @classmethod
    def _relays_parse(cls, value: str) -> str:
        for entry in (e.strip() for e in value.split(",") if e.strip()):
            cidr, sep, ident = entry.partition("=")
            try:
                ipaddress.ip_network(cidr.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{entry!r}: {cidr.strip()!r} is not a CIDR") from None
            if not sep or not ident.strip():
                raise ValueError(f"{entry!r} must look like CIDR=authserv-id")
        return value

    @field_validator("followup_schedule")
    @classmethod
    def _schedule_parses(cls, value: str) -> str:
        offsets(value)
        return value

    @field_validator("dispatch_deadline_seconds", mode="before")
    @classmethod
    def _deadline_parses(cls, value: str | int) -> str:
        return str(LevelDurations.parse(value, minimum=1))

    @field_validator("unreached_alarm_seconds", mode="before")
    @classmethod
    def _unreached_parses(cls, value: str | int) -> str:
        return str(LevelDurations.parse(value, minimum=10))

    @property
    def dispatch_deadline(self) -> LevelDurations:
        return LevelDurations.parse(self.dispatch_deadline_seconds)

    @property
    def unreached_alarm_after(self) -> LevelDurations:
        return LevelDurations.parse(self.unreached_alarm_seconds)

    @property
    def followup_offsets(self) -> tuple[timedelta, ...]:
        return offsets(self.followup_schedule)

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_key_file.with_name("lifeline-audit.key")

    @property
    def backup_key_path(self) -> Path:
        return self.backup_key_file or self.data_key_file.with_name("lifeline-backup.key")

    @property
    def audit_anchor_path(self) -> Path:
        return self.audit_anchor_file or self.audit_key_path.with_name(
            "lifeline-audit-anchors.jsonl"
        )

    @property
    def docs_public(self) -> bool:
        return self.public_docs if self.public_docs is not None else self.env == "development"

    @property
    def allowed_senders(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.smtp_allowed_senders.split(",") if a.strip())

    @property
    def webhook_urls(self) -> tuple[str, ...]:
        return tuple(u.strip() for u in self.event_webhooks.split(",") if u.strip())


_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def offsets(text: str) -> tuple[timedelta, ...]:
    """ "24h,7d,30d" -> sorted offsets; raises ValueError naming the part it cannot read."""
    found: set[timedelta] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        number, unit = part[:-1].strip(), part[-1:]
        if unit not in _UNITS or not (number.isascii() and number.isdigit()) or int(number) == 0:
            raise ValueError(f"cannot read {part!r}: write offsets like 24h, 7d or 90m")
        found.add(timedelta(**{_UNITS[unit]: int(number)}))
    if not found:
        raise ValueError("give at least one offset, e.g. 24h,7d,30d")
    return tuple(sorted(found))


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
