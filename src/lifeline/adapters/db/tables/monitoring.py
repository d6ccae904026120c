"""Tables of one feature: the monitoring stream (migration 0024).

`monitoring_seen` holds only keyed hashes of posts' ids (the dedupe); `monitoring_window` the
recent posts of authors with a flagged post, encrypted whole, under a keyed hash of the
author, until their window closes (`expires_at`)."""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from lifeline.adapters.db.tables._base import Id, Ts, metadata
from lifeline.adapters.db.tables.core import ENCRYPTED

monitoring_seen = Table(
    "monitoring_seen",
    metadata,
    Column("post_hash", String(64), primary_key=True),
    Column("seen_at", Ts, nullable=False, index=True),
)

monitoring_window = Table(
    "monitoring_window",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("author_hash", String(64), nullable=False, index=True),
    Column("post_enc", Text, nullable=False),
    Column("seen_at", Ts, nullable=False),
    Column("expires_at", Ts, nullable=False, index=True),
)

ENCRYPTED.update({monitoring_window: ("post_enc",)})
