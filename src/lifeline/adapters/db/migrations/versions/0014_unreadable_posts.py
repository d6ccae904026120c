"""Unreadable posts: a model assessment of a post the model cannot read (a video, a photo,
"[video]", only a link or emoji) says why in `unreadable` instead of claiming `none`
(issue 16). Existing rows are readable assessments (NULL).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch:
        batch.add_column(sa.Column("unreadable", sa.String(24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch:
        batch.drop_column("unreadable")
