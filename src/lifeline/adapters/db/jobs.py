"""The durable job table (transactional outbox).

Use cases enqueue jobs in their own transaction. Workers claim due jobs with a lease and a fresh
claim token (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers), run the handler in
a transaction that also marks the job done — checked against the claim token, so a worker whose
lease expired cannot complete a job another worker has taken — and on failure reschedule it with
exponential backoff until `max_attempts`, after which it is kept as `failed`, never deleted.

The statements run for every job are built once, below, and executed with parameters: building
and cache-keying a fresh statement costs several times more CPU than running it on SQLite.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from lifeline.adapters.db.tables import (
    UtcDateTime,
    jobs,
    new_id,
    upsert_statement,
    worker_heartbeats,
)
from lifeline.services.ports import Job, JobStats, LeaseLost

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"

_now = bindparam("now", type_=UtcDateTime())
_mine = and_(jobs.c.id == bindparam("job_id"), jobs.c.claim_token == bindparam("token"))

#: executed with the row's column values
_ENQUEUE = insert(jobs)
_COMPLETE = (
    update(jobs)
    .where(_mine, jobs.c.status == RUNNING)
    .values(status=DONE, finished_at=_now, locked_until=None, last_error=None)
)
_CLAIM = (
    update(jobs)
    .where(
        jobs.c.id.in_(
            select(jobs.c.id)
            .where(
                or_(
                    and_(jobs.c.status == PENDING, jobs.c.run_at <= _now),
                    and_(jobs.c.status == RUNNING, jobs.c.locked_until < _now),  # crashed worker
                )
            )
            .order_by(jobs.c.run_at, jobs.c.id)
            .limit(bindparam("limit", type_=Integer()))
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
    )
    .values(
        status=RUNNING,
        claim_token=bindparam("new_token"),
        locked_until=bindparam("until"),
        attempts=jobs.c.attempts + 1,
        started_at=func.coalesce(jobs.c.started_at, _now),
    )
    .returning(jobs)
)
_FAIL = (
    update(jobs)
    .where(_mine)
    .values(
        status=bindparam("new_status"),
        run_at=bindparam("next_run_at"),
        locked_until=None,
        last_error=bindparam("error"),
        finished_at=bindparam("finished"),
    )
)
_RELEASE = (
    update(jobs)
    .where(_mine, jobs.c.status == RUNNING)
    .values(status=PENDING, locked_until=None, claim_token=None, attempts=jobs.c.attempts - 1)
)
#: the heartbeat: extend the lease of every job still held under one of a worker's claim tokens
_RENEW = (
    update(jobs)
    .where(jobs.c.status == RUNNING, jobs.c.claim_token.in_(bindparam("tokens", expanding=True)))
    .values(locked_until=bindparam("until"))
    .returning(jobs.c.id)
)
_RETRY = (
    update(jobs)
    .where(jobs.c.id == bindparam("job_id"), jobs.c.status == FAILED)
    .values(status=PENDING, run_at=_now, attempts=0, finished_at=None)
)
#: when the next job falls due: the earliest pending one, or a lease running out (a dead
#: worker's job); each an index lookup, however many timers wait
_NEXT_DUE = select(
    select(func.min(jobs.c.run_at)).where(jobs.c.status == PENDING).scalar_subquery(),
    select(func.min(jobs.c.locked_until)).where(jobs.c.status == RUNNING).scalar_subquery(),
)
_STATS = select(jobs.c.status, func.count()).group_by(jobs.c.status)
_LATEST_HEARTBEAT = (
    select(worker_heartbeats.c.heartbeat_at)
    .order_by(worker_heartbeats.c.heartbeat_at.desc())
    .limit(1)
)
_heartbeat = upsert_statement(
    worker_heartbeats,
    lambda insert: insert.on_conflict_do_update(
        index_elements=["worker_id"], set_={"heartbeat_at": insert.excluded.heartbeat_at}
    ),
)


class SqlJobQueue:
    def __init__(self, conn: Connection, default_max_attempts: int = 8) -> None:
        self.conn = conn
        self.default_max_attempts = default_max_attempts
        #: jobs added in this transaction, inserted together by `flush` before COMMIT
        self._added: list[dict[str, Any]] = []

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        case_id: int | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
    ) -> int:
        row = self._row(kind, payload, now, case_id, run_at, max_attempts)
        return int(new_id(self.conn.execute(_ENQUEUE, row)))

    def add(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        case_id: int | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
    ) -> None:
        self._added.append(self._row(kind, payload, now, case_id, run_at, max_attempts))

    def flush(self) -> None:
        if self._added:
            rows, self._added = self._added, []
            self.conn.execute(_ENQUEUE, rows)

    def forget(self) -> None:
        """The transaction was rolled back: the jobs it added go with it."""
        self._added.clear()

    def _row(
        self,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
        case_id: int | None,
        run_at: datetime | None,
        max_attempts: int | None,
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "payload": payload,
            "case_id": case_id,
            "status": PENDING,
            "run_at": run_at or now,
            "attempts": 0,
            "max_attempts": max_attempts or self.default_max_attempts,
            "created_at": now,
        }

    def complete(self, job: Job, now: datetime) -> None:
        result = self.conn.execute(
            _COMPLETE, {"job_id": job.id, "token": job.claim_token, "now": now}
        )
        if result.rowcount != 1:
            raise LeaseLost(f"job {job.id} ({job.kind}) was taken over by another worker")

    # -- worker side ---------------------------------------------------------------------
    def claim(self, now: datetime, lease: timedelta, limit: int = 10) -> list[Job]:
        self.flush()
        token = str(uuid.uuid4())
        rows = self.conn.execute(
            _CLAIM, {"now": now, "limit": limit, "new_token": token, "until": now + lease}
        ).all()
        return [
            Job(
                r.id,
                r.kind,
                r.payload,
                r.case_id,
                r.attempts,
                r.max_attempts,
                r.claim_token,
                r.created_at,
                r.run_at,
                {"started_at": r.started_at},
            )
            for r in sorted(rows, key=lambda r: (r.run_at, r.id))
        ]

    def fail(self, job: Job, now: datetime, error: str, *, permanent: bool = False) -> bool:
        """Reschedule with backoff, or mark failed. Returns True if this was the last attempt."""
        final = permanent or job.attempts >= job.max_attempts
        delay = timedelta(seconds=min(2 ** (job.attempts - 1) * 5, 3600))
        self.conn.execute(
            _FAIL,
            {
                "job_id": job.id,
                "token": job.claim_token,
                "new_status": FAILED if final else PENDING,
                "next_run_at": job.run_at if final else now + delay,
                "error": error[:4000],
                "finished": now if final else None,
            },
        )
        return final

    def release(self, claimed: list[Job], now: datetime) -> None:
        for job in claimed:
            self.conn.execute(_RELEASE, {"job_id": job.id, "token": job.claim_token})

    def renew(self, tokens: Collection[str], until: datetime) -> set[int]:
        """Extend to `until` the lease of every running job claimed under one of `tokens`, in
        one statement; the ids renewed. A job completed, given back or taken over by another
        worker (a new token) is not touched."""
        if not tokens:
            return set()
        rows = self.conn.execute(_RENEW, {"tokens": sorted(set(tokens)), "until": until})
        return {int(r.id) for r in rows}

    def retry(self, job_id: int, now: datetime) -> bool:
        """Put a failed job back in the queue (operator's decision after fixing the cause)."""
        result = self.conn.execute(_RETRY, {"job_id": job_id, "now": now})
        return result.rowcount == 1

    def stats(self) -> JobStats:
        self.flush()
        counts: dict[str, int] = dict(self.conn.execute(_STATS).all())
        return JobStats(
            counts.get(PENDING, 0),
            counts.get(RUNNING, 0),
            counts.get(FAILED, 0),
            counts.get(DONE, 0),
        )

    def recent(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        self.flush()
        query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
        if status:
            query = query.where(jobs.c.status == status)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    # -- heartbeats ----------------------------------------------------------------------
    def heartbeat(self, worker_id: str, started_at: datetime, now: datetime) -> None:
        self.conn.execute(
            _heartbeat(self.conn),
            {
                "worker_id": worker_id,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": started_at,
                "heartbeat_at": now,
            },
        )

    def latest_heartbeat(self) -> datetime | None:
        value: datetime | None = self.conn.execute(_LATEST_HEARTBEAT).scalar()
        return value


class SqlDueProbe:
    """The idle worker's poll: when the next job falls due, read in autocommit on a connection
    the probe keeps. One statement and no transaction, where an empty claim is a write
    transaction of four round trips (pool check-out with its ping, BEGIN, UPDATE, COMMIT) and,
    on SQLite, takes the write lock from the API for nothing. Used by one thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None

    def next_due(self) -> datetime | None:
        """When the earliest job is due (now or past: claim), None if none waits."""
        if self._conn is None:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            pending, running = self._conn.execute(_NEXT_DUE).one()
        except Exception:
            self.close()  # the database went away: a new connection next time
            raise
        found = [t for t in (pending, running) if t is not None]
        return min(found) if found else None

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(Exception):
                conn.close()
