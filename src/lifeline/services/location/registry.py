"""The jurisdiction registry as the SMC administers it: read, check, import and export files,
and the registry (units, routing rules, escalation policies) in force.

The records' types and checks are in domain/registry.py; files are read by the adapter behind
the `Locator` port, stored rules by the `LocationRepository`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from lifeline.domain.model import Actor
from lifeline.domain.registry import (
    RegistryError,
    RegistryUnit,
    quoted,
    registry_version,
    validate_units,
)
from lifeline.domain.routing import DispatchRules
from lifeline.services.context import Context
from lifeline.services.location.resolution import locator_of
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
    named = [(f"routing rule {quoted(r.name)}", t) for r in rules.rules for t in r.targets]
    named += [
        (f"escalation policy {quoted(p.id)}: step {n}", t)
        for p in rules.policies
        for n, s in enumerate(p.steps, start=1)
        for t in s.notify
    ]
    return [
        f'{where}: field "notify": unit {target.removeprefix("unit:")!r} is not in the registry'
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


def dispatch_rules_in_force(ctx: Context, uow: UnitOfWork) -> DispatchRules:
    """The routing rules and escalation policies of the registry in force (the imported ones,
    or those shipped with Lifeline)."""
    rules = uow.locations.dispatch_rules()
    return rules if rules is not None else locator_of(ctx).default_dispatch_rules()


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
            rules = repo.dispatch_rules()
        version = registry_version(merged)
        if rules is not None:
            digest = hashlib.sha256(json.dumps(rules.as_dict(), sort_keys=True).encode())
            version = hashlib.sha256((version + digest.hexdigest()).encode()).hexdigest()[:16]
        now = ctx.clock.now()
        repo.replace_registry(
            merged, version=version, at=now, source=source, actor=str(actor), rules=rules
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
