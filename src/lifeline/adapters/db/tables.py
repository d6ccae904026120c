"""Table definitions (SQLAlchemy Core). Columns ending in `_enc` hold AES-GCM ciphertext; columns
ending in `_hash` hold keyed HMAC digests for lookups. The migrations in migrations/versions are
written by hand and tests/integration/test_migrations.py checks they match these tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    any_,
    bindparam,
)
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite (which stores naive) and PG."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)


Id = BigInteger().with_variant(Integer(), "sqlite")
Ts = UtcDateTime

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
    Column("outcome", String(40)),
    Column("outcome_reason_enc", Text),
    Column("outcome_by", String(120)),
    Column("outcome_at", Ts),
    *(Column(name, Ts) for name in MILESTONE_COLUMNS),
    Column("version", Integer, nullable=False, default=0),
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
    cases: ("outcome_reason_enc",),
    alerts: ("raw_payload_enc", "extracted_enc"),
    timeline: ("details_enc",),
}


def aad(table: Table, column: str) -> str:
    """Associated data binding a ciphertext to its column."""
    return f"{table.name}.{column}"


def insert_or_skip(conn: Connection, table: Table) -> PgInsert | SqliteInsert:
    """An INSERT that can take ON CONFLICT (DO NOTHING / DO UPDATE), in the connection's
    dialect: the two databases spell the same statement with different classes."""
    return pg_insert(table) if conn.dialect.name == "postgresql" else sqlite_insert(table)


def new_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT just assigned."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("INSERT returned no primary key")
    return int(key[0])


def ids_in(conn: Connection, column: ColumnElement[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids`, for a read of many cases at once (the live queue). On PostgreSQL the ids
    go as one array parameter (`= ANY(...)`): the statement is the same whatever their number,
    so neither SQLAlchemy nor psycopg re-renders and re-parses a statement of hundreds of
    placeholders (about 3 ms a query with 500); SQLite takes an IN list."""
    values = list(ids)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(BigInteger)))
    return column.in_(values)


# -- email intake (migration 0004) -------------------------------------------------------------

alert_attachments = Table(
    "alert_attachments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("filename_enc", Text, nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_enc", Text, nullable=False),
)

intake_receipts = Table(
    "intake_receipts",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=False),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("created_at", Ts, nullable=False),
)

partner_senders = Table(
    "partner_senders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("partner_id", Id, ForeignKey("partners.id"), nullable=False, index=True),
    Column("pattern", String(320), nullable=False, unique=True),
    Column("created_at", Ts, nullable=False),
)

email_quarantine = Table(
    "email_quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("received_at", Ts, nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("mail_from_enc", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw_enc", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(12), nullable=False, index=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=True),
    Column("reviewed_by", String(120)),
    Column("reviewed_at", Ts),
)

imap_seen = Table(
    "imap_seen",
    metadata,
    Column("mailbox", String(300), primary_key=True),
    Column("uidvalidity", BigInteger, primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=True),
    Column("quarantine_id", Id, ForeignKey("email_quarantine.id"), nullable=True),
    Column("seen_at", Ts, nullable=False),
)

ENCRYPTED.update(
    {
        alert_attachments: ("filename_enc", "content_enc"),
        email_quarantine: ("mail_from_enc", "raw_enc"),
    }
)

# -- location and jurisdiction (migration 0002) -----------------------------------------------

