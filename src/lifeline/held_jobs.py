"""The jobs a worker holds, for its heartbeat (lifeline.worker).

A worker holds a job from its claim until it finishes it or gives it back; its heartbeat
renews the leases of the jobs it holds. Renewal has a limit: a job held longer than the run
limit (`LIFELINE_JOB_MAX_RUN_SECONDS`) by a worker that is alive (its runner hung on a call with
no timeout, or lost to a bug) is no longer renewed, so another worker takes it over after one
lease: no escalation step or message can be held back for ever. Housekeeping that may rightly
run long on a large database is exempt (RENEWED_WITHOUT_LIMIT).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.services.job_types import JobKind
from lifeline.services.ports import Job

#: housekeeping a worker keeps renewing past the run limit: it may rightly run long on a large
#: database, delays nobody's rescue, and two at once would only repeat each other's work
RENEWED_WITHOUT_LIMIT = frozenset({JobKind.RETENTION_PURGE.value, JobKind.PRUNE_JOBS.value})


@dataclass(frozen=True)
class _Hold:
    token: str | None
    since: datetime
    kind: str


class HeldJobs:
    """Thread-safe: jobs are held and dropped by the worker's loop and sending threads, and
    renewed by its heartbeat thread."""

    def __init__(self, max_run: timedelta) -> None:
        self.max_run = max_run
        self._held: dict[int, _Hold] = {}
        self._lock = threading.Lock()

    def hold(self, jobs: Iterable[Job], now: datetime) -> None:
        with self._lock:
            self._held.update((j.id, _Hold(j.claim_token, now, j.kind)) for j in jobs)

    def drop(self, jobs: Iterable[Job]) -> None:
        """Forget jobs finished or given back (a job since claimed again, by another claim
        token, is not this claim's to forget)."""
        with self._lock:
            for j in jobs:
                hold = self._held.get(j.id)
                if hold is not None and hold.token == j.claim_token:
                    del self._held[j.id]

    def ids(self) -> set[int]:
        with self._lock:
            return set(self._held)

    def take_overran(self, now: datetime) -> dict[int, str]:
        """Stop holding the jobs held past the run limit (RENEWED_WITHOUT_LIMIT aside);
        returns their ids and kinds."""
        with self._lock:
            overran = {
                i: h.kind
                for i, h in self._held.items()
                if h.kind not in RENEWED_WITHOUT_LIMIT and now - h.since > self.max_run
            }
            for i in overran:
                del self._held[i]
        return overran

    def tokens(self) -> dict[int, str | None]:
        """Each held job's claim token, as now (for one renewal)."""
        with self._lock:
            return {i: h.token for i, h in self._held.items()}

    def lose(self, asked: dict[int, str | None], renewed: set[int]) -> set[int]:
        """Stop holding the jobs of `asked` (a `tokens()` snapshot) that the renewal did not
        find still this worker's; returns their ids. A job finished between the snapshot and
        the renewal is not lost, only done."""
        with self._lock:
            lost = {
                i
                for i in asked.keys() - renewed
                if (h := self._held.get(i)) is not None and h.token == asked[i]
            }
            for i in lost:
                del self._held[i]
        return lost
