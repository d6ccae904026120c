"""Repositories for email intake: receipts (dedupe), quarantine, partner senders, IMAP UIDs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from lifeline.adapters.db.tables import (
    aad,
    email_quarantine,
    imap_seen,
    intake_receipts,
    new_id,
    partner_senders,
)
from lifeline.domain.errors import NotFound
from lifeline.services.ports import Cipher, QuarantinedMessage


class SqlIntakeReceipts:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def get(self, key: str) -> tuple[int, int] | None:
        row = self.conn.execute(
            select(intake_receipts.c.alert_id, intake_receipts.c.case_id).where(
                intake_receipts.c.key_hash == self.keys.blind_index(key)
            )
        ).one_or_none()
        return None if row is None else (row.alert_id, row.case_id)

    def put(self, key: str, alert_id: int, case_id: int, at: datetime) -> None:
        self.conn.execute(
            insert(intake_receipts).values(
                key_hash=self.keys.blind_index(key),
                alert_id=alert_id,
                case_id=case_id,
                created_at=at,
            )
        )


class SqlQuarantine:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def add(self, *, channel: str, mail_from: str, raw: bytes, reason: str, at: datetime) -> int:
        table = email_quarantine
        return new_id(
            self.conn.execute(
                insert(table).values(
                    received_at=at,
                    channel=channel,
                    reason=reason,
                    size=len(raw),
                    status="pending",
                    mail_from_enc=self.keys.encrypt(mail_from, aad(table, "mail_from_enc")),
                    raw_enc=self.keys.encrypt(raw, aad(table, "raw_enc")),
                )
            )
        )

    def get(self, message_id: int, *, for_update: bool = False) -> QuarantinedMessage:
        query = select(email_quarantine).where(email_quarantine.c.id == message_id)
        if for_update:
            query = query.with_for_update()
        row = self.conn.execute(query).one_or_none()
        if row is None:
            raise NotFound(f"quarantined message {message_id} not found")
        return self._message(row, with_raw=True)

    def recent(self, status: str | None = None, limit: int = 100) -> list[QuarantinedMessage]:
        query = select(email_quarantine).order_by(email_quarantine.c.id.desc()).limit(limit)
        if status:
            query = query.where(email_quarantine.c.status == status)
        return [self._message(r, with_raw=False) for r in self.conn.execute(query)]

    def mark(
        self, message_id: int, *, status: str, alert_id: int | None, by: str, at: datetime
    ) -> None:
        self.conn.execute(
            update(email_quarantine)
            .where(email_quarantine.c.id == message_id)
            .values(status=status, alert_id=alert_id, reviewed_by=by, reviewed_at=at)
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
            row.status,
            row.alert_id,
            row.reviewed_by,
            self.keys.decrypt_bytes(row.raw_enc, aad(table, "raw_enc")) if with_raw else None,
        )


class SqlPartnerSenders:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, partner_id: int, pattern: str, at: datetime) -> None:
        self.conn.execute(
            insert(partner_senders).values(
                partner_id=partner_id, pattern=pattern.strip().lower().lstrip("@"), created_at=at
            )
        )

    def partner_for(self, address: str) -> int | None:
        address = address.strip().lower()
        domain = address.rpartition("@")[2]
        labels = domain.split(".")
        candidates = [address] + [".".join(labels[i:]) for i in range(len(labels) - 1)]
        row = self.conn.execute(
            select(partner_senders.c.partner_id, partner_senders.c.pattern)
            .where(partner_senders.c.pattern.in_(candidates))
            .order_by(func.length(partner_senders.c.pattern).desc())
            .limit(1)
        ).one_or_none()
        return None if row is None else int(row.partner_id)


class SqlImapLedger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool:
        row = self.conn.execute(
            select(imap_seen.c.uid).where(
                imap_seen.c.mailbox == mailbox,
                imap_seen.c.uidvalidity == uidvalidity,
                imap_seen.c.uid == uid,
            )
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
            insert(imap_seen).values(
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                alert_id=alert_id,
                quarantine_id=quarantine_id,
                seen_at=at,
            )
        )

    def last_uid(self, mailbox: str, uidvalidity: int) -> int:
        value = self.conn.execute(
            select(func.max(imap_seen.c.uid)).where(
                imap_seen.c.mailbox == mailbox, imap_seen.c.uidvalidity == uidvalidity
            )
        ).scalar()
        return int(value or 0)
