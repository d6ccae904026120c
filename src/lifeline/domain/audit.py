"""The audit chain: each record's hash covers its content and the previous record's hash, so an
edit or deletion made directly in the database breaks the chain at that row."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: datetime
    actor: str
    action: str
    case_id: int | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


def chain_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    case_id: int | None,
    details: dict[str, Any],
) -> str:
    body = json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "case_id": case_id,
            "details": details,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(records: Any) -> tuple[int, ChainBreak | None]:
    """Walk records in sequence order; return how many verified and the first break, if any."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for rec in records:
        if rec.seq != expected_seq:
            return count, ChainBreak(
                expected_seq, f"record {expected_seq} is missing (next present is {rec.seq})"
            )
        if rec.prev_hash != prev:
            return count, ChainBreak(rec.seq, "previous-hash link does not match the record before")
        recomputed = chain_hash(
            rec.prev_hash, rec.seq, rec.at, rec.actor, rec.action, rec.case_id, rec.details
        )
        if recomputed != rec.hash:
            return count, ChainBreak(rec.seq, "content does not match its hash (row was edited)")
        prev = rec.hash
        expected_seq += 1
        count += 1
    return count, None
