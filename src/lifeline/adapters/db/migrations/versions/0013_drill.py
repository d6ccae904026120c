"""Drill cases: `lifeline drill` sends a marked test alert through the real path; the case
carries `drill` so that reports, dashboards and metrics leave it out (issue 16).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (a batch copy of `cases` on SQLite would trip the
    # foreign keys of every table that refers to it)
    op.add_column(
        "cases", sa.Column("drill", sa.Boolean(), nullable=False, server_default=sa.text("false"))
    )


def downgrade() -> None:
    op.drop_column("cases", "drill")  # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), no copy
