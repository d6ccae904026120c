"""Location and jurisdiction: from what an alert says about place to the responsible unit.

The resolver itself (polygons, PINs, gazetteer, phone areas) is an adapter behind the `Locator`
port; this module holds the value types it returns, the jurisdiction registry's records and
checks, and the registry use cases (the `resolve_location` job every stored alert gets, and the
case's one place, are in services/dispatch/relocation.py and services/location/case_place.py).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from lifeline.domain.dispatch import Contact
from lifeline.domain.errors import DomainError
from lifeline.domain.model import Actor, Alert
from lifeline.services.context import Context
from lifeline.services.location.ports import Locator
from lifeline.services.ports import UnitOfWork

# -- what a resolver is asked and what it answers ---------------------------------------------


@dataclass(frozen=True)
class LocationQuery:
    """Everything an alert says about place. `text` is an address or location field (matched
    leniently); `approximate` a place the sender marks as approximate ("last IP geolocation:
    Lucknow", "near Hazratganj", "last known location"), weighed less than an address;
    `post_text` is the post itself (names taken only from locative phrases, or well-known
    places spelt exactly, and only ever corroborating the location fields)."""

    text: str | None = None
    lat: float | None = None
    lon: float | None = None
    pin: str | None = None
    phone: str | None = None
    ip_city: str | None = None
    post_text: str | None = None
    approximate: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One place the person may be, with the units responsible for it."""

    state: str | None
    district: str | None
    district_lgd: str | None
    confidence: float
    commissionerate: str | None = None
    zone: str | None = None
    circle: str | None = None
    police_station: str | None = None
    unit_id: str | None = None
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = list(self.sources)
        return data


@dataclass(frozen=True)
class Evidence:
    """One finding: which input (`source`: coordinates, pin, text, approximate, post, phone,
    ip_city, or review for a reason the result needs a person) said what, and for which
    districts."""

    source: str
    finding: str
    input: str | None = None
    districts: tuple[str, ...] = ()
    weight: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["districts"] = list(self.districts)
        return data


@dataclass(frozen=True)
class Resolution:
    """The answer: the best candidate's fields at the top (null where unknown), the ranked
    candidates, the evidence, and whether a person must decide (`needs_review`)."""

    state: str | None
    district: str | None
    district_lgd: str | None
    commissionerate: str | None
    zone: str | None
    police_station: str | None
    confidence: float
    needs_review: bool
    candidates: tuple[Candidate, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    resolver_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The shape of `lifeline locate --json` (DESIGN.md §3)."""
        return {
            "state": self.state,
            "district": self.district,
            "district_lgd": self.district_lgd,
            "commissionerate": self.commissionerate,
            "zone": self.zone,
            "police_station": self.police_station,
            "confidence": self.confidence,
            "needs_review": self.needs_review,
            "candidates": [c.as_dict() for c in self.candidates],
            "evidence": [e.as_dict() for e in self.evidence],
        }

    def place(self) -> str:
        """A short human description: "Madeyganj PS, Lucknow, Uttar Pradesh"."""
        parts = [f"{self.police_station} PS" if self.police_station else None]
        parts += [self.district, self.state]
        return ", ".join(p for p in parts if p) or "unknown"

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Resolution:
        return Resolution(
            state=data.get("state"),
            district=data.get("district"),
            district_lgd=data.get("district_lgd"),
            commissionerate=data.get("commissionerate"),
            zone=data.get("zone"),
            police_station=data.get("police_station"),
            confidence=float(data.get("confidence") or 0.0),
            needs_review=bool(data.get("needs_review", True)),
            candidates=tuple(
                Candidate(**{**c, "sources": tuple(c.get("sources") or ())})
                for c in data.get("candidates") or []
            ),
            evidence=tuple(
                Evidence(**{**e, "districts": tuple(e.get("districts") or ())})
                for e in data.get("evidence") or []
            ),
            resolver_version=str(data.get("resolver_version") or ""),
        )


# -- the jurisdiction registry ----------------------------------------------------------------

UNIT_KINDS = (
    "state",
    "adg_zone",
    "range",
    "district",
    "commissionerate",
    "dcp_zone",
    "circle",
    "police_station",
    "cell",
    "control_room",
    "agency",
    "nodal_unit",
    "helpline",
)
UNIT_STATUSES = ("official", "reported", "illustrative")
#: which kinds a unit of each kind may sit under (its `parent`)
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    "state": (),
    "adg_zone": ("state",),
    "range": ("adg_zone", "state"),
    "district": ("range", "state"),
    "commissionerate": ("state", "range", "adg_zone"),
    "dcp_zone": ("commissionerate",),
    "circle": ("dcp_zone", "district", "commissionerate"),
    "police_station": ("circle", "dcp_zone", "district", "commissionerate"),
    "cell": ("district", "commissionerate", "state"),
    "control_room": ("state",),
    "agency": ("state",),
    "nodal_unit": ("state",),
    "helpline": ("state",),
}


@dataclass(frozen=True)
class RegistryUnit:
    """One dated record of a unit: state, zone, range, district, commissionerate, circle,
    police station, or anything notifiable. The schema is documented in docs/registry.md."""

    id: str
    kind: str
    name: str
    valid_from: date
    status: str = "reported"
    parent: str | None = None
    name_hi: str | None = None
    lgd: str | None = None
    district_lgd: str | None = None
    valid_to: date | None = None
    localities: tuple[str, ...] = ()
    source: str | None = None
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: people and endpoints to notify, each with apprise-style channel URLs (docs/registry.md)
    contacts: tuple[Contact, ...] = ()

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class RegistryError(DomainError):
    """A registry file or record set that cannot be used; `problems` lists every fault."""

    code = "invalid_registry"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"{len(self.problems)} problem(s): {shown}{more}")


def validate_units(units: Sequence[RegistryUnit], known_districts: set[str]) -> list[str]:
    """Every fault in a complete registry, as sentences naming the record (empty: valid)."""
    problems: list[str] = []
    by_id: dict[str, list[RegistryUnit]] = {}
    for unit in units:
        by_id.setdefault(unit.id, []).append(unit)
    for unit in units:
        where = f"unit {unit.id!r}"
        if not unit.id.strip() or not unit.name.strip():
            problems.append(f"{where}: id and name must not be empty")
        if unit.kind not in UNIT_KINDS:
            problems.append(f"{where}: unknown kind {unit.kind!r} (known: {', '.join(UNIT_KINDS)})")
        if unit.status not in UNIT_STATUSES:
            problems.append(f"{where}: status must be one of {', '.join(UNIT_STATUSES)}")
        if unit.valid_to is not None and unit.valid_to <= unit.valid_from:
            problems.append(f"{where}: valid_to {unit.valid_to} is not after valid_from")
        for lgd in (unit.lgd if unit.kind == "district" else None, unit.district_lgd):
            if lgd is not None and known_districts and lgd not in known_districts:
                problems.append(f"{where}: LGD district code {lgd!r} is not a known district")
        if unit.kind == "district" and not unit.lgd:
            problems.append(f"{where}: a district needs its LGD code (lgd)")
        for n, contact in enumerate(unit.contacts, start=1):
            if not contact.name or not contact.role or not contact.channels:
                problems.append(
                    f"{where}: contact {n} needs a name, a role and at least one channel URL"
                )
            for url in contact.channels:
                if "://" not in url:
                    problems.append(
                        f"{where}: contact {contact.name or n}: channel {url.split(':')[0]!r}"
                        " is not a URL (scheme://...)"
                    )
        if unit.parent is None:
            if PARENT_KINDS.get(unit.kind):
                problems.append(f"{where}: a {unit.kind} needs a parent")
            continue
        parents = by_id.get(unit.parent)
        if not parents:
            problems.append(f"{where}: parent {unit.parent!r} does not exist")
            continue
        allowed = PARENT_KINDS.get(unit.kind, ())
        if parents[0].kind not in allowed:
            problems.append(
                f"{where}: a {unit.kind} cannot sit under a {parents[0].kind} "
                f"({unit.parent!r}); allowed: {', '.join(allowed) or 'none'}"
            )
        if not any(_overlaps(unit, p) for p in parents):
            problems.append(f"{where}: parent {unit.parent!r} is not valid while this unit is")
    for unit_id, versions in by_id.items():
        ordered = sorted(versions, key=lambda u: u.valid_from)
        for before, after in itertools.pairwise(ordered):
            if before.valid_to is None or before.valid_to > after.valid_from:
                problems.append(
                    f"unit {unit_id!r}: records from {before.valid_from} and "
                    f"{after.valid_from} overlap (close the first with valid_to)"
                )
    return problems


def _overlaps(unit: RegistryUnit, other: RegistryUnit) -> bool:
    start = max(unit.valid_from, other.valid_from)
    ends = [d for d in (unit.valid_to, other.valid_to) if d is not None]
    return not ends or start < min(ends)


def registry_version(units: Sequence[RegistryUnit]) -> str:
    """A digest of a set of records: the resolver reloads its registry when this changes."""
    digest = hashlib.sha256()
    for unit in sorted(units, key=lambda u: (u.id, u.valid_from)):
        digest.update(json.dumps(asdict(unit), sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class StoredResolution:
    alert_id: int
    case_id: int
    resolved_at: datetime
    resolution: Resolution


class BadLocationJob(DomainError):
    """A resolve_location job whose payload can never work (failed at once, not retried)."""

    code = "bad_job"


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
