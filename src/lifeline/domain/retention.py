"""Retention: how long personal data is kept, and how a stored field is erased.

A case's personal data goes in three stages once the case has ended (closed or dismissed): the
post (text, attachments, raw payloads, cue spans) first, then everything else personal (names,
phones, handles, notes, addresses), and last the keyed hashes that link a later case about the
same person to this one. What stays is what reports count: times, district, level, outcome,
source. A case under legal hold keeps everything until the hold is lifted. Data not tied to a
case (held mail, logs) goes by its own timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from lifeline.domain.lifecycle import CaseStatus

#: what a free-text field reads after erasure (shown as such in the console and `cases show`)
ERASED = "[erased]"


class Policy(StrEnum):
    """Which retention period applies to a field (docs/data-protection.md)."""

    #: post text, attachments, raw payloads, cue spans of an ended case
    POST_TEXT = "post_text"
    #: the rest of an ended case's personal fields: names, phones, handles, notes, addresses
    CASE = "case"
    #: keyed hashes for repeat-risk linking (case_keys, the subject's hashes)
    LINK = "link"
    #: held mail (by when it was received)
    QUARANTINE = "quarantine"
    #: sign-in log, refused SMS acknowledgements, expired sessions, seen-post hashes
    LOG = "log"
    #: rows that carry their own expiry (the monitoring window of an author)
    EXPIRED = "expired"


#: the policies whose fields belong to a case (a hold stops them; a run records a marker)
CASE_POLICIES = (Policy.POST_TEXT, Policy.CASE, Policy.LINK)
#: the statuses of a case that has ended (its retention clock runs; erasure needs no --force)
ENDED = (CaseStatus.CLOSED.value, CaseStatus.DISMISSED.value)


class Erase(StrEnum):
    """How one column is erased. On an encrypted column, BLANK and ERASED store the encryption
    of "" and of "[erased]" (readers treat "" as an empty document)."""

    NULL = "null"
    BLANK = "blank"
    ERASED = "erased"


@dataclass(frozen=True)
class RetentionPeriods:
    """The settings' periods (LIFELINE_RETENTION_*_DAYS). 0 days: at the next run."""

    closed: timedelta = timedelta(days=90)
    post_text: timedelta = timedelta(days=30)
    quarantine: timedelta = timedelta(days=30)
    dismissed: timedelta = timedelta(days=30)
    log: timedelta = timedelta(days=180)
    link: timedelta = timedelta(days=365)

    def __post_init__(self) -> None:
        for name in ("closed", "post_text", "quarantine", "dismissed", "log", "link"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"retention period {name} is negative")

    def ended_cutoff(self, policy: Policy, now: datetime, *, dismissed: bool) -> datetime:
        """A case that ended (closed, or dismissed when `dismissed`) at or before this time is
        due for `policy`. A dismissed false alarm goes whole after `dismissed`; the post never
        outlives the rest of the case."""
        if dismissed:
            return now - self.dismissed
        period = {
            Policy.POST_TEXT: min(self.post_text, self.closed),
            Policy.CASE: self.closed,
            Policy.LINK: self.link,
        }[policy]
        return now - period

    def own_cutoff(self, policy: Policy, now: datetime) -> datetime:
        """Rows not tied to a case are due when their own timestamp is at or before this."""
        period = {
            Policy.QUARANTINE: self.quarantine,
            Policy.LOG: self.log,
            Policy.EXPIRED: timedelta(0),
        }[policy]
        return now - period


@dataclass(frozen=True)
class LegalHold:
    """A case kept whole whatever the retention periods say (a court, an inquiry)."""

    reason: str
    by: str
    at: datetime


@dataclass
class PurgeCounts:
    """What a purge run erased (or would erase): counts per policy and `table.column`, and the
    case ids per policy; never content."""

    fields: dict[str, dict[str, int]] = field(default_factory=dict)
    cases: dict[str, list[int]] = field(default_factory=dict)
    held: list[int] = field(default_factory=list)

    def add(self, policy: Policy, column: str, n: int) -> None:
        if n:
            per = self.fields.setdefault(policy.value, {})
            per[column] = per.get(column, 0) + n

    def add_case(self, policy: Policy, case_id: int) -> None:
        self.cases.setdefault(policy.value, []).append(case_id)

    def merge(self, other: PurgeCounts) -> None:
        for policy, per in other.fields.items():
            for column, n in per.items():
                self.add(Policy(policy), column, n)
        for policy, ids in other.cases.items():
            self.cases.setdefault(policy, []).extend(ids)
        self.held.extend(other.held)

    def total(self) -> int:
        return sum(n for per in self.fields.values() for n in per.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "fields": {p: dict(sorted(per.items())) for p, per in sorted(self.fields.items())},
            "cases": {p: sorted(ids) for p, ids in sorted(self.cases.items())},
            "held": sorted(self.held),
            "total": self.total(),
        }
