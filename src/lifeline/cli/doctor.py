"""`lifeline doctor`, and the production profile's refusal to start on a failing check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from lifeline.cli.common import JsonOpt, app, emit, err, out

if TYPE_CHECKING:
    from lifeline.doctor import Check
    from lifeline.settings import Settings

_COLOURS = {"ok": "green", "warn": "yellow", "fail": "red"}


@app.command()
def doctor(as_json: JsonOpt = False) -> None:
    """Check the deployment (public URL, keys, secrets, database, workers, demo data, registry,
    model, fonts, clock): what was found and how to fix it. Exit 1 if a check fails."""
    from lifeline.doctor import failing, run_checks  # noqa: PLC0415 (the application)
    from lifeline.settings import load_settings  # noqa: PLC0415 (see load_app)

    settings = load_settings()
    checks = run_checks(settings)
    bad = failing(checks)
    if as_json:
        emit(
            {
                "env": settings.env,
                "ok": not bad,
                "checks": [c.as_dict() for c in checks],
            }
        )
    else:
        table = Table("check", "status", "found", "fix")
        for c in checks:
            colour = _COLOURS[c.status]
            table.add_row(c.name, f"[{colour}]{c.status}[/{colour}]", c.found, c.fix)
        out.print(table)
        warned = sum(c.status == "warn" for c in checks)
        out.print(f"{len(bad)} failing, {warned} warnings ({settings.env})")
    if bad:
        raise typer.Exit(1)


def refuse_unsafe_start(settings: Settings, *, separate_workers: bool, command: str) -> None:
    """In production, run the doctor's checks and exit 2 naming each failing setting and its
    fix; in development, do nothing (the same findings are `lifeline doctor`'s warnings)."""
    if settings.env != "production":
        return
    from lifeline.doctor import failing, run_checks  # noqa: PLC0415 (the application)

    bad = failing(run_checks(settings, separate_workers=separate_workers))
    if not bad:
        return
    err.print(f"[red]{command} refuses to start (LIFELINE_ENV=production):[/red]")
    for check in bad:
        err.print(_refusal(check), soft_wrap=True)
    err.print("Run `lifeline doctor` for every check.")
    raise typer.Exit(2)


def _refusal(check: Check) -> str:
    setting = f" [{check.setting}]" if check.setting else ""
    return f"  {check.name}{setting}: {check.found}. Fix: {check.fix}"
