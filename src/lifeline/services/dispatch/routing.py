"""Routing: from a located case to the units that must act, by the rules in the registry.

`plan_dispatch` answers "who would be notified for this case, and why" without changing
anything (the dry-run command prints it); the dispatch service starts what it plans.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from lifeline.domain.alert import AlertSource
from lifeline.domain.dispatch import Contact, DispatchError, Purpose
from lifeline.domain.email_trust import case_sender
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Case
from lifeline.domain.place import Resolution
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.risk import level_at_risk
from lifeline.domain.routing import PLATFORM_SOURCES, DispatchRules, RoutingFacts
from lifeline.services.context import Context
from lifeline.services.dispatch.reached import already_reached
from lifeline.services.location.case_place import case_place
from lifeline.services.location.registry import dispatch_rules_in_force, registry_units_in_force
from lifeline.services.location.resolution import sync_registry
from lifeline.services.ports import UnitOfWork

IST = timezone(timedelta(hours=5, minutes=30), "IST")
#: registry ids of the state-level units routing and escalation name directly
SMC_UNIT = "up-smc"
STF_UNIT = "up-stf"


class RegistryView:
    """The registry's units valid on one day, with the look-ups routing needs."""

    def __init__(self, units: Sequence[RegistryUnit], day: date) -> None:
        self.units = {u.id: u for u in units if u.valid_on(day)}
        self.by_district: dict[str, list[RegistryUnit]] = {}
        for unit in self.units.values():
            lgd = unit.lgd if unit.kind == "district" else unit.district_lgd
            if lgd:
                self.by_district.setdefault(lgd, []).append(unit)
        self.state_ids = {u.name.casefold(): u.id for u in self.units.values() if u.kind == "state"}

    def get(self, unit_id: str | None) -> RegistryUnit | None:
        return self.units.get(unit_id) if unit_id else None

    def chain(self, unit_id: str | None) -> list[RegistryUnit]:
        """The unit and its ancestors, nearest first."""
        out: list[RegistryUnit] = []
        unit = self.get(unit_id)
        while unit is not None and len(out) < 12:
            out.append(unit)
            unit = self.get(unit.parent)
        return out

    def in_district(self, lgd: str | None, *kinds: str) -> RegistryUnit | None:
        for kind in kinds:
            found = next((u for u in self.by_district.get(lgd or "", ()) if u.kind == kind), None)
            if found is not None:
                return found
        return None

    def nodal_unit(self, state: str | None) -> RegistryUnit | None:
        state_id = self.state_ids.get((state or "").casefold())
        return next(
            (u for u in self.units.values() if u.kind == "nodal_unit" and u.parent == state_id),
            None,
        )

    def contacts_for(self, unit_id: str) -> tuple[RegistryUnit | None, tuple[Contact, ...]]:
        """The contacts of a unit; if it has none, those of its nearest ancestor that has
        some (a police station with no contacts yet falls back to its circle or district)."""
        for unit in self.chain(unit_id):
            if unit.contacts:
                return unit, unit.contacts
        return None, ()


