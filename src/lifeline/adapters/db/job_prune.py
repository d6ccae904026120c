"""The job table's prune store (services/job_prune): finished jobs found and deleted in batches.

Only `done` and `failed` rows are read or deleted, and a delete re-checks the status, so a
worker's pending or running job, or a failed job an operator retried meanwhile, is never
touched. The batches use the (status, run_at) index: a finished job ran at or before it
finished, so `run_at < before` narrows the scan without changing the answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, select

from lifeline.adapters.db.tables import UtcDateTime, jobs
from lifeline.services.job_prune.ports import JobTableSize

KIND = "prune_jobs"

_before = bindparam("before", type_=UtcDateTime())
_FINISHED = (
    select(jobs.c.id)
    .where(
        jobs.c.status == bindparam("status"),
        jobs.c.run_at < _before,
        jobs.c.finished_at < _before,
    )
    .order_by(jobs.c.id)
    .limit(bindparam("limit"))
)
_DELETE = delete(jobs).where(
    jobs.c.id.in_(bindparam("ids", expanding=True)), jobs.c.status == bindparam("status")
)
_SIZE = select(jobs.c.status, func.count()).group_by(jobs.c.status)
_OLDEST_DONE = select(func.min(jobs.c.finished_at)).where(jobs.c.status == "done")


class SqlJobPruneStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def finished_before(self, status: str, before: datetime, limit: int) -> list[int]:
        rows = self.conn.execute(_FINISHED, {"status": status, "before": before, "limit": limit})
        return [int(r[0]) for r in rows]

    def delete(self, status: str, ids: list[int]) -> int:
        if not ids:
            return 0
        return int(self.conn.execute(_DELETE, {"ids": ids, "status": status}).rowcount)

    def prune_scheduled(self, *, running: bool = True) -> datetime | None:
        statuses = ("pending", "running") if running else ("pending",)
        stmt = select(func.min(jobs.c.run_at)).where(
            jobs.c.kind == KIND, jobs.c.status.in_(statuses)
        )
        at: datetime | None = self.conn.scalar(stmt)
        return at

    def size(self) -> JobTableSize:
        counts = {str(s): int(n) for s, n in self.conn.execute(_SIZE).all()}
        return JobTableSize(counts, self.conn.scalar(_OLDEST_DONE))
