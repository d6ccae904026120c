"""`lifeline followups ...`: the follow-up plans after a rescue, and counsellors' check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lifeline.cli.common import JsonOpt, app, cli_actor, emit, fail, ist, load_app, out
from lifeline.domain.errors import DomainError
from lifeline.services.aftercare import followups as aftercare

# The Pydantic read models (~0.15 s with pydantic) are imported by the commands that print
# one, not at every CLI start (bench/startup.py).
if TYPE_CHECKING:
    from lifeline.services.aftercare.read_models import CounsellorPlanRead, FollowUpPlanRead

followups_app = typer.Typer(
    help="Follow-up plans after a person is reached alive: check-ins, referrals, counsellors.",
    no_args_is_help=True,
)
app.add_typer(followups_app, name="followups")


def _show(view: FollowUpPlanRead | CounsellorPlanRead, as_json: bool) -> None:
    if as_json:
        emit(view.plain())
    else:
        out.print(
            f"plan {view.id} (case {view.case_id}): {view.status.value}, "
            f"counsellor {view.counsellor or '-'}"
        )


@followups_app.command("list")
def followups_list(
    due: Annotated[bool, typer.Option("--due", help="Only plans with a check-in due now.")] = False,
    counsellor: Annotated[str | None, typer.Option(help="Only this counsellor's plans.")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="active (default), completed, escalated, cancelled")
    ] = None,
    limit: int = 100,
    as_json: JsonOpt = False,
) -> None:
    """Follow-up plans, the soonest check-in first."""
    from lifeline.services.aftercare.read_models import FollowUpPlanRead  # noqa: PLC0415 (see the comment at the top)

    lifeline = load_app()
    try:
        plans = aftercare.list_plans(
            lifeline.ctx, cli_actor(), due=due, counsellor=counsellor, statuses=status, limit=limit
        )
    except DomainError as exc:
        raise fail(exc, as_json) from None
    now = lifeline.clock.now()
    if as_json:
        emit([FollowUpPlanRead.of(p, now).plain() for p in plans])
        return
    table = Table("plan", "case", "status", "counsellor", "referral", "next check-in")
    for plan in plans:
        open_ = [c for c in plan.check_ins if c.is_open]
        nxt = min(open_, key=lambda c: c.due_at) if open_ else None
        when = f"{nxt.label} {ist(nxt.due_at, '%d %b %H:%M')}" if nxt else "-"
        table.add_row(
            str(plan.id),
            str(plan.case_id),
            plan.status.value,
            plan.counsellor or "-",
            plan.referral.name,
            when,
        )
    out.print(table)


@followups_app.command("show")
def followups_show(plan_id: int, as_json: JsonOpt = False) -> None:
    """One plan with the person's name and phone (the read is audited)."""
    from lifeline.services.aftercare.read_models import CounsellorPlanRead  # noqa: PLC0415 (see the comment at the top)

    lifeline = load_app()
    try:
        detail = aftercare.show_plan(lifeline.ctx, cli_actor(), plan_id)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    view = CounsellorPlanRead.of(detail, lifeline.clock.now())
    if as_json:
        emit(view.plain())
        return
    _show(view, False)
    for c in detail.plan.check_ins:
        out.print(
            f"  check-in {c.id} {c.label} due {ist(c.due_at)}: {c.state(lifeline.clock.now())}"
        )


@followups_app.command("record")
def followups_record(
    check_in_id: int,
    result: Annotated[str, typer.Argument(help="reached, not_reached or needs_escalation")],
    note: Annotated[str | None, typer.Option(help="What was said or arranged.")] = None,
    at: Annotated[datetime | None, typer.Option(help="When (ISO 8601 with timezone).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record how a check-in went; needs_escalation reopens the case at the SMC."""
    from lifeline.services.aftercare.read_models import FollowUpPlanRead  # noqa: PLC0415 (see the comment at the top)

    try:
        plan = aftercare.record_check_in(load_app().ctx, cli_actor(), check_in_id, result, note, at)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _show(FollowUpPlanRead.of(plan), as_json)


@followups_app.command("assign")
def followups_assign(plan_id: int, counsellor: str, as_json: JsonOpt = False) -> None:
    """Assign a counsellor (a user with role counsellor) to a plan."""
    from lifeline.services.aftercare.read_models import FollowUpPlanRead  # noqa: PLC0415 (see the comment at the top)

    try:
        plan = aftercare.assign_counsellor(load_app().ctx, cli_actor(), plan_id, counsellor)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _show(FollowUpPlanRead.of(plan), as_json)


@followups_app.command("refer")
def followups_refer(
    plan_id: int,
    kind: Annotated[str, typer.Argument(help="tele_manas, district_mhp or ngo")],
    unit: Annotated[str | None, typer.Option(help="Registry unit id (for ngo).")] = None,
    name: Annotated[str | None, typer.Option(help="Programme name (district_mhp).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change where the person is referred for counselling."""
    from lifeline.services.aftercare.read_models import FollowUpPlanRead  # noqa: PLC0415 (see the comment at the top)

    try:
        plan = aftercare.change_referral(
            load_app().ctx, cli_actor(), plan_id, kind, unit_id=unit, name=name
        )
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _show(FollowUpPlanRead.of(plan), as_json)


@followups_app.command("cancel")
def followups_cancel(
    plan_id: int,
    reason: Annotated[str, typer.Option(help="Why (e.g. the person declined follow-up).")],
    as_json: JsonOpt = False,
) -> None:
    """End a plan early; its remaining check-ins are cancelled."""
    from lifeline.services.aftercare.read_models import FollowUpPlanRead  # noqa: PLC0415 (see the comment at the top)

    try:
        plan = aftercare.cancel_plan(load_app().ctx, cli_actor(), plan_id, reason)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _show(FollowUpPlanRead.of(plan), as_json)
