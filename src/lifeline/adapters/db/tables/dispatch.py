"""Tables of one feature: dispatch and escalation (issue 6, migration 0007)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from lifeline.adapters.db.tables._base import (
    Id,
    Ts,
    metadata,
)
from lifeline.adapters.db.tables.core import (
    ENCRYPTED,
)
from lifeline.adapters.db.tables.location import (
    registry_imports,
    registry_units,
)

# -- dispatch and escalation (issue 6, migration 0007) --------------------------------------
#: a case sent to one unit, with the escalation policy copied onto it when it started
dispatches = Table(
    "dispatches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("unit_id", String(120), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("purpose", String(12), nullable=False),
    Column("reason", String(300), nullable=False),
    Column("policy", JSON, nullable=False),
    Column("state", String(14), nullable=False, index=True),
    Column("step_index", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("timer_token", String(32), nullable=False),
    Column("next_at", Ts),
    Column("started_at", Ts, nullable=False),
    Column("started_by", String(120), nullable=False),
    Column("acknowledged_at", Ts),
    Column("acknowledged_by", String(120)),
    Column("ended_at", Ts),
    Column("end_reason", String(300)),
)

#: one message to one contact; the channel URLs (with their tokens) are encrypted
notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("dispatch_id", Id, ForeignKey("dispatches.id"), nullable=True, index=True),
    Column("unit_id", String(120), nullable=False),
    Column("contact_name", String(200), nullable=False),
    Column("contact_role", String(80), nullable=False),
    Column("channels_enc", Text, nullable=False),
    Column("purpose", String(12), nullable=False),
    Column("step_index", Integer, nullable=False),
    Column("state", String(12), nullable=False),
    Column("channel_index", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("detail", String(500), nullable=False),
    Column("created_at", Ts, nullable=False),
    Column("delivered_at", Ts),
    Column("delivered_via", String(200)),
    # what the message said about the case (services/dispatch/briefs.py), since migration 0008
    Column("brief_enc", Text),
)

#: the SMC alarmed that no unit was reached or acknowledged in time (the console's banner)
smc_alarms = Table(
    "smc_alarms",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("dispatch_id", Id, ForeignKey("dispatches.id"), nullable=True),
    Column("reason", String(300), nullable=False),
    Column("raised_at", Ts, nullable=False),
    Column("cleared_at", Ts),
    Column("cleared_by", String(120)),
    # what the alarm is about and its figures (domain AlarmKind), since migration 0015
    Column("kind", String(24), nullable=False, server_default="other"),
    Column("details", JSON),
    # an operator quieted it (it stays open until the case moves on)
    Column("acknowledged_at", Ts),
    Column("acknowledged_by", String(120)),
)

#: refused SMS acknowledgements (wrong code, or a number not allowed to send it), the throttle's
#: memory shared by every API process (migration 0011); `sender_hash` is a keyed hash of the
#: number, `contact` whether that number belongs to any contact in the registry
sms_ack_failures = Table(
    "sms_ack_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("sender_hash", String(64), nullable=False),
    Column("contact", Boolean, nullable=False),
    Column("at", Ts, nullable=False, index=True),
    Index("ix_sms_ack_failures_sender_hash_at", "sender_hash", "at"),
)

#: routing rules and escalation policies of each registry import; contacts of each unit
registry_imports.append_column(Column("dispatch_rules", JSON))
registry_units.append_column(Column("contacts_enc", Text))
ENCRYPTED.update({notifications: ("channels_enc", "brief_enc"), registry_units: ("contacts_enc",)})
