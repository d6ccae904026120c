"""Checks of the database: reachable and at head, who migrates, workers on SQLite, demo data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from lifeline.doctor.base import Run

#: references of the alerts `lifeline demo seed` creates (src/lifeline/demo.py)
DEMO_REFERENCE = "%-DEMO-%"
DEMO_PARTNER = "Demo Platform"


def database(run: Run) -> None:
    from lifeline.adapters.db import migrate  # noqa: PLC0415 (alembic)
    from lifeline.adapters.db.engine import make_engine  # noqa: PLC0415

    url = make_url(run.settings.database_url)
    shown = url.render_as_string(hide_password=True)
    setting = "LIFELINE_DATABASE_URL"
    sqlite_file = url.database if url.get_backend_name() == "sqlite" else None
    # make_engine would create a missing file: doctor creates nothing
    if sqlite_file and sqlite_file != ":memory:" and not Path(sqlite_file).exists():
        run.add(
            "database",
            run.bad,
            f"no database file at {url.database}",
            "run `lifeline db upgrade`",
            setting,
        )
        return
    run.engine = engine = make_engine(run.settings.database_url)
    try:
        current = migrate.current(engine)
    except Exception as exc:
        run.add(
            "database",
            "fail",
            f"cannot reach {shown}: {type(exc).__name__}",
            f"check {setting}, that the server runs and that the role may log in",
            setting,
        )
        return
    head = migrate.head()
    if current != head:
        run.add(
            "database",
            run.bad,
            f"{shown} is at revision {current or 'none'}, not {head}",
            "run `lifeline db upgrade` (in production serve never migrates)",
            setting,
        )
        return
    run.db_ready = True
    run.add("database", "ok", f"{shown} reachable, at revision {head}", setting=setting)


def migration_url(run: Run) -> None:
    s = run.settings
    setting = "LIFELINE_MIGRATION_DATABASE_URL"
    sqlite = make_url(s.database_url).get_backend_name() == "sqlite"
    if s.migration_database_url is not None:
        run.add("migration_url", "ok", "`db upgrade` uses LIFELINE_MIGRATION_DATABASE_URL")
    elif run.production and not sqlite:
        run.add(
            "migration_url",
            "warn",
            "`db upgrade` uses LIFELINE_DATABASE_URL: the role serving requests owns the schema",
            f"set {setting} to a role that owns the schema and give the app's role only "
            "SELECT, INSERT, UPDATE, DELETE (docs/operations.md)",
            setting,
        )
    else:
        run.add("migration_url", "ok", "`db upgrade` uses LIFELINE_DATABASE_URL")


def workers(run: Run) -> None:
    sqlite = make_url(run.settings.database_url).get_backend_name() == "sqlite"
    if sqlite and run.separate_workers:
        run.add(
            "workers",
            run.bad,
            "SQLite with separate worker processes: writers queue on one file lock",
            "use PostgreSQL (LIFELINE_DATABASE_URL) for separate workers, or on SQLite run "
            "only `lifeline serve` with its embedded worker (LIFELINE_WORKERS=embedded)",
            "LIFELINE_WORKERS",
        )
    else:
        where = "separate processes" if run.separate_workers else "inside `lifeline serve`"
        run.add("workers", "ok", f"jobs run {where}", setting="LIFELINE_WORKERS")


def demo_data(run: Run) -> None:
    from lifeline.adapters.db.tables import core  # noqa: PLC0415

    creds = run.settings.data_key_file.parent / "demo-credentials.json"
    found = [f"{creds}"] if creds.exists() else []
    if run.db_ready and run.engine is not None:
        with run.engine.connect() as conn:
            partners = conn.execute(
                select(core.partners.c.key_id).where(core.partners.c.name == DEMO_PARTNER)
            ).all()
            alerts = conn.execute(
                select(core.alerts.c.id).where(core.alerts.c.reference.like(DEMO_REFERENCE))
            ).all()
        if partners:
            found.append(f"partner {DEMO_PARTNER!r} ({partners[0][0]})")
        if alerts:
            found.append(f"{len(alerts)} demo alerts")
    if found:
        run.add(
            "demo_data",
            run.bad,
            "demo data present (`lifeline demo seed`): " + "; ".join(found),
            "use a fresh database and key folder for production, without `demo seed` "
            "(the demo admin's password and partner secret are in the credentials file)",
            "LIFELINE_DATABASE_URL",
        )
    else:
        run.add("demo_data", "ok", "no demo data")
