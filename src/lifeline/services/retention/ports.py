"""Ports of retention. The store applies the adapter's declarative registry of personal fields
(which table and column, how it is erased, which policy applies); the service decides which
cases are due, in small transactions, and audits each run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lifeline.domain.retention import LegalHold, Policy, PurgeCounts


@dataclass(frozen=True)
class CaseRetention:
    """A case as retention sees it: whether it has ended, its hold and what is already gone."""

    id: int
    status: str
    hold: LegalHold | None
    #: policy -> when that stage was erased
    erased: dict[Policy, datetime]


class RetentionStore(Protocol):
    def due_cases(
        self, policy: Policy, *, closed_before: datetime, dismissed_before: datetime, limit: int
    ) -> list[int]:
        """Ended cases (closed by `closed_before`, or dismissed by `dismissed_before`) whose
        `policy` stage is not yet erased and that are not under hold, oldest first."""
        ...

    def held_due(self, *, closed_before: datetime, dismissed_before: datetime) -> list[int]:
        """Cases under hold that would otherwise be due (reported, never erased)."""
        ...

    def erase_case(
        self, case_id: int, policy: Policy, now: datetime, *, dry_run: bool, ended_only: bool
    ) -> PurgeCounts | None:
        """Lock the case and erase its `policy` fields (every registry entry of that policy),
        then mark the stage done. None, changing nothing, when the case is held, already done
        at that stage, or (with `ended_only`) open again."""
        ...

    def erase_own(self, policy: Policy, before: datetime, *, dry_run: bool) -> PurgeCounts:
        """Erase the rows of tables not tied to a case whose own timestamp is at or before
        `before` (held mail, logs, expired windows)."""
        ...

    def erase_by_keys(self, keys: list[str], *, dry_run: bool) -> PurgeCounts:
        """Erase rows found directly by a keyed hash of one of `keys` (a monitoring author's
        window), for erasure on request."""
        ...

    def cases_of_person(self, keys: list[str]) -> list[int]:
        """Cases whose subject or linking hashes match any identity key (`phone:…`,
        `account:…`)."""
        ...

    def platforms(self) -> list[str]:
        """The platforms subjects were stored under (a handle is hashed with its platform)."""
        ...

    def get(self, case_id: int) -> CaseRetention: ...
    def set_hold(self, case_id: int, hold: LegalHold | None) -> bool:
        """Put `hold` on the case (None: lift it), only if it is not held (is held, to lift);
        False when it already was, e.g. someone else's request got there first."""
        ...

    def record_run(self, at: datetime, counts: PurgeCounts) -> None: ...
    def last_run(self) -> datetime | None: ...
    def purge_scheduled(self, *, running: bool = True) -> datetime | None:
        """When the next `retention_purge` job is due, counting one being run unless not
        `running` (None: none)."""
        ...
