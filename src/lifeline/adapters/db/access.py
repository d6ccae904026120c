"""Repositories for partners, users, idempotency keys and seen signatures.

Their statements are built once and executed with parameters (partner look-up, signature and
idempotency checks run for every alert that arrives)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, or_, select, update

from lifeline.adapters.db.tables import (
    aad,
    console_sign_ins,
    idempotency_keys,
    new_id,
    partners,
    seen_signatures,
    upsert_statement,
    users,
)
from lifeline.services.access.ports import PartnerRecord, SignInAttempt, UserRecord
from lifeline.services.intake.ports import IdempotencyRecord
from lifeline.services.ports import Cipher

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
        return None if row is None else self._record(row)

    def _record(self, row: Row[Any]) -> UserRecord:
        secret = self.keys.decrypt(row.totp_secret_enc, aad(users, "totp_secret_enc")) or ""
        return UserRecord(
            row.id,
            row.username,
            row.password_hash,
            secret,
            row.role,
            row.jurisdiction,
            row.active,
            row.token_generation,
            row.last_totp_step,
            row.enrolment_code_hash,
            row.enrolment_expires_at,
        )

    def all(self) -> list[UserRecord]:
        return [self._record(r) for r in self.conn.execute(select(users).order_by(users.c.id))]

    def _update(self, user_id: int, **values: Any) -> int:
        return self.conn.execute(update(users).where(users.c.id == user_id).values(values)).rowcount

    def set_active(self, user_id: int, active: bool) -> None:
        self._update(user_id, active=active)

    def set_role(self, user_id: int, role: str, jurisdiction: str | None) -> None:
        self._update(user_id, role=role, jurisdiction=jurisdiction)

    def revoke_tokens(self, user_id: int) -> None:
        self._update(user_id, token_generation=users.c.token_generation + 1)

    def set_two_factor(
        self, user_id: int, totp_secret: str, code_hash: str, expires_at: datetime
    ) -> None:
        self._update(
            user_id,
            totp_secret_enc=self.keys.encrypt(totp_secret, aad(users, "totp_secret_enc")),
            last_totp_step=None,
            enrolment_code_hash=code_hash,
            enrolment_expires_at=expires_at,
        )

    def consume_enrolment(self, user_id: int, code_hash: str) -> bool:
        done = self.conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.enrolment_code_hash == code_hash)
            .values(enrolment_code_hash=None, enrolment_expires_at=None)
            .execution_options(preserve_rowcount=True)
        )
        return done.rowcount == 1

    def accept_totp_step(self, user_id: int, step: int) -> bool:
        # one conditional UPDATE: two requests racing with the same code cannot both win
        done = self.conn.execute(
            update(users)
            .where(
                users.c.id == user_id,
                or_(users.c.last_totp_step.is_(None), users.c.last_totp_step < step),
            )
            .values(last_totp_step=step)
            .execution_options(preserve_rowcount=True)
        )
        return done.rowcount == 1


_COUNTED = console_sign_ins.c.reason.not_in(("throttled", "forgiven"))


class SqlSignInLog:
    """The sign-in log (console_sign_ins, used by every door). Addresses arrive hashed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(
        self,
        *,
        username: str,
        at: datetime,
        ok: bool,
        reason: str,
        address: str | None,
        totp_step: int | None = None,
    ) -> None:
        self.conn.execute(
            insert(console_sign_ins).values(
                username=username[:64],
                at=at,
                ok=ok,
                reason=reason[:40],
                ip=address,
                totp_step=totp_step,
                repeats=1,
            )
        )

    def streak(self, username: str, since: datetime) -> list[tuple[datetime, str | None]]:
        rows = self.conn.execute(
            select(console_sign_ins.c.at, console_sign_ins.c.ok, console_sign_ins.c.ip)
            .where(console_sign_ins.c.username == username, console_sign_ins.c.at >= since)
            .where(_COUNTED)
            .order_by(console_sign_ins.c.at.desc(), console_sign_ins.c.id.desc())
            .limit(200)
        )
        found: list[tuple[datetime, str | None]] = []
        for row in rows:
            if row.ok:
                break
            found.append((row.at, row.ip))
        return found

    def failures_from(self, address: str, since: datetime, limit: int) -> list[datetime]:
        rows = self.conn.execute(
            select(console_sign_ins.c.at)
            .where(
                console_sign_ins.c.ip == address,
                console_sign_ins.c.at >= since,
                console_sign_ins.c.ok.is_(False),
            )
            .where(_COUNTED)
            .order_by(console_sign_ins.c.at.desc())
            .limit(limit)
        )
        return [r.at for r in rows]

    def latest(self, username: str, address: str | None) -> SignInAttempt | None:
        where = (
            console_sign_ins.c.ip.is_(None)
            if address is None
            else (console_sign_ins.c.ip == address)
        )
        row = self.conn.execute(
            select(console_sign_ins)
            .where(console_sign_ins.c.username == username, where)
            .order_by(console_sign_ins.c.id.desc())
            .limit(1)
        ).one_or_none()
        if row is None:
            return None
        return SignInAttempt(
            row.id, row.username, row.at, bool(row.ok), row.reason, row.ip, row.repeats
        )

    def extend_burst(self, attempt_id: int) -> None:
        self.conn.execute(
            update(console_sign_ins)
            .where(console_sign_ins.c.id == attempt_id)
            .values(repeats=console_sign_ins.c.repeats + 1)
        )

    def forgive(self, username: str, address: str | None) -> None:
        # the reason of each failure stays in the audit log
        query = update(console_sign_ins).where(
            console_sign_ins.c.username == username,
            console_sign_ins.c.ok.is_(False),
            console_sign_ins.c.reason != "throttled",
        )
        if address is not None:
            query = query.where(console_sign_ins.c.ip == address)
        self.conn.execute(query.values(reason="forgiven"))


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

    def seen_since(self, partner_id: int, since: datetime) -> tuple[int, datetime | None]:
        row = self.conn.execute(
            select(func.count(), func.min(seen_signatures.c.seen_at)).where(
                seen_signatures.c.partner_id == partner_id, seen_signatures.c.seen_at > since
            )
        ).one()
        return int(row[0]), row[1]
