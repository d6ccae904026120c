"""The check that the job table is kept small: the `prune_jobs` job is scheduled, no done job
is much older than LIFELINE_JOB_KEEP_DONE_SECONDS (else the prune is not running), and the
table is not huge. A warning, never a refusal: the worker that a refusal would stop is what
runs the prune."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifeline.doctor.base import Run

#: rows above which the table is called large (a day at 20 alerts/s leaves about 10 jobs each)
LARGE = 2_000_000


def job_table(run: Run, now: datetime | None = None) -> None:
    from lifeline.adapters.db.job_prune import SqlJobPruneStore  # noqa: PLC0415 (SQLAlchemy)

    if not run.db_ready or run.engine is None:
        return  # the database check already said why
    now = now or datetime.now(UTC)
    keep = run.settings.job_keep
    with run.engine.connect() as conn:
        store = SqlJobPruneStore(conn)
        scheduled = store.prune_scheduled()
        size = store.size()
    setting = "LIFELINE_JOB_KEEP_DONE_SECONDS"
    fix = "run `lifeline db upgrade` (it schedules the prune) and keep a worker running"
    found = (
        f"{size.total} jobs ({', '.join(f'{n} {s}' for s, n in sorted(size.by_status.items()))})"
    )
    overdue = size.oldest_done is not None and now - size.oldest_done > (
        keep.done + 2 * keep.every + timedelta(hours=1)
    )
    if scheduled is None:
        run.add("job_table", "warn", f"the job prune is not scheduled; {found}", fix, setting)
    elif overdue:
        assert size.oldest_done is not None
        run.add(
            "job_table",
            "warn",
            f"the job prune has not run: a done job from {size.oldest_done.isoformat()} is "
            f"still there; {found}",
            fix,
            setting,
        )
    elif size.total > LARGE:
        run.add(
            "job_table",
            "warn",
            f"the job table is large: {found}",
            "lower LIFELINE_JOB_KEEP_DONE_SECONDS or LIFELINE_JOB_KEEP_FAILED_DAYS",
            setting,
        )
    else:
        run.add("job_table", "ok", f"prune scheduled; {found}", setting=setting)
