"""Checkpoints of the audit chain written to the anchor file (migration 0012).

The anchor file outside the database is what verification trusts; this table only lets the
workers of a deployment agree on who writes the next checkpoint and whether anything changed.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from lifeline.adapters.db.tables._base import Id, Ts, metadata

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Ts, nullable=False, index=True),
    Column("at_text", String(40), nullable=False),
    Column("row_count", Id, nullable=False),
    Column("head", String(64), nullable=False),
    Column("mac", String(64), nullable=False),
)
