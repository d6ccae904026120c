"""`lifeline dispatch ...`: the routing dry run (who would be notified for a case, and why) and
the operator's confirmation, for scripts and for testing routing rules."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from lifeline.cli.common import JsonOpt, app, cli_actor, emit, fail, load_app, out
from lifeline.domain.dispatch import reach_of
from lifeline.domain.errors import DomainError
from lifeline.services.dispatch.escalations import confirm_dispatch, preview_dispatch
from lifeline.services.dispatch.routing import DispatchPlan
from lifeline.services.dispatch.views import dispatch_panel

dispatch_app = typer.Typer(
    help="Routing and dispatch: who a case goes to, and sending it.", no_args_is_help=True
)
app.add_typer(dispatch_app, name="dispatch")

UnitsOpt = Annotated[
    str | None,
    typer.Option(
        "--units", help="Registry ids, comma-separated, instead of the routing rules' choice."
    ),
]


def _ids(units: str | None) -> list[str]:
    return [u.strip() for u in (units or "").split(",") if u.strip()]


def _print_plan(plan: DispatchPlan) -> None:
    facts = plan.facts
    out.print(
        f"[bold]Case {plan.case_id}[/bold]: source {facts.source}, risk {facts.level or '-'}, "
        f"{'located' if facts.located else 'not located'} "
        f"({facts.state or '?'}, district LGD {facts.district_lgd or '?'}), {facts.hour_ist}h IST"
    )
    mode = "at once" if plan.automatic else "after an operator confirms"
    out.print(f"Sent {mode}: {plan.why}")
    if plan.rules_matched:
        out.print("Rules matched: " + ", ".join(plan.rules_matched))
    table = Table("unit", "kind", "purpose", "rule", "policy", "first contacts")
    for unit in plan.units:
        contacts = ", ".join(unit.contacts) or "[red]none[/red]"
        if unit.contacts_of:
            contacts += f" (of {unit.contacts_of})"
        table.add_row(
            f"{unit.unit_name} ({unit.unit_id})",
            unit.kind,
            unit.purpose,
            unit.rule,
            unit.policy,
            contacts,
        )
    out.print(table)
    for problem in plan.problems:
        out.print(f"[yellow]! {problem}[/yellow]")


@dispatch_app.command("plan")
def dispatch_plan(case_id: int, units: UnitsOpt = None, as_json: JsonOpt = False) -> None:
    """Who would be notified for a case and why: the rule, the escalation policy and the first
    contacts of each unit (a dry run: nothing is sent; the read is audited)."""
    from lifeline.services.dispatch.read_models import DispatchPlanRead  # noqa: PLC0415 (Pydantic, only to print one)

    try:
        plan = preview_dispatch(load_app().ctx, cli_actor(), case_id, _ids(units))
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit(DispatchPlanRead.model_validate(plan).plain())
    else:
        _print_plan(plan)


@dispatch_app.command("confirm")
def dispatch_confirm(case_id: int, units: UnitsOpt = None, as_json: JsonOpt = False) -> None:
    """Send a case to the planned units (or those named) and start their escalations; the
    messages go out when a worker runs (`lifeline worker`, or the one inside `serve`)."""
    from lifeline.services.dispatch.read_models import DispatchRead  # noqa: PLC0415 (Pydantic, only to print one)

    ctx = load_app().ctx
    try:
        case, started = confirm_dispatch(ctx, cli_actor(), case_id, _ids(units))
    except DomainError as exc:
        raise fail(exc, as_json) from None
    queued = dispatch_panel(ctx, cli_actor(), case_id, with_plan=False).notifications
    if as_json:
        emit(
            {
                "id": case.id,
                "status": case.status.value,
                "dispatches": [DispatchRead.of(d, queued).plain() for d in started],
            }
        )
        return
    out.print(f"case {case.id}: {case.status.value}")
    for dispatch in started:
        reach = reach_of(dispatch.id, queued).value.replace("_", " ")
        out.print(
            f"  {dispatch.unit_name} ({dispatch.unit_id}): policy {dispatch.policy.id}, {reach}"
        )
