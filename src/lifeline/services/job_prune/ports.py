"""Ports of the job prune: how long finished jobs are kept, and the store that deletes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class JobKeep:
    """How long finished jobs stay in the table (LIFELINE_JOB_KEEP_DONE_SECONDS,
    LIFELINE_JOB_KEEP_FAILED_DAYS). A failed job is kept longer: an operator may still look at
    it and `lifeline jobs retry` it."""

    done: timedelta = timedelta(days=1)
    failed: timedelta = timedelta(days=30)

    @property
    def every(self) -> timedelta:
        """How often the prune runs: a quarter of the done period, between 1 minute and 1 hour
        (so a done job is gone at most a quarter period after it became due to go)."""
        return min(timedelta(hours=1), max(timedelta(minutes=1), self.done / 4))


@dataclass(frozen=True)
class JobTableSize:
    """The job table's rows by status, and the oldest finish among the done rows."""

    by_status: dict[str, int]
    oldest_done: datetime | None

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


class JobPruneStore(Protocol):
    def finished_before(self, status: str, before: datetime, limit: int) -> list[int]:
        """Ids of up to `limit` jobs of `status` ("done" or "failed") finished before `before`,
        oldest first."""
        ...

    def delete(self, status: str, ids: list[int]) -> int:
        """Delete these jobs if they still have `status` (a failed job retried meanwhile is
        pending again and stays); returns how many went."""
        ...

    def prune_scheduled(self, *, running: bool = True) -> datetime | None:
        """When the next `prune_jobs` job is due (counting one being run unless not
        `running`); None if none is pending."""
        ...

    def size(self) -> JobTableSize: ...
