"""Commit durability on both databases: intake and staff actions wait for the disk; the
worker's jobs need not (a job undone by a power cut is run again), unless configured to."""

from __future__ import annotations

from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.services.ports import UnitOfWork
from lifeline.settings import Settings
from lifeline.worker import Worker
from support import FakeClock, RecordingSink

SQLITE_LEVELS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def level(uow: UnitOfWork) -> str:
    """How long this transaction's commit waits for the disk, as the database reports it."""
    conn = uow.conn  # type: ignore[attr-defined]
    if conn.dialect.name == "postgresql":
        return str(conn.exec_driver_sql("SHOW synchronous_commit").scalar())
    return SQLITE_LEVELS[int(conn.exec_driver_sql("PRAGMA synchronous").scalar())]


def app_with(settings: Settings, clock: FakeClock, **changes: object) -> Lifeline:
    app = bootstrap(
        settings.model_copy(update={"sqlite_synchronous": "FULL", **changes}),
        clock=clock,
        events=RecordingSink(),
    )
    app.upgrade_db()
    return app


def test_jobs_commit_without_waiting_for_the_disk_and_requests_still_wait(
    settings: Settings, clock: FakeClock
) -> None:
    app = app_with(settings, clock)
    jobs_ctx = Worker(app).ctx
    try:
        seen = []
        for ctx in (app.ctx, jobs_ctx, app.ctx, jobs_ctx):
            with ctx.uow() as uow:
                seen.append(level(uow))
                uow.jobs.enqueue("noop", {}, now=clock.now())
                uow.commit()
        sqlite = app.engine.dialect.name == "sqlite"
        durable, relaxed = ("FULL", "NORMAL") if sqlite else ("on", "off")
        assert seen == [durable, relaxed, durable, relaxed]
        assert app.job_stats().pending == 4  # every commit kept, relaxed or not
    finally:
        app.dispose()


def test_durable_job_commits_can_be_asked_for(settings: Settings, clock: FakeClock) -> None:
    app = app_with(settings, clock, worker_durable_commits=True)
    try:
        with Worker(app).ctx.uow() as uow:
            assert level(uow) in ("FULL", "on")
    finally:
        app.dispose()
