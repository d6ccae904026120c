"""The job worker: claims due jobs from the database and runs them.

Each job's handler runs in the same transaction that marks the job done; a failure rolls that
back, reschedules the job with backoff and writes the failure on the case timeline; after the
last attempt the job is kept as `failed` and the SMC sees it (timeline, /metrics, `lifeline jobs
list --failed`). Nothing is dropped silently.

A claimed job is leased (`LIFELINE_JOB_LEASE_SECONDS`); while `run` loops, a heartbeat thread
renews the lease of every job the worker holds, in one statement every quarter lease, so a job
may run longer than the lease while a worker that died (SIGKILL, power cut) leaves its jobs to
be taken over within about one lease. A renewal that finds a job taken over (its claim token
changed) logs it; the run in hand then cannot complete it (`LeaseLost`) and its effects roll
back. Renewal has a limit (`LIFELINE_JOB_MAX_RUN_SECONDS`, lifeline.held_jobs): a job held
longer than that is logged `job.overran` and taken over like a dead worker's.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

import structlog

from lifeline.bootstrap import Lifeline
from lifeline.domain.errors import DomainError
from lifeline.domain.partner_limits import WINDOW
from lifeline.held_jobs import HeldJobs
from lifeline.job_failures import record_failure
from lifeline.process import freeze_heap
from lifeline.services.access.audit import CheckpointResult, write_checkpoint
from lifeline.services.job_spec import READ_AHEAD_KEY, FreeJobHandler, JobHandler
from lifeline.services.job_types import PermanentJobError
from lifeline.services.jobs import DEFAULT_HANDLERS, FREE_HANDLERS, READ_AHEAD
from lifeline.services.ports import Job, LeaseLost, UnitOfWork

log = structlog.get_logger("lifeline.worker")

#: the longest interval between heartbeats (a short lease beats more often: a quarter of it)
HEARTBEAT_EVERY = 5.0
HOUSEKEEPING_EVERY = 60.0
#: the longest a worker told of new jobs by notifications (PostgreSQL) sleeps without looking:
#: a timer another worker set while busy, or a lease running out, is found by then
IDLE_MAX_SECONDS = 1.0


class Worker:
    def __init__(
        self,
        app: Lifeline,
        *,
        handlers: Mapping[str, JobHandler] | None = None,
        free_handlers: Mapping[str, FreeJobHandler] | None = None,
        worker_id: str | None = None,
        long_running: bool = False,
    ) -> None:
        self.app = app
        #: the context jobs run with (commits that need not wait for the disk: a lost one is
        #: redone, bootstrap.Lifeline.worker_context)
        self.ctx = app.worker_context()
        #: a server or worker process (not a test): freeze the heap once warmed up
        self.long_running = long_running
        self.handlers = dict(handlers or DEFAULT_HANDLERS)
        self.free_handlers = dict(FREE_HANDLERS if free_handlers is None else free_handlers)
        #: free jobs read ahead for in the transaction that claims them (the default handlers')
        self.read_aheads = {k: v for k, v in READ_AHEAD.items() if k in self.free_handlers}
        if free_handlers is not None:
            self.read_aheads = {
                k: v for k, v in self.read_aheads.items() if free_handlers[k] is FREE_HANDLERS[k]
            }
        #: while `run` loops, messages go out on their own threads: a slow or dead endpoint
        #: must not hold up the escalation timers and triage of other cases behind it
        #: (`run_once` alone, as tests and benchmarks call it, sends inline)
        self.senders: ThreadPoolExecutor | None = None
        self._queued: dict[Future[list[Job]], Job] = {}
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.started_at = app.clock.now()
        self._last_housekeeping = 0.0
        self._last_checkpoint_try = 0.0
        self.lease = timedelta(seconds=app.settings.job_lease_seconds)
        #: at most this many transactional jobs of a batch run in one transaction, a savepoint
        #: each: a BEGIN, a COMMIT and the reads every transaction repeats (the audit chain's
        #: head, the registry in force) saved per job, against the SQLite write lock held for
        #: all of them and the first job's messages waiting for the last one's COMMIT
        self.run_together = app.settings.worker_run_together
        #: how often `run` renews its jobs' leases and marks the worker alive
        self.heartbeat_every = min(HEARTBEAT_EVERY, self.lease.total_seconds() / 4)
        #: the jobs this worker holds (claimed, not yet finished or given back), renewed by
        #: its heartbeat up to the run limit
        self._held = HeldJobs(timedelta(seconds=app.settings.job_max_run_seconds))

    def _hold(self, jobs: list[Job]) -> None:
        self._held.hold(jobs, self.app.clock.now())

    def _drop(self, jobs: list[Job]) -> None:
        self._held.drop(jobs)

    def held(self) -> set[int]:
        """Ids of the jobs this worker holds now."""
        return self._held.ids()

    def beat(self) -> set[int]:
        """Mark the worker alive and renew the lease of every job it holds, in one
        transaction; returns the ids of held jobs found no longer its own (taken over by
        another worker after this one missed its renewals), which it stops renewing. A job
        held past the run limit is not renewed and is dropped (logged `job.overran`): its
        lease runs out and another worker takes it over; this one's late completion is refused."""
        now = self.app.clock.now()
        overran = self._held.take_overran(now)
        held = self._held.tokens()
        for kind in overran.values():
            self.app.metrics.jobs_run.labels(kind, "overran").inc()
        if overran:
            log.error(
                "job.overran",
                job_ids=sorted(overran),
                worker_id=self.id,
                max_run_seconds=self._held.max_run.total_seconds(),
            )
        tokens = {t for t in held.values() if t is not None}
        with self.ctx.uow() as uow:
            uow.jobs.heartbeat(self.id, self.started_at, now)
            renewed = uow.jobs.renew(tokens, now + self.lease) if tokens else set()
            uow.commit()
        lost = self._held.lose(held, renewed)
        if lost:
            log.warning("job.lease_lost", job_ids=sorted(lost), worker_id=self.id)
        return lost

    def _heartbeat(self, done: threading.Event) -> None:
        """The heartbeat thread of `run`: beats until `done` is set."""
        while not done.wait(self.heartbeat_every):
            try:
                self.beat()
            except Exception:  # database away: the next beat tries again; the lease tells
                log.exception("worker.heartbeat_failed")

    def housekeeping(self) -> None:
        """Forget partner signatures older than twice the signature window: a replay of one
        would be refused as stale anyway."""
        now = self.app.clock.now()
        # kept a minute at least: the monitoring stream's requests limit counts them
        cutoff = now - max(2 * self.ctx.config.signature_window, WINDOW)
        with self.ctx.uow() as uow:
            dropped = uow.signatures.forget_before(cutoff)
            uow.commit()
        self._last_housekeeping = now.timestamp()
        if dropped:
            log.info("worker.housekeeping", signatures_forgotten=dropped)

    def checkpoint_audit(self) -> CheckpointResult | None:
        """Try to write the deployment's audit checkpoint (`services.audit.write_checkpoint`
        decides: one writer, only when due and the log grew). Tried a few times per interval,
        so a checkpoint follows the interval within a quarter of it, whichever worker writes.
        None when not time to try."""
        interval = self.app.settings.audit_checkpoint_seconds
        now = self.app.clock.now().timestamp()
        if interval <= 0 or now - self._last_checkpoint_try < min(interval / 4, 60.0):
            return None
        self._last_checkpoint_try = now
        try:
            # The durable context: the commit that records the checkpoint must also make the
            # audit rows it covers durable (write_checkpoint's docstring).
            result = write_checkpoint(self.app.ctx)
        except Exception:  # anchor file unwritable, database away: never hold up the jobs
            log.exception("audit.checkpoint_failed")
            return None
        if result.written is not None:
            log.info("audit.checkpoint", rows=result.written.rows, at=result.written.at)
        return result

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim one batch of due jobs and run them; returns how many were claimed. A job run
        in its completing transaction also claims, in that transaction, the jobs due then (the
        messages it just queued, say), up to the batch in all: no transaction of its own for
        the next claim, and the messages go out at once. When `stop` is set mid-batch, the job
        in hand is finished and the rest given back."""
        ctx = self.ctx
        batch = self.app.settings.worker_batch
        with ctx.uow() as uow:
            jobs = uow.jobs.claim(ctx.clock.now(), self.lease, batch)
            self._read_ahead(uow, jobs)
            uow.commit()
        self._hold(jobs)
        backlog: list[Job] = []
        queue_limit = 4 * self.app.settings.notify_threads
        n = 0
        try:
            while n < len(jobs):
                job = jobs[n]
                if stop is not None and stop.is_set():
                    self._release(jobs[n:] + backlog)
                    return len(jobs)
                n += 1
                if job.kind in self.free_handlers and self.senders is not None:
                    # a bounded queue: a job waiting longer than its lease would be claimed twice
                    if sum(not f.done() for f in self._queued) >= queue_limit:
                        backlog.append(job)
                    else:
                        self._queued[self.senders.submit(self._run, job)] = job
                else:
                    room = 0 if stop is not None and stop.is_set() else batch - len(jobs)
                    group = [job]
                    if self._transactional(job):
                        # the next transactional jobs of the batch join it (free ones, which
                        # hold no transaction, keep their order after it)
                        later = [j for j in jobs[n:] if self._transactional(j)]
                        group += later[: self.run_together - 1]
                        taken = {id(j) for j in group}
                        jobs[n:] = [j for j in jobs[n:] if id(j) not in taken]
                        jobs[n:n] = group[1:]
                        n += len(group) - 1
                    if len(group) == 1:
                        jobs.extend(self._run(job, claim_next=room))
                    else:
                        jobs.extend(self._run_together(group, claim_next=room))
        except BaseException:
            # The batch was cut short (the database went away and even the failure could not be
            # recorded): the jobs not run are no longer this worker's to renew, or its heartbeat
            # would keep them leased, unrun, for as long as it lives (seen in the soak: two
            # escalation steps 7 minutes late after a PostgreSQL restart). Given back if the
            # database answers, else their leases run out and any worker claims them.
            left = jobs[n:] + backlog
            self._drop(left)
            with contextlib.suppress(Exception):
                self._release(left)
            raise
        if backlog:
            self._release(backlog)
        return len(jobs) - len(backlog)

    def _read_ahead(self, uow: UnitOfWork, claimed: list[Job]) -> None:
        """In the transaction that claimed them, read for the free jobs that declare it what
        they would read first (`free_job(read_ahead=...)`: the messages a send job sends), so
        they need no read transaction of their own. Kept with the job, used only if it runs
        soon (`read_ahead_for`). A read that fails is left to the job, which reads again and
        records its own failure; it never fails the claim (a database error, which would, is
        the transaction's anyway)."""
        for job in claimed:
            read = self.read_aheads.get(job.kind)
            if read is None:
                continue
            try:
                answer = read(self.ctx, uow, job)
            except Exception:
                log.exception("job.read_ahead_failed", job_id=job.id, kind=job.kind)
                continue
            if answer is not None:
                job.extra[READ_AHEAD_KEY] = (time.monotonic(), answer)

    def _release(self, jobs: list[Job]) -> None:
        with self.ctx.uow() as uow:
            uow.jobs.release(jobs, self.app.clock.now())
            uow.commit()
        self._drop(jobs)
        log.info("worker.released", jobs=[j.id for j in jobs])

    def _stop_senders(self) -> None:
        """Finish the messages being sent; give back those not started."""
        assert self.senders is not None
        waiting = [job for future, job in list(self._queued.items()) if future.cancel()]
        self.senders.shutdown(wait=True)
        self.senders = None
        if waiting:
            self._release(waiting)
        self._queued.clear()

    def _transactional(self, job: Job) -> bool:
        return job.kind in self.handlers and job.kind not in self.free_handlers

    def _run_together(self, group: list[Job], claim_next: int = 0) -> list[Job]:
        """Run transactional jobs in one transaction, each in a savepoint of its own: a job that
        fails rolls back only its own work and is recorded (retried, split) as if it had run
        alone. The transaction completes them and claims up to `claim_next` due jobs."""
        try:
            return self._run_together_held(group, claim_next)
        finally:
            self._drop(group)

    def _run_together_held(self, group: list[Job], claim_next: int) -> list[Job]:
        ctx = self.ctx
        done: list[tuple[Job, datetime]] = []
        failed: list[tuple[Job, Exception]] = []
        claimed: list[Job] = []
        try:
            with ctx.uow() as uow:
                for job in group:
                    started = ctx.clock.now()
                    self.app.metrics.job_pickup_seconds.observe(
                        max(0.0, (started - job.run_at).total_seconds())
                    )
                    try:
                        with uow.savepoint():
                            self.handlers[job.kind](ctx, uow, job)
                            uow.jobs.complete(job, ctx.clock.now())
                    except Exception as exc:  # recorded below, once the others are committed
                        failed.append((job, exc))
                    else:
                        done.append((job, started))
                if claim_next > 0:
                    claimed = uow.jobs.claim(ctx.clock.now(), self.lease, claim_next)
                    self._read_ahead(uow, claimed)
                uow.commit()
        except Exception:
            # The transaction itself failed (its COMMIT, the database gone): nothing of it was
            # kept. Each job runs alone, as it would have, its failure recorded there.
            log.warning("job.together_failed", job_ids=[j.id for j in group], exc_info=True)
            again: list[Job] = []
            for job in group:
                again.extend(self._run_held(job, 0))
            return again
        self._hold(claimed)
        for job, error in failed:
            self._failed(job, error)
        for job, started in done:
            self._done(job, started, together=len(group))
        return claimed

    def _failed(self, job: Job, exc: Exception) -> None:
        """A run that raised: a lease lost is another worker's job now (counted, logged);
        anything else is recorded (retried, split or failed for good)."""
        if isinstance(exc, LeaseLost):  # another worker took the job over
            self.app.metrics.jobs_run.labels(job.kind, "lease_lost").inc()
            log.warning("job.lease_lost", job_id=job.id, kind=job.kind, case_id=job.case_id)
        else:
            self._record_failure(job, exc, isinstance(exc, PermanentJobError | DomainError))

    def _done(self, job: Job, started: datetime, **extra: int) -> None:
        self.app.metrics.jobs_run.labels(job.kind, "done").inc()
        log.info(
            "job.done",
            job_id=job.id,
            kind=job.kind,
            case_id=job.case_id,
            attempt=job.attempts,
            ms=round((self.ctx.clock.now() - started).total_seconds() * 1000, 1),
            **extra,
        )

    def _run(self, job: Job, claim_next: int = 0) -> list[Job]:
        """Run one job; a transactional one claims up to `claim_next` due jobs in the
        transaction that completes it (returned: claimed once that transaction committed)."""
        try:
            return self._run_held(job, claim_next)
        finally:
            self._drop([job])

    def _run_held(self, job: Job, claim_next: int) -> list[Job]:
        ctx = self.ctx
        claimed: list[Job] = []
        started = ctx.clock.now()
        self.app.metrics.job_pickup_seconds.observe(
            max(0.0, (started - job.run_at).total_seconds())
        )
        handler = self.handlers.get(job.kind)
        free = self.free_handlers.get(job.kind)
        try:
            if free is not None:
                free(ctx, job)  # completes its job in its own transaction
            elif handler is None:
                raise PermanentJobError(f"no handler for job kind {job.kind!r}")
            else:
                with ctx.uow() as uow:
                    handler(ctx, uow, job)
                    now = ctx.clock.now()
                    uow.jobs.complete(job, now)
                    if claim_next > 0:
                        claimed = uow.jobs.claim(now, self.lease, claim_next)
                        self._read_ahead(uow, claimed)
                    uow.commit()
                self._hold(claimed)
        except Exception as exc:  # every failure is recorded (or is another's job), none swallowed
            self._failed(job, exc)
            return []
        self._done(job, started)
        return claimed

    def _record_failure(self, job: Job, exc: Exception, permanent: bool) -> None:
        record_failure(self.ctx, self.app.metrics, job, exc, permanent)

    def run(self, stop: threading.Event) -> None:
        """Run until `stop` is set; the job in hand is finished before returning."""
        log.info("worker.started", worker_id=self.id)
        started = time.perf_counter()
        with contextlib.suppress(Exception):  # database away: the heartbeat reports it
            self.beat()  # healthy while warming up
        beating = threading.Event()
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(beating,), name="lifeline-heartbeat", daemon=True
        )
        heartbeat.start()
        try:
            self.app.schedule_retention()
        except Exception:  # database away: the next start (or `db upgrade`) schedules it
            log.exception("worker.retention_not_scheduled")
        self.app.warm_up()
        if self.long_running:
            freeze_heap()  # the resolver's indexes and the model: kept out of full collections
        log.info("worker.warmed_up", seconds=round(time.perf_counter() - started, 2))
        poll = self.app.settings.worker_poll_seconds
        self.senders = ThreadPoolExecutor(
            max_workers=self.app.settings.notify_threads, thread_name_prefix="lifeline-send"
        )
        # Between claims the worker reads when the next job is due and claims only when one is:
        # an empty claim costs several times more (SqlDueProbe). Told that jobs were queued
        # (jobs_ready: by this process, or on PostgreSQL by any, LISTEN), it claims at once;
        # listening, it sleeps until the next job is due instead of polling.
        probe = self.app.job_due_probe()
        listener = self.app.job_listener()
        stop_listening = threading.Event()
        if listener is not None:
            threading.Thread(
                target=listener.run,
                args=(self.app.jobs_ready.wake, stop_listening),
                name="lifeline-listen",
                daemon=True,
            ).start()
        look_first = False  # at the start, and when told of jobs: claim at once
        while not stop.is_set():
            next_at: datetime | None = None
            probed = False
            try:
                now = self.app.clock.now().timestamp()
                if now - self._last_housekeeping >= HOUSEKEEPING_EVERY:
                    self.housekeeping()
                self.checkpoint_audit()
                due = True
                if look_first and probe is not None:
                    next_at, probed = probe.next_due(), True
                    due = next_at is not None and next_at <= self.app.clock.now()
                claimed = 0
                if due:
                    claimed = self.run_once(stop)
                    self._queued = {f: j for f, j in self._queued.items() if not f.done()}
            except Exception:  # database away: log, back off, keep going
                log.exception("worker.loop_error")
                look_first = False
                stop.wait(1.0)
                continue
            look_first = True
            if claimed == 0:
                wait = poll
                if listener is not None and listener.listening and probed and not due:
                    # nothing due: until the next job is (a job due that another worker's claim
                    # took meanwhile is waited for as long as a poll)
                    wait = IDLE_MAX_SECONDS
                    if next_at is not None:
                        left = (next_at - self.app.clock.now()).total_seconds()
                        wait = min(max(left, 0.0), IDLE_MAX_SECONDS)
                if self.app.jobs_ready.wait(wait):
                    look_first = False
            self.app.jobs_ready.clear()
        stop_listening.set()
        if probe is not None:
            probe.close()
        self._stop_senders()
        beating.set()  # after the messages in hand: their leases are renewed to the end
        heartbeat.join(timeout=10)
        log.info("worker.stopped", worker_id=self.id)