def refuse_unknown_units(view: RegistryView, unit_ids: Sequence[str]) -> None:
    """An operator's units must all be in the registry in force: a typo refuses the whole
    dispatch (naming the unknown ids and the nearest known ones) instead of sending to the
    others and dropping it."""
    unknown = [u for u in unit_ids if u not in view.units]
    if not unknown:
        return
    parts = []
    for unit_id in unknown:
        near = difflib.get_close_matches(unit_id.lower(), list(view.units), n=2, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
        parts.append(f"{unit_id!r}{hint}")
    raise DispatchError(
        f"not in the registry in force: {', '.join(parts)}; nothing was sent / "
        f"रजिस्ट्री में नहीं: {', '.join(repr(u) for u in unknown)}; कुछ नहीं भेजा गया"
    )


_VIEWS: dict[tuple[str, date], RegistryView] = {}
_VIEWS_LOCK = threading.Lock()


def registry_view(ctx: Context, uow: UnitOfWork, day: date) -> RegistryView:
    """The registry in force as a view, built once per registry version and day."""
    locator = sync_registry(ctx, uow)
    key = (locator.registry_version, day)
    view = _VIEWS.get(key)
    if view is None:
        view = RegistryView(registry_units_in_force(ctx, uow), day)
        with _VIEWS_LOCK:
            if len(_VIEWS) > 8:
                _VIEWS.clear()
            _VIEWS[key] = view
    return view


@dataclass(frozen=True)
class PlannedUnit:
    unit_id: str
    unit_name: str
    kind: str
    purpose: Purpose  # respond | trace
    rule: str
    policy: str
    #: who would get the first message (the unit's contacts or an ancestor's)
    contacts: tuple[str, ...] = ()
    contacts_of: str | None = None


@dataclass(frozen=True)
class DispatchPlan:
    case_id: int
    facts: RoutingFacts
    units: tuple[PlannedUnit, ...]
    #: why the plan is incomplete or needs a person (no rule matched, unknown unit, no contact)
    problems: tuple[str, ...] = ()
    #: whether Lifeline would send at once, without an operator's confirmation, and why
    automatic: bool = False
    why: str = ""
    rules_matched: tuple[str, ...] = field(default_factory=tuple)


def case_facts(
    ctx: Context, uow: UnitOfWork, case: Case, now: datetime
) -> tuple[RoutingFacts, Resolution | None]:
    assert case.id is not None
    alerts = uow.alerts.for_case(case.id)
    sources = [a.source for a in alerts]
    sender = case_sender(alerts)
    # a platform's alert merged into a case the SMC found itself makes it a platform case
    source = next(
        (s for s in sources if s in PLATFORM_SOURCES),
        sources[0] if sources else AlertSource.MANUAL,
    )
    place = case_place(uow, case.id, ctx.config.home_state)
    resolution = place.resolution
    # a conflict between confident answers waits for an operator, like a doubtful place
    located = (
        Milestone.LOCATED in case.milestones
        and (resolution is None or place.confident)
        and not place.conflict
    )
    facts = RoutingFacts(
        source=source,
        level=case.risk_level,
        state=resolution.state if resolution else None,
        district_lgd=resolution.district_lgd if resolution else None,
        located=located,
        hour_ist=now.astimezone(IST).hour,
        home_state=ctx.config.home_state,
        sender_verified=sender.verified,
        sender_verification=sender.how,
    )
    return facts, resolution


def plan_dispatch(
    ctx: Context,
    uow: UnitOfWork,
    case: Case,
    now: datetime,
    *,
    unit_ids: Sequence[str] = (),
    rules: DispatchRules | None = None,
) -> DispatchPlan:
    """Who the case would go to: the units named (an operator's choice) or those the routing
    rules give, each with its escalation policy and first contacts."""
    assert case.id is not None
    facts, resolution = case_facts(ctx, uow, case, now)
    rules = rules or dispatch_rules_in_force(ctx, uow)
    view = registry_view(ctx, uow, now.astimezone(IST).date())
    problems: list[str] = []
    wanted: list[tuple[str, Purpose, str, str]] = []  # unit id, purpose, rule, policy
    matched: list[str] = []
    if unit_ids:
        wanted = [(u, Purpose.RESPOND, "chosen by the operator", "default") for u in unit_ids]
    else:
        for rule in rules.rules:
            if not rule.matches(facts):
                continue
            matched.append(rule.name)
            for target in rule.targets:
                unit, purpose = _target_unit(view, target, resolution)
                if unit is None:
                    problems.append(f"rule {rule.name!r}: no unit for {target!r} here")
                    continue
                wanted.append((unit.id, purpose, rule.name, rule.policy))
        if not matched:
            problems.append("no routing rule matches this case: choose the units")
    planned: list[PlannedUnit] = []
    for unit_id, purpose, rule_name, policy in wanted:
        unit = view.get(unit_id)
        if unit is None:
            problems.append(f"unit {unit_id!r} is not in the registry in force")
            continue
        if any(p.unit_id == unit.id for p in planned):
            continue
        holder, contacts = view.contacts_for(unit.id)
        if not contacts:
            problems.append(f"{unit.name} ({unit.id}) and the units above it have no contacts")
        planned.append(
            PlannedUnit(
                unit.id,
                unit.name,
                unit.kind,
                purpose,
                rule_name,
                policy,
                tuple(f"{c.name} ({c.role})" for c in contacts),
                holder.id if holder is not None and holder.id != unit.id else None,
            )
        )
    automatic, why = _automatic(case, facts, resolution, bool(unit_ids))
    reached = already_reached(uow, case, ctx.config.merge_window)
    if reached:
        # the person was just reached in an earlier case: never re-send those units by
        # themselves (a released quarantine mail, a late e-mail or call may be an echo)
        named = {p.unit_id for p in planned}
        problems.extend(r.describe() for r in reached.values() if r.unit_id in named)
        if not unit_ids:
            planned = [p for p in planned if p.unit_id not in reached]
        if automatic:
            first = min(reached.values(), key=lambda r: r.case_id)
            automatic = False
            why = f"the person was already reached in case #{first.case_id}: an operator decides"
    return DispatchPlan(
        case.id, facts, tuple(planned), tuple(problems), automatic, why, tuple(matched)
    )


def _target_unit(
    view: RegistryView, target: str, resolution: Resolution | None
) -> tuple[RegistryUnit | None, Purpose]:
    respond = Purpose.RESPOND
    if target.startswith("unit:"):
        return view.get(target.removeprefix("unit:")), respond
    if target == "trace":
        return view.get(STF_UNIT), Purpose.TRACE
    best = resolution.candidates[0] if resolution and resolution.candidates else None
    lgd = resolution.district_lgd if resolution else None
    if target == "nodal_unit":
        return view.nodal_unit(resolution.state if resolution else None), respond
    district_unit = view.in_district(lgd, "commissionerate", "district")
    if target == "district_unit":
        return district_unit, respond
    if target == "district_cell":
        return view.in_district(lgd, "cell"), respond
    if target == "police_station":
        station = view.get(best.unit_id if best else None)
        if station is not None and station.kind == "police_station":
            return station, respond
        return district_unit, respond
    return None, respond


def _automatic(
    case: Case, facts: RoutingFacts, resolution: Resolution | None, chosen: bool
) -> tuple[bool, str]:
    """DESIGN.md §1.2: a platform alert at ideation or above with a confident location goes
    out at once; monitoring finds and doubtful locations wait for an operator."""
    if chosen:
        return False, "units chosen by a person"
    if facts.source not in PLATFORM_SOURCES:
        return False, f"a {facts.source.value} case waits for an operator's confirmation"
    if not facts.sender_verified:
        return False, (
            f"sender not verified ({facts.sender_verification}): waits for an operator's "
            "confirmation"
        )
    if not level_at_risk(facts.level):
        level = facts.level.value if facts.level else "not yet assessed"
        return False, f"risk level {level} is below ideation"
    if facts.located:
        return True, "platform alert, risk at or above ideation, confident location"
    if resolution is not None and not resolution.candidates:
        return True, "platform alert, risk at or above ideation, location unknown: STF trace"
    if resolution is None:
        return False, "location not yet resolved"
    return False, "the location needs an operator's review"
