"""Risk assessments (issue: triage).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id", name="fk_risk_assessments_case_id_cases"),
            nullable=False,
        ),
        sa.Column(
            "alert_id",
            Id,
            sa.ForeignKey("alerts.id", name="fk_risk_assessments_alert_id_alerts"),
            nullable=True,
        ),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("model_version", sa.String(40), nullable=True),
        sa.Column("cues_enc", sa.Text(), nullable=False),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column("assessed_by", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_risk_assessments"),
    )
    op.create_index("ix_risk_assessments_case_id", "risk_assessments", ["case_id"])
    op.create_index("ix_risk_assessments_alert_id", "risk_assessments", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_risk_assessments_alert_id", table_name="risk_assessments")
    op.drop_index("ix_risk_assessments_case_id", table_name="risk_assessments")
    op.drop_table("risk_assessments")
