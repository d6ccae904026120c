"""Whose risk an assessment describes (issue 19): `subject` (self, other, general; NULL for
assessments made before subjects and for a model that does not tell) and the spans that decided
it, `subject_cues_enc`, encrypted like `cues_enc` because they quote the post (NULL: none).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch:
        batch.add_column(sa.Column("subject", sa.String(8), nullable=True))
        batch.add_column(sa.Column("subject_cues_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch:
        batch.drop_column("subject_cues_enc")
        batch.drop_column("subject")
