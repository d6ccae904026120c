"""Checking the audit log, and writing the signed checkpoints that anchor it outside the
database (issue #14).

The chain in the database is keyed (HMAC under the audit key, `domain.audit`); a checkpoint is
the chain's length and head, MACed under the same key, appended as one JSON line to the anchor
file (and, if configured, POSTed to a webhook off the host). Verification holds the chain
against every checkpoint: rows cut from the end, or a chain rebuilt to match, show up there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from lifeline.domain.audit import ChainBreak, Checkpoint
from lifeline.domain.audit_verification import LogVerification, verify_log
from lifeline.services.access.ports import CheckpointAnchor
from lifeline.services.context import Context
from lifeline.services.job_types import CheckpointJob, JobKind, enqueue


# -- verification ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditReport:
    log: LogVerification
    anchor: str | None = None
    #: problems found beyond the chain and the anchor lines themselves
    other_problems: list[str] = field(default_factory=list)

    @property
    def verified(self) -> int:
        return self.log.verified

    @property
    def broken(self) -> ChainBreak | None:
        return self.log.broken

    @property
    def problems(self) -> list[str]:
        """Every problem, the first bad row first, then the checkpoints in file order."""
        found = [] if self.broken is None else [_row_problem(self.broken)]
        found += [p.problem for p in self.log.checkpoint_problems]
        return found + self.other_problems

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def warnings(self) -> list[str]:
        notes = []
        if self.log.checkpoints == 0 and self.log.rows > 0:
            notes.append(
                f"no checkpoints in {self.anchor or 'the anchor file'}: rows deleted from the "
                "end of the log would not be noticed (run `lifeline audit checkpoint`, or a "
                "worker with LIFELINE_AUDIT_CHECKPOINT_SECONDS)"
            )
        for n, restore in self.log.restores:
            notes.append(
                f"restored from a backup ({restore.restored_from}) with {restore.rows} rows, at "
                f"{restore.at} (line {n} of the anchor file)"
            )
        notes += self.log.lost_to_restores
        if self.log.legacy:
            notes.append(
                f"rows 1-{self.log.legacy} are from before the audit key (plain SHA-256): "
                "checked as such; only the keyed rows after them resist a rewrite"
            )
        return notes


def _row_problem(broken: ChainBreak) -> str:
    return f"audit chain broken at record {broken.seq}: {broken.problem}"


def verify_audit(ctx: Context) -> AuditReport:
    """Hold the chain against the anchor file. The order of the reads matters, because a
    checkpoint is committed to the database, then appended to the file, and covers only rows
    committed before it: the database's newest checkpoint is read first, then the file, then
    the rows (so every row a line covers is seen)."""
    trust = ctx.audit
    if trust is None:
        with ctx.uow(readonly=True) as uow:
            return AuditReport(verify_log(uow.audit.records(), None, []))
    with ctx.uow(readonly=True) as uow:
        recorded = uow.audit.last_checkpoint()
    other: list[str] = []
    lines = _anchor_lines(trust.anchor, other)
    with ctx.uow(readonly=True) as uow:
        log = verify_log(uow.audit.records(), trust.key, lines)
    if (
        recorded is not None
        and not _holds(lines, recorded)
        # read again: the line may have been appended just after the first read
        and not _holds(_anchor_lines(trust.anchor, []), recorded)
    ):
        other.append(
            f"the newest checkpoint the database recorded (at {recorded.at}, "
            f"{recorded.rows} rows) is not in the anchor file {trust.anchor.location}: "
            "the file was replaced or cut short (or is written on another host)"
        )
    return AuditReport(log, trust.anchor.location, other)


def _anchor_lines(anchor: CheckpointAnchor, problems: list[str]) -> list[str]:
    try:
        return anchor.lines()
    except OSError as exc:
        problems.append(f"cannot read the anchor file {anchor.location}: {exc.strerror}")
        return []


def _holds(lines: list[str], checkpoint: Checkpoint) -> bool:
    return checkpoint.line() in {line.strip() for line in lines}


# -- checkpoints -------------------------------------------------------------------------------
Skipped = Literal["busy", "unchanged", "not_due", "empty", "disabled"]


@dataclass(frozen=True)
class CheckpointResult:
    written: Checkpoint | None
    #: why none was written
    skipped: Skipped | None = None


def write_checkpoint(ctx: Context, *, force: bool = False) -> CheckpointResult:
    """Append a signed checkpoint of the committed chain to the anchor file.

    One writer for the deployment: the transaction first claims the checkpoint writer's lock
    (PostgreSQL advisory lock; SQLite's one write transaction) and reads the last checkpoint
    any process wrote. Unless `force`d, nothing is written when the log has not changed since
    the last checkpoint, nor before `interval` has passed since it.

    The checkpoint is recorded and committed first, then the line appended: that commit waits
    for the disk, and with it every audit row before it (a worker's own commits may not, see
    `worker_durable_commits`), so a power cut can never leave a checkpoint on file for rows the
    database lost. Pass a context whose commits are durable (`Lifeline.ctx`).
    """
    trust = ctx.audit
    if trust is None:
        return CheckpointResult(None, "disabled")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if not uow.audit.claim_checkpoint_writer():
            return CheckpointResult(None, "busy")
        last = uow.audit.last_checkpoint()
        rows, head = uow.audit.head()
        if not force:
            if last is None and rows == 0:
                return CheckpointResult(None, "empty")
            if last is not None and (last.rows, last.head) == (rows, head):
                return CheckpointResult(None, "unchanged")
            # (a clock set back is not a reason to stop writing checkpoints)
            if last is not None and timedelta(0) <= now - last.at_time < trust.interval:
                return CheckpointResult(None, "not_due")
        checkpoint = Checkpoint.sign(trust.key, now, rows, head)
        uow.audit.save_checkpoint(checkpoint)
        if trust.webhook_url:
            # POSTed to the anchor webhook by a job (retried like any job)
            enqueue(
                uow.jobs, JobKind.SEND_AUDIT_CHECKPOINT, CheckpointJob(checkpoint.line()), now=now
            )
        uow.commit()
    # A failure here (disk full) is raised to the caller, and `verify_audit` reports the
    # recorded checkpoint missing from the file until one is written.
    trust.anchor.append(checkpoint.line())
    return CheckpointResult(checkpoint)
