"""The settings of the data Lifeline takes in by the stream and how long it keeps personal data
(LIFELINE_MONITORING_*, LIFELINE_RETENTION_*_DAYS): declared here, read from the environment
only by `Settings` in settings.py, which inherits them (docs/monitoring.md,
docs/data-protection.md)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, field_validator, model_validator

from lifeline.domain.monitoring import MonitoringPolicy, parse_min_level
from lifeline.domain.partner_limits import PartnerLimits
from lifeline.domain.retention import RetentionPeriods
from lifeline.services.job_prune.ports import JobKeep


class DataSettings(BaseModel):
    """The monitoring stream's limits and the retention periods."""

    monitoring_max_body_bytes: int = Field(
        8 * 1024 * 1024,
        ge=1024,
        description="Largest request body POST /api/v1/monitoring/posts accepts (that path "
        "only; every other request keeps LIFELINE_MAX_BODY_BYTES).",
    )
    monitoring_partner_requests_per_minute: int = Field(
        600,
        ge=0,
        le=1_000_000,
        description="Signed requests one partner key may make in a minute before "
        "POST /api/v1/monitoring/posts answers 429 (counted in the database: every API process "
        "shares it; the key's alert requests count too); 0: no limit.",
    )
    monitoring_partner_posts_per_minute: int = Field(
        150_000,
        ge=0,
        le=100_000_000,
        description="Posts one partner key may send POST /api/v1/monitoring/posts in a minute "
        "before it answers 429 (counted in each API process: N processes take up to N times "
        "this); 0: no limit.",
    )
    monitoring_min_level: str = Field(
        "ideation",
        description="Monitoring posts at or above this risk level (about their author or "
        "another person, not news or advice) become monitoring cases for review.",
    )
    monitoring_window_days: int = Field(
        7,
        ge=1,
        le=90,
        description="Days an author's recent monitoring posts are kept (encrypted) after their "
        "last flagged post, for the review; other posts leave only a keyed hash of their id.",
    )
    job_keep_done_seconds: int = Field(
        86400,
        ge=60,
        le=366 * 86400,
        description="Seconds a done job stays in the job table before the prune deletes it.",
    )
    job_keep_failed_days: int = Field(
        30,
        ge=1,
        le=3660,
        description="Days a failed job (all attempts used) stays in the job table, for "
        "`lifeline jobs list --status failed` and `jobs retry`; at least the done period.",
    )
    retention_closed_days: int = Field(
        90,
        ge=0,
        le=36500,
        description="Days a closed case keeps its personal data (names, phones, handles, notes, "
        "addresses) before the daily purge erases them; 0: at the next run. Reports keep their "
        "figures.",
    )
    retention_post_text_days: int = Field(
        30,
        ge=0,
        le=36500,
        description="Days a closed case keeps its post text, raw payloads, attachments and cue "
        "spans (never longer than LIFELINE_RETENTION_CLOSED_DAYS).",
    )
    retention_quarantine_days: int = Field(
        30, ge=0, le=36500, description="Days held (quarantined) mail is kept before erasure."
    )
    retention_dismissed_days: int = Field(
        30,
        ge=0,
        le=36500,
        description="Days a dismissed false alarm keeps any personal data (all of it, hashes too).",
    )
    retention_log_days: int = Field(
        180,
        ge=0,
        le=36500,
        description="Days the sign-in log, refused SMS acknowledgements, expired sessions and "
        "seen-post hashes are kept.",
    )
    retention_link_days: int = Field(
        365,
        ge=0,
        le=36500,
        description="Days after a case ends that the keyed hashes linking a later case about "
        "the same person (repeat risk) are kept.",
    )
    monitoring_batch_size: int = Field(
        500,
        ge=1,
        le=5000,
        description="Monitoring posts scored and stored per transaction.",
    )
    monitoring_nats_url: str = Field(
        "nats://127.0.0.1:4222",
        description="NATS server `lifeline monitor consume` reads the monitoring stream from "
        "(--nats).",
    )
    monitoring_nats_subject: str | None = Field(
        None,
        description="Subject the monitoring tool publishes posts on (--subject); unset: "
        "--subject is required.",
    )
    monitoring_nats_durable: str = Field(
        "lifeline-monitoring",
        description="JetStream durable pull consumer every `monitor consume` process binds "
        "(--durable): processes on one durable share the stream's messages.",
    )
    monitoring_nats_stream: str | None = Field(
        None,
        description="JetStream stream holding the subject (--stream); unset: found by subject.",
    )

    @field_validator("monitoring_min_level")
    @classmethod
    def _monitoring_level_parses(cls, value: str) -> str:
        return parse_min_level(value).value

    @model_validator(mode="after")
    def _failed_jobs_kept_at_least_as_long(self) -> DataSettings:
        if self.job_keep_failed_days * 86400 < self.job_keep_done_seconds:
            raise ValueError(
                f"job_keep_failed_days ({self.job_keep_failed_days}) must keep failed jobs at "
                f"least as long as job_keep_done_seconds ({self.job_keep_done_seconds} s) keeps "
                "done ones: raise LIFELINE_JOB_KEEP_FAILED_DAYS"
            )
        return self

    @property
    def job_keep(self) -> JobKeep:
        """LIFELINE_JOB_KEEP_DONE_SECONDS and LIFELINE_JOB_KEEP_FAILED_DAYS as the prune's
        periods."""
        return JobKeep(
            done=timedelta(seconds=self.job_keep_done_seconds),
            failed=timedelta(days=self.job_keep_failed_days),
        )

    @property
    def monitoring(self) -> MonitoringPolicy:
        return MonitoringPolicy(
            min_level=parse_min_level(self.monitoring_min_level),
            window=timedelta(days=self.monitoring_window_days),
            batch_size=self.monitoring_batch_size,
        )

    @property
    def partner_limits(self) -> PartnerLimits:
        """The LIFELINE_MONITORING_PARTNER_*_PER_MINUTE settings."""
        return PartnerLimits(
            requests_per_minute=self.monitoring_partner_requests_per_minute,
            posts_per_minute=self.monitoring_partner_posts_per_minute,
        )

    @property
    def retention(self) -> RetentionPeriods:
        """The LIFELINE_RETENTION_*_DAYS settings as the services' periods."""
        return RetentionPeriods(
            closed=timedelta(days=self.retention_closed_days),
            post_text=timedelta(days=self.retention_post_text_days),
            quarantine=timedelta(days=self.retention_quarantine_days),
            dismissed=timedelta(days=self.retention_dismissed_days),
            log=timedelta(days=self.retention_log_days),
            link=timedelta(days=self.retention_link_days),
        )
