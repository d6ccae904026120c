"""Refused SMS acknowledgements, the SMS throttle's memory (table `sms_ack_failures`): in the
database so that every API process counts the same attempts. Senders are kept only as a keyed
hash of their number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from lifeline.adapters.db.tables import sms_ack_failures
from lifeline.services.ports import Cipher

F = sms_ack_failures


class SqlSmsAckFailures:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def sender_hash(self, number: str) -> str:
        return self.keys.blind_index(f"sms-sender:{number}")[:64]

    def since(
        self, at: datetime, *, sender_hash: str | None = None, contacts_only: bool = False
    ) -> list[datetime]:
        query = select(F.c.at).where(F.c.at > at).order_by(F.c.at)
        if sender_hash is not None:
            query = query.where(F.c.sender_hash == sender_hash)
        if contacts_only:
            query = query.where(F.c.contact.is_(True))
        return list(self.conn.execute(query).scalars())

    def record(self, sender_hash: str, contact: bool, at: datetime) -> None:
        self.conn.execute(insert(F).values(sender_hash=sender_hash, contact=contact, at=at))

    def forget_before(self, at: datetime) -> int:
        return int(self.conn.execute(delete(F).where(F.c.at < at)).rowcount or 0)
