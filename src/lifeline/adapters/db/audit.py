"""The append-only, hash-chained audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from lifeline.adapters.db.tables import audit_log
from lifeline.domain.audit import GENESIS, AuditRecord, chain_hash

#: arbitrary constant naming the PostgreSQL advisory lock that serialises audit appends
AUDIT_LOCK = 0x11FE_A0D1

# Built once: every use case appends to the log, so these run for every alert.
_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_HEAD = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
_APPEND = insert(audit_log)
_RECORDS = select(audit_log).order_by(audit_log.c.seq)


class SqlAuditLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        case_id: int | None,
        details: dict[str, Any],
    ) -> None:
        if self.conn.dialect.name == "postgresql":
            # One chain means one writer at a time; held until this transaction ends.
            # (SQLite writers are already serialised by BEGIN IMMEDIATE.)
            self.conn.execute(_LOCK, {"k": AUDIT_LOCK})
        last = self.conn.execute(_HEAD).one_or_none()
        seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
        digest = chain_hash(prev, seq, at, actor, action, case_id, details)
        self.conn.execute(
            _APPEND,
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "case_id": case_id,
                "details": details,
                "prev_hash": prev,
                "hash": digest,
            },
        )

    def records(self) -> Iterator[AuditRecord]:
        result = self.conn.execution_options(yield_per=1000).execute(_RECORDS)
        for r in result:
            yield AuditRecord(
                r.seq, r.at, r.actor, r.action, r.case_id, r.details, r.prev_hash, r.hash
            )
