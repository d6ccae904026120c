"""Restore checkpoints (`lifeline backup restore`, issue #18) in the domain: the rows a restore
gave up are told from rows cut by hand, and a restore excuses nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from test_audit_keyed_chain import KEY, T0, keyed_chain

from lifeline.domain.audit import AuditKey, AuditRecord, Checkpoint, chain_mac, parse_checkpoint
from lifeline.domain.audit_verification import verify_log


def cp(chain: list[AuditRecord], rows: int, minute: int, restored: str | None = None) -> str:
    at = T0 + timedelta(minutes=minute)
    return Checkpoint.sign(KEY, at, rows, chain[rows - 1].hash, restored_from=restored).line()


def regrown(chain: list[AuditRecord], keep: int, more: int) -> list[AuditRecord]:
    """The first `keep` rows, then `more` new ones after them (as a restored log grows)."""
    out = chain[:keep]
    prev = out[-1].hash
    for seq in range(keep + 1, keep + more + 1):
        at, details = T0 + timedelta(hours=1, seconds=seq), {"new": seq}
        digest = chain_mac(KEY, prev, seq, at, "cli:op", "backup.restored", None, details)
        out.append(
            AuditRecord(
                seq, at, "cli:op", "backup.restored", None, details, prev, digest, KEY.key_id
            )
        )
        prev = digest
    return out


def test_a_restore_line_round_trips_and_its_name_is_under_the_mac() -> None:
    chain = keyed_chain(5)
    line = cp(chain, 3, 1, "backup 2026-11-28 sha256 abcd")
    parsed = parse_checkpoint(line)
    assert parsed.restored_from == "backup 2026-11-28 sha256 abcd" and parsed.mac_ok(KEY)
    assert not replace(parsed, restored_from="backup other").mac_ok(KEY)
    assert not replace(parsed, restored_from=None).mac_ok(KEY)


def test_rows_given_up_by_a_restore_are_a_note_not_a_problem() -> None:
    old = keyed_chain(8)
    new = regrown(old, 5, 2)  # restored at row 5, one restore row and one more since
    lines = [cp(old, 4, 1), cp(old, 8, 2), cp(new, 5, 3, "backup X"), cp(new, 7, 4)]
    log = verify_log(new, KEY, lines)
    assert log.ok, log.checkpoint_problems
    assert [n for n, _ in log.restores] == [3]
    assert log.lost_to_restores and "rows 6-8" in log.lost_to_restores[0]


def test_without_the_restore_line_the_same_log_is_tampering() -> None:
    old = keyed_chain(8)
    new = regrown(old, 5, 3)  # as long as before, other rows after row 5
    log = verify_log(new, KEY, [cp(old, 4, 1), cp(old, 8, 2)])
    assert not log.ok and "rewritten" in log.checkpoint_problems[0].problem
    cut = verify_log(old[:5], KEY, [cp(old, 8, 2)])
    assert not cut.ok and "deleted from the end" in cut.checkpoint_problems[0].problem


def test_a_restore_excuses_neither_a_rewritten_prefix_nor_a_forged_line() -> None:
    old = keyed_chain(8)
    new = regrown(old, 5, 1)
    edited = [*new[:2], replace(new[2], actor="user:nobody"), *new[3:]]
    log = verify_log(edited, KEY, [cp(old, 8, 2), cp(new, 5, 3, "backup X")])
    assert log.broken is not None and log.broken.seq == 3
    forged = Checkpoint.sign(AuditKey(b"x" * 32), T0, 5, new[4].hash, restored_from="backup X")
    log = verify_log(new, KEY, [cp(old, 8, 2), forged.line()])
    problems = [p.problem for p in log.checkpoint_problems]
    assert any("wrong MAC" in p for p in problems) and any(
        "deleted from the end" in p for p in problems
    )
