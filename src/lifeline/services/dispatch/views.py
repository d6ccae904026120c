"""Read models of dispatch for the entrypoints: what an acknowledgement link names (read without
changing anything), the SMC alarms a person may see, and the dispatch panel of a case (the
JSON reads of dispatches, notifications and alarms are in dispatch/read_models.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.dispatch import (
    AckTokenError,
    Alarm,
    Dispatch,
    DispatchState,
    Notification,
    reach_of,
    shown_state,
)
from lifeline.domain.errors import DomainError, NotFound
from lifeline.domain.model import Actor
from lifeline.services.access.authorisation import (
    enforce_case,
    may,
)
from lifeline.services.context import Context
from lifeline.services.dispatch.attention import alarm_groups_for
from lifeline.services.dispatch.escalations import SETTLED
from lifeline.services.dispatch.routing import IST, DispatchPlan, plan_dispatch, registry_view
from lifeline.services.ports import UnitOfWork

# -- acknowledgement links ------------------------------------------------------------------


@dataclass(frozen=True)
class AckLinkView:
    """What the page behind an acknowledgement link may show: the case number and the unit,
    nothing about the person. `state`: open (can be confirmed), acknowledged, ended (the
    escalation to this unit was stopped), settled (officers on scene, or the case finished),
    alarm (an SMC alarm message: nothing to acknowledge), expired, invalid."""

    state: str
    case_id: int | None = None
    unit_name: str | None = None
    acknowledged_at: datetime | None = None


def ack_link_view(ctx: Context, token: str) -> AckLinkView:
    """Read an acknowledgement link without acknowledging, and without writing anything (not
    even the audit log): mail and chat apps fetch every link they see."""
    if ctx.ack_tokens is None:
        return AckLinkView("invalid")
    try:
        notification_id = ctx.ack_tokens.read(token, ctx.config.ack_link_max_age_seconds)
    except AckTokenError as exc:
        return AckLinkView("expired" if exc.expired else "invalid")
    with ctx.uow(readonly=True) as uow:
        repo = uow.dispatches
        try:
            notification = repo.notification(notification_id)
            if notification.dispatch_id is None:
                return AckLinkView("alarm", notification.case_id)
            dispatch = repo.get(notification.dispatch_id)
            case = uow.cases.get(notification.case_id)
        except NotFound:
            return AckLinkView("invalid")
    if case.status in SETTLED:
        state = "settled"
    elif dispatch.state is DispatchState.ACKNOWLEDGED:
        state = "acknowledged"
    elif dispatch.state is DispatchState.STOPPED:
        state = "ended"
    else:
        state = "open"
    return AckLinkView(state, case.id, dispatch.unit_name, dispatch.acknowledged_at)


# -- alarms and the queue ---------------------------------------------------------------------


def alarms_for(ctx: Context, actor: Actor) -> list[Alarm]:
    """Open SMC alarms `actor` may see, scoped as the live queue is: a district officer sees
    only their district's cases, an STF analyst only trace requests, a role without the
    queue nothing (grouped per case, most urgent first: dispatch/attention.py)."""
    return [a for group in alarm_groups_for(ctx, actor) for a in group.alarms]


def unit_states(uow: UnitOfWork, case_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
    """Per case, (unit name, state shown) of every dispatch, in one query (the queue):
    `nobody_reached` for a unit none of whose contacts got a message."""
    if not case_ids:
        return {}
    return uow.dispatches.unit_states(case_ids)


def alarmed_cases(uow: UnitOfWork, case_ids: Collection[int]) -> set[int]:
    """Which of these cases have an open SMC alarm (the queue marks their rows, live)."""
    if not case_ids:
        return set()
    return uow.dispatches.alarmed_case_ids() & set(case_ids)


# -- the case page's panel --------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchPanel:
    dispatches: list[Dispatch] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    #: the dry run for a person who may dispatch (None otherwise)
    plan: DispatchPlan | None = None
    plan_error: str = ""
    #: registry units an operator may pick instead of the plan's: (id, name, kind), the
    #: case's districts' and the state-wide ones (every district's while none is known)
    choices: tuple[tuple[str, str, str], ...] = ()

    def shown(self, dispatch: Dispatch) -> str:
        """The state to show for `dispatch`: `nobody_reached` rather than "waiting for
        acknowledgement" when none of its messages got to anyone."""
        return shown_state(dispatch.state, reach_of(dispatch.id, self.notifications))


#: kinds of registry unit a case can be sent to (not the administrative levels above them)
NOTIFIABLE_KINDS = frozenset(
    {
        "police_station",
        "circle",
        "dcp_zone",
        "district",
        "commissionerate",
        "cell",
        "control_room",
        "agency",
        "helpline",
        "nodal_unit",
    }
)


def unit_choices(ctx: Context, uow: UnitOfWork, case_id: int) -> tuple[tuple[str, str, str], ...]:
    """The units the case may be sent to by hand: those of its districts and those with no
    district (state-wide: UP-112, the STF, the SMC, other states' nodal officers)."""
    view = registry_view(ctx, uow, ctx.clock.now().astimezone(IST).date())
    districts = uow.jurisdictions.for_case(case_id)
    found = []
    for unit in view.units.values():
        if unit.kind not in NOTIFIABLE_KINDS:
            continue
        lgd = unit.lgd if unit.kind == "district" else unit.district_lgd
        if lgd and districts and lgd not in districts:
            continue
        found.append((unit.id, unit.name, unit.kind))
    # the case's own district first, then the state-wide units, each by name
    return tuple(sorted(found, key=lambda u: (view.units[u[0]].district_lgd is None, u[1])))


def dispatch_panel(ctx: Context, actor: Actor, case_id: int, *, with_plan: bool) -> DispatchPanel:
    """Dispatches, notifications and open alarms of a case, and (`with_plan`, for those who may
    manage the case) who a confirmation would notify. Not audited: the page's read is."""
    with ctx.uow(readonly=True) as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        repo = uow.dispatches
        plan, problem = None, ""
        choices: tuple[tuple[str, str, str], ...] = ()
        if with_plan and may(actor, Permission.CASE_MANAGE) and ctx.locator is not None:
            try:
                plan = plan_dispatch(ctx, uow, uow.cases.get(case_id), ctx.clock.now())
                choices = unit_choices(ctx, uow, case_id)
            except DomainError as exc:
                problem = str(exc)
        return DispatchPanel(
            _with_acknowledgers(uow, case_id, repo.for_case(case_id)),
            repo.notifications_for_case(case_id),
            repo.open_alarms({case_id}),
            plan,
            problem,
            choices,
        )


def _with_acknowledgers(uow: UnitOfWork, case_id: int, found: list[Dispatch]) -> list[Dispatch]:
    """Who acknowledged each dispatch for a contact (the name typed on the link page, or the
    registry contact), for a reader of the case: kept only in the encrypted details of the
    timeline entry, the dispatch row says "a contact of <unit> (SMS)"."""
    named = {
        entry.details.get("dispatch_id"): entry.details.get("given_as")
        or entry.details.get("contact")
        for entry in uow.cases.timeline(case_id)
        if entry.kind == "acknowledged" and entry.details.get("dispatch_id") is not None
    }
    for dispatch in found:
        who = named.get(dispatch.id)
        if who and dispatch.acknowledged_by:
            dispatch.acknowledged_by = f"{who}: {dispatch.acknowledged_by}"
    return found
