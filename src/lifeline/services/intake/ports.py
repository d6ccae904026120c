"""Ports of intake: partners' signed requests (idempotency keys, the signature ledger), and
email (the parser and sender checks, the quarantine, transport receipts, partners' senders and
pinned keys, the IMAP ledger)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lifeline.domain.email_trust import MailEvidence
from lifeline.domain.mail import ParsedMessage, QuarantineStatus, ReadableMail

# -- partners' signed requests ----------------------------------------------------------------


@dataclass(frozen=True)
class IdempotencyRecord:
    partner_id: int
    key: str
    request_digest: str
    alert_id: int
    case_id: int
    merged: bool


class IdempotencyStore(Protocol):
    def get(self, partner_id: int, key: str) -> IdempotencyRecord | None: ...
    def put(self, record: IdempotencyRecord, at: datetime) -> None: ...


class SignatureLedger(Protocol):
    def remember(self, partner_id: int, signature: str, at: datetime) -> bool:
        """Store a signature; False if it was seen before (a replay)."""
        ...

    def forget_before(self, cutoff: datetime) -> int:
        """Drop signatures too old to be accepted again anyway; returns how many."""
        ...

    def seen_since(self, partner_id: int, since: datetime) -> tuple[int, datetime | None]:
        """How many signed requests of the partner were remembered after `since`, and when
        the oldest of them was (a rate limit's window, shared by every process)."""
        ...


# -- email ------------------------------------------------------------------------------------


class EmailParser(Protocol):
    def __call__(self, raw: bytes, *, received_at: datetime, mail_from: str) -> ParsedMessage: ...


#: a held message decoded for a person to read (adapters/intake/readable.py)
MailReader = Callable[[bytes], ReadableMail]

#: (domain, selector) -> the pinned DKIM key (`p=` value), or None to ask DNS
PinnedKeys = Callable[[str, str], str | None]


class MailAuthenticator(Protocol):
    """Checks what a message's signatures and trusted headers prove (adapters/intake)."""

    def author(self, raw: bytes) -> str | None:
        """The address in the message's single From header (None: none, or several)."""
        ...

    def verify(
        self, raw: bytes, *, peer: str | None, channel: str, pinned: PinnedKeys
    ) -> MailEvidence:
        """Verify every DKIM signature (keys pinned, else DNS) and, for SMTP from a trusted
        relay's address (`peer`), that relay's Authentication-Results."""
        ...


@dataclass(frozen=True)
class QuarantinedMessage:
    id: int
    received_at: datetime
    channel: str
    mail_from: str
    reason: str
    size: int
    status: QuarantineStatus
    alert_id: int | None = None
    reviewed_by: str | None = None
    raw: bytes | None = None


class IntakeReceipts(Protocol):
    """What each transport-level message (email Message-ID, IMAP UID) became, so a message
    delivered twice is taken in once."""

    def get(self, key: str) -> tuple[int, int] | None: ...
    def put(self, key: str, alert_id: int, case_id: int, at: datetime) -> None: ...


class Quarantine(Protocol):
    def add(
        self, *, channel: str, mail_from: str, raw: bytes, reason: str, at: datetime
    ) -> int: ...
    def get(self, message_id: int, *, for_update: bool = False) -> QuarantinedMessage: ...
    def recent(self, status: str | None = None, limit: int = 100) -> list[QuarantinedMessage]: ...
    def waiting(self, limit: int = 100) -> list[QuarantinedMessage]:
        """Pending messages with their raw content, the longest waiting first."""
        ...

    def waiting_summary(self) -> tuple[int, datetime | None]:
        """How many messages are pending, and when the longest waiting one arrived."""
        ...

    def mark(
        self,
        message_id: int,
        *,
        status: QuarantineStatus,
        alert_id: int | None,
        by: str,
        at: datetime,
    ) -> None: ...


class PartnerSenders(Protocol):
    def add(self, partner_id: int, pattern: str, at: datetime) -> None: ...
    def partner_for(self, address: str) -> int | None:
        """The partner whose allow-list covers this address (exact address or its domain)."""
        ...

    # email authenticity (docs/email-intake.md)
    def owner(self, pattern: str) -> int | None:
        """The partner that registered exactly this address or domain."""
        ...

    def patterns_of(self, partner_id: int) -> list[str]: ...
    def pin_key(
        self, partner_id: int, domain: str, selector: str, public_key: str, at: datetime
    ) -> None:
        """Pin a DKIM public key (the `p=` value) for a domain and selector (replacing any)."""
        ...

    def pinned_key(self, domain: str, selector: str) -> str | None: ...
    def pinned_of(self, partner_id: int) -> list[tuple[str, str]]:
        """(domain, selector) of each key pinned for the partner."""
        ...

    def partner_key(self, partner_id: int) -> str | None:
        """The partner's key id (what SMTP AUTH logged in with)."""
        ...


class ImapLedger(Protocol):
    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool: ...
    def mark(
        self,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        *,
        alert_id: int | None,
        quarantine_id: int | None,
        at: datetime,
    ) -> None: ...
    def last_uid(self, mailbox: str, uidvalidity: int) -> int: ...
