"""Notifications keep the brief their message was composed from (what the units were told
about the case when the escalation step fired), encrypted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("brief_enc", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("brief_enc")
