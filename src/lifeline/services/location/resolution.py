"""Location and jurisdiction: from what an alert says about place to the responsible unit.

The resolver itself (polygons, PINs, gazetteer, phone areas) is an adapter behind the `Locator`
port (what it is asked and answers, `LocationQuery` and `Resolution`, are in domain/place.py);
this module holds the registry use cases (the `resolve_location` job every stored alert gets,
and the case's one place, are in services/dispatch/relocation.py and
services/location/case_place.py). The registry's records and checks are in domain/registry.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from lifeline.domain.access import Permission
from lifeline.domain.errors import DomainError
from lifeline.domain.model import Actor, Alert
from lifeline.domain.place import LocationQuery, Resolution, StoredResolution
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.routing import DispatchRules
from lifeline.services.access.authorisation import enforce_case
from lifeline.services.context import Context
from lifeline.services.ports import UnitOfWork

# -- ports ------------------------------------------------------------------------------------


class Locator(Protocol):
    """Resolves location hints against boundaries, PINs, names and the registry in memory."""

    @property
    def version(self) -> str: ...

    @property
    def registry_version(self) -> str: ...

    def resolve(self, query: LocationQuery, *, on: date | None = None) -> Resolution: ...

    def use_registry(self, units: Sequence[RegistryUnit] | None, version: str) -> None:
        """Replace the registry the resolver uses (None: the one shipped with Lifeline)."""
        ...

    def default_registry(self) -> list[RegistryUnit]: ...

    def known_districts(self) -> set[str]:
        """LGD codes of every district with a boundary."""
        ...

    def district_geojson(self, lgd: str) -> dict[str, Any] | None: ...

    def read_registry(self, text: str, name: str) -> list[RegistryUnit]:
        """Records from a registry file (YAML or CSV); raises RegistryError."""
        ...

    def write_registry(
        self, units: Sequence[RegistryUnit], fmt: str, rules: DispatchRules | None = None
    ) -> str: ...

    def read_dispatch_rules(self, text: str, name: str) -> DispatchRules | None:
        """The `routing` and `escalation_policies` of a registry file (None if it has
        neither); raises RegistryError."""
        ...

    def default_dispatch_rules(self) -> DispatchRules:
        """The routing rules and escalation policies shipped with Lifeline."""
        ...


class LocationRepository(Protocol):
    """Resolutions (their candidates and evidence encrypted) and the imported registry."""

    def add(self, alert_id: int, case_id: int, at: datetime, resolution: Resolution) -> None: ...
    def for_case(self, case_id: int) -> list[StoredResolution]: ...
    def registry_version(self) -> str | None:
        """The version of the imported registry, or None when none was imported."""
        ...

    def registry_units(self) -> list[RegistryUnit]: ...
    def replace_registry(
        self,
        units: Sequence[RegistryUnit],
        *,
        version: str,
        at: datetime,
        source: str,
        actor: str,
        rules: DispatchRules | None = None,
    ) -> None: ...
    def dispatch_rules(self) -> DispatchRules | None:
        """The routing rules and escalation policies of the registry in force, or None when
        none were imported (the shipped ones apply)."""
        ...


def resolutions_of(uow: UnitOfWork, case_id: int) -> list[StoredResolution]:
    """The location resolutions stored for a case, oldest first (in the caller's transaction)."""
    return location_store(uow).for_case(case_id)


def location_store(uow: UnitOfWork) -> LocationRepository:
    repo: LocationRepository | None = getattr(uow, "locations", None)
    if repo is None:
        raise DomainError("this unit of work has no location repository")
    return repo


def locator_of(ctx: Context) -> Locator:
    locator = ctx.locator
    if locator is None:
        raise DomainError("no location resolver is configured")
    return locator


def sync_registry(ctx: Context, uow: UnitOfWork) -> Locator:
    """Make the resolver use the imported registry (a cheap version check per call)."""
    locator = locator_of(ctx)
    version = location_store(uow).registry_version()
    if version is None:
        if locator.registry_version != "shipped":
            locator.use_registry(None, "shipped")
    elif version != locator.registry_version:
        locator.use_registry(location_store(uow).registry_units(), version)
    return locator


# -- use cases --------------------------------------------------------------------------------


def query_for(alert: Alert) -> LocationQuery:
    hint = alert.location
    phone = alert.subject.phone or (alert.caller.callback_number if alert.caller else None)
    return LocationQuery(
        text=hint.text,
        lat=hint.lat,
        lon=hint.lon,
        pin=hint.pin,
        phone=phone,
        ip_city=hint.ip_city,
        post_text=alert.post.text,
        approximate=hint.approximate,
    )


def locate(ctx: Context, query: LocationQuery) -> Resolution:
    """Resolve one query with the current registry (for the CLI and API; stores nothing)."""
    with ctx.uow(readonly=True) as uow:
        locator = sync_registry(ctx, uow)
    return locator.resolve(query, on=ctx.clock.now().date())


def store_resolution(
    uow: UnitOfWork, alert_id: int, case_id: int, at: datetime, resolution: Resolution
) -> None:
    location_store(uow).add(alert_id, case_id, at, resolution)


def prepared_locator(ctx: Context) -> Locator:
    """The resolver, synchronised once with the registry in force (for batches)."""
    with ctx.uow(readonly=True) as uow:
        return sync_registry(ctx, uow)


def case_resolutions(ctx: Context, actor: Actor, case_id: int) -> list[StoredResolution]:
    """A case's resolutions (they quote the address: the read is audited)."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        uow.cases.get(case_id)
        found = location_store(uow).for_case(case_id)
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="case.location_read",
            case_id=case_id,
            details={"resolutions": len(found)},
        )
        uow.commit()
        return found
