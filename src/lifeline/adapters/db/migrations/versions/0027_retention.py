"""Retention (issue 18): a case's legal hold and the stages of its purge (post, case fields,
linking hashes), and the ledger of purge runs.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
# 0024 (monitoring) is merged into this branch; the lead re-chains at merge
down_revision = "0026"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("cases", sa.Column("hold_reason", sa.String(500), nullable=True))
    op.add_column("cases", sa.Column("hold_by", sa.String(120), nullable=True))
    for name in ("hold_at", "post_erased_at", "purged_at", "unlinked_at"):
        op.add_column("cases", sa.Column(name, _TS, nullable=True))
    op.create_table(
        "retention_runs",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retention_runs"),
    )
    op.create_index("ix_retention_runs_at", "retention_runs", ["at"])


def downgrade() -> None:
    op.drop_index("ix_retention_runs_at", table_name="retention_runs")
    op.drop_table("retention_runs")
    # SQLite 3.35+ drops a column in place (a batch copy would trip the foreign keys)
    for name in ("unlinked_at", "purged_at", "post_erased_at", "hold_at", "hold_by", "hold_reason"):
        op.drop_column("cases", name)
