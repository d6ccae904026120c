"""Sign-in for every door (issue 14): per-user token generation, the last accepted two-factor
time step, a one-time enrolment code (its hash and expiry); throttled bursts kept as one
sign-in row with a repeat count; client addresses kept only as keyed hashes (the clear ones
stored so far are dropped).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_totp_step", sa.BigInteger()))
        batch.add_column(sa.Column("enrolment_code_hash", sa.String(64)))
        batch.add_column(sa.Column("enrolment_expires_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("console_sign_ins") as batch:
        batch.add_column(sa.Column("repeats", sa.Integer(), nullable=False, server_default="1"))
        batch.create_index("ix_console_sign_ins_ip", ["ip"])
    # a code accepted at the console before this revision is still never accepted again
    op.execute(
        "UPDATE users SET last_totp_step = (SELECT MAX(s.totp_step) FROM console_sign_ins s "
        "WHERE s.username = users.username AND s.ok)"
    )
    # addresses were kept in clear; from now on only their keyed hashes are
    op.execute("UPDATE console_sign_ins SET ip = NULL")
    op.execute("UPDATE console_sessions SET ip = NULL")


def downgrade() -> None:
    with op.batch_alter_table("console_sign_ins") as batch:
        batch.drop_index("ix_console_sign_ins_ip")
        batch.drop_column("repeats")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("enrolment_expires_at")
        batch.drop_column("enrolment_code_hash")
        batch.drop_column("last_totp_step")
        batch.drop_column("token_generation")
