"""Initial schema: partners, users, subjects, cases, alerts, timeline, jobs, audit log,
idempotency keys, seen signatures, worker heartbeats.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ts(name, nullable=True, **kw):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kw)


MILESTONES = (
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


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_partners"),
        sa.UniqueConstraint("key_id", name="uq_partners_key_id"),
    )
    op.create_table(
        "users",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("totp_secret_enc", sa.Text(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("jurisdiction", sa.String(64)),
        sa.Column("active", sa.Boolean(), nullable=False),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "subjects",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        *(
            sa.Column(f"{n}_enc", sa.Text())
            for n in ("name", "handle", "profile_url", "phone", "email")
        ),
        *(sa.Column(f"{n}_hash", sa.String(64)) for n in ("handle", "profile", "phone", "email")),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_subjects"),
    )
    for n in ("handle", "profile", "phone", "email"):
        op.create_index(f"ix_subjects_{n}_hash", "subjects", [f"{n}_hash"])
    op.create_table(
        "cases",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column(
            "subject_id", Id, sa.ForeignKey("subjects.id", name="fk_cases_subject_id_subjects")
        ),
        sa.Column("risk_level", sa.String(16)),
        ts("opened_at", False),
        ts("last_alert_at", False),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        ts("trace_requested_at"),
        sa.Column("outcome", sa.String(40)),
        sa.Column("outcome_reason_enc", sa.Text()),
        sa.Column("outcome_by", sa.String(120)),
        ts("outcome_at"),
        *(ts(m) for m in MILESTONES),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_subject_id", "cases", ["subject_id"])
    op.create_index("ix_cases_opened_at", "cases", ["opened_at"])
    op.create_table(
        "case_keys",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id", name="fk_case_keys_case_id_cases"),
            nullable=False,
        ),
        sa.Column("key_hash", sa.String(64), nullable=False),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_case_keys"),
        sa.UniqueConstraint("case_id", "key_hash", name="uq_case_keys_case_id_key_hash"),
    )
    op.create_index("ix_case_keys_case_id", "case_keys", ["case_id"])
    op.create_index("ix_case_keys_key_hash", "case_keys", ["key_hash"])
    op.create_table(
        "alerts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id", Id, sa.ForeignKey("cases.id", name="fk_alerts_case_id_cases"), nullable=False
        ),
        sa.Column(
            "subject_id", Id, sa.ForeignKey("subjects.id", name="fk_alerts_subject_id_subjects")
        ),
        sa.Column(
            "partner_id", Id, sa.ForeignKey("partners.id", name="fk_alerts_partner_id_partners")
        ),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(200)),
        sa.Column("received_via", sa.String(40)),
        ts("received_at", False),
        sa.Column("post_kind", sa.String(10), nullable=False),
        ts("posted_at"),
        sa.Column("raw_content_type", sa.String(100), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("raw_payload_enc", sa.Text(), nullable=False),
        sa.Column("extracted_enc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
    )
    op.create_index("ix_alerts_case_id", "alerts", ["case_id"])
    op.create_index("ix_alerts_partner_id", "alerts", ["partner_id"])
    op.create_index("ix_alerts_reference", "alerts", ["reference"])
    op.create_table(
        "timeline",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id", name="fk_timeline_case_id_cases"),
            nullable=False,
        ),
        ts("at", False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details_enc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_timeline"),
    )
    op.create_index("ix_timeline_case_id", "timeline", ["case_id"])
    op.create_table(
        "jobs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("case_id", Id, sa.ForeignKey("cases.id", name="fk_jobs_case_id_cases")),
        sa.Column("status", sa.String(12), nullable=False),
        ts("run_at", False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(36)),
        ts("locked_until"),
        sa.Column("last_error", sa.Text()),
        ts("created_at", False),
        ts("started_at"),
        ts("finished_at"),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_case_id", "jobs", ["case_id"])
    op.create_index("ix_jobs_status_run_at", "jobs", ["status", "run_at"])
    op.create_table(
        "audit_log",
        sa.Column("seq", Id, autoincrement=False),
        ts("at", False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("case_id", Id),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column(
            "partner_id",
            Id,
            sa.ForeignKey("partners.id", name="fk_idempotency_keys_partner_id_partners"),
            nullable=False,
        ),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column(
            "alert_id",
            Id,
            sa.ForeignKey("alerts.id", name="fk_idempotency_keys_alert_id_alerts"),
            nullable=False,
        ),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id", name="fk_idempotency_keys_case_id_cases"),
            nullable=False,
        ),
        sa.Column("merged", sa.Boolean(), nullable=False),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("partner_id", "key", name="pk_idempotency_keys"),
    )
    op.create_table(
        "seen_signatures",
        sa.Column(
            "partner_id",
            Id,
            sa.ForeignKey("partners.id", name="fk_seen_signatures_partner_id_partners"),
            nullable=False,
        ),
        sa.Column("signature", sa.String(128), nullable=False),
        ts("seen_at", False),
        sa.PrimaryKeyConstraint("partner_id", "signature", name="pk_seen_signatures"),
    )
    op.create_index("ix_seen_signatures_seen_at", "seen_signatures", ["seen_at"])
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(80), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        ts("started_at", False),
        ts("heartbeat_at", False),
        sa.PrimaryKeyConstraint("worker_id", name="pk_worker_heartbeats"),
    )


def downgrade() -> None:
    for table in (
        "worker_heartbeats",
        "seen_signatures",
        "idempotency_keys",
        "audit_log",
        "jobs",
        "timeline",
        "alerts",
        "case_keys",
        "cases",
        "subjects",
        "users",
        "partners",
    ):
        op.drop_table(table)
