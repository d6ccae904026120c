"""Console sessions (found by the SHA-256 of their token) and people's console profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lifeline.adapters.db.tables import console_profiles, console_sessions, new_id
from lifeline.services.access.ports import ConsoleProfile, SessionRecord


def _session(row: Any) -> SessionRecord:
    return SessionRecord(
        row.id,
        row.user_id,
        row.username,
        row.role,
        row.csrf_token,
        row.created_at,
        row.last_seen_at,
        row.expires_at,
        row.revoked_at,
    )


class SqlSessionStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        *,
        token_hash: str,
        user_id: int,
        username: str,
        role: str,
        csrf_token: str,
        at: datetime,
        expires_at: datetime,
        ip: str | None,
    ) -> SessionRecord:
        sid = new_id(
            self.conn.execute(
                insert(console_sessions).values(
                    token_hash=token_hash,
                    user_id=user_id,
                    username=username,
                    role=role,
                    csrf_token=csrf_token,
                    created_at=at,
                    last_seen_at=at,
                    expires_at=expires_at,
                    ip=ip,
                )
            )
        )
        return SessionRecord(sid, user_id, username, role, csrf_token, at, at, expires_at)

    def get(self, token_hash: str) -> SessionRecord | None:
        row = self.conn.execute(
            select(console_sessions).where(console_sessions.c.token_hash == token_hash)
        ).one_or_none()
        return None if row is None else _session(row)

    def touch(self, session_id: int, at: datetime) -> None:
        self.conn.execute(
            update(console_sessions)
            .where(console_sessions.c.id == session_id)
            .values(last_seen_at=at)
        )

    def revoke(self, session_id: int, at: datetime) -> None:
        self.conn.execute(
            update(console_sessions)
            .where(console_sessions.c.id == session_id)
            .values(revoked_at=at)
        )

    def revoke_all(self, user_id: int, at: datetime) -> int:
        return int(
            self.conn.execute(
                update(console_sessions)
                .where(
                    console_sessions.c.user_id == user_id, console_sessions.c.revoked_at.is_(None)
                )
                .values(revoked_at=at)
                .execution_options(preserve_rowcount=True)
            ).rowcount
        )


class SqlProfileStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, user_id: int) -> ConsoleProfile | None:
        row = self.conn.execute(
            select(console_profiles).where(console_profiles.c.user_id == user_id)
        ).one_or_none()
        return None if row is None else ConsoleProfile(row.user_id, row.language, row.enrolled_at)

    def save(
        self, user_id: int, *, language: str, enrolled_at: datetime | None, at: datetime
    ) -> None:
        values = {"language": language, "enrolled_at": enrolled_at, "updated_at": at}
        changed = self.conn.execute(
            update(console_profiles).where(console_profiles.c.user_id == user_id).values(values)
        ).rowcount
        if not changed:
            self.conn.execute(insert(console_profiles).values(user_id=user_id, **values))
