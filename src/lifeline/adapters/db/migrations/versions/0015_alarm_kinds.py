"""SMC alarms get a kind, structured details and an operator's acknowledgement (issue 16):
the console groups them per case and says what is wrong in the reader's language. Rows from
before are given the kind their English reason names, else "other".

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: (kind, a LIKE pattern of the reason the code wrote before kinds existed)
_OLD_REASONS = (
    ("exhausted", "%did not acknowledge after every escalation step%"),
    ("no_contact", "no contact to notify for %"),
    ("delivery_failed", "%: no contact reachable on any channel%"),
    ("nobody_reached", "no unit reached %"),
)


def upgrade() -> None:
    with op.batch_alter_table("smc_alarms") as batch:
        batch.add_column(sa.Column("kind", sa.String(24), nullable=False, server_default="other"))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledged_by", sa.String(120), nullable=True))
    alarms = sa.table("smc_alarms", sa.column("kind", sa.String), sa.column("reason", sa.String))
    for kind, pattern in _OLD_REASONS:
        op.execute(
            alarms.update()
            .where(alarms.c.reason.like(pattern), alarms.c.kind == "other")
            .values(kind=kind)
        )


def downgrade() -> None:
    with op.batch_alter_table("smc_alarms") as batch:
        batch.drop_column("acknowledged_by")
        batch.drop_column("acknowledged_at")
        batch.drop_column("details")
        batch.drop_column("kind")
