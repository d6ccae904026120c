"""Dispatch: dispatches with their escalation snapshot, notifications with delivery state, SMC
alarms, several location resolutions per alert (the STF's trace answer), and the registry's
routing rules, escalation policies and unit contacts (issue: dispatch, acknowledgement and
escalation).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ts(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def fk(column, table, target):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "dispatches",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("case_id", Id, fk("case_id", "dispatches", "cases"), nullable=False),
        sa.Column("unit_id", sa.String(120), nullable=False),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(14), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("timer_token", sa.String(32), nullable=False),
        ts("next_at"),
        ts("started_at", False),
        sa.Column("started_by", sa.String(120), nullable=False),
        ts("acknowledged_at"),
        sa.Column("acknowledged_by", sa.String(120)),
        ts("ended_at"),
        sa.Column("end_reason", sa.String(300)),
        sa.PrimaryKeyConstraint("id", name="pk_dispatches"),
    )
    op.create_index("ix_dispatches_case_id", "dispatches", ["case_id"])
    op.create_index("ix_dispatches_state", "dispatches", ["state"])
    op.create_table(
        "notifications",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("case_id", Id, fk("case_id", "notifications", "cases"), nullable=False),
        sa.Column("dispatch_id", Id, fk("dispatch_id", "notifications", "dispatches")),
        sa.Column("unit_id", sa.String(120), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_role", sa.String(80), nullable=False),
        sa.Column("channels_enc", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(12), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("channel_index", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        ts("created_at", False),
        ts("delivered_at"),
        sa.Column("delivered_via", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    for column in ("case_id", "dispatch_id"):
        op.create_index(f"ix_notifications_{column}", "notifications", [column])
    op.create_table(
        "smc_alarms",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("case_id", Id, fk("case_id", "smc_alarms", "cases"), nullable=False),
        sa.Column("dispatch_id", Id, fk("dispatch_id", "smc_alarms", "dispatches")),
        sa.Column("reason", sa.String(300), nullable=False),
        ts("raised_at", False),
        ts("cleared_at"),
        sa.Column("cleared_by", sa.String(120)),
        sa.PrimaryKeyConstraint("id", name="pk_smc_alarms"),
    )
    op.create_index("ix_smc_alarms_case_id", "smc_alarms", ["case_id"])
    with op.batch_alter_table("registry_imports") as batch:
        batch.add_column(sa.Column("dispatch_rules", sa.JSON()))
    with op.batch_alter_table("registry_units") as batch:
        batch.add_column(sa.Column("contacts_enc", sa.Text()))
    # an alert may now have several resolutions: the resolver's, then the STF's trace answer
    with op.batch_alter_table("location_resolutions") as batch:
        batch.drop_constraint("uq_location_resolutions_alert_id", type_="unique")
        batch.create_index("ix_location_resolutions_alert_id", ["alert_id"])


def downgrade() -> None:
    with op.batch_alter_table("location_resolutions") as batch:
        batch.drop_index("ix_location_resolutions_alert_id")
        batch.create_unique_constraint("uq_location_resolutions_alert_id", ["alert_id"])
    with op.batch_alter_table("registry_units") as batch:
        batch.drop_column("contacts_enc")
    with op.batch_alter_table("registry_imports") as batch:
        batch.drop_column("dispatch_rules")
    op.drop_table("smc_alarms")
    op.drop_table("notifications")
    op.drop_table("dispatches")
