"""The case's `first_delivered_at` milestone: when the first message of a dispatch reached a
contact (a notification in state delivered; alarms to the SMC not counted). "Alert → police
notified" is measured to it, not to the dispatch decision (issue 16). Backfilled from the
notifications already delivered.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE on both databases (a batch copy of `cases` would trip its foreign keys)
    op.add_column("cases", sa.Column("first_delivered_at", sa.DateTime(timezone=True)))
    # the same rule as services/dispatch/notify.py: a delivered message of a dispatch
    op.execute(
        "UPDATE cases SET first_delivered_at = ("
        " SELECT MIN(n.delivered_at) FROM notifications n"
        " WHERE n.case_id = cases.id AND n.state = 'delivered' AND n.delivered_at IS NOT NULL"
        " AND n.dispatch_id IS NOT NULL AND n.purpose <> 'alarm')"
    )


def downgrade() -> None:
    op.drop_column("cases", "first_delivered_at")  # SQLite 3.35+ drops a column in place
