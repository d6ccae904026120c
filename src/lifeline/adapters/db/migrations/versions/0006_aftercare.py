"""Aftercare: follow-up plans and their check-ins (with referral and counsellor), and links
between cases about the same person (issue: outcomes, follow-up, repeat risk and reports).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ts(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def fk(column, table, target):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "follow_up_plans",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("case_id", Id, fk("case_id", "follow_up_plans", "cases"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        ts("outcome_at", False),
        ts("proposed_at", False),
        sa.Column("proposed_by", sa.String(120), nullable=False),
        sa.Column("referral_kind", sa.String(20), nullable=False),
        sa.Column("referral_name", sa.String(200), nullable=False),
        sa.Column("referral_contact", sa.String(40)),
        sa.Column("referral_unit", sa.String(120)),
        sa.Column("counsellor", sa.String(64)),
        ts("ended_at"),
        sa.Column("end_reason_enc", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_follow_up_plans"),
    )
    for column in ("case_id", "status", "counsellor"):
        op.create_index(f"ix_follow_up_plans_{column}", "follow_up_plans", [column])
    op.create_table(
        "follow_up_check_ins",
        sa.Column("id", Id, autoincrement=True),
        sa.Column(
            "plan_id",
            Id,
            fk("plan_id", "follow_up_check_ins", "follow_up_plans"),
            nullable=False,
        ),
        sa.Column("case_id", Id, fk("case_id", "follow_up_check_ins", "cases"), nullable=False),
        sa.Column("label", sa.String(10), nullable=False),
        ts("due_at", False),
        ts("notified_at"),
        sa.Column("result", sa.String(20)),
        ts("recorded_at"),
        sa.Column("recorded_by", sa.String(120)),
        sa.Column("note_enc", sa.Text()),
        ts("cancelled_at"),
        sa.PrimaryKeyConstraint("id", name="pk_follow_up_check_ins"),
    )
    for column in ("plan_id", "case_id", "due_at"):
        op.create_index(f"ix_follow_up_check_ins_{column}", "follow_up_check_ins", [column])
    op.create_table(
        "case_links",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("case_id", Id, fk("case_id", "case_links", "cases"), nullable=False),
        sa.Column(
            "earlier_case_id", Id, fk("earlier_case_id", "case_links", "cases"), nullable=False
        ),
        sa.Column("matched_on", sa.String(60), nullable=False),
        ts("linked_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_case_links"),
        sa.UniqueConstraint(
            "case_id", "earlier_case_id", name="uq_case_links_case_id_earlier_case_id"
        ),
    )
    for column in ("case_id", "earlier_case_id"):
        op.create_index(f"ix_case_links_{column}", "case_links", [column])


def downgrade() -> None:
    op.drop_table("case_links")
    op.drop_table("follow_up_check_ins")
    op.drop_table("follow_up_plans")
