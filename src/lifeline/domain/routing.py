"""Routing rules: which units a case goes to, from its risk, place and source (split out of
`dispatch.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lifeline.domain.dispatch import (
    DEFAULT_POLICY,
    ROUTE_TARGETS,
    DispatchError,
    EscalationPolicy,
)
from lifeline.domain.model import AlertSource
from lifeline.domain.risk import LEVELS, RiskLevel

#: sources of alerts that a platform has already reviewed (dispatched without waiting)
PLATFORM_SOURCES = frozenset(
    {AlertSource.PLATFORM_API, AlertSource.PLATFORM_EMAIL, AlertSource.PHONE_CALL}
)


@dataclass(frozen=True)
class RoutingFacts:
    """What routing looks at for one case."""

    source: AlertSource
    level: RiskLevel | None
    state: str | None
    district_lgd: str | None
    located: bool
    hour_ist: int
    #: the SMC's own state (LIFELINE_HOME_STATE): what `in_state` compares `state` with
    home_state: str
    #: whether any alert of the case comes from a proven sender (domain/email_trust.py); if
    #: none does, nothing is dispatched without an operator
    sender_verified: bool = True
    sender_verification: str = ""


@dataclass(frozen=True)
class RoutingRule:
    """If every condition in `when` holds, the case goes to `targets` under `policy`."""

    name: str
    targets: tuple[str, ...]
    policy: str = "default"
    min_level: RiskLevel | None = None
    sources: tuple[AlertSource, ...] = ()
    in_state: bool | None = None  # True: the home state only; False: other states only
    districts: tuple[str, ...] = ()  # LGD codes
    located: bool | None = None
    hours: tuple[int, int] | None = None  # IST, [start, end) and may wrap midnight

    def matches(self, facts: RoutingFacts) -> bool:
        if self.min_level is not None and (
            facts.level is None or facts.level.rank < self.min_level.rank
        ):
            return False
        if self.sources and facts.source not in self.sources:
            return False
        if self.in_state is not None and (
            facts.state is None or (facts.state == facts.home_state) is not self.in_state
        ):
            return False
        if self.districts and facts.district_lgd not in self.districts:
            return False
        if self.located is not None and facts.located is not self.located:
            return False
        if self.hours is not None:
            start, end = self.hours
            inside = (
                start <= facts.hour_ist < end if start <= end else not end <= facts.hour_ist < start
            )
            if not inside:
                return False
        return True

    def as_dict(self) -> dict[str, Any]:
        when: dict[str, Any] = {}
        if self.min_level is not None:
            when["min_level"] = self.min_level.value
        if self.sources:
            when["sources"] = [s.value for s in self.sources]
        if self.in_state is not None:
            when["in_state"] = self.in_state
        if self.districts:
            when["districts"] = list(self.districts)
        if self.located is not None:
            when["located"] = self.located
        if self.hours is not None:
            when["hours"] = f"{self.hours[0]:02d}-{self.hours[1]:02d}"
        return {
            "name": self.name,
            "when": when,
            "notify": list(self.targets),
            "policy": self.policy,
        }

    @staticmethod
    def from_dict(data: dict[str, Any], policies: set[str]) -> RoutingRule:
        problems: list[str] = []
        name = str(data.get("name") or "").strip()
        where = f"routing rule {name or '(no name)'!r}"
        if not name:
            problems.append(f"{where}: needs a name")
        unknown = sorted(set(data) - {"name", "when", "notify", "policy"})
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        targets = data.get("notify")
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, list) or not targets:
            problems.append(f"{where}: notify must list targets ({', '.join(ROUTE_TARGETS)}, ...)")
            targets = []
        for target in targets:
            if str(target) not in ROUTE_TARGETS and not str(target).startswith("unit:"):
                problems.append(
                    f"{where}: unknown target {target!r} (use {', '.join(ROUTE_TARGETS)} "
                    "or unit:<registry id>)"
                )
        policy = str(data.get("policy") or "default")
        if policy != "default" and policy not in policies:
            problems.append(f"{where}: escalation policy {policy!r} is not defined")
        when = data.get("when") or {}
        if not isinstance(when, dict):
            problems.append(f"{where}: when must be a mapping of conditions")
            when = {}
        known = {"min_level", "sources", "in_state", "districts", "located", "hours"}
        for key in sorted(set(when) - known):
            problems.append(
                f"{where}: unknown condition {key!r} (known: {', '.join(sorted(known))})"
            )
        min_level = when.get("min_level")
        if min_level is not None and min_level not in LEVELS:
            problems.append(f"{where}: min_level must be one of {', '.join(LEVELS)}")
        sources = when.get("sources") or []
        if isinstance(sources, str):
            sources = [sources]
        known_sources = [s.value for s in AlertSource]
        for source in sources:
            if str(source) not in known_sources:
                problems.append(
                    f"{where}: unknown source {source!r} (sources: {', '.join(known_sources)})"
                )
        hours = _hours(when.get("hours"), where, problems)
        for key in ("in_state", "located"):
            if key in when and not isinstance(when[key], bool):
                problems.append(f"{where}: {key} must be true or false")
        if problems:
            raise DispatchError("; ".join(problems))
        return RoutingRule(
            name=name,
            targets=tuple(str(t) for t in targets),
            policy=policy,
            min_level=RiskLevel(min_level) if min_level is not None else None,
            sources=tuple(AlertSource(str(s)) for s in sources),
            in_state=when.get("in_state"),
            districts=tuple(str(d) for d in when.get("districts") or ()),
            located=when.get("located"),
            hours=hours,
        )


def _hours(value: Any, where: str, problems: list[str]) -> tuple[int, int] | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", str(value))
    if not match or not all(0 <= int(g) <= 24 for g in match.groups()):
        problems.append(f'{where}: hours must look like "22-06" (IST, start-end)')
        return None
    return int(match.group(1)), int(match.group(2))


#: used when the registry defines no routing rules
DEFAULT_RULES = (
    RoutingRule(
        "located in the home state",
        ("police_station", "district_cell", "unit:up-112"),
        in_state=True,
        located=True,
    ),
    RoutingRule("another state", ("nodal_unit",), in_state=False, located=True),
    RoutingRule("location unknown: trace", ("trace",), located=False),
)


@dataclass(frozen=True)
class DispatchRules:
    """The routing rules and escalation policies in force (from the registry file)."""

    rules: tuple[RoutingRule, ...] = DEFAULT_RULES
    policies: tuple[EscalationPolicy, ...] = (DEFAULT_POLICY,)

    def policy(self, policy_id: str) -> EscalationPolicy:
        found = next((p for p in self.policies if p.id == policy_id), None)
        if found is None:
            if policy_id == "default":
                return DEFAULT_POLICY
            raise DispatchError(f"escalation policy {policy_id!r} is not defined")
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "routing": [r.as_dict() for r in self.rules],
            "escalation_policies": [p.as_dict() for p in self.policies],
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> DispatchRules:
        """Read `routing` and `escalation_policies` (either may be absent: the default)."""
        problems: list[str] = []
        policies: list[EscalationPolicy] = []
        for raw in data.get("escalation_policies") or []:
            try:
                policies.append(EscalationPolicy.from_dict(raw if isinstance(raw, dict) else {}))
            except DispatchError as exc:
                problems.append(str(exc))
        ids = [p.id for p in policies]
        problems += [
            f"escalation policy {i!r} is defined twice" for i in set(ids) if ids.count(i) > 1
        ]
        rules: list[RoutingRule] = []
        for raw in data.get("routing") or []:
            try:
                rules.append(RoutingRule.from_dict(raw if isinstance(raw, dict) else {}, set(ids)))
            except DispatchError as exc:
                problems.append(str(exc))
        if problems:
            raise DispatchError("; ".join(problems))
        if "default" not in ids:
            policies.insert(0, DEFAULT_POLICY)
        return DispatchRules(
            tuple(rules) if data.get("routing") else DEFAULT_RULES, tuple(policies)
        )
