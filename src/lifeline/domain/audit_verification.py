"""Verifying the audit log as a whole: the keyed chain in the database, and the signed
checkpoints kept outside it (the anchor file).

The chain alone shows rows edited or removed in the middle, and rows rewritten by someone
without the audit key. It cannot show rows removed from the end: what is left is still a valid
chain. A checkpoint can, because it recorded the number of rows and the head when it was
written, and its MAC (under the audit key) keeps it from being edited to match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lifeline.domain.audit import (
    GENESIS,
    AuditKey,
    AuditRecord,
    ChainBreak,
    ChainWalk,
    Checkpoint,
    CheckpointFormatError,
    parse_checkpoint,
)


@dataclass(frozen=True)
class CheckpointProblem:
    #: 1-based line of the anchor file
    line: int
    problem: str


@dataclass(frozen=True)
class LogVerification:
    #: the highest sequence number present (rows, if none is missing)
    rows: int
    head: str
    verified: int
    legacy: int
    keyed: int
    broken: ChainBreak | None
    #: lines of the anchor file checked
    checkpoints: int
    checkpoint_problems: list[CheckpointProblem] = field(default_factory=list)
    #: the newest checkpoint whose MAC is right
    last_checkpoint: Checkpoint | None = None
    #: restore checkpoints (`lifeline backup restore`) with a right MAC, by anchor-file line
    restores: list[tuple[int, Checkpoint]] = field(default_factory=list)
    #: rows that earlier checkpoints recorded and a later restore gave up (not tampering)
    lost_to_restores: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.checkpoint_problems


def verify_log(
    records: Iterable[AuditRecord], key: AuditKey | None, anchor_lines: Iterable[str]
) -> LogVerification:
    """Walk the chain once and hold every checkpoint against it."""
    parsed: list[tuple[int, Checkpoint]] = []
    problems: list[CheckpointProblem] = []
    numbered = [(n, text) for n, text in enumerate(anchor_lines, start=1) if text.strip()]
    for n, text in numbered:
        try:
            cp = parse_checkpoint(text)
        except CheckpointFormatError as exc:
            problems.append(
                CheckpointProblem(n, f"line {n} of the anchor file is not a checkpoint: {exc}")
            )
            continue
        if key is None or not cp.mac_ok(key):
            problems.append(
                CheckpointProblem(
                    n,
                    f"checkpoint on line {n} (at {cp.at}, {cp.rows} rows) has a wrong MAC: "
                    "forged or edited, or signed with another audit key",
                )
            )
            continue
        parsed.append((n, cp))

    wanted = {cp.rows for _, cp in parsed}
    hash_at: dict[int, str] = {0: GENESIS}
    walk = ChainWalk(key)
    last_seq, head = 0, GENESIS
    for rec in records:
        walk.step(rec)
        last_seq, head = rec.seq, rec.hash
        if rec.seq in wanted:
            hash_at[rec.seq] = rec.hash

    restores = [(n, cp) for n, cp in parsed if cp.restored_from is not None]
    lost: list[str] = []
    for n, cp in parsed:
        # A signed restore on a later line started the chain again from its row count: what an
        # earlier checkpoint recorded beyond that was lost with the restore, and is not held
        # against the chain that grew after it.
        later = [(m, r) for m, r in restores if m > n and r.rows < cp.rows]
        if later:
            m, r = later[0]
            lost.append(
                f"rows {r.rows + 1}-{cp.rows} (checkpoint on line {n}, at {cp.at}) were given up "
                f"by the restore on line {m} (at {r.at}, from {r.restored_from})"
            )
            continue
        if cp.rows > last_seq:
            problems.append(
                CheckpointProblem(
                    n,
                    f"checkpoint on line {n} (at {cp.at}) recorded {cp.rows} rows, the log has "
                    f"{last_seq}: rows {last_seq + 1}-{cp.rows} were deleted from the end",
                )
            )
        elif hash_at.get(cp.rows) != cp.head:
            found = hash_at.get(cp.rows, "(missing)")
            problems.append(
                CheckpointProblem(
                    n,
                    f"checkpoint on line {n} (at {cp.at}) recorded head {cp.head[:12]} at row "
                    f"{cp.rows}, the log has {found[:12]} there: the chain up to row {cp.rows} "
                    "was rewritten",
                )
            )
    problems.sort(key=lambda p: p.line)
    return LogVerification(
        rows=last_seq,
        head=head,
        verified=walk.verified,
        legacy=walk.legacy,
        keyed=walk.keyed,
        broken=walk.broken,
        checkpoints=len(numbered),
        checkpoint_problems=problems,
        last_checkpoint=parsed[-1][1] if parsed else None,
        restores=restores,
        lost_to_restores=lost,
    )
