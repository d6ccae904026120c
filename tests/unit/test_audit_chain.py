"""The audit hash chain detects edits, deletions and reordering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lifeline.domain.audit import GENESIS, AuditRecord, chain_hash, verify_chain

T0 = datetime(2026, 11, 28, tzinfo=UTC)


def chain(n: int) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        at = T0 + timedelta(seconds=seq)
        details = {"alert_id": seq}
        digest = chain_hash(prev, seq, at, "partner:1", "alert.received", seq, details)
        records.append(
            AuditRecord(seq, at, "partner:1", "alert.received", seq, details, prev, digest)
        )
        prev = digest
    return records


def test_an_untouched_chain_verifies() -> None:
    assert verify_chain(chain(5)) == (5, None)


def test_an_edited_row_is_the_first_broken_link() -> None:
    records = chain(5)
    records[2] = replace(records[2], actor="user:someone-else")
    count, broken = verify_chain(records)
    assert count == 2 and broken is not None
    assert broken.seq == 3 and "edited" in broken.problem


def test_a_deleted_row_is_reported_as_missing() -> None:
    records = chain(5)
    del records[1]
    _, broken = verify_chain(records)
    assert broken is not None and broken.seq == 2 and "missing" in broken.problem


def test_a_row_rewritten_with_a_recomputed_hash_breaks_the_next_link() -> None:
    records = chain(4)
    forged = replace(records[1], details={"alert_id": 999})
    forged = replace(
        forged,
        hash=chain_hash(
            forged.prev_hash,
            2,
            forged.at,
            forged.actor,
            forged.action,
            forged.case_id,
            forged.details,
        ),
    )
    records[1] = forged
    _, broken = verify_chain(records)
    assert broken is not None and broken.seq == 3 and "previous-hash" in broken.problem
