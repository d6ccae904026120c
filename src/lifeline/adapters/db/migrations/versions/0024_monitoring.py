"""The monitoring stream (issue 19): keyed hashes of the posts taken (dedupe), and the
encrypted window of recent posts of authors with a flagged post.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "monitoring_seen",
        sa.Column("post_hash", sa.String(64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("post_hash", name="pk_monitoring_seen"),
    )
    op.create_index("ix_monitoring_seen_seen_at", "monitoring_seen", ["seen_at"])
    op.create_table(
        "monitoring_window",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("author_hash", sa.String(64), nullable=False),
        sa.Column("post_enc", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_window"),
    )
    op.create_index("ix_monitoring_window_author_hash", "monitoring_window", ["author_hash"])
    op.create_index("ix_monitoring_window_expires_at", "monitoring_window", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_monitoring_window_expires_at", table_name="monitoring_window")
    op.drop_index("ix_monitoring_window_author_hash", table_name="monitoring_window")
    op.drop_table("monitoring_window")
    op.drop_index("ix_monitoring_seen_seen_at", table_name="monitoring_seen")
    op.drop_table("monitoring_seen")
