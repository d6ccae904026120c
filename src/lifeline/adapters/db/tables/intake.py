"""Tables of one feature: email intake (migration 0004)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
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

# -- email intake (migration 0004) -------------------------------------------------------------

alert_attachments = Table(
    "alert_attachments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("filename_enc", Text, nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_enc", Text, nullable=False),
)

intake_receipts = Table(
    "intake_receipts",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=False),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("created_at", Ts, nullable=False),
)

partner_senders = Table(
    "partner_senders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("partner_id", Id, ForeignKey("partners.id"), nullable=False, index=True),
    Column("pattern", String(320), nullable=False, unique=True),
    Column("created_at", Ts, nullable=False),
)

#: partners' DKIM public keys pinned per domain and selector (migration 0009): used instead of
#: DNS for that selector (a control room without outside DNS)
partner_dkim_keys = Table(
    "partner_dkim_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("partner_id", Id, ForeignKey("partners.id"), nullable=False, index=True),
    Column("domain", String(253), nullable=False),
    Column("selector", String(63), nullable=False),
    Column("public_key", Text, nullable=False),
    Column("created_at", Ts, nullable=False),
    UniqueConstraint("domain", "selector"),
)

email_quarantine = Table(
    "email_quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("received_at", Ts, nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("mail_from_enc", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw_enc", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(12), nullable=False, index=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=True),
    Column("reviewed_by", String(120)),
    Column("reviewed_at", Ts),
)

imap_seen = Table(
    "imap_seen",
    metadata,
    Column("mailbox", String(300), primary_key=True),
    Column("uidvalidity", BigInteger, primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=True),
    Column("quarantine_id", Id, ForeignKey("email_quarantine.id"), nullable=True),
    Column("seen_at", Ts, nullable=False),
)

ENCRYPTED.update(
    {
        alert_attachments: ("filename_enc", "content_enc"),
        email_quarantine: ("mail_from_enc", "raw_enc"),
    }
)
