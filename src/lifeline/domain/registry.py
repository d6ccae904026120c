"""The jurisdiction registry: dated records of units (state, zones, districts, police stations,
anything notifiable) and the rules a set of them must keep (docs/registry.md).

Files are read in the adapter (adapters/geo/registry_schema.py), which checks each record's
shape; this module holds the records and the checks that concern a record's meaning or a
whole set: parents, dates, overlaps, LGD codes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from lifeline.domain.dispatch import Contact
from lifeline.domain.errors import DomainError


class UnitKind(StrEnum):
    STATE = "state"
    ADG_ZONE = "adg_zone"
    RANGE = "range"
    DISTRICT = "district"
    COMMISSIONERATE = "commissionerate"
    DCP_ZONE = "dcp_zone"
    CIRCLE = "circle"
    POLICE_STATION = "police_station"
    CELL = "cell"
    CONTROL_ROOM = "control_room"
    AGENCY = "agency"
    NODAL_UNIT = "nodal_unit"
    HELPLINE = "helpline"


class UnitStatus(StrEnum):
    """How sure the record is: from an official list, from dated press reports, or only
    plausible (to be replaced)."""

    OFFICIAL = "official"
    REPORTED = "reported"
    ILLUSTRATIVE = "illustrative"


UNIT_KINDS = tuple(UnitKind)
UNIT_STATUSES = tuple(UnitStatus)
_K = UnitKind
#: which kinds a unit of each kind may sit under (its `parent`)
PARENT_KINDS: dict[UnitKind, tuple[UnitKind, ...]] = {
    _K.STATE: (),
    _K.ADG_ZONE: (_K.STATE,),
    _K.RANGE: (_K.ADG_ZONE, _K.STATE),
    _K.DISTRICT: (_K.RANGE, _K.STATE),
    _K.COMMISSIONERATE: (_K.STATE, _K.RANGE, _K.ADG_ZONE),
    _K.DCP_ZONE: (_K.COMMISSIONERATE,),
    _K.CIRCLE: (_K.DCP_ZONE, _K.DISTRICT, _K.COMMISSIONERATE),
    _K.POLICE_STATION: (_K.CIRCLE, _K.DCP_ZONE, _K.DISTRICT, _K.COMMISSIONERATE),
    _K.CELL: (_K.DISTRICT, _K.COMMISSIONERATE, _K.STATE),
    _K.CONTROL_ROOM: (_K.STATE,),
    _K.AGENCY: (_K.STATE,),
    _K.NODAL_UNIT: (_K.STATE,),
    _K.HELPLINE: (_K.STATE,),
}


@dataclass(frozen=True)
class RegistryUnit:
    """One dated record of a unit: state, zone, range, district, commissionerate, circle,
    police station, or anything notifiable. The schema is documented in docs/registry.md."""

    id: str
    kind: UnitKind
    name: str
    valid_from: date
    status: UnitStatus = UnitStatus.REPORTED
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


def quoted(text: str) -> str:
    """A name as problems quote it: `unit "up-lko-ps-madeyganj"`."""
    return json.dumps(text, ensure_ascii=False)


def unit_label(unit_id: str) -> str:
    return f"unit {quoted(unit_id)}"


def record_faults(unit: RegistryUnit) -> list[str]:
    """What is wrong with one record on its own, each as `field "...": what` (empty: nothing).
    The file reader asks this of every record it reads, so a file's faults name the file."""
    faults: list[str] = []
    for name in ("id", "name"):
        if not str(getattr(unit, name)).strip():
            faults.append(f'field "{name}": must not be empty')
    if unit.kind not in UNIT_KINDS:
        known = ", ".join(UNIT_KINDS)
        faults.append(f'field "kind": unknown kind {str(unit.kind)!r} (known: {known})')
    if unit.status not in UNIT_STATUSES:
        faults.append(f'field "status": must be one of {", ".join(UNIT_STATUSES)}')
    if unit.valid_to is not None and unit.valid_to <= unit.valid_from:
        faults.append(
            f'field "valid_to": {unit.valid_to} is not after valid_from {unit.valid_from}'
        )
    if unit.kind == UnitKind.DISTRICT and not unit.lgd:
        faults.append('field "lgd": a district needs its LGD code')
    if unit.parent is None and PARENT_KINDS.get(unit.kind):
        faults.append(f'field "parent": a {unit.kind} needs a parent')
    for n, contact in enumerate(unit.contacts, start=1):
        faults += [f"contact {n}: {fault}" for fault in contact_faults(contact)]
    return faults


def contact_faults(contact: Contact) -> list[str]:
    faults = [
        f'field "{name}": must not be empty'
        for name in ("name", "role")
        if not getattr(contact, name).strip()
    ]
    if not contact.channels:
        faults.append('field "channels": needs at least one channel URL')
    for n, url in enumerate(contact.channels, start=1):
        if "://" not in url:
            # only the scheme is quoted: a channel URL may hold a token
            faults.append(
                f'field "channels": channel {n} ({url.split(":")[0]!r}) is not a URL (scheme://...)'
            )
    return faults


def validate_units(units: Sequence[RegistryUnit], known_districts: set[str]) -> list[str]:
    """Every fault in a complete registry, as sentences naming the record and the field
    (empty: valid). `known_districts` are the LGD codes Lifeline has boundaries for."""
    by_id: dict[str, list[RegistryUnit]] = {}
    for unit in units:
        by_id.setdefault(unit.id, []).append(unit)
    problems: list[str] = []
    for unit in units:
        faults = record_faults(unit)
        faults += _district_faults(unit, known_districts)
        faults += _parent_faults(unit, by_id)
        problems += [f"{unit_label(unit.id)}: {fault}" for fault in faults]
    for unit_id, versions in by_id.items():
        problems += [f"{unit_label(unit_id)}: {fault}" for fault in _overlap_faults(versions)]
    return problems


def _district_faults(unit: RegistryUnit, known_districts: set[str]) -> list[str]:
    if not known_districts:
        return []
    codes = {"lgd": unit.lgd if unit.kind == UnitKind.DISTRICT else None}
    codes["district_lgd"] = unit.district_lgd
    return [
        f'field "{name}": LGD district code {lgd!r} is not a known district'
        for name, lgd in codes.items()
        if lgd is not None and lgd not in known_districts
    ]


def _parent_faults(unit: RegistryUnit, by_id: dict[str, list[RegistryUnit]]) -> list[str]:
    if unit.parent is None:
        return []
    parents = by_id.get(unit.parent)
    if not parents:
        return [f'field "parent": {unit.parent!r} does not exist']
    faults = []
    allowed = PARENT_KINDS.get(unit.kind, ())
    if parents[0].kind not in allowed:
        faults.append(
            f'field "parent": a {unit.kind} cannot sit under a {parents[0].kind} '
            f"({unit.parent!r}); allowed: {', '.join(allowed) or 'none'}"
        )
    if not any(_overlaps(unit, p) for p in parents):
        faults.append(f'field "parent": {unit.parent!r} is not valid while this unit is')
    return faults


def _overlap_faults(versions: list[RegistryUnit]) -> list[str]:
    ordered = sorted(versions, key=lambda u: u.valid_from)
    return [
        f'field "valid_to": records from {before.valid_from} and {after.valid_from} overlap '
        "(close the first with valid_to)"
        for before, after in itertools.pairwise(ordered)
        if before.valid_to is None or before.valid_to > after.valid_from
    ]


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
