"""Tables of one feature: console (migration 0005)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)

from lifeline.adapters.db.tables._base import (
    Id,
    Ts,
    metadata,
)

# -- console (migration 0005) ---------------------------------------------------------------

#: a signed-in browser; the cookie holds a random token, the table only its SHA-256
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Ts, nullable=False),
    Column("last_seen_at", Ts, nullable=False),
    Column("expires_at", Ts, nullable=False),
    Column("revoked_at", Ts),
    #: keyed hash of the client address
    Column("ip", String(64)),
)

#: every sign-in attempt, by every door: the throttles count these (`users.last_totp_step`, not
#: `totp_step` here, is what refuses a code used before)
console_sign_ins = Table(
    "console_sign_ins",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, index=True),
    Column("at", Ts, nullable=False, index=True),
    Column("ok", Boolean, nullable=False),
    Column("reason", String(40), nullable=False),
    #: keyed hash of the client address (migration 0010; never the address)
    Column("ip", String(64), index=True),
    Column("totp_step", BigInteger),
    #: a throttled burst is one row: how many attempts it refused
    Column("repeats", Integer, nullable=False, server_default="1"),
)

#: per-person console state: language and when two-factor enrolment was completed
console_profiles = Table(
    "console_profiles",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("language", String(5), nullable=False),
    Column("enrolled_at", Ts),
    Column("updated_at", Ts, nullable=False),
)

#: an operator's choice of the district responsible for a case (beside automatic resolution)
case_districts = Table(
    "case_districts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("district_lgd", String(8), nullable=False, index=True),
    Column("assigned_by", String(120), nullable=False),
    Column("assigned_at", Ts, nullable=False),
)
