"""Location and jurisdiction: from what an alert says about place to the responsible unit.

The resolver itself (polygons, PINs, gazetteer, phone areas) is an adapter behind the `Locator`
port (what it is asked and answers, `LocationQuery` and `Resolution`, are in domain/place.py);
this module holds the registry use cases (the `resolve_location` job every stored alert gets,
and the case's one place, are in services/dispatch/relocation.py and
services/location/case_place.py). The registry's records and checks are in domain/registry.py.
"""

from __future__ import annotations

from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.alert import Alert
from lifeline.domain.errors import DomainError
from lifeline.domain.model import Actor
from lifeline.domain.place import LocationQuery, Resolution, StoredResolution
from lifeline.services.access.authorisation import enforce_case
from lifeline.services.context import Context
from lifeline.services.location.ports import Locator
from lifeline.services.ports import UnitOfWork


def resolutions_of(uow: UnitOfWork, case_id: int) -> list[StoredResolution]:
    """The location resolutions stored for a case, oldest first (in the caller's transaction)."""
    return uow.locations.for_case(case_id)


def locator_of(ctx: Context) -> Locator:
    locator = ctx.locator
    if locator is None:
        raise DomainError("no location resolver is configured")
    return locator


def sync_registry(ctx: Context, uow: UnitOfWork) -> Locator:
    """Make the resolver use the imported registry (a cheap version check per call)."""
    locator = locator_of(ctx)
    version = uow.locations.registry_version()
    if version is None:
        if locator.registry_version != "shipped":
            locator.use_registry(None, "shipped")
    elif version != locator.registry_version:
        locator.use_registry(uow.locations.registry_units(), version)
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
    uow.locations.add(alert_id, case_id, at, resolution)


def prepared_locator(ctx: Context) -> Locator:
    """The resolver, synchronised once with the registry in force (for batches)."""
    with ctx.uow(readonly=True) as uow:
        return sync_registry(ctx, uow)


def case_resolutions(ctx: Context, actor: Actor, case_id: int) -> list[StoredResolution]:
    """A case's resolutions (they quote the address: the read is audited)."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        uow.cases.get(case_id)
        found = uow.locations.for_case(case_id)
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="case.location_read",
            case_id=case_id,
            details={"resolutions": len(found)},
        )
        uow.commit()
        return found
