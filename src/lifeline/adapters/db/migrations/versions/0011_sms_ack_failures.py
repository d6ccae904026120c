"""Refused SMS acknowledgements, remembered so that every API process throttles the same
sender: a keyed hash of the number (never the number), whether it is a registry contact's, and
when (issue 14: acknowledgement codes that cannot be guessed or spoofed).

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sms_ack_failures",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("contact", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sms_ack_failures"),
    )
    op.create_index("ix_sms_ack_failures_at", "sms_ack_failures", ["at"])
    op.create_index("ix_sms_ack_failures_sender_hash_at", "sms_ack_failures", ["sender_hash", "at"])


def downgrade() -> None:
    op.drop_index("ix_sms_ack_failures_sender_hash_at", table_name="sms_ack_failures")
    op.drop_index("ix_sms_ack_failures_at", table_name="sms_ack_failures")
    op.drop_table("sms_ack_failures")
