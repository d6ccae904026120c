"""How a job handler is declared: `@job(JobKind.X, payload=P)` above a function taking the
typed payload. The worker's table (`services/jobs.py`) runs a declared handler with `run`, which
parses the stored payload once (`BadJobPayload` if it does not fit) and hands it over.

    @job(JobKind.ASSESS_RISK, payload=AlertJob)
    def assess_risk(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None: ...

A handler declared with `@job` runs in the transaction that completes its job; one declared with
`@free_job` calls the network, holds no transaction, and completes its job itself.
"""

from __future__ import annotations

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

    def __call__(self, ctx: Context, job: Job, payload: P) -> None:
        self.handler(ctx, job, payload)

    def run(self, ctx: Context, job: Job) -> None:
        self.handler(ctx, job, parse_payload(self.kind, job.id, self.payload, job.payload))


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
    kind: JobKind, *, payload: type[P]
) -> Callable[[Callable[[Context, Job, P], None]], FreeJobSpec[P]]:
    """Declare a handler that must hold no database lock while it works (it calls the
    network): it is given the claimed job, opens its own transactions, and completes the job
    itself once the receiver said yes."""
    _declared(kind, payload)

    def declare(handler: Callable[[Context, Job, P], None]) -> FreeJobSpec[P]:
        return FreeJobSpec(kind, payload, handler)

    return declare
