"""`lifeline retention run`, `cases hold|unhold`, `subjects erase` (docs/data-protection.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from lifeline.cli.common import JsonOpt, app, cases_app, cli_actor, emit, fail, load_app, out
from lifeline.domain.errors import DomainError
from lifeline.domain.retention import PurgeCounts
from lifeline.services.retention import erasure, purge

retention_app = typer.Typer(
    help="Retention: purge personal data past its time.", no_args_is_help=True
)
subjects_app = typer.Typer(help="The people cases are about.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")
app.add_typer(subjects_app, name="subjects")

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would go; change nothing.")]


def _print_counts(counts: PurgeCounts, verb: str) -> None:
    data = counts.as_dict()
    cases = data["cases"]
    assert isinstance(cases, dict)
    out.print(f"{verb} {counts.total()} field value(s)/row(s)")
    for policy, per in counts.fields.items():
        ids = cases.get(policy, [])
        out.print(f"  {policy}: {len(ids)} case(s) {ids[:20]}{' …' if len(ids) > 20 else ''}")
        for column, n in sorted(per.items()):
            out.print(f"    {column}: {n}")
    if counts.held:
        out.print(f"  kept under legal hold: case(s) {sorted(counts.held)}")


@retention_app.command("run")
def retention_run(dry_run: DryRunOpt = False, as_json: JsonOpt = False) -> None:
    """Erase the personal data the LIFELINE_RETENTION_*_DAYS settings say has been kept long
    enough (the daily `retention_purge` job does the same); reports keep their figures."""
    lifeline = load_app()
    counts = purge.run(lifeline.ctx, lifeline.clock.now(), dry_run=dry_run, actor=cli_actor())
    if as_json:
        emit({"dry_run": dry_run, **counts.as_dict()})
    else:
        _print_counts(counts, "would erase" if dry_run else "erased")


@cases_app.command("hold")
def cases_hold(
    case_id: int,
    reason: Annotated[str, typer.Option(help="Why (the order or inquiry's reference).")],
    as_json: JsonOpt = False,
) -> None:
    """Put a case under legal hold: no purge touches it until `cases unhold`."""
    try:
        hold = erasure.hold_case(load_app().ctx, case_id, reason, cli_actor())
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit({"case_id": case_id, "reason": hold.reason, "by": hold.by, "at": hold.at.isoformat()})
    else:
        out.print(f"case {case_id} is under legal hold: {hold.reason}")


@cases_app.command("unhold")
def cases_unhold(
    case_id: int,
    reason: Annotated[str | None, typer.Option(help="Why (goes in the audit entry).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lift a case's legal hold (the next purge applies the retention periods)."""
    try:
        erasure.unhold_case(load_app().ctx, case_id, cli_actor(), reason)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    emit({"case_id": case_id, "legal_hold": None}) if as_json else out.print(
        f"case {case_id}: legal hold lifted"
    )


@subjects_app.command("erase")
def subjects_erase(
    phone: Annotated[str | None, typer.Option(help="Phone number (any format).")] = None,
    handle: Annotated[str | None, typer.Option(help="Platform handle, with or without @.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Also erase cases still open (needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why an open case is erased.")] = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Erase one person's data on request, found by keyed hash of the phone or handle: every
    case about them (refused for a case under legal hold; for an open case unless --force
    --reason) and their monitoring window. Audited with counts."""
    if force and not (reason and reason.strip()):
        raise fail(DomainError("--force needs --reason TEXT (it goes in the audit log)"), as_json)
    try:
        result = erasure.erase_person(
            load_app().ctx,
            phone=phone,
            handle=handle,
            actor=cli_actor(),
            dry_run=dry_run,
            force_reason=reason if force else None,
        )
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit(result.as_dict())
        return
    out.print(f"{len(result.case_ids)} case(s) about this person: {sorted(result.case_ids)}")
    _print_counts(result.counts, "would erase" if dry_run else "erased")
