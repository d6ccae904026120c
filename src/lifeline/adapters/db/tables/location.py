"""Tables of one feature: location and jurisdiction (migration 0002)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from lifeline.adapters.db.tables._base import (
    Id,
    Ts,
    metadata,
)
from lifeline.adapters.db.tables.core import (
    ENCRYPTED,
)

# -- location and jurisdiction (migration 0002) -----------------------------------------------

#: one row per resolved alert; candidates and evidence (which quote the address) encrypted
location_resolutions = Table(
    "location_resolutions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    # not unique since migration 0007: the STF's trace answer is a second resolution
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("resolved_at", Ts, nullable=False),
    Column("state", String(80)),
    Column("district_lgd", String(8), index=True),
    Column("confidence", Float, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("resolver_version", String(20), nullable=False),
    Column("result_enc", Text, nullable=False),
)

#: each `lifeline registry import` is one complete, dated snapshot; the latest is in force
registry_imports = Table(
    "registry_imports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("version", String(32), nullable=False),
    Column("imported_at", Ts, nullable=False, index=True),
    Column("source", String(300), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("units", Integer, nullable=False),
)

registry_units = Table(
    "registry_units",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("import_id", Id, ForeignKey("registry_imports.id"), nullable=False, index=True),
    Column("unit_id", String(120), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("name", String(200), nullable=False),
    Column("parent", String(120)),
    Column("district_lgd", String(8)),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("status", String(20), nullable=False),
    Column("record", JSON, nullable=False),
    UniqueConstraint("import_id", "unit_id", "valid_from"),
)

ENCRYPTED[location_resolutions] = ("result_enc",)
