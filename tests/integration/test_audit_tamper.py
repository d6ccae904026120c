"""Tampering with the audit log as an attacker who can write the database but has no audit key
(issue #14, break 6): every attempt is reported by `verify_audit`, naming the first bad row or
checkpoint. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from test_audit_log import fill

from lifeline.adapters.db import migrate
from lifeline.bootstrap import AuditKeyError, Lifeline, bootstrap
from lifeline.domain.audit import (
    GENESIS,
    AuditKey,
    AuditRecord,
    Checkpoint,
    chain_hash,
    chain_mac,
)
from lifeline.services.access.audit import verify_audit, write_checkpoint
from lifeline.settings import Settings
from support import FakeClock


def records(app: Lifeline) -> list[AuditRecord]:
    with app.ctx.uow(readonly=True) as uow:
        return list(uow.audit.records())


def rewrite(app: Lifeline, rows: list[AuditRecord]) -> None:
    """Store these rows over the ones with the same seq, as an attacker with SQL access would."""
    with app.engine.begin() as conn:
        for r in rows:
            conn.execute(
                text(
                    "UPDATE audit_log SET details = :details, prev_hash = :prev, hash = :hash, "
                    "key_id = :key_id WHERE seq = :seq"
                ),
                {
                    "details": json.dumps(r.details),
                    "prev": r.prev_hash,
                    "hash": r.hash,
                    "key_id": r.key_id,
                    "seq": r.seq,
                },
            )


def forge_from(
    rows: list[AuditRecord], seq: int, key: AuditKey | None, *, strip_key_id: bool = False
) -> list[AuditRecord]:
    """Edit row `seq` and recompute it and every later link: with plain SHA-256 when `key` is
    None (the attacker has no key), else HMAC under `key` (a key of the attacker's own)."""
    out, prev = [], rows[seq - 2].hash if seq > 1 else GENESIS
    for r in rows[seq - 1 :]:
        details = {**r.details, "case_id": 999} if r.seq == seq else r.details
        fields = (prev, r.seq, r.at, r.actor, r.action, r.case_id, details)
        digest = chain_hash(*fields) if key is None else chain_mac(key, *fields)
        key_id = None if strip_key_id else (r.key_id if key is None else key.key_id)
        forged = replace(r, details=details, prev_hash=prev, hash=digest, key_id=key_id)
        out.append(forged)
        prev = digest
    return out


def filled(app: Lifeline, clock: FakeClock, times: int = 3) -> int:
    for _ in range(times):
        fill(app, clock)
        clock.advance(seconds=5)
    return len(records(app))


def test_a_healthy_log_with_checkpoints_verifies(lifeline: Lifeline, clock: FakeClock) -> None:
    filled(lifeline, clock, 1)
    assert write_checkpoint(lifeline.ctx, force=True).written is not None
    filled(lifeline, clock, 1)
    clock.advance(seconds=600)
    assert write_checkpoint(lifeline.ctx).written is not None
    report = verify_audit(lifeline.ctx)
    assert report.ok, report.problems
    assert report.log.checkpoints == 2 and report.log.keyed == report.log.rows == 8
    assert report.warnings == []


def test_deleting_the_last_ten_rows_is_reported_naming_the_checkpoint(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    rows = filled(lifeline, clock)
    write_checkpoint(lifeline.ctx, force=True)
    with lifeline.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": rows - 10})
    report = verify_audit(lifeline.ctx)
    assert not report.ok and report.broken is None  # what is left is a valid chain...
    # ...but the checkpoint remembers how long it was
    assert report.problems[0].startswith("checkpoint on line 1 ")
    assert f"recorded {rows} rows, the log has {rows - 10}" in report.problems[0]
    assert "deleted from the end" in report.problems[0]


def test_deleting_the_tail_then_appending_is_a_rewritten_head(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    rows = filled(lifeline, clock)
    write_checkpoint(lifeline.ctx, force=True)
    with lifeline.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": rows - 10})
    filled(lifeline, clock)  # the log grows past the checkpoint again
    report = verify_audit(lifeline.ctx)
    assert report.broken is None
    assert "checkpoint on line 1" in report.problems[0] and "rewritten" in report.problems[0]


def test_an_edit_recomputed_with_plain_sha256_fails_at_the_edited_row(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    filled(lifeline, clock)
    rewrite(lifeline, forge_from(records(lifeline), 5, None))
    report = verify_audit(lifeline.ctx)
    assert report.broken is not None and report.broken.seq == 5
    assert "MAC" in report.broken.problem
    assert report.problems[0].startswith("audit chain broken at record 5:")


def test_an_edit_recomputed_as_unkeyed_rows_fails_at_the_edited_row(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    filled(lifeline, clock)
    rewrite(lifeline, forge_from(records(lifeline), 5, None, strip_key_id=True))
    report = verify_audit(lifeline.ctx)
    assert report.broken is not None and report.broken.seq == 5
    assert "no MAC although the chain is keyed from record 1" in report.broken.problem


def test_a_whole_chain_rewritten_unkeyed_is_caught_by_the_checkpoint(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    filled(lifeline, clock)
    write_checkpoint(lifeline.ctx, force=True)
    rewrite(lifeline, forge_from(records(lifeline), 1, None, strip_key_id=True))
    report = verify_audit(lifeline.ctx)
    assert report.broken is None  # a plain SHA-256 chain from row 1 looks like a legacy log
    assert report.problems and "checkpoint on line 1" in report.problems[0]
    assert "rewritten" in report.problems[0]


def test_an_edit_recomputed_with_another_key_fails(lifeline: Lifeline, clock: FakeClock) -> None:
    filled(lifeline, clock)
    theirs = AuditKey(os.urandom(32))
    rewrite(lifeline, forge_from(records(lifeline), 3, theirs))
    report = verify_audit(lifeline.ctx)
    assert report.broken is not None and report.broken.seq == 3
    assert "names audit key" in report.broken.problem


def test_an_edit_recomputed_with_another_key_under_our_key_id_fails(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    filled(lifeline, clock)
    ours = records(lifeline)[0].key_id
    forged = [
        replace(r, key_id=ours) for r in forge_from(records(lifeline), 3, AuditKey(os.urandom(32)))
    ]
    rewrite(lifeline, forged)
    report = verify_audit(lifeline.ctx)
    assert report.broken is not None and report.broken.seq == 3
    assert "does not match its MAC" in report.broken.problem


def test_a_forged_checkpoint_line_is_reported(lifeline: Lifeline, clock: FakeClock) -> None:
    rows = filled(lifeline, clock)
    write_checkpoint(lifeline.ctx, force=True)
    anchor = lifeline.settings.audit_anchor_path
    # Cut the tail, and make the checkpoint agree: without the key its MAC cannot follow.
    with lifeline.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": rows - 10})
    real = Checkpoint(**json.loads(anchor.read_text().splitlines()[0]))
    forged = replace(real, rows=rows - 10, head=records(lifeline)[-1].hash)
    anchor.write_text(forged.line() + "\n")
    report = verify_audit(lifeline.ctx)
    assert not report.ok
    assert report.problems[0].startswith("checkpoint on line 1 ")
    assert "wrong MAC" in report.problems[0]
    # and the database's own note of the checkpoint no longer matches the file either
    assert any("not in the anchor file" in p for p in report.problems)


def test_a_line_that_is_not_a_checkpoint_is_named(lifeline: Lifeline, clock: FakeClock) -> None:
    filled(lifeline, clock, 1)
    write_checkpoint(lifeline.ctx, force=True)
    with lifeline.settings.audit_anchor_path.open("a") as fh:
        fh.write('{"at": "yesterday", "rows": 1}\n')
    report = verify_audit(lifeline.ctx)
    assert report.problems == [
        "line 2 of the anchor file is not a checkpoint: not an object with exactly "
        '"at", "rows", "head", "mac"'
    ]


def test_a_deleted_anchor_file_is_reported(lifeline: Lifeline, clock: FakeClock) -> None:
    filled(lifeline, clock, 1)
    write_checkpoint(lifeline.ctx, force=True)
    lifeline.settings.audit_anchor_path.unlink()
    report = verify_audit(lifeline.ctx)
    assert len(report.problems) == 1 and "not in the anchor file" in report.problems[0]


def test_legacy_rows_stay_verifiable_and_the_switch_is_recorded(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    # Rows as the code before the audit key wrote them: plain SHA-256, no key id.
    prev = GENESIS
    with lifeline.engine.begin() as conn:
        for seq in (1, 2, 3):
            at, details = clock.now(), {"n": seq}
            digest = chain_hash(prev, seq, at, "cli:old", "case.read", None, details)
            conn.execute(
                text(
                    "INSERT INTO audit_log (seq, at, actor, action, case_id, details, "
                    "prev_hash, hash) VALUES (:seq, :at, 'cli:old', 'case.read', NULL, "
                    ":details, :prev, :hash)"
                ),
                {
                    "seq": seq,
                    "at": at.replace(tzinfo=None) if conn.dialect.name == "sqlite" else at,
                    "details": json.dumps(details),
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
    fill(lifeline, clock)
    rows = records(lifeline)
    assert [r.key_id is None for r in rows[:4]] == [True, True, True, False]
    assert rows[3].action == "audit.chain_keyed"
    assert rows[3].details["legacy_rows"] == 3 and rows[3].prev_hash == rows[2].hash
    report = verify_audit(lifeline.ctx)
    assert report.ok and (report.log.legacy, report.log.keyed) == (3, len(rows) - 3)
    assert any("before the audit key" in w for w in report.warnings)
    # An attacker turning the keyed rows back into "legacy" ones is caught at the first of them.
    rewrite(lifeline, forge_from(rows, 5, None, strip_key_id=True))
    report = verify_audit(lifeline.ctx)
    assert report.broken is not None and report.broken.seq == 5
    assert "keyed from record 4" in report.broken.problem


def test_the_audit_key_is_created_0600_and_the_anchor_file_too(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    s = lifeline.settings
    assert s.audit_key_path == s.data_key_file.with_name("lifeline-audit.key")
    assert stat.S_IMODE(s.audit_key_path.stat().st_mode) == 0o600
    fill(lifeline, clock)
    write_checkpoint(lifeline.ctx, force=True)
    assert stat.S_IMODE(s.audit_anchor_path.stat().st_mode) == 0o600
    again = bootstrap(s)  # a second start reads the same key
    try:
        assert again.ctx.audit is not None and lifeline.ctx.audit is not None
        assert again.ctx.audit.key == lifeline.ctx.audit.key and not again.audit_key_created
    finally:
        again.dispose()


def test_the_audit_key_may_not_be_the_data_key_file(settings: Settings, tmp_path: Path) -> None:
    same = settings.model_copy(update={"audit_key_file": settings.data_key_file})
    with pytest.raises(AuditKeyError, match="same file"):
        bootstrap(same)
    link = tmp_path / "keys" / "alias.key"
    link.symlink_to(settings.data_key_file)
    aliased = settings.model_copy(update={"audit_key_file": link})
    with pytest.raises(AuditKeyError, match="same file"):
        bootstrap(aliased)


def test_rows_written_before_the_upgrade_verify_as_legacy(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    migrate.downgrade(lifeline.engine, "0008")
    with lifeline.engine.begin() as conn:  # the log as the code before the key wrote it
        prev = GENESIS
        for seq in range(1, 5):
            at, details = clock.now(), {"n": seq}
            digest = chain_hash(prev, seq, at, "cli:old", "case.read", None, details)
            conn.execute(
                text(
                    "INSERT INTO audit_log (seq, at, actor, action, case_id, details, "
                    "prev_hash, hash) VALUES (:seq, :at, 'cli:old', 'case.read', NULL, "
                    ":details, :prev, :hash)"
                ),
                {
                    "seq": seq,
                    "at": at.replace(tzinfo=None) if conn.dialect.name == "sqlite" else at,
                    "details": json.dumps(details),
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
    lifeline.upgrade_db()
    report = verify_audit(lifeline.ctx)
    assert report.ok and (report.log.legacy, report.log.keyed) == (4, 0)
    fill(lifeline, clock)
    assert write_checkpoint(lifeline.ctx, force=True).written is not None
    report = verify_audit(lifeline.ctx)
    assert report.ok and (report.log.legacy, report.log.keyed) == (4, 5)
    assert records(lifeline)[4].action == "audit.chain_keyed"
