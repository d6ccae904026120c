"""The registry of personal fields: every table column that holds personal data, how it is
erased, and which retention policy (and so which timestamp) applies. `SqlRetentionStore`
applies it; nothing else decides what a purge touches.

To cover a new table or column, add ONE entry here (docs/data-protection.md, "Adding a field"):

    PersonalFields(cases, Policy.CASE, {"review_note_enc": Erase.ERASED}, case="id"),

- `columns`: column -> Erase.NULL (nullable columns), Erase.BLANK ("" or, on an `_enc` column,
  the encryption of ""; readers take it as an empty document), Erase.ERASED ("[erased]",
  for free text a person reads), or a literal replacement (a document of the shape its reader
  needs). Or `delete=True` to delete the rows.
- how a row reaches its case: `case="case_id"` (a column holding the case id), or
  `via=(alerts, "alert_id")` (the row's alert, whose case it is), or `subject=True` (the case's
  subject row, erased only once every case about that subject is); the case's end (closed or
  dismissed) starts the clock, and a legal hold stops it.
- rows tied to no case: `stamp="column"` (their own timestamp; QUARANTINE, LOG or EXPIRED),
  with `marker` a plain column set to "[erased]" (how a run knows a row is done) unless
  `delete=True`.
- `key="column"`: a keyed-hash column erasure on request finds the person's rows by.

What a report counts (times, district, level, outcome, source, counts) is in no entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Table

from lifeline.adapters.db.tables import (
    alert_attachments,
    alerts,
    case_keys,
    cases,
    console_sessions,
    console_sign_ins,
    email_quarantine,
    follow_up_check_ins,
    follow_up_plans,
    location_resolutions,
    notifications,
    risk_assessments,
    sms_ack_failures,
    subjects,
    timeline,
)
from lifeline.adapters.db.tables.monitoring import monitoring_seen, monitoring_window
from lifeline.domain.retention import ERASED, Erase, Policy

B, N, E = Erase.BLANK, Erase.NULL, Erase.ERASED
#: an alert's extracted fields once the post is erased: the shape the alert reader needs
ERASED_ALERT = json.dumps(
    {"subject": {}, "post": {"text": ERASED, "url": None}, "location": {}, "erased": True}
)


@dataclass(frozen=True)
class PersonalFields:
    table: Table
    policy: Policy
    #: column -> how it is erased, or the literal text that replaces it (encrypted on an `_enc`
    #: column): for a document its readers need the shape of
    columns: Mapping[str, Erase | str] = field(default_factory=dict)
    delete: bool = False
    case: str | None = None
    via: tuple[Table, str] | None = None
    subject: bool = False
    stamp: str | None = None
    marker: str | None = None
    key: str | None = None

    def __post_init__(self) -> None:
        where = f"retention entry for {self.table.name}"
        ties = sum((self.case is not None, self.via is not None, self.subject))
        if ties + (self.stamp is not None) != 1:
            raise ValueError(f"{where}: give exactly one of case, via, subject or stamp")
        if self.delete == bool(self.columns):
            raise ValueError(f"{where}: give columns to erase, or delete=True, not both")
        for name in [*self.columns, self.case, self.stamp, self.marker, self.key]:
            if name is not None and name not in self.table.c:
                raise ValueError(f"{where}: no column {name!r}")
        if self.stamp is not None and not self.delete and self.marker not in self.columns:
            raise ValueError(f"{where}: a row tied to no case needs a marker column it erases")


REGISTRY: tuple[PersonalFields, ...] = (
    # -- the post: text, raw payload (e-mail, API body), attachments, cue spans --------------
    PersonalFields(
        alerts,
        Policy.POST_TEXT,
        {"raw_payload_enc": B, "extracted_enc": ERASED_ALERT, "raw_sha256": B},
        case="case_id",
    ),
    PersonalFields(
        alert_attachments,
        Policy.POST_TEXT,
        {"filename_enc": B, "content_enc": B, "sha256": B},
        via=(alerts, "alert_id"),
    ),
    PersonalFields(
        risk_assessments, Policy.POST_TEXT, {"cues_enc": B, "subject_cues_enc": B}, case="case_id"
    ),
    # what a message to officers said about the case quotes the post (and names the person)
    PersonalFields(notifications, Policy.POST_TEXT, {"brief_enc": N}, case="case_id"),
    # -- the rest of the case: who, where, what was said about them ---------------------------
    PersonalFields(
        subjects,
        Policy.CASE,
        {"name_enc": N, "handle_enc": N, "profile_url_enc": N, "phone_enc": N, "email_enc": N},
        subject=True,
    ),
    PersonalFields(alerts, Policy.CASE, {"reference": N}, case="case_id"),
    PersonalFields(cases, Policy.CASE, {"outcome_reason_enc": E, "review_note_enc": E}, case="id"),
    PersonalFields(risk_assessments, Policy.CASE, {"note_enc": E}, case="case_id"),
    PersonalFields(timeline, Policy.CASE, {"summary": E, "details_enc": B}, case="case_id"),
    PersonalFields(location_resolutions, Policy.CASE, {"result_enc": B}, case="case_id"),
    PersonalFields(follow_up_plans, Policy.CASE, {"end_reason_enc": E}, case="case_id"),
    PersonalFields(follow_up_check_ins, Policy.CASE, {"note_enc": E}, case="case_id"),
    # -- keyed hashes that link a later case about the same person ----------------------------
    PersonalFields(case_keys, Policy.LINK, delete=True, case="case_id"),
    PersonalFields(
        subjects,
        Policy.LINK,
        {"handle_hash": N, "profile_hash": N, "phone_hash": N, "email_hash": N},
        subject=True,
    ),
    # -- tied to no case ----------------------------------------------------------------------
    PersonalFields(
        email_quarantine,
        Policy.QUARANTINE,
        {"mail_from_enc": B, "raw_enc": B, "reason": E},
        stamp="received_at",
        marker="reason",
    ),
    PersonalFields(console_sign_ins, Policy.LOG, delete=True, stamp="at"),
    PersonalFields(sms_ack_failures, Policy.LOG, delete=True, stamp="at"),
    PersonalFields(console_sessions, Policy.LOG, delete=True, stamp="expires_at"),
    PersonalFields(monitoring_seen, Policy.LOG, delete=True, stamp="seen_at"),
    PersonalFields(
        monitoring_window, Policy.EXPIRED, delete=True, stamp="expires_at", key="author_hash"
    ),
)
