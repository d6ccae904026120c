"""Console: sign-in sessions, sign-in attempts (lockout), profiles, case districts (issue: console).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ts(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "user_id",
            Id,
            sa.ForeignKey("users.id", name="fk_console_sessions_user_id_users"),
            nullable=False,
        ),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        ts("created_at", False),
        ts("last_seen_at", False),
        ts("expires_at", False),
        ts("revoked_at"),
        sa.Column("ip", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_console_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_console_sessions_token_hash"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "console_sign_ins",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        ts("at", False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("totp_step", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name="pk_console_sign_ins"),
    )
    op.create_index("ix_console_sign_ins_username", "console_sign_ins", ["username"])
    op.create_index("ix_console_sign_ins_at", "console_sign_ins", ["at"])
    op.create_table(
        "console_profiles",
        sa.Column(
            "user_id",
            Id,
            sa.ForeignKey("users.id", name="fk_console_profiles_user_id_users"),
            nullable=False,
        ),
        sa.Column("language", sa.String(5), nullable=False),
        ts("enrolled_at"),
        ts("updated_at", False),
        sa.PrimaryKeyConstraint("user_id", name="pk_console_profiles"),
    )
    op.create_table(
        "case_districts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id", name="fk_case_districts_case_id_cases"),
            nullable=False,
        ),
        sa.Column("district_lgd", sa.String(8), nullable=False),
        sa.Column("assigned_by", sa.String(120), nullable=False),
        ts("assigned_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_case_districts"),
    )
    op.create_index("ix_case_districts_case_id", "case_districts", ["case_id"])
    op.create_index("ix_case_districts_district_lgd", "case_districts", ["district_lgd"])


def downgrade() -> None:
    op.drop_index("ix_case_districts_district_lgd", table_name="case_districts")
    op.drop_index("ix_case_districts_case_id", table_name="case_districts")
    op.drop_table("case_districts")
    op.drop_table("console_profiles")
    op.drop_index("ix_console_sign_ins_at", table_name="console_sign_ins")
    op.drop_index("ix_console_sign_ins_username", table_name="console_sign_ins")
    op.drop_table("console_sign_ins")
    op.drop_index("ix_console_sessions_user_id", table_name="console_sessions")
    op.drop_table("console_sessions")
