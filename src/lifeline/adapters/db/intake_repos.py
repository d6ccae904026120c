"""Repositories for email intake: receipts (dedupe), quarantine, partner senders, IMAP UIDs.

Statements are built once and executed with parameters (they run for every message received)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, insert, select, update

from lifeline.adapters.db.tables import (
    aad,
    email_quarantine,
    imap_seen,
    intake_receipts,
    new_id,
    partner_dkim_keys,
    partner_senders,
    partners,
)
from lifeline.domain.errors import NotFound
from lifeline.domain.mail import QuarantineStatus
from lifeline.services.intake.ports import QuarantinedMessage
from lifeline.services.ports import Cipher

_RECEIPT = select(intake_receipts.c.alert_id, intake_receipts.c.case_id).where(
    intake_receipts.c.key_hash == bindparam("key_hash")
)
_ADD_RECEIPT = insert(intake_receipts)


class SqlIntakeReceipts:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def get(self, key: str) -> tuple[int, int] | None:
        row = self.conn.execute(_RECEIPT, {"key_hash": self.keys.blind_index(key)}).one_or_none()
        return None if row is None else (row.alert_id, row.case_id)

    def put(self, key: str, alert_id: int, case_id: int, at: datetime) -> None:
        self.conn.execute(
            _ADD_RECEIPT,
            {
                "key_hash": self.keys.blind_index(key),
                "alert_id": alert_id,
                "case_id": case_id,
                "created_at": at,
            },
        )


_ADD_QUARANTINED = insert(email_quarantine)
_QUARANTINED = select(email_quarantine).where(email_quarantine.c.id == bindparam("message_id"))
_QUARANTINED_FOR_UPDATE = _QUARANTINED.with_for_update()
_MARK_QUARANTINED = (
    update(email_quarantine)
    .where(email_quarantine.c.id == bindparam("message_id"))
    .values(
        status=bindparam("new_status"),
        alert_id=bindparam("new_alert_id"),
        reviewed_by=bindparam("by"),
        reviewed_at=bindparam("at"),
    )
)
#: the held mail an operator reviews: the longest waiting first (it matters most)
_WAITING = (
    select(email_quarantine)
    .where(email_quarantine.c.status == bindparam("pending"))
    .order_by(email_quarantine.c.received_at, email_quarantine.c.id)
    .limit(bindparam("n"))
)
_WAITING_SUMMARY = select(
    func.count().label("n"), func.min(email_quarantine.c.received_at).label("oldest")
).where(email_quarantine.c.status == bindparam("pending"))


class SqlQuarantine:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def add(self, *, channel: str, mail_from: str, raw: bytes, reason: str, at: datetime) -> int:
        table = email_quarantine
        row = {
            "received_at": at,
            "channel": channel,
            "reason": reason,
            "size": len(raw),
            "status": QuarantineStatus.PENDING.value,
            "mail_from_enc": self.keys.encrypt(mail_from, aad(table, "mail_from_enc")),
            "raw_enc": self.keys.encrypt(raw, aad(table, "raw_enc")),
        }
        return new_id(self.conn.execute(_ADD_QUARANTINED, row))

    def get(self, message_id: int, *, for_update: bool = False) -> QuarantinedMessage:
        query = _QUARANTINED_FOR_UPDATE if for_update else _QUARANTINED
        row = self.conn.execute(query, {"message_id": message_id}).one_or_none()
        if row is None:
            raise NotFound(f"quarantined message {message_id} not found")
        return self._message(row, with_raw=True)

    def recent(self, status: str | None = None, limit: int = 100) -> list[QuarantinedMessage]:
        query = select(email_quarantine).order_by(email_quarantine.c.id.desc()).limit(limit)
        if status:
            query = query.where(email_quarantine.c.status == status)
        return [self._message(r, with_raw=False) for r in self.conn.execute(query)]

    def waiting(self, limit: int = 100) -> list[QuarantinedMessage]:
        rows = self.conn.execute(_WAITING, {"pending": QuarantineStatus.PENDING.value, "n": limit})
        return [self._message(r, with_raw=True) for r in rows]

    def waiting_summary(self) -> tuple[int, datetime | None]:
        row = self.conn.execute(_WAITING_SUMMARY, {"pending": QuarantineStatus.PENDING.value}).one()
        return int(row.n or 0), row.oldest

    def mark(
        self,
        message_id: int,
        *,
        status: QuarantineStatus,
        alert_id: int | None,
        by: str,
        at: datetime,
    ) -> None:
        self.conn.execute(
            _MARK_QUARANTINED,
            {
                "message_id": message_id,
                "new_status": status.value,
                "new_alert_id": alert_id,
                "by": by,
                "at": at,
            },
        )

    def _message(self, row: Row[Any], *, with_raw: bool) -> QuarantinedMessage:
        table = email_quarantine
        return QuarantinedMessage(
            row.id,
            row.received_at,
            row.channel,
            self.keys.decrypt(row.mail_from_enc, aad(table, "mail_from_enc")) or "",
            row.reason,
            row.size,
            QuarantineStatus(row.status),
            row.alert_id,
            row.reviewed_by,
            self.keys.decrypt_bytes(row.raw_enc, aad(table, "raw_enc")) if with_raw else None,
        )


_ADD_SENDER = insert(partner_senders)
#: the most specific pattern wins: the address itself, then the longest matching domain
_SENDER = (
    select(partner_senders.c.partner_id, partner_senders.c.pattern)
    .where(partner_senders.c.pattern.in_(bindparam("candidates", expanding=True)))
    .order_by(func.length(partner_senders.c.pattern).desc())
    .limit(1)
)


_SENDER_OWNER = select(partner_senders.c.partner_id).where(
    partner_senders.c.pattern == bindparam("pattern")
)
_PATTERNS_OF = (
    select(partner_senders.c.pattern)
    .where(partner_senders.c.partner_id == bindparam("partner_id"))
    .order_by(partner_senders.c.pattern)
)
_PINNED = select(partner_dkim_keys.c.public_key).where(
    partner_dkim_keys.c.domain == bindparam("domain"),
    partner_dkim_keys.c.selector == bindparam("selector"),
)
_PIN = insert(partner_dkim_keys)
_REPIN = (
    update(partner_dkim_keys)
    .where(
        partner_dkim_keys.c.domain == bindparam("key_domain"),
        partner_dkim_keys.c.selector == bindparam("key_selector"),
    )
    .values(public_key=bindparam("new_key"), created_at=bindparam("at"))
)
_PINNED_OF = (
    select(partner_dkim_keys.c.domain, partner_dkim_keys.c.selector)
    .where(partner_dkim_keys.c.partner_id == bindparam("partner_id"))
    .order_by(partner_dkim_keys.c.domain, partner_dkim_keys.c.selector)
)
_PARTNER_KEY = select(partners.c.key_id).where(partners.c.id == bindparam("partner_id"))


class SqlPartnerSenders:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def owner(self, pattern: str) -> int | None:
        row = self.conn.execute(
            _SENDER_OWNER, {"pattern": pattern.strip().lower().lstrip("@")}
        ).one_or_none()
        return None if row is None else int(row.partner_id)

    def patterns_of(self, partner_id: int) -> list[str]:
        return [r.pattern for r in self.conn.execute(_PATTERNS_OF, {"partner_id": partner_id})]

    def pin_key(
        self, partner_id: int, domain: str, selector: str, public_key: str, at: datetime
    ) -> None:
        if self.pinned_key(domain, selector) is not None:
            self.conn.execute(
                _REPIN,
                {"key_domain": domain, "key_selector": selector, "new_key": public_key, "at": at},
            )
            return
        self.conn.execute(
            _PIN,
            {
                "partner_id": partner_id,
                "domain": domain,
                "selector": selector,
                "public_key": public_key,
                "created_at": at,
            },
        )

    def pinned_key(self, domain: str, selector: str) -> str | None:
        row = self.conn.execute(_PINNED, {"domain": domain, "selector": selector}).one_or_none()
        return None if row is None else str(row.public_key)

    def pinned_of(self, partner_id: int) -> list[tuple[str, str]]:
        rows = self.conn.execute(_PINNED_OF, {"partner_id": partner_id})
        return [(r.domain, r.selector) for r in rows]

    def partner_key(self, partner_id: int) -> str | None:
        row = self.conn.execute(_PARTNER_KEY, {"partner_id": partner_id}).one_or_none()
        return None if row is None else str(row.key_id)

    def add(self, partner_id: int, pattern: str, at: datetime) -> None:
        self.conn.execute(
            _ADD_SENDER,
            {
                "partner_id": partner_id,
                "pattern": pattern.strip().lower().lstrip("@"),
                "created_at": at,
            },
        )

    def partner_for(self, address: str) -> int | None:
        address = address.strip().lower()
        domain = address.rpartition("@")[2]
        labels = domain.split(".")
        candidates = [address] + [".".join(labels[i:]) for i in range(len(labels) - 1)]
        row = self.conn.execute(_SENDER, {"candidates": candidates}).one_or_none()
        return None if row is None else int(row.partner_id)


_mailbox = and_(
    imap_seen.c.mailbox == bindparam("mailbox"),
    imap_seen.c.uidvalidity == bindparam("uidvalidity"),
)
_IMAP_SEEN = select(imap_seen.c.uid).where(_mailbox, imap_seen.c.uid == bindparam("uid"))
_IMAP_MARK = insert(imap_seen)
_IMAP_LAST_UID = select(func.max(imap_seen.c.uid)).where(_mailbox)


class SqlImapLedger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool:
        row = self.conn.execute(
            _IMAP_SEEN, {"mailbox": mailbox, "uidvalidity": uidvalidity, "uid": uid}
        ).one_or_none()
        return row is not None

    def mark(
        self,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        *,
        alert_id: int | None,
        quarantine_id: int | None,
        at: datetime,
    ) -> None:
        self.conn.execute(
            _IMAP_MARK,
            {
                "mailbox": mailbox,
                "uidvalidity": uidvalidity,
                "uid": uid,
                "alert_id": alert_id,
                "quarantine_id": quarantine_id,
                "seen_at": at,
            },
        )

    def last_uid(self, mailbox: str, uidvalidity: int) -> int:
        value = self.conn.execute(
            _IMAP_LAST_UID, {"mailbox": mailbox, "uidvalidity": uidvalidity}
        ).scalar()
        return int(value or 0)
