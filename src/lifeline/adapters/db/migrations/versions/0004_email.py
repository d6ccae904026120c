"""Email intake: alert attachments, intake receipts (dedupe of redelivered messages), partner
sender allow-lists, the quarantine of mail that could not be taken in, and IMAP UIDs seen.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ts(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "alert_attachments",
        sa.Column("id", Id, autoincrement=True),
        sa.Column(
            "alert_id",
            Id,
            sa.ForeignKey("alerts.id", name="fk_alert_attachments_alert_id_alerts"),
            nullable=False,
        ),
        sa.Column("filename_enc", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_enc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_attachments"),
    )
    op.create_index("ix_alert_attachments_alert_id", "alert_attachments", ["alert_id"])
    op.create_table(
        "intake_receipts",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column(
            "alert_id",
            Id,
            sa.ForeignKey("alerts.id", name="fk_intake_receipts_alert_id_alerts"),
            nullable=False,
        ),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id", name="fk_intake_receipts_case_id_cases"),
            nullable=False,
        ),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("key_hash", name="pk_intake_receipts"),
    )
    op.create_table(
        "partner_senders",
        sa.Column("id", Id, autoincrement=True),
        sa.Column(
            "partner_id",
            Id,
            sa.ForeignKey("partners.id", name="fk_partner_senders_partner_id_partners"),
            nullable=False,
        ),
        sa.Column("pattern", sa.String(320), nullable=False),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_partner_senders"),
        sa.UniqueConstraint("pattern", name="uq_partner_senders_pattern"),
    )
    op.create_index("ix_partner_senders_partner_id", "partner_senders", ["partner_id"])
    op.create_table(
        "email_quarantine",
        sa.Column("id", Id, autoincrement=True),
        ts("received_at", False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("mail_from_enc", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw_enc", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column(
            "alert_id", Id, sa.ForeignKey("alerts.id", name="fk_email_quarantine_alert_id_alerts")
        ),
        sa.Column("reviewed_by", sa.String(120)),
        ts("reviewed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_email_quarantine"),
    )
    op.create_index("ix_email_quarantine_received_at", "email_quarantine", ["received_at"])
    op.create_index("ix_email_quarantine_status", "email_quarantine", ["status"])
    op.create_table(
        "imap_seen",
        sa.Column("mailbox", sa.String(300), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("alert_id", Id, sa.ForeignKey("alerts.id", name="fk_imap_seen_alert_id_alerts")),
        sa.Column(
            "quarantine_id",
            Id,
            sa.ForeignKey(
                "email_quarantine.id", name="fk_imap_seen_quarantine_id_email_quarantine"
            ),
        ),
        ts("seen_at", False),
        sa.PrimaryKeyConstraint("mailbox", "uidvalidity", "uid", name="pk_imap_seen"),
    )


def downgrade() -> None:
    for table in (
        "imap_seen",
        "email_quarantine",
        "partner_senders",
        "intake_receipts",
        "alert_attachments",
    ):
        op.drop_table(table)
