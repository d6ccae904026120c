"""Routing rules: which units a case goes to, from its risk, place and source (split out of
`dispatch.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lifeline.domain.alert import AlertSource
from lifeline.domain.dispatch import (
    DEFAULT_POLICY,
    DispatchError,
    EscalationPolicy,
)
from lifeline.domain.risk import RiskLevel

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
    def with_defaults(
        rules: Sequence[RoutingRule], policies: Sequence[EscalationPolicy]
    ) -> DispatchRules:
        """The rules a registry file states: without routing rules the default ones apply,
        and the default policy stays unless the file defines one named "default"."""
        if all(p.id != "default" for p in policies):
            policies = [DEFAULT_POLICY, *policies]
        return DispatchRules(tuple(rules) or DEFAULT_RULES, tuple(policies))
