"""The jurisdiction registry as the SMC administers it: read, check, import and export files,
and the registry (units, routing rules, escalation policies) in force.

The records' types and checks are in location/resolution.py beside the resolver that uses them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence

from lifeline.domain.model import Actor
from lifeline.domain.routing import DispatchRules
from lifeline.services.context import Context
from lifeline.services.location.resolution import (
    RegistryError,
    RegistryUnit,
    locator_of,
    registry_version,
    validate_units,
)
from lifeline.services.ports import UnitOfWork


def read_registry(ctx: Context, text: str, name: str) -> list[RegistryUnit]:
    return locator_of(ctx).read_registry(text, name)


def read_dispatch_rules(ctx: Context, text: str, name: str) -> DispatchRules | None:
    """The `routing` and `escalation_policies` of a registry file (None if it has neither)."""
    return locator_of(ctx).read_dispatch_rules(text, name)


def write_registry(
    ctx: Context, units: Sequence[RegistryUnit], fmt: str, rules: DispatchRules | None = None
) -> str:
    return locator_of(ctx).write_registry(units, fmt, rules)


def check_dispatch_rules(rules: DispatchRules, units: Sequence[RegistryUnit]) -> list[str]:
    """Units the rules and policies name that the registry does not have."""
    known = {u.id for u in units}
    named = [(f"routing rule {r.name!r}", t) for r in rules.rules for t in r.targets]
    named += [
        (f"escalation policy {p.id!r}", t)
        for p in rules.policies
        for s in p.steps
        for t in s.notify
    ]
    return [
        f"{where}: unit {target.removeprefix('unit:')!r} is not in the registry"
        for where, target in named
        if target.startswith("unit:") and target.removeprefix("unit:") not in known
    ]


def current_dispatch_rules(ctx: Context) -> DispatchRules:
    with ctx.uow(readonly=True) as uow:
        return dispatch_rules_in_force(ctx, uow)


def check_import(
    ctx: Context, units: Sequence[RegistryUnit], *, replace: bool
) -> tuple[list[RegistryUnit], list[str]]:
    """The registry an import would produce, and its problems (empty: it would be accepted)."""
    if replace:
        merged = list(units)
    else:
        current, _ = current_registry(ctx)
        keyed = {(u.id, u.valid_from): u for u in current}
        keyed.update({(u.id, u.valid_from): u for u in units})
        merged = list(keyed.values())
    return merged, validate_units(merged, locator_of(ctx).known_districts())


def current_registry(ctx: Context) -> tuple[list[RegistryUnit], str]:
    """The registry in force: the imported one, or the shipped one if none was imported."""
    with ctx.uow(readonly=True) as uow:
        version = uow.locations.registry_version()
        if version is not None:
            return uow.locations.registry_units(), version
    return locator_of(ctx).default_registry(), "shipped"


def check_registry(ctx: Context, units: Sequence[RegistryUnit]) -> list[str]:
    return validate_units(units, locator_of(ctx).known_districts())


def registry_units_in_force(ctx: Context, uow: UnitOfWork) -> list[RegistryUnit]:
    """The records of the registry in force, in the caller's transaction."""
    repo = uow.locations
    if repo.registry_version() is None:
        return locator_of(ctx).default_registry()
    return repo.registry_units()


#: parsed rules by registry version (a version names the units and rules it was made from)
_RULES: dict[str, DispatchRules] = {}
_RULES_LOCK = threading.Lock()


def dispatch_rules_in_force(ctx: Context, uow: UnitOfWork) -> DispatchRules:
    """The routing rules and escalation policies of the registry in force (the imported ones,
    or those shipped with Lifeline)."""
    repo = uow.locations
    stored = repo.dispatch_rules()
    if stored is None:
        return locator_of(ctx).default_dispatch_rules()
    version = repo.registry_version() or ""
    rules = _RULES.get(version)
    if rules is None:
        rules = DispatchRules.from_dict(stored)
        with _RULES_LOCK:
            if len(_RULES) > 8:
                _RULES.clear()
            _RULES[version] = rules
    return rules


def import_registry(
    ctx: Context,
    actor: Actor,
    units: Sequence[RegistryUnit],
    *,
    source: str,
    replace: bool,
    rules: DispatchRules | None = None,
) -> tuple[str, int]:
    """Load records into the registry in force: merged over it (same id and valid_from
    replaces a record), or replacing it whole. Routing rules and escalation policies in the
    file replace those in force; a file without them keeps those in force (or, with
    `replace`, goes back to the shipped ones). Refused, changing nothing, if the result is
    not valid. Returns the new version and the number of records."""
    merged, problems = check_import(ctx, units, replace=replace)
    if problems:
        raise RegistryError(problems)
    with ctx.uow() as uow:
        repo = uow.locations
        if rules is None and not replace:
            kept = repo.dispatch_rules()
            rules = DispatchRules.from_dict(kept) if kept is not None else None
        plain_rules = rules.as_dict() if rules is not None else None
        version = registry_version(merged)
        if plain_rules is not None:
            digest = hashlib.sha256(json.dumps(plain_rules, sort_keys=True).encode())
            version = hashlib.sha256((version + digest.hexdigest()).encode()).hexdigest()[:16]
        now = ctx.clock.now()
        repo.replace_registry(
            merged, version=version, at=now, source=source, actor=str(actor), rules=plain_rules
        )
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="registry.imported",
            case_id=None,
            details={"source": source, "version": version, "units": len(merged)},
        )
        uow.commit()
    return version, len(merged)
