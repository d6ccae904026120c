"""Tables of one feature: risk triage (issue 4)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
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

# -- risk triage (issue 4) ------------------------------------------------------------------
#: assessments of a case: by the model (one per alert) or by an operator (confirm / correct);
#: cue spans quote the post, so they are encrypted like the post itself
risk_assessments = Table(
    "risk_assessments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("alert_id", Id, ForeignKey("alerts.id"), nullable=True, index=True),
    Column("source", String(10), nullable=False),
    Column("level", String(16), nullable=False),
    Column("score", Float, nullable=True),
    Column("language", String(8), nullable=True),
    Column("model_version", String(40), nullable=True),
    Column("cues_enc", Text, nullable=False),
    Column("note_enc", Text, nullable=True),
    Column("assessed_by", String(120), nullable=False),
    Column("at", Ts, nullable=False),
    #: why the model could not read the post (video, emoji only…); NULL: it could (0014)
    Column("unreadable", String(24), nullable=True),
    #: whose risk the level describes (self, other, general); NULL: not told (0025)
    Column("subject", String(8), nullable=True),
    #: the spans that decided the subject, encrypted like cues_enc; NULL: none (0025)
    Column("subject_cues_enc", Text, nullable=True),
)
ENCRYPTED[risk_assessments] = ("cues_enc", "note_enc", "subject_cues_enc")
