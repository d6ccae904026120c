"""Configuration stored as JSON, read back into the domain: the escalation policy copied onto a
dispatch when it starts, the routing rules and policies of a registry import, a registry unit's
record and contacts.

What is stored was checked when its registry file was read and written by the domain's
`as_dict` (or the repository's own record of a unit), so these Pydantic models only rebuild the
dataclasses; a row of any other shape is refused, not guessed at. The stored forms never change
shape, so databases written by earlier versions read the same.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from lifeline.domain.alert import AlertSource
from lifeline.domain.dispatch import Contact, DispatchError, EscalationPolicy
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.risk import RiskLevel
from lifeline.domain.routing import DispatchRules, RoutingRule


class _Stored(BaseModel):
    # built when first read, so importing the adapter stays cheap
    model_config = ConfigDict(defer_build=True)


class _When(_Stored):
    min_level: RiskLevel | None = None
    sources: tuple[AlertSource, ...] = ()
    in_state: bool | None = None
    districts: tuple[str, ...] = ()
    located: bool | None = None
    hours: str | None = None  # "22-06", as `RoutingRule.as_dict` writes it


class _Rule(_Stored):
    name: str
    when: _When = Field(default_factory=_When)
    notify: tuple[str, ...]
    policy: str = "default"

    def rule(self) -> RoutingRule:
        w = self.when
        start, _, end = (w.hours or "").partition("-")
        return RoutingRule(
            name=self.name,
            targets=self.notify,
            policy=self.policy,
            min_level=w.min_level,
            sources=w.sources,
            in_state=w.in_state,
            districts=w.districts,
            located=w.located,
            hours=(int(start), int(end)) if w.hours else None,
        )


class _Rules(_Stored):
    """`DispatchRules.as_dict`: the rules of one registry import."""

    routing: list[_Rule] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)


@functools.cache
def _policy() -> TypeAdapter[EscalationPolicy]:
    return TypeAdapter(EscalationPolicy)


@functools.cache
def _contacts() -> TypeAdapter[tuple[Contact, ...]]:
    return TypeAdapter(tuple[Contact, ...])


@functools.cache
def _unit() -> TypeAdapter[RegistryUnit]:
    return TypeAdapter(RegistryUnit)


def stored_policy(data: Any) -> EscalationPolicy:
    """A dispatch's escalation snapshot (`EscalationPolicy.as_dict`)."""
    try:
        return _policy().validate_python(data)
    except ValidationError as exc:
        raise DispatchError(f"a stored escalation policy cannot be read: {exc}") from None


def stored_rules(data: Any) -> DispatchRules:
    """The routing rules and escalation policies stored with a registry import."""
    try:
        found = _Rules.model_validate(data)
    except ValidationError as exc:
        raise DispatchError(f"the stored routing rules cannot be read: {exc}") from None
    return DispatchRules.with_defaults([r.rule() for r in found.routing], found.escalation_policies)


def stored_contacts(data: Sequence[Any]) -> tuple[Contact, ...]:
    """A unit's contacts (`Contact.as_dict` each), once decrypted."""
    return _contacts().validate_python(data)


def stored_unit(record: dict[str, Any], contacts: tuple[Contact, ...]) -> RegistryUnit:
    """A unit from its stored record (every field but the contacts, dates as ISO text)."""
    return _unit().validate_python({**record, "contacts": contacts})
