"""Ports of email intake: the quarantine, transport receipts, partners' senders and pinned
keys, the IMAP ledger (split out of `ports.py`, which re-exports them for the unit of work)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lifeline.domain.mail import QuarantineStatus


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
