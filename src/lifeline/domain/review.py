"""The review of a monitoring case (DESIGN.md §1, principle 3): a post the SMC's own monitoring
found waits for an operator, who escalates it into a dispatchable case or dismisses it with a
reason. The review lives on the case (`Case.review`); a case from any other source has none.

A dismissal's reason says what the post was, so it is also a label for `model train
--with-feedback` (`DISMISSAL_LABELS`); an escalation is labelled by the operator's assessment
at the level chosen, about the author or about someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lifeline.domain.errors import DomainError
from lifeline.domain.risk import RiskLevel, RiskSubject


class ReviewState(StrEnum):
    """Where a monitoring case's review stands (`cases.review_state`; NULL: not a monitoring
    case)."""

    PENDING = "pending"
    ESCALATED = "escalated"
    DISMISSED = "dismissed"


class DismissReason(StrEnum):
    """Why an operator dismissed a monitoring case (the review queue's reason select)."""

    NOT_AT_RISK = "not_at_risk"
    ABOUT_SOMEONE_ELSE_SAFE = "about_someone_else_safe"
    NEWS_OR_AWARENESS = "news_or_awareness"
    SUPPORT_OR_RECOVERY = "support_or_recovery"
    JOKE_IDIOM_OR_LYRICS = "joke_idiom_or_lyrics"
    THREAT_TO_OTHERS = "threat_to_others"
    SPAM_OR_DUPLICATE = "spam_or_duplicate"
    OTHER = "other"


#: reasons that must come with a note (nothing else says what the post was)
REASONS_NEEDING_NOTE = frozenset({DismissReason.OTHER})

#: the label a dismissal gives each flagged post of the case (docs/triage-guide.md, *Subject*):
#: (level, subject); the subject None where the reason leaves it open (a supporter writes
#: `general`, a recovery story is `self`: the level is certain, the subject is not). Reasons
#: not listed teach nothing: spam or a duplicate says nothing about the text's level, "other"
#: is free text.
DISMISSAL_LABELS: dict[DismissReason, tuple[RiskLevel, RiskSubject | None]] = {
    DismissReason.NOT_AT_RISK: (RiskLevel.DISCUSSION, RiskSubject.SELF),
    DismissReason.ABOUT_SOMEONE_ELSE_SAFE: (RiskLevel.DISCUSSION, RiskSubject.OTHER),
    DismissReason.NEWS_OR_AWARENESS: (RiskLevel.DISCUSSION, RiskSubject.GENERAL),
    DismissReason.SUPPORT_OR_RECOVERY: (RiskLevel.DISCUSSION, None),
    DismissReason.JOKE_IDIOM_OR_LYRICS: (RiskLevel.NONE, RiskSubject.GENERAL),
    DismissReason.THREAT_TO_OTHERS: (RiskLevel.NONE, RiskSubject.GENERAL),
}

#: who an escalation is about, as the escalate form asks it
ESCALATION_SUBJECTS = (RiskSubject.SELF, RiskSubject.OTHER)


class InvalidReview(DomainError):
    """A review decision that can never succeed as given (an unknown reason or subject)."""

    code = "invalid_review"


def parse_reason(value: str) -> DismissReason:
    try:
        return DismissReason(value.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in DismissReason)
        raise InvalidReview(f"unknown dismiss reason {value!r}; reasons: {known}") from None


def parse_escalation_subject(value: str | None) -> RiskSubject:
    """`self` (about the author: also `author`) or `other` (about someone else)."""
    text = (value or "self").strip().lower()
    aliases = {"author": RiskSubject.SELF, "someone_else": RiskSubject.OTHER}
    if text in aliases:
        return aliases[text]
    if text in (s.value for s in ESCALATION_SUBJECTS):
        return RiskSubject(text)
    raise InvalidReview(
        f"unknown subject {value!r}: 'self' (about the author) or 'other' (about someone else)"
    )


@dataclass
class Review:
    """A monitoring case's review: pending until a person (or a platform's alert about the same
    person, which makes it a platform case) decides. `note` may name people: stored encrypted."""

    state: ReviewState = ReviewState.PENDING
    by: str | None = None
    at: datetime | None = None
    reason: DismissReason | None = None
    note: str | None = None
    #: who the escalation is about (self: the author; other: someone the author wrote about)
    subject: RiskSubject | None = None

    @property
    def pending(self) -> bool:
        return self.state is ReviewState.PENDING

    def label(self) -> tuple[RiskLevel, RiskSubject | None] | None:
        """The training label of a dismissal (None: an escalation, or a reason that teaches
        nothing)."""
        if self.state is not ReviewState.DISMISSED or self.reason is None:
            return None
        return DISMISSAL_LABELS.get(self.reason)
