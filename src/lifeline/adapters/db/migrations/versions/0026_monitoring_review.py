"""The review of monitoring cases (issue 19): on `cases`, `review_state` (NULL for a case from
any other source; 'pending', 'escalated', 'dismissed'), who reviewed it and when, the dismissal
reason, the operator's note (encrypted like every free text: `review_note_enc`) and who the
escalation is about (`review_subject`: self or other). Open monitoring cases that no person has
moved on yet (still `received`) become 'pending'; those already dispatched or settled were
decided by a person before the review existed and keep NULL.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("review_state", sa.String(12)),
    ("reviewed_by", sa.String(120)),
    ("reviewed_at", sa.DateTime(timezone=True)),
    ("review_reason", sa.String(40)),
    ("review_note_enc", sa.Text()),
    ("review_subject", sa.String(8)),
)


def upgrade() -> None:
    # plain ALTER TABLE on both databases (a batch copy of `cases` would trip its foreign keys)
    for name, type_ in _COLUMNS:
        op.add_column("cases", sa.Column(name, type_))
    op.create_index("ix_cases_review_state", "cases", ["review_state"])
    # a case is a monitoring case when the alert that opened it came from monitoring
    op.execute(
        "UPDATE cases SET review_state = 'pending' WHERE status = 'received' AND ("
        " SELECT a.source FROM alerts a WHERE a.case_id = cases.id"
        " ORDER BY a.received_at, a.id LIMIT 1) = 'monitoring'"
    )


def downgrade() -> None:
    op.drop_index("ix_cases_review_state", table_name="cases")
    for name, _ in reversed(_COLUMNS):
        op.drop_column("cases", name)  # SQLite 3.35+ drops a column in place
