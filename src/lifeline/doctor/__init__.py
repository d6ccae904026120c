"""`lifeline doctor` and the production profile's refusals: one list of checks of a deployment.

Each check says what it found and, when it is not ok, the setting to change and how. With
LIFELINE_ENV=production a failing check stops `serve` and `worker` before they start; in
development the same findings are warnings, so a fresh `make run` passes with warnings.

The checks only read: nothing is created (no key file, no database file, no migration), so
running doctor cannot change what it reports on. It lives beside bootstrap, not in services,
because it inspects adapters (the database, key files, the model file, fonts) and settings.
Heavy modules (alembic, the model, matplotlib, apprise) are imported by the check that needs
them, so the CLI stays quick to start.
"""

from __future__ import annotations

from collections.abc import Callable

from lifeline.doctor.base import Check, Run
from lifeline.doctor.config import (
    audit_key,
    clock,
    cookies,
    data_key,
    public_url,
    secrets,
    var_dir,
)
from lifeline.doctor.desk import pdf_font, registry_and_channels, triage_model
from lifeline.doctor.jobs import job_table
from lifeline.doctor.retention import retention
from lifeline.doctor.storage import database, demo_data, migration_url, workers
from lifeline.settings import Settings

__all__ = ["Check", "failing", "run_checks"]


def run_checks(settings: Settings, *, separate_workers: bool | None = None) -> list[Check]:
    """Every check, in order. `separate_workers`: jobs run in other processes than the API
    (`serve --no-worker`, `lifeline worker`); None: as LIFELINE_WORKERS says."""
    run = Run(
        settings,
        settings.workers == "separate" if separate_workers is None else separate_workers,
        [],
    )
    run.add("environment", "ok", f"LIFELINE_ENV={settings.env}", setting="LIFELINE_ENV")
    steps: tuple[Callable[[Run], None], ...] = (
        public_url,
        cookies,
        data_key,
        audit_key,
        secrets,
        var_dir,
        clock,
        database,
        migration_url,
        workers,
        demo_data,
        retention,
        job_table,
        registry_and_channels,
        triage_model,
        pdf_font,
    )
    try:
        for step in steps:
            try:
                step(run)
            except Exception as exc:  # a check that crashes is a failing check, not a traceback
                run.add(step.__name__, "fail", f"the check itself failed: {exc}")
    finally:
        if run.engine is not None:
            run.engine.dispose()
    return run.checks


def failing(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.status == "fail"]
