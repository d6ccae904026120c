"""How a job handler is declared: `@job(JobKind.X, payload=P)` above a function taking the
typed payload. The worker's table (`services/jobs.py`) runs a declared handler with `run`, which
parses the stored payload once (`BadJobPayload` if it does not fit) and hands it over.

    @job(JobKind.ASSESS_RISK, payload=AlertJob)
    def assess_risk(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None: ...

A handler declared with `@job` runs in the transaction that completes its job; one declared with
`@free_job` calls the network, holds no transaction, and completes its job itself. A free job may
declare `read_ahead`: what it would read first, read instead in the transaction that claims it
(the worker keeps the answer with the job), so it needs no read transaction of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic

from lifeline.services.context import Context
from lifeline.services.job_types import PAYLOADS, JobKind, P, parse_payload
from lifeline.services.ports import Job, UnitOfWork

#: what the worker calls for a job run in its completing transaction
JobHandler = Callable[[Context, UnitOfWork, Job], None]
#: what the worker calls for a job whose handler opens its own transactions
FreeJobHandler = Callable[[Context, Job], None]
#: what the worker calls, in the transaction that claimed a free job, to read ahead for it
ReadAhead = Callable[[Context, UnitOfWork, Job], object]


@dataclass(frozen=True)
class JobSpec(Generic[P]):
    """A handler run in the transaction that marks its job done, with its kind and payload."""

    kind: JobKind
    payload: type[P]
    handler: Callable[[Context, UnitOfWork, P], None]

    def __call__(self, ctx: Context, uow: UnitOfWork, payload: P) -> None:
        self.handler(ctx, uow, payload)

    def run(self, ctx: Context, uow: UnitOfWork, job: Job) -> None:
        self.handler(ctx, uow, parse_payload(self.kind, job.id, self.payload, job.payload))


@dataclass(frozen=True)
class FreeJobSpec(Generic[P]):
    """A handler that opens its own transactions and completes its job (see `free_job`)."""

    kind: JobKind
    payload: type[P]
    handler: Callable[[Context, Job, P], None]
    #: read in the claiming transaction; the handler finds it with `read_ahead_for(job)`
    read_ahead: Callable[[Context, UnitOfWork, Job, P], object] | None = None

    def __call__(self, ctx: Context, job: Job, payload: P) -> None:
        self.handler(ctx, job, payload)

    def run(self, ctx: Context, job: Job) -> None:
        self.handler(ctx, job, parse_payload(self.kind, job.id, self.payload, job.payload))

    def run_read_ahead(self, ctx: Context, uow: UnitOfWork, job: Job) -> object:
        assert self.read_ahead is not None
        payload = parse_payload(self.kind, job.id, self.payload, job.payload)
        return self.read_ahead(ctx, uow, job, payload)


#: where a job carries what was read ahead for it (`Job.extra`): (time.monotonic(), answer)
READ_AHEAD_KEY = "read_ahead"


def read_ahead_for(job: Job, max_age: float) -> object | None:
    """What was read ahead for `job` in the transaction that claimed it, if read at most
    `max_age` seconds ago (a job that waited longer reads again: the rows may have moved on);
    None otherwise."""
    kept = job.extra.get(READ_AHEAD_KEY)
    if kept is None:
        return None
    at, answer = kept
    return answer if time.monotonic() - at <= max_age else None


def _declared(kind: JobKind, payload: type) -> None:
    if PAYLOADS[kind] is not payload:
        raise TypeError(f"a {kind} job carries {PAYLOADS[kind].__name__}, not {payload.__name__}")


def job(
    kind: JobKind, *, payload: type[P]
) -> Callable[[Callable[[Context, UnitOfWork, P], None]], JobSpec[P]]:
    """Declare a handler run in the transaction that completes its job."""
    _declared(kind, payload)

    def declare(handler: Callable[[Context, UnitOfWork, P], None]) -> JobSpec[P]:
        return JobSpec(kind, payload, handler)

    return declare


def free_job(
    kind: JobKind,
    *,
    payload: type[P],
    read_ahead: Callable[[Context, UnitOfWork, Job, P], object] | None = None,
) -> Callable[[Callable[[Context, Job, P], None]], FreeJobSpec[P]]:
    """Declare a handler that must hold no database lock while it works (it calls the
    network): it is given the claimed job, opens its own transactions, and completes the job
    itself once the receiver said yes. `read_ahead`, if given, reads what the handler would
    read first, in the transaction that claims the job (read only: it changes nothing)."""
    _declared(kind, payload)

    def declare(handler: Callable[[Context, Job, P], None]) -> FreeJobSpec[P]:
        return FreeJobSpec(kind, payload, handler, read_ahead)

    return declare
