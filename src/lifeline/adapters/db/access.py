"""Repositories for partners, users, idempotency keys and seen signatures.

Their statements are built once and executed with parameters (partner look-up, signature and
idempotency checks run for every alert that arrives)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, select

from lifeline.adapters.db.tables import (
    aad,
    idempotency_keys,
    new_id,
    partners,
    seen_signatures,
    upsert_statement,
    users,
)
from lifeline.services.ports import Cipher, IdempotencyRecord, PartnerRecord, UserRecord

_ADD_PARTNER = insert(partners)
_PARTNER_BY_KEY_ID = select(partners).where(partners.c.key_id == bindparam("key_id"))


class SqlPartnerRepository:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def add(self, name: str, key_id: str, secret: str, at: datetime) -> PartnerRecord:
        row = {
            "name": name,
            "key_id": key_id,
            "active": True,
            "created_at": at,
            "secret_enc": self.keys.encrypt(secret, aad(partners, "secret_enc")),
        }
        pid = new_id(self.conn.execute(_ADD_PARTNER, row))
        return PartnerRecord(pid, name, key_id, secret)

    def by_key_id(self, key_id: str) -> PartnerRecord | None:
        row = self.conn.execute(_PARTNER_BY_KEY_ID, {"key_id": key_id}).one_or_none()
        if row is None:
            return None
        secret = self.keys.decrypt(row.secret_enc, aad(partners, "secret_enc")) or ""
        return PartnerRecord(row.id, row.name, row.key_id, secret, row.active)


_ADD_USER = insert(users)
_USER_BY_NAME = select(users).where(users.c.username == bindparam("username"))


class SqlUserRepository:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def add(
        self,
        *,
        username: str,
        password_hash: str,
        totp_secret: str,
        role: str,
        jurisdiction: str | None,
        at: datetime,
    ) -> UserRecord:
        row = {
            "username": username,
            "password_hash": password_hash,
            "role": role,
            "jurisdiction": jurisdiction,
            "active": True,
            "created_at": at,
            "totp_secret_enc": self.keys.encrypt(totp_secret, aad(users, "totp_secret_enc")),
        }
        uid = new_id(self.conn.execute(_ADD_USER, row))
        return UserRecord(uid, username, password_hash, totp_secret, role, jurisdiction)

    def by_username(self, username: str) -> UserRecord | None:
        row = self.conn.execute(_USER_BY_NAME, {"username": username}).one_or_none()
        if row is None:
            return None
        secret = self.keys.decrypt(row.totp_secret_enc, aad(users, "totp_secret_enc")) or ""
        return UserRecord(
            row.id, row.username, row.password_hash, secret, row.role, row.jurisdiction, row.active
        )


_IDEMPOTENCY_KEY = select(idempotency_keys).where(
    idempotency_keys.c.partner_id == bindparam("partner_id"),
    idempotency_keys.c.key == bindparam("key"),
)
_ADD_IDEMPOTENCY_KEY = insert(idempotency_keys)


class SqlIdempotencyStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, partner_id: int, key: str) -> IdempotencyRecord | None:
        row = self.conn.execute(
            _IDEMPOTENCY_KEY, {"partner_id": partner_id, "key": key}
        ).one_or_none()
        if row is None:
            return None
        return IdempotencyRecord(
            row.partner_id, row.key, row.request_digest, row.alert_id, row.case_id, row.merged
        )

    def put(self, record: IdempotencyRecord, at: datetime) -> None:
        self.conn.execute(
            _ADD_IDEMPOTENCY_KEY,
            {
                "partner_id": record.partner_id,
                "key": record.key,
                "request_digest": record.request_digest,
                "alert_id": record.alert_id,
                "case_id": record.case_id,
                "merged": record.merged,
                "created_at": at,
            },
        )


_FORGET_SIGNATURES = delete(seen_signatures).where(seen_signatures.c.seen_at < bindparam("cutoff"))
# An INSERT's rowcount is read after its cursor is closed, and psycopg 3 then reports -1 (every
# signature looked replayed on PostgreSQL); keep it explicitly.
_remember = upsert_statement(
    seen_signatures,
    lambda insert: insert.on_conflict_do_nothing().execution_options(preserve_rowcount=True),
)


class SqlSignatureLedger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def remember(self, partner_id: int, signature: str, at: datetime) -> bool:
        result = self.conn.execute(
            _remember(self.conn),
            {"partner_id": partner_id, "signature": signature.lower(), "seen_at": at},
        )
        return result.rowcount == 1

    def forget_before(self, cutoff: datetime) -> int:
        """Signatures older than the signature window can never be replayed; drop them."""
        return self.conn.execute(_FORGET_SIGNATURES, {"cutoff": cutoff}).rowcount