#: one row per resolved alert; candidates and evidence (which quote the address) encrypted
location_resolutions = Table(
    "location_resolutions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    # not unique since migration 0007: the STF's trace answer is a second resolution
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("resolved_at", Ts, nullable=False),
    Column("state", String(80)),
    Column("district_lgd", String(8), index=True),
    Column("confidence", Float, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("resolver_version", String(20), nullable=False),
    Column("result_enc", Text, nullable=False),
)

#: each `lifeline registry import` is one complete, dated snapshot; the latest is in force
registry_imports = Table(
    "registry_imports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("version", String(32), nullable=False),
    Column("imported_at", Ts, nullable=False, index=True),
    Column("source", String(300), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("units", Integer, nullable=False),
)

registry_units = Table(
    "registry_units",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("import_id", Id, ForeignKey("registry_imports.id"), nullable=False, index=True),
    Column("unit_id", String(120), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("name", String(200), nullable=False),
    Column("parent", String(120)),
    Column("district_lgd", String(8)),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("status", String(20), nullable=False),
    Column("record", JSON, nullable=False),
    UniqueConstraint("import_id", "unit_id", "valid_from"),
)

ENCRYPTED[location_resolutions] = ("result_enc",)

# -- console (migration 0005) ---------------------------------------------------------------

#: a signed-in browser; the cookie holds a random token, the table only its SHA-256
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Ts, nullable=False),
    Column("last_seen_at", Ts, nullable=False),
    Column("expires_at", Ts, nullable=False),
    Column("revoked_at", Ts),
    Column("ip", String(64)),
)

#: every sign-in attempt: the lockout and rate limit count these; `totp_step` of a successful
#: one stops the same two-factor code being used twice
console_sign_ins = Table(
    "console_sign_ins",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, index=True),
    Column("at", Ts, nullable=False, index=True),
    Column("ok", Boolean, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("ip", String(64)),
    Column("totp_step", BigInteger),
)

#: per-person console state: language and when two-factor enrolment was completed
console_profiles = Table(
    "console_profiles",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("language", String(5), nullable=False),
    Column("enrolled_at", Ts),
    Column("updated_at", Ts, nullable=False),
)

#: an operator's choice of the district responsible for a case (beside automatic resolution)
case_districts = Table(
    "case_districts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("district_lgd", String(8), nullable=False, index=True),
    Column("assigned_by", String(120), nullable=False),
    Column("assigned_at", Ts, nullable=False),
)

# -- aftercare (migration 0006) ---------------------------------------------------------------

#: one plan per alive outcome of a case: referral, counsellor, status; the end reason encrypted
follow_up_plans = Table(
    "follow_up_plans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("status", String(12), nullable=False, index=True),
    Column("outcome", String(40), nullable=False),
    Column("outcome_at", Ts, nullable=False),
    Column("proposed_at", Ts, nullable=False),
    Column("proposed_by", String(120), nullable=False),
    Column("referral_kind", String(20), nullable=False),
    Column("referral_name", String(200), nullable=False),
    Column("referral_contact", String(40)),
    Column("referral_unit", String(120)),
    Column("counsellor", String(64), index=True),
    Column("ended_at", Ts),
    Column("end_reason_enc", Text),
    Column("version", Integer, nullable=False),
)

#: each check-in of a plan (a durable `followup_due` job fires at `due_at`); note encrypted
follow_up_check_ins = Table(
    "follow_up_check_ins",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("plan_id", Id, ForeignKey("follow_up_plans.id"), nullable=False, index=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("label", String(10), nullable=False),
    Column("due_at", Ts, nullable=False, index=True),
    Column("notified_at", Ts),
    Column("result", String(20)),
    Column("recorded_at", Ts),
    Column("recorded_by", String(120)),
    Column("note_enc", Text),
    Column("cancelled_at", Ts),
)

#: a case linked to an earlier case about the same person (matched on keyed hashes)
case_links = Table(
    "case_links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("earlier_case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("matched_on", String(60), nullable=False),
    Column("linked_at", Ts, nullable=False),
    UniqueConstraint("case_id", "earlier_case_id"),
)

ENCRYPTED.update({follow_up_plans: ("end_reason_enc",), follow_up_check_ins: ("note_enc",)})

# -- risk triage (issue 4) ------------------------------------------------------------------
#: assessments of a case: by the model (one per alert) or by an operator (confirm / correct);
#: cue spans quote the post, so they are encrypted like the post itself
risk_assessments = Table(
    "risk_assessments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=True, index=True),
    Column("source", String(10), nullable=False),
    Column("level", String(16), nullable=False),
    Column("score", Float, nullable=True),
    Column("language", String(8), nullable=True),
    Column("model_version", String(40), nullable=True),
    Column("cues_enc", Text, nullable=False),
    Column("note_enc", Text, nullable=True),
    Column("assessed_by", String(120), nullable=False),
    Column("at", Ts, nullable=False),
)
ENCRYPTED[risk_assessments] = ("cues_enc", "note_enc")

# -- dispatch and escalation (issue 6, migration 0007) --------------------------------------
#: a case sent to one unit, with the escalation policy copied onto it when it started
dispatches = Table(
    "dispatches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("unit_id", String(120), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("purpose", String(12), nullable=False),
    Column("reason", String(300), nullable=False),
    Column("policy", JSON, nullable=False),
    Column("state", String(14), nullable=False, index=True),
    Column("step_index", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("timer_token", String(32), nullable=False),
    Column("next_at", Ts),
    Column("started_at", Ts, nullable=False),
    Column("started_by", String(120), nullable=False),
    Column("acknowledged_at", Ts),
    Column("acknowledged_by", String(120)),
    Column("ended_at", Ts),
    Column("end_reason", String(300)),
)

#: one message to one contact; the channel URLs (with their tokens) are encrypted
notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("dispatch_id", Id, ForeignKey("dispatches.id"), nullable=True, index=True),
    Column("unit_id", String(120), nullable=False),
    Column("contact_name", String(200), nullable=False),
    Column("contact_role", String(80), nullable=False),
    Column("channels_enc", Text, nullable=False),
    Column("purpose", String(12), nullable=False),
    Column("step_index", Integer, nullable=False),
    Column("state", String(12), nullable=False),
    Column("channel_index", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("detail", String(500), nullable=False),
    Column("created_at", Ts, nullable=False),
    Column("delivered_at", Ts),
    Column("delivered_via", String(200)),
)

#: the SMC alarmed that no unit was reached or acknowledged in time (the console's banner)
smc_alarms = Table(
    "smc_alarms",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("dispatch_id", Id, ForeignKey("dispatches.id"), nullable=True),
    Column("reason", String(300), nullable=False),
    Column("raised_at", Ts, nullable=False),
    Column("cleared_at", Ts),
    Column("cleared_by", String(120)),
)

#: routing rules and escalation policies of each registry import; contacts of each unit
registry_imports.append_column(Column("dispatch_rules", JSON))
registry_units.append_column(Column("contacts_enc", Text))
ENCRYPTED.update({notifications: ("channels_enc",), registry_units: ("contacts_enc",)})
