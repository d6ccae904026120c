"""Tables of one feature: retention (migration 0027): a case's legal hold and the stages of its
purge, and the ledger of purge runs (`lifeline doctor` reads when the last one ran)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, Table

from lifeline.adapters.db.tables._base import Id, Ts, metadata
from lifeline.adapters.db.tables.core import cases

#: a legal hold (a court, an inquiry) keeps the case whole; the reason names the order, not the
#: person. The *_erased_at markers say which stage of the purge is done (idempotent runs).
for _column in (
    Column("hold_reason", String(500)),
    Column("hold_by", String(120)),
    Column("hold_at", Ts),
    Column("post_erased_at", Ts),
    Column("purged_at", Ts),
    Column("unlinked_at", Ts),
):
    cases.append_column(_column)

#: one row per purge run that was not a dry run: when, and the counts (never content)
retention_runs = Table(
    "retention_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Ts, nullable=False, index=True),
    Column("counts", JSON, nullable=False),
)
