"""Location resolution and the jurisdiction registry (issue: location).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ts(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "location_resolutions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id", name="fk_location_resolutions_case_id_cases"),
            nullable=False,
        ),
        sa.Column(
            "alert_id",
            Id,
            sa.ForeignKey("alerts.id", name="fk_location_resolutions_alert_id_alerts"),
            nullable=False,
        ),
        ts("resolved_at", False),
        sa.Column("state", sa.String(80)),
        sa.Column("district_lgd", sa.String(8)),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("resolver_version", sa.String(20), nullable=False),
        sa.Column("result_enc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_location_resolutions"),
        sa.UniqueConstraint("alert_id", name="uq_location_resolutions_alert_id"),
    )
    op.create_index("ix_location_resolutions_case_id", "location_resolutions", ["case_id"])
    op.create_index(
        "ix_location_resolutions_district_lgd", "location_resolutions", ["district_lgd"]
    )
    op.create_table(
        "registry_imports",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(32), nullable=False),
        ts("imported_at", False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registry_imports"),
    )
    op.create_index("ix_registry_imports_imported_at", "registry_imports", ["imported_at"])
    op.create_table(
        "registry_units",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "import_id",
            Id,
            sa.ForeignKey(
                "registry_imports.id", name="fk_registry_units_import_id_registry_imports"
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent", sa.String(120)),
        sa.Column("district_lgd", sa.String(8)),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registry_units"),
        sa.UniqueConstraint(
            "import_id",
            "unit_id",
            "valid_from",
            name="uq_registry_units_import_id_unit_id_valid_from",
        ),
    )
    op.create_index("ix_registry_units_import_id", "registry_units", ["import_id"])


def downgrade() -> None:
    op.drop_table("registry_units")
    op.drop_table("registry_imports")
    op.drop_table("location_resolutions")
