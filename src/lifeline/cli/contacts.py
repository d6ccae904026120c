"""`lifeline registry contacts import FILE.csv` (contacts without YAML) and `lifeline drill`
(a marked test alert through the real path, timed)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from lifeline.cli.common import JsonOpt, app, cli_actor, emit, err, fail, load_app, out
from lifeline.cli.locate import registry_app
from lifeline.domain.errors import DomainError
from lifeline.domain.registry import RegistryError

contacts_app = typer.Typer(
    help="Units' contacts from a spreadsheet (CSV: unit_id,name,role,channel).",
    no_args_is_help=True,
)
registry_app.add_typer(contacts_app, name="contacts")


def _read(path: Path) -> str:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError(
            [f"{path}: not UTF-8 (byte {exc.start}); save it as CSV UTF-8"]
        ) from None
    except OSError as exc:
        raise RegistryError([f"{path}: cannot read ({exc.strerror or exc})"]) from None


@contacts_app.command("import")
def contacts_import(
    file: Annotated[Path, typer.Argument(help="CSV with the header unit_id,name,role,channel.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and count; change nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace the contacts of the units the file names (other units keep theirs): one row per
    channel, rows with the same unit_id and name give one contact its channels in order. All
    or nothing: a file with any fault changes nothing and each fault names its line."""
    from lifeline.services.location.contacts import import_contacts  # noqa: PLC0415 (the application, see load_app)

    lifeline = load_app()
    try:
        done = import_contacts(
            lifeline.ctx, cli_actor(), _read(file), source=str(file), dry_run=dry_run
        )
    except RegistryError as exc:
        if not as_json:
            err.print(f"[red]{len(exc.problems)} problem(s); nothing was changed:[/red]")
            for p in exc.problems:
                err.print(escape(f"  - {p}"))
        raise fail(exc, as_json) from None
    if as_json:
        emit(
            {
                "dry_run": done.dry_run,
                "units": done.units,
                "contacts": done.contacts,
                "channels": done.channels,
                "version": done.version,
            }
        )
        return
    counts = f"{done.units} unit(s), {done.contacts} contact(s), {done.channels} channel(s)"
    if done.dry_run:
        out.print(f"valid: would replace the contacts of {counts} (dry run: nothing changed)")
    else:
        out.print(f"registry {done.version} in force: contacts of {counts} replaced")


@app.command("drill")
def drill(
    unit: Annotated[
        str | None,
        typer.Option(help="Registry unit id to drill (default: the SMC, up-smc)."),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(help="Also wait this many seconds for the acknowledgement (0: don't)."),
    ] = 0.0,
    deliver_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the first message to be delivered.")
    ] = 60.0,
    as_json: JsonOpt = False,
) -> None:
    """Send a marked test alert (DRILL / अभ्यास) through the real path to one unit and time it:
    intake, routing, dispatch and the messages a running worker (`lifeline serve` or `lifeline
    worker`) sends, with their acknowledgement link. The case is flagged drill (left out of
    reports) and can be closed like any other."""
    from lifeline.services.dispatch.drill import drill_progress, start_drill  # noqa: PLC0415 (the application, see load_app)

    lifeline = load_app()
    try:
        started = start_drill(lifeline.ctx, cli_actor(), unit)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if not as_json:
        out.print(
            f"drill case {started.case_id} sent to {escape(started.unit_name)} "
            f"({started.unit_id}); waiting for delivery (a worker must be running)..."
        )
    progress = drill_progress(lifeline.ctx, started)
    deadline = time.monotonic() + max(0.0, deliver_timeout)
    while progress.delivered_after is None and time.monotonic() < deadline:
        time.sleep(0.2)
        progress = drill_progress(lifeline.ctx, started)
    if progress.delivered_after is not None and wait > 0:
        if not as_json:
            out.print(f"delivered; waiting up to {wait:g} s for the acknowledgement...")
        deadline = time.monotonic() + wait
        while progress.acknowledged_after is None and time.monotonic() < deadline:
            time.sleep(0.5)
            progress = drill_progress(lifeline.ctx, started)
    report = {
        "case_id": started.case_id,
        "unit": started.unit_id,
        "delivered_seconds": progress.delivered_after,
        "acknowledged_seconds": progress.acknowledged_after,
        "notifications": list(progress.states),
        "problems": list(progress.details),
    }
    if as_json:
        emit(report)
    else:
        _print(report, wait)
    if progress.delivered_after is None:
        raise typer.Exit(1)


def _print(report: dict[str, Any], wait: float) -> None:
    delivered, acked = report["delivered_seconds"], report["acknowledged_seconds"]
    if isinstance(delivered, float):
        out.print(f"[green]delivered[/green] after {delivered:.2f} s")
    else:
        err.print(f"[red]not delivered[/red]: {', '.join(report['problems']) or '-'}")
        err.print("  is a worker running? (`lifeline serve` runs one; or `lifeline worker`)")
    if isinstance(acked, float):
        out.print(f"[green]acknowledged[/green] after {acked:.2f} s")
    elif wait > 0 and isinstance(delivered, float):
        out.print(f"[yellow]not acknowledged within {wait:g} s[/yellow]")
    out.print(f"close it: lifeline cases outcome {report['case_id']} false_alarm --reason drill "
              f"; lifeline cases close {report['case_id']}")  # fmt: skip
