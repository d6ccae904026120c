"""The keyed audit chain and its signed checkpoints, in the domain (no IO)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifeline.domain.audit import (
    CHAIN_KEYED,
    GENESIS,
    AuditKey,
    AuditRecord,
    Checkpoint,
    CheckpointFormatError,
    chain_hash,
    chain_mac,
    parse_checkpoint,
    verify_chain,
)
from lifeline.domain.audit_verification import verify_log

T0 = datetime(2026, 11, 28, tzinfo=UTC)
KEY = AuditKey(b"k" * 32)


def keyed_chain(n: int, key: AuditKey = KEY, legacy: int = 0) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        at, details = T0 + timedelta(seconds=seq), {"alert_id": seq}
        action = CHAIN_KEYED if seq == legacy + 1 and legacy else "alert.received"
        fields = (prev, seq, at, "partner:1", action, seq, details)
        if seq <= legacy:
            digest, key_id = chain_hash(*fields), None
        else:
            digest, key_id = chain_mac(key, *fields), key.key_id
        records.append(
            AuditRecord(seq, at, "partner:1", action, seq, details, prev, digest, key_id)
        )
        prev = digest
    return records


def test_a_keyed_chain_verifies_only_with_its_key() -> None:
    assert verify_chain(keyed_chain(5), KEY) == (5, None)
    _, broken = verify_chain(keyed_chain(5), AuditKey(b"x" * 32))
    assert broken is not None and broken.seq == 1 and "names audit key" in broken.problem
    _, broken = verify_chain(keyed_chain(5), None)
    assert broken is not None and "no audit key is loaded" in broken.problem


def test_the_key_id_names_the_key_without_revealing_it() -> None:
    assert KEY.key_id == AuditKey(b"k" * 32).key_id != AuditKey(b"j" * 32).key_id
    assert len(KEY.key_id) == 16 and "k" * 16 not in repr(KEY)
    with pytest.raises(ValueError, match="32 bytes"):
        AuditKey(b"short")


def test_a_plain_sha256_link_is_not_a_mac() -> None:
    records = keyed_chain(4)
    r = records[1]
    forged = replace(
        r,
        details={"alert_id": 999},
        hash=chain_hash(r.prev_hash, r.seq, r.at, r.actor, r.action, r.case_id, {"alert_id": 999}),
    )
    _, broken = verify_chain([records[0], forged, *records[2:]], KEY)
    assert broken is not None and broken.seq == 2 and "MAC" in broken.problem


def test_legacy_rows_may_only_open_the_chain() -> None:
    assert verify_chain(keyed_chain(6, legacy=3), KEY) == (6, None)
    records = keyed_chain(6, legacy=3)
    last = records[-1]
    unkeyed = replace(
        last,
        key_id=None,
        hash=chain_hash(
            last.prev_hash, last.seq, last.at, last.actor, last.action, last.case_id, last.details
        ),
    )
    _, broken = verify_chain([*records[:-1], unkeyed], KEY)
    assert broken is not None and broken.seq == 6 and "keyed from record 4" in broken.problem


def test_a_checkpoint_line_round_trips_and_its_mac_binds_every_field() -> None:
    cp = Checkpoint.sign(KEY, T0, 12, "ab" * 32)
    assert set(json.loads(cp.line())) == {"at", "rows", "head", "mac"}
    assert parse_checkpoint(cp.line()) == cp and cp.mac_ok(KEY)
    for changed in (replace(cp, rows=11), replace(cp, head="cd" * 32), replace(cp, at="x")):
        assert not changed.mac_ok(KEY)
    assert not cp.mac_ok(AuditKey(b"x" * 32))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "exactly"),
        ('{"at": "2026-11-28T00:00:00+00:00", "rows": 1, "head": "h"}', "exactly"),
        ('{"at": "2026-11-28T00:00:00+00:00", "rows": true, "head": "h", "mac": "m"}', "rows"),
        ('{"at": "2026-11-28T00:00:00+00:00", "rows": -1, "head": "h", "mac": "m"}', "rows"),
        ('{"at": "yesterday", "rows": 1, "head": "h", "mac": "m"}', "ISO 8601"),
        ('{"at": "2026-11-28T00:00:00", "rows": 1, "head": "h", "mac": "m"}', "UTC offset"),
        ('{"at": 5, "rows": 1, "head": "h", "mac": "m"}', "strings"),
        ("[" * 100_000, "nested too deep"),
    ],
)
def test_a_line_that_is_not_a_checkpoint_says_why(line: str, reason: str) -> None:
    with pytest.raises(CheckpointFormatError, match=reason):
        parse_checkpoint(line)


def lines_for(records: list[AuditRecord], *rows: int) -> list[str]:
    hashes = {0: GENESIS, **{r.seq: r.hash for r in records}}
    return [Checkpoint.sign(KEY, T0, n, hashes[n]).line() for n in rows]


def test_checkpoints_that_match_the_chain_verify() -> None:
    records = keyed_chain(20)
    result = verify_log(records, KEY, [*lines_for(records, 0, 10, 20), ""])
    assert result.ok and result.checkpoints == 3
    assert result.last_checkpoint is not None and result.last_checkpoint.rows == 20


def test_rows_cut_from_the_end_are_named_by_the_first_checkpoint_that_saw_them() -> None:
    records = keyed_chain(20)
    lines = lines_for(records, 5, 15, 20)
    result = verify_log(records[:10], KEY, lines)
    assert result.broken is None and not result.ok
    assert [p.line for p in result.checkpoint_problems] == [2, 3]
    assert "recorded 15 rows, the log has 10: rows 11-15" in result.checkpoint_problems[0].problem


def test_a_checkpoint_whose_head_is_not_in_the_chain_reports_a_rewrite() -> None:
    records = keyed_chain(10)
    other = keyed_chain(10, AuditKey(b"z" * 32))
    result = verify_log(records, KEY, lines_for(other, 6))
    assert [p.line for p in result.checkpoint_problems] == [1]
    assert "at row 6" in result.checkpoint_problems[0].problem
    assert "rewritten" in result.checkpoint_problems[0].problem


def test_a_checkpoint_signed_with_another_key_is_forged() -> None:
    records = keyed_chain(10)
    forged = Checkpoint.sign(AuditKey(b"z" * 32), T0, 10, records[-1].hash).line()
    result = verify_log(records, KEY, [*lines_for(records, 5), forged])
    assert [p.line for p in result.checkpoint_problems] == [2]
    assert "wrong MAC" in result.checkpoint_problems[0].problem


@given(st.text(max_size=300))
def test_any_text_is_a_checkpoint_or_a_format_error(line: str) -> None:
    try:
        cp = parse_checkpoint(line)
    except CheckpointFormatError as exc:
        assert str(exc)  # says what is wrong
        return
    assert cp.rows >= 0 and parse_checkpoint(cp.line()) == cp


@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.builds(
                lambda at, rows, head, mac: json.dumps(
                    {"at": at, "rows": rows, "head": head, "mac": mac}
                ),
                st.one_of(st.text(max_size=40), st.datetimes().map(lambda d: d.isoformat())),
                st.one_of(st.integers(), st.booleans(), st.none(), st.text(max_size=5)),
                st.text(max_size=70),
                st.text(max_size=70),
            ),
        ),
        max_size=8,
    )
)
def test_verification_reads_any_anchor_file_without_crashing(lines: list[str]) -> None:
    result = verify_log(keyed_chain(3), KEY, lines)
    assert result.broken is None
    assert {p.line for p in result.checkpoint_problems} <= set(range(1, len(lines) + 1))
