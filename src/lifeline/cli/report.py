"""`lifeline report` (the programme's numbers, every figure traced to its cases) and
`lifeline state-export` (k-anonymous counts by district and month, for outside the SMC)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from lifeline.cli.common import app, cli_actor, err, fail, load_app
from lifeline.domain.errors import DomainError
from lifeline.services.reports import report as reports

FromOpt = Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD, IST), included.")]
ToOpt = Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD, IST), included.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
]


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    output.write_bytes(data)
    err.print(f"wrote {output} ({len(data)} bytes)")


@app.command("report")
def report(
    first: FromOpt,
    last: ToOpt,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, csv or pdf.")] = "json",
    district: Annotated[
        str | None, typer.Option(help="One district: LGD code or name, or 'unknown'.")
    ] = None,
    output: OutputOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """Alerts by source and platform, outcomes, lives reached, response-time percentiles per
    step and district, false-alarm rate and follow-ups, for cases opened in the period."""
    fmt = fmt.lower()
    try:
        reports.require_format(fmt)
        fmt = "json" if as_json else fmt
        first_day = reports.parse_day(first, "--from")
        last_day = reports.parse_day(last, "--to")
        lifeline = load_app()
        built = reports.build_report(
            lifeline.ctx, cli_actor(), first_day, last_day, district=district
        )
        data = lifeline.report_writer(fmt).write(built)
    except DomainError as exc:
        raise fail(exc, as_json or fmt == "json") from None
    _emit(data, output)


@app.command("state-export")
def state_export(
    first: FromOpt,
    last: ToOpt,
    k: Annotated[
        int | None,
        typer.Option(
            help="Suppress counts below k (default and minimum: LIFELINE_REPORT_MIN_CELL)."
        ),
    ] = None,
    output: OutputOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Errors as JSON.")] = False,
) -> None:
    """CSV of case counts by district and month with small counts suppressed (k-anonymous):
    no ids and no personal data, fit to share outside the SMC."""
    try:
        first_day = reports.parse_day(first, "--from")
        last_day = reports.parse_day(last, "--to")
        lifeline = load_app()
        minimum = lifeline.settings.report_min_cell
        export = reports.export_counts(
            lifeline.ctx, cli_actor(), first_day, last_day, k=k or minimum, min_k=minimum
        )
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _emit(lifeline.state_export_csv(export), output)
