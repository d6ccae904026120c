"""The check that the daily retention purge is scheduled and has run (docs/data-protection.md).

A warning, never a refusal, even in production: the worker that a refusal would stop is what
schedules and runs the purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from lifeline.doctor.base import Run

#: the purge runs daily; two days without a run means no worker has been running it
STALE = timedelta(days=2)


def retention(run: Run, now: datetime | None = None) -> None:
    from lifeline.adapters.db.tables import jobs, retention_runs  # noqa: PLC0415 (SQLAlchemy tables)

    if not run.db_ready or run.engine is None:
        return  # the database check already said why
    now = now or datetime.now(UTC)
    with run.engine.connect() as conn:
        pending = conn.execute(
            select(func.min(jobs.c.created_at)).where(
                jobs.c.kind == "retention_purge", jobs.c.status.in_(("pending", "running"))
            )
        ).scalar()
        last = conn.execute(select(func.max(retention_runs.c.at))).scalar()
    fix = "run `lifeline db upgrade` (it schedules the purge) and keep a worker running"
    setting = "LIFELINE_RETENTION_CLOSED_DAYS"
    if pending is None:
        run.add("retention", "warn", "the daily retention purge is not scheduled", fix, setting)
    elif last is not None and now - last <= STALE:
        run.add("retention", "ok", f"purge scheduled; last ran {last.isoformat()}", setting=setting)
    elif last is None and now - pending <= STALE:
        run.add("retention", "ok", "purge scheduled; not run yet (new install)", setting=setting)
    else:
        when = "never" if last is None else f"last at {last.isoformat()}"
        run.add(
            "retention", "warn", f"the retention purge has not run in 2 days ({when})", fix, setting
        )
