"""Email authenticity: each alert records whether its sender was verified and how (or why
not), and partners' pinned DKIM keys (per domain and selector) for a control room without
outside DNS.

Alerts taken in before this revision: emails are marked not verified ("not checked"), since
nothing checked them; signed API calls and alerts operators took are verified.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(
            sa.Column("sender_verified", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column(
                "sender_verification", sa.String(300), nullable=False, server_default="operator"
            )
        )
    alerts = sa.table(
        "alerts",
        sa.column("source", sa.String),
        sa.column("sender_verified", sa.Boolean),
        sa.column("sender_verification", sa.String),
    )
    for source, verified, how in (
        ("platform_email", False, "not checked (received before sender verification)"),
        ("platform_api", True, "signed-api"),
        ("monitoring", True, "monitoring"),
    ):
        op.execute(
            alerts.update()
            .where(alerts.c.source == source)
            .values(sender_verified=verified, sender_verification=how)
        )
    op.create_table(
        "partner_dkim_keys",
        sa.Column("id", Id, autoincrement=True),
        sa.Column(
            "partner_id",
            Id,
            sa.ForeignKey("partners.id", name="fk_partner_dkim_keys_partner_id_partners"),
            nullable=False,
        ),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("selector", sa.String(63), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_partner_dkim_keys"),
        sa.UniqueConstraint("domain", "selector", name="uq_partner_dkim_keys_domain_selector"),
    )
    op.create_index("ix_partner_dkim_keys_partner_id", "partner_dkim_keys", ["partner_id"])


def downgrade() -> None:
    op.drop_table("partner_dkim_keys")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("sender_verification")
        batch.drop_column("sender_verified")
