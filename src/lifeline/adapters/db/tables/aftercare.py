"""Tables of one feature: aftercare (migration 0006)."""

from __future__ import annotations

from sqlalchemy import (
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

# -- aftercare (migration 0006) ---------------------------------------------------------------

#: one plan per alive outcome of a case: referral, counsellor, status; the end reason encrypted
follow_up_plans = Table(
    "follow_up_plans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("status", String(12), nullable=False, index=True),
    Column("outcome", String(40), nullable=False),
    Column("outcome_at", Ts, nullable=False),
    Column("proposed_at", Ts, nullable=False),
    Column("proposed_by", String(120), nullable=False),
    Column("referral_kind", String(20), nullable=False),
    Column("referral_name", String(200), nullable=False),
    Column("referral_contact", String(40)),
    Column("referral_unit", String(120)),
    Column("counsellor", String(64), index=True),
    Column("ended_at", Ts),
    Column("end_reason_enc", Text),
    Column("version", Integer, nullable=False),
)

#: each check-in of a plan (a durable `followup_due` job fires at `due_at`); note encrypted
follow_up_check_ins = Table(
    "follow_up_check_ins",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("plan_id", Id, ForeignKey("follow_up_plans.id"), nullable=False, index=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("label", String(10), nullable=False),
    Column("due_at", Ts, nullable=False, index=True),
    Column("notified_at", Ts),
    Column("result", String(20)),
    Column("recorded_at", Ts),
    Column("recorded_by", String(120)),
    Column("note_enc", Text),
    Column("cancelled_at", Ts),
)

#: a case linked to an earlier case about the same person (matched on keyed hashes)
case_links = Table(
    "case_links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("earlier_case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("matched_on", String(60), nullable=False),
    Column("linked_at", Ts, nullable=False),
    UniqueConstraint("case_id", "earlier_case_id"),
)

ENCRYPTED.update({follow_up_plans: ("end_reason_enc",), follow_up_check_ins: ("note_enc",)})
