"""The monitoring stream's store: keyed hashes of the posts taken, and flagged authors'
windows of recent posts (each post encrypted whole: text, URL, times, the model's reading).

Statements are built once and executed with parameters (they run for every batch)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from lifeline.adapters.db.tables import (
    aad,
    monitoring_seen,
    monitoring_window,
    upsert_statement,
)
from lifeline.domain.monitoring import WindowPost
from lifeline.domain.risk import known_level, known_risk_subject
from lifeline.services.monitoring.ports import WindowEntry
from lifeline.services.ports import Cipher

_POST_AAD = aad(monitoring_window, "post_enc")
_SEEN = select(monitoring_seen.c.post_hash).where(
    monitoring_seen.c.post_hash.in_(bindparam("hashes", expanding=True))
)
#: INSERT .. ON CONFLICT DO NOTHING RETURNING: a concurrent transaction inserting the same
#: hash waits for the first to commit, then skips it (both databases)
_mark_seen = upsert_statement(
    monitoring_seen,
    lambda stmt: stmt.on_conflict_do_nothing(index_elements=["post_hash"]).returning(
        monitoring_seen.c.post_hash
    ),
)
_OPEN = (
    select(monitoring_window.c.author_hash, func.max(monitoring_window.c.expires_at))
    .where(
        monitoring_window.c.author_hash.in_(bindparam("hashes", expanding=True)),
        monitoring_window.c.expires_at > bindparam("now"),
    )
    .group_by(monitoring_window.c.author_hash)
)
_EXTEND = (
    update(monitoring_window)
    .where(
        monitoring_window.c.author_hash == bindparam("author"),
        monitoring_window.c.expires_at < bindparam("until"),
    )
    .values(expires_at=bindparam("until"))
)
_KEEP = insert(monitoring_window)
#: the latest taken first (the reader's order among posts of the same time)
_WINDOW = (
    select(monitoring_window.c.post_enc, monitoring_window.c.seen_at)
    .where(
        monitoring_window.c.author_hash.in_(bindparam("hashes", expanding=True)),
        monitoring_window.c.expires_at > bindparam("now"),
    )
    .order_by(monitoring_window.c.id.desc())
)
_FORGET = delete(monitoring_window).where(monitoring_window.c.expires_at <= bindparam("now"))


class SqlMonitoringStore:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def _hashes(self, keys: Sequence[str]) -> dict[str, str]:
        return {self.keys.blind_index(key): key for key in keys}

    def unseen(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        by_hash = self._hashes(keys)
        seen = self.conn.execute(_SEEN, {"hashes": list(by_hash)}).scalars().all()
        for digest in seen:
            by_hash.pop(digest, None)
        return set(by_hash.values())

    def mark_seen(self, keys: Sequence[str], at: datetime) -> set[str]:
        if not keys:
            return set()
        by_hash = self._hashes(keys)
        # in the order given (the caller sorts): concurrent writers take row locks alike
        rows = [{"post_hash": digest, "seen_at": at} for digest in by_hash]
        taken = self.conn.execute(_mark_seen(self.conn), rows).scalars().all()
        return {by_hash[digest] for digest in taken}

    def open_windows(self, author_keys: Sequence[str], now: datetime) -> dict[str, datetime]:
        if not author_keys:
            return {}
        by_hash = self._hashes(author_keys)
        rows = self.conn.execute(_OPEN, {"hashes": list(by_hash), "now": now}).all()
        return {by_hash[digest]: until for digest, until in rows}

    def keep(self, entries: Sequence[WindowEntry], until: dict[str, datetime]) -> None:
        authors = {entry.author_key for entry in entries}
        hashes = {key: self.keys.blind_index(key) for key in authors}
        self.conn.execute(
            _EXTEND, [{"author": hashes[key], "until": until[key]} for key in sorted(authors)]
        )
        self.conn.execute(
            _KEEP,
            [
                {
                    "author_hash": hashes[entry.author_key],
                    "post_enc": self.keys.encrypt(_sealed(entry.post), _POST_AAD),
                    "seen_at": entry.post.seen_at,
                    "expires_at": until[entry.author_key],
                }
                for entry in entries
            ],
        )

    def window(self, author_keys: Sequence[str], now: datetime) -> list[WindowPost]:
        if not author_keys:
            return []
        hashes = [self.keys.blind_index(key) for key in author_keys]
        rows = self.conn.execute(_WINDOW, {"hashes": hashes, "now": now}).all()
        return [_opened(self.keys.decrypt(row.post_enc, _POST_AAD), row.seen_at) for row in rows]

    def forget_expired(self, now: datetime) -> int:
        return int(self.conn.execute(_FORGET, {"now": now}).rowcount or 0)


def _sealed(post: WindowPost) -> str:
    return json.dumps(
        {
            "text": post.text,
            "url": post.url,
            "posted_at": post.posted_at.isoformat() if post.posted_at else None,
            "level": post.level.value if post.level else None,
            "score": post.score,
            "subject": post.subject.value if post.subject else None,
            "flagged": post.flagged,
        },
        ensure_ascii=False,
    )


def _opened(plain: str | None, seen_at: datetime) -> WindowPost:
    data: dict[str, Any] = json.loads(plain or "{}")
    posted = data.get("posted_at")
    return WindowPost(
        text=str(data.get("text") or ""),
        url=data.get("url"),
        posted_at=datetime.fromisoformat(posted) if posted else None,
        level=known_level(data.get("level")),
        score=data.get("score"),
        subject=known_risk_subject(data.get("subject")),
        seen_at=seen_at,
        flagged=bool(data.get("flagged")),
    )
