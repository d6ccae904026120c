"""The append-only audit log, chained with HMAC-SHA256 under the audit key, and the record of
the checkpoints written outside the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from lifeline.adapters.db.tables import audit_checkpoints, audit_log
from lifeline.domain.audit import (
    CHAIN_KEYED,
    GENESIS,
    AuditKey,
    AuditRecord,
    Checkpoint,
    chain_mac,
)

#: arbitrary constant naming the PostgreSQL advisory lock that serialises audit appends
AUDIT_LOCK = 0x11FE_A0D1
#: and the one held by the deployment's one checkpoint writer of the moment
CHECKPOINT_LOCK = 0x11FE_A0D2

# Built once: every use case appends to the log, so these run for every alert.
_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:k)")
_HEAD = (
    select(audit_log.c.seq, audit_log.c.hash, audit_log.c.key_id)
    .order_by(audit_log.c.seq.desc())
    .limit(1)
)
_APPEND = insert(audit_log)
_RECORDS = select(audit_log).order_by(audit_log.c.seq)
_LAST_CHECKPOINT = select(audit_checkpoints).order_by(audit_checkpoints.c.id.desc()).limit(1)
_SAVE_CHECKPOINT = insert(audit_checkpoints)


class SqlAuditLog:
    def __init__(self, conn: Connection, key: AuditKey) -> None:
        self.conn = conn
        self.key = key
        #: (seq, hash) of the row this transaction appended last: the chain's head until it
        #: ends, as no one else may append meanwhile (the lock, or SQLite's one writer)
        self._head: tuple[int, str] | None = None
        #: rows appended but not yet inserted: `flush` writes them in one statement (before
        #: COMMIT, and before this log is read)
        self._pending: list[dict[str, Any]] = []

    def forget(self) -> None:
        """The transaction was rolled back: its rows, and the head they made, are gone."""
        self._head = None
        self._pending.clear()

    def flush(self) -> None:
        """Insert the rows appended since the last flush, in one statement, in order."""
        if self._pending:
            rows, self._pending = self._pending, []
            self.conn.execute(_APPEND, rows)

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        case_id: int | None,
        details: dict[str, Any],
    ) -> None:
        if self._head is not None:  # appended before in this transaction, under the lock
            seq, prev = self._head[0] + 1, self._head[1]
            self._head = (seq, self._insert(seq, prev, at, actor, action, case_id, details))
            return
        if self.conn.dialect.name == "postgresql":
            # One chain means one writer at a time; held until this transaction ends.
            # (SQLite writers are already serialised by BEGIN IMMEDIATE.)
            self.conn.execute(_LOCK, {"k": AUDIT_LOCK})
        last = self.conn.execute(_HEAD).one_or_none()
        if last is None:
            seq, prev = 1, GENESIS
        elif last.key_id is None:
            # The first row under the key after rows from before it: record the switch, so
            # verification knows where the plain SHA-256 prefix ends and why.
            switch = {"legacy_rows": last.seq, "key_id": self.key.key_id}
            prev = self._insert(
                last.seq + 1, last.hash, at, "system:lifeline", CHAIN_KEYED, None, switch
            )
            seq = last.seq + 2
        else:
            seq, prev = last.seq + 1, last.hash
        self._head = (seq, self._insert(seq, prev, at, actor, action, case_id, details))

    def _insert(
        self,
        seq: int,
        prev: str,
        at: datetime,
        actor: str,
        action: str,
        case_id: int | None,
        details: dict[str, Any],
    ) -> str:
        digest = chain_mac(self.key, prev, seq, at, actor, action, case_id, details)
        self._pending.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "case_id": case_id,
                "details": dict(details),  # as hashed, should the caller change it later
                "prev_hash": prev,
                "hash": digest,
                "key_id": self.key.key_id,
            }
        )
        return digest

    def records(self) -> Iterator[AuditRecord]:
        self.flush()
        result = self.conn.execution_options(yield_per=1000).execute(_RECORDS)
        for r in result:
            yield AuditRecord(
                r.seq,
                r.at,
                r.actor,
                r.action,
                r.case_id,
                r.details,
                r.prev_hash,
                r.hash,
                r.key_id,
            )

    def for_case(self, case_id: int, since: datetime) -> list[AuditRecord]:
        self.flush()
        query = (
            select(audit_log)
            .where(audit_log.c.case_id == case_id, audit_log.c.at >= since)
            .order_by(audit_log.c.seq)
        )
        return [
            AuditRecord(
                r.seq, r.at, r.actor, r.action, r.case_id, r.details, r.prev_hash, r.hash, r.key_id
            )
            for r in self.conn.execute(query)
        ]

    def head(self) -> tuple[int, str]:
        self.flush()
        last = self.conn.execute(_HEAD).one_or_none()
        return (0, GENESIS) if last is None else (int(last.seq), str(last.hash))

    # -- checkpoints -------------------------------------------------------------------------
    def claim_checkpoint_writer(self) -> bool:
        if self.conn.dialect.name == "postgresql":
            # Held to the end of this transaction; another worker's try fails and it skips.
            return bool(self.conn.execute(_TRY_LOCK, {"k": CHECKPOINT_LOCK}).scalar_one())
        return True  # SQLite: BEGIN IMMEDIATE made this transaction the only writer

    def last_checkpoint(self) -> Checkpoint | None:
        self.flush()
        row = self.conn.execute(_LAST_CHECKPOINT).one_or_none()
        if row is None:
            return None
        return Checkpoint(row.at_text, int(row.row_count), row.head, row.mac)

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        self.flush()
        self.conn.execute(
            _SAVE_CHECKPOINT,
            {
                "at": checkpoint.at_time,
                "at_text": checkpoint.at,
                "row_count": checkpoint.rows,
                "head": checkpoint.head,
                "mac": checkpoint.mac,
            },
        )
