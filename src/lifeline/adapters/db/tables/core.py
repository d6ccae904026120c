"""Partners, users, subjects, cases, alerts, timeline, jobs and audit (migration 0001), and
the map of encrypted columns every feature adds to."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from lifeline.adapters.db.tables._base import (
    Id,
    Ts,
    metadata,
)

partners = Table(
    "partners",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("key_id", String(64), nullable=False, unique=True),
    Column("secret_enc", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Ts, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret_enc", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("jurisdiction", String(64), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Ts, nullable=False),
    # migration 0010: bumped to revoke every token and session of the person at once
    Column("token_generation", Integer, nullable=False, server_default="0"),
    #: the two-factor time step last accepted: a code is never accepted twice
    Column("last_totp_step", BigInteger),
    #: SHA-256 of the one-time enrolment code (never the code), and when it expires
    Column("enrolment_code_hash", String(64)),
    Column("enrolment_expires_at", Ts),
)

subjects = Table(
    "subjects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("name_enc", Text),
    Column("handle_enc", Text),
    Column("profile_url_enc", Text),
    Column("phone_enc", Text),
    Column("email_enc", Text),
    Column("handle_hash", String(64), index=True),
    Column("profile_hash", String(64), index=True),
    Column("phone_hash", String(64), index=True),
    Column("email_hash", String(64), index=True),
    Column("created_at", Ts, nullable=False),
)

MILESTONE_COLUMNS = (
    "received_at",
    "triaged_at",
    "located_at",
    "dispatched_at",
    "first_delivered_at",  # migration 0016
    "acknowledged_at",
    "on_scene_at",
    "resolved_at",
    "handed_over_at",
    "dismissed_at",
    "closed_at",
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("status", String(20), nullable=False, index=True),
    Column("platform", String(32), nullable=False),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=True, index=True),
    Column("risk_level", String(16)),
    Column("opened_at", Ts, nullable=False, index=True),
    Column("last_alert_at", Ts, nullable=False),
    Column("alert_count", Integer, nullable=False, default=1),
    Column("trace_requested_at", Ts),
    # a drill (`lifeline drill`): sent through the real path, left out of reports and metrics
    Column("drill", Boolean, nullable=False, default=False, server_default=false()),
    Column("outcome", String(40)),
    Column("outcome_reason_enc", Text),
    Column("outcome_by", String(120)),
    Column("outcome_at", Ts),
    *(Column(name, Ts) for name in MILESTONE_COLUMNS),
    Column("version", Integer, nullable=False, default=0),
    # migration 0026: the review of a monitoring case (domain/review.py); NULL: another source
    Column("review_state", String(12), index=True),
    Column("reviewed_by", String(120)),
    Column("reviewed_at", Ts),
    Column("review_reason", String(40)),
    Column("review_note_enc", Text),
    Column("review_subject", String(8)),
)

case_keys = Table(
    "case_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, index=True),
    Column("created_at", Ts, nullable=False),
    UniqueConstraint("case_id", "key_hash"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=True),
    Column("partner_id", Id, ForeignKey("partners.id"), nullable=True, index=True),
    Column("source", String(20), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("reference", String(200), index=True),
    Column("received_via", String(40)),
    Column("received_at", Ts, nullable=False),
    Column("post_kind", String(10), nullable=False),
    Column("posted_at", Ts),
    Column("raw_content_type", String(100), nullable=False),
    Column("raw_sha256", String(64), nullable=False),
    Column("raw_payload_enc", Text, nullable=False),
    Column("extracted_enc", Text, nullable=False),
    # migration 0009: email authenticity (docs/email-intake.md)
    Column("sender_verified", Boolean, nullable=False, server_default=true()),
    Column("sender_verification", String(300), nullable=False, server_default="operator"),
)

timeline = Table(
    "timeline",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", Ts, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("summary", Text, nullable=False),
    Column("details_enc", Text, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(60), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=True, index=True),
    Column("status", String(12), nullable=False),
    Column("run_at", Ts, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    Column("claim_token", String(36)),
    Column("locked_until", Ts),
    Column("last_error", Text),
    Column("created_at", Ts, nullable=False),
    Column("started_at", Ts),
    Column("finished_at", Ts),
    Index("ix_jobs_status_run_at", "status", "run_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("at", Ts, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(60), nullable=False),
    Column("case_id", Id, nullable=True, index=True),
    Column("details", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # the audit key's id on keyed rows (HMAC chain); NULL on rows from before it (0012)
    Column("key_id", String(16), nullable=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("partner_id", Id, ForeignKey("partners.id"), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_digest", String(64), nullable=False),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=False),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("merged", Boolean, nullable=False),
    Column("created_at", Ts, nullable=False),
)

seen_signatures = Table(
    "seen_signatures",
    metadata,
    Column("partner_id", Id, ForeignKey("partners.id"), primary_key=True),
    Column("signature", String(128), primary_key=True),
    Column("seen_at", Ts, nullable=False, index=True),
)

worker_heartbeats = Table(
    "worker_heartbeats",
    metadata,
    Column("worker_id", String(80), primary_key=True),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", Ts, nullable=False),
    Column("heartbeat_at", Ts, nullable=False),
)

#: every encrypted column, for key rotation: table -> (primary key columns, encrypted columns)
ENCRYPTED: dict[Table, tuple[str, ...]] = {
    partners: ("secret_enc",),
    users: ("totp_secret_enc",),
    subjects: ("name_enc", "handle_enc", "profile_url_enc", "phone_enc", "email_enc"),
    cases: ("outcome_reason_enc", "review_note_enc"),
    alerts: ("raw_payload_enc", "extracted_enc"),
    timeline: ("details_enc",),
}
