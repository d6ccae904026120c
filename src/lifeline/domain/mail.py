"""Alert e-mail: what a parser made of a message, what intake did with it, and the states of a
message kept in the quarantine (docs/email-intake.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lifeline.domain.alert import Alert


class EmailStatus(StrEnum):
    """What intake did with a message."""

    ALERT = "alert"  # taken in as an alert
    DUPLICATE = "duplicate"  # the same message again: the alert it became before
    QUARANTINED = "quarantined"  # kept for an operator to review


class QuarantineStatus(StrEnum):
    """Where a quarantined message stands: waiting, or reviewed one way or the other."""

    PENDING = "pending"
    RELEASED = "released"  # an operator vouched for it: it became an alert
    DISCARDED = "discarded"  # reviewed and not an alert (kept, not deleted)


@dataclass
class ParsedMessage:
    """What an email parser made of a message."""

    alert: Alert | None
    missing: list[str] = field(default_factory=list)
    reason: str | None = None  # why no alert could be made
    message_id: str | None = None


@dataclass(frozen=True)
class EmailOutcome:
    status: EmailStatus
    alert_id: int | None = None
    case_id: int | None = None
    quarantine_id: int | None = None
    reason: str | None = None
    missing: tuple[str, ...] = ()
    sender_verified: bool | None = None
    sender_verification: str | None = None


@dataclass(frozen=True)
class HeldAttachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ReadableMail:
    """A held message decoded for a person to read: headers with their RFC 2047 words decoded,
    the text of every part in its transfer encoding and charset, HTML turned into text (and
    its source kept as text, never markup to render). Everything here is what the sender
    wrote: untrusted."""

    from_header: str = ""
    to_header: str = ""
    date_header: str = ""
    subject: str = ""
    body: str = ""
    #: the decoded source of HTML parts, to be shown as text (what the mail would have run)
    html_source: str = ""
    attachments: tuple[HeldAttachment, ...] = ()
    #: Authentication-Results / Received-SPF headers as the message carries them: claims by
    #: whoever handled the message, not checked by Lifeline
    claimed_checks: tuple[str, ...] = ()
    #: what could not be read (bad charset, malformed MIME, cut because too long)
    problems: tuple[str, ...] = ()
