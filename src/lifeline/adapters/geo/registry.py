"""The jurisdiction registry on disk (YAML or CSV, schema in docs/registry.md) and in memory.

`parse_registry` reads a file into `RegistryUnit` records, reporting every fault it can see in
the file itself (the services check the complete registry: parents, dates, LGD codes);
`dump_registry` writes records back out; `RegistryIndex` answers the resolver's questions
(which commissionerate covers a district, which zone and circle a police station sits in).
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from typing import Any

import phonenumbers
import yaml

from lifeline.adapters.geo import data
from lifeline.domain.dispatch import Contact, DispatchError
from lifeline.domain.routing import DispatchRules
from lifeline.services.location.resolution import RegistryError, RegistryUnit

SCHEMA = "lifeline-registry/1"
#: libyaml's safe loader when PyYAML was built with it (ten times faster), else the Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CSV_COLUMNS = (
    "id",
    "kind",
    "name",
    "name_hi",
    "parent",
    "lgd",
    "district_lgd",
    "valid_from",
    "valid_to",
    "status",
    "localities",
    "source",
    "notes",
)
_FIELDS = {f.name for f in fields(RegistryUnit)}


def _date(value: Any, where: str, problems: list[str], required: bool) -> date | None:
    if value is None or value == "":
        if required:
            problems.append(f"{where}: valid_from is required (YYYY-MM-DD)")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _unit(raw: Any, where: str, problems: list[str]) -> RegistryUnit | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a unit must be a mapping of fields")
        return None
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)} (use 'extra:')")
    missing = [k for k in ("id", "kind", "name") if not _text(raw.get(k))]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
        return None
    where = f"unit {raw['id']!r}"
    start = _date(raw.get("valid_from"), where, problems, True)
    end = _date(raw.get("valid_to"), where, problems, False)
    localities = raw.get("localities") or []
    if isinstance(localities, str):
        localities = [v for v in localities.split("|") if v.strip()]
    if not isinstance(localities, list):
        problems.append(f"{where}: localities must be a list of names")
        localities = []
    extra = raw.get("extra") or {}
    if not isinstance(extra, dict):
        problems.append(f"{where}: extra must be a mapping")
        extra = {}
    contacts = _contacts(raw.get("contacts"), where, problems)
    if start is None:
        return None
    lgd = raw.get("lgd")
    district_lgd = raw.get("district_lgd")
    return RegistryUnit(
        id=str(raw["id"]).strip(),
        kind=str(raw["kind"]).strip(),
        name=str(raw["name"]).strip(),
        valid_from=start,
        valid_to=end,
        status=_text(raw.get("status")) or "reported",
        parent=_text(raw.get("parent")),
        name_hi=_text(raw.get("name_hi")),
        lgd=_text(lgd),
        district_lgd=_text(district_lgd),
        localities=tuple(str(v).strip() for v in localities if str(v).strip()),
        source=_text(raw.get("source")),
        notes=_text(raw.get("notes")),
        extra=extra,
        contacts=contacts,
    )


def _contacts(raw: Any, where: str, problems: list[str]) -> tuple[Contact, ...]:
    if raw is None or raw == "":
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where}: contacts must be a list of {{name, role, channels}}")
        return ()
    out = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("channels"), list):
            problems.append(f"{where}: contact {n} must be a mapping with a channels list")
            continue
        unknown = sorted(set(item) - {"name", "role", "channels", "phones"})
        if unknown:
            problems.append(f"{where}: contact {n}: unknown field(s) {', '.join(unknown)}")
        contact = Contact.from_dict(item)
        for phone in contact.phones:
            if not _is_phone(phone):
                problems.append(
                    f"{where}: contact {n}: {phone!r} is not a phone number "
                    "(write it with the country code, e.g. +919811111111)"
                )
        out.append(contact)
    return tuple(out)


def _is_phone(text: str) -> bool:
    """A number an SMS reply can come from (Indian if it has no country code)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "IN"))
    except phonenumbers.NumberParseException:
        return False


def _document(text: str, name: str) -> dict[str, Any]:
    try:
        doc = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise RegistryError([f"{name}: not valid YAML: {exc}"]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("units"), list):
        raise RegistryError([f"{name}: expected a mapping with a 'units:' list"])
    return doc


@functools.cache
def shipped_dispatch_rules() -> DispatchRules:
    """The routing and escalation policies of the registry shipped with Lifeline (or the
    built-in defaults if it has none)."""
    return parse_dispatch_rules(data.registry_text(), "registry.yaml") or DispatchRules()


def parse_dispatch_rules(text: str, name: str = "registry.yaml") -> DispatchRules | None:
    """The `routing` and `escalation_policies` sections of a YAML registry file (None if it
    has neither; a CSV file never has them)."""
    if name.lower().endswith(".csv"):
        return None
    doc = _document(text, name)
    if doc.get("routing") is None and doc.get("escalation_policies") is None:
        return None
    for key in ("routing", "escalation_policies"):
        if doc.get(key) is not None and not isinstance(doc[key], list):
            raise RegistryError([f"{name}: {key} must be a list"])
    try:
        return DispatchRules.from_dict(doc)
    except DispatchError as exc:
        raise RegistryError([f"{name}: {p}" for p in str(exc).split("; ")]) from None


def parse_registry(text: str, name: str = "registry.yaml") -> list[RegistryUnit]:
    """Records from a YAML (``schema: lifeline-registry/1`` with ``units:``) or CSV file."""
    problems: list[str] = []
    if name.lower().endswith(".csv"):
        rows: list[Any] = list(csv.DictReader(io.StringIO(text)))
        rows = [{k: v for k, v in r.items() if k and v not in (None, "")} for r in rows]
    else:
        doc = _document(text, name)
        if doc.get("schema") != SCHEMA:
            problems.append(f"{name}: schema must be {SCHEMA!r}, not {doc.get('schema')!r}")
        rows = doc["units"]
    units = []
    for n, raw in enumerate(rows, start=1):
        unit = _unit(raw, f"{name} entry {n}", problems)
        if unit is not None:
            units.append(unit)
    if problems:
        raise RegistryError(problems)
    return units


def _plain(unit: RegistryUnit) -> dict[str, Any]:
    data: dict[str, Any] = {"id": unit.id, "kind": unit.kind, "name": unit.name}
    for key in ("name_hi", "parent", "lgd", "district_lgd"):
        if getattr(unit, key) is not None:
            data[key] = getattr(unit, key)
    data["valid_from"] = unit.valid_from.isoformat()
    if unit.valid_to is not None:
        data["valid_to"] = unit.valid_to.isoformat()
    data["status"] = unit.status
    if unit.localities:
        data["localities"] = list(unit.localities)
    for key in ("source", "notes"):
        if getattr(unit, key) is not None:
            data[key] = getattr(unit, key)
    if unit.extra:
        data["extra"] = unit.extra
    if unit.contacts:
        data["contacts"] = [c.as_dict() for c in unit.contacts]
    return data


def dump_registry(
    units: Sequence[RegistryUnit],
    fmt: str = "yaml",
    title: str = "",
    rules: DispatchRules | None = None,
) -> str:
    ordered = sorted(units, key=lambda u: (u.id, u.valid_from))
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for unit in ordered:
            row = _plain(unit)
            row["localities"] = "|".join(unit.localities)
            writer.writerow(row)
        return out.getvalue()
    doc: dict[str, Any] = {"schema": SCHEMA, "title": title or "Lifeline jurisdiction registry"}
    if rules is not None:
        doc.update(rules.as_dict())
    body = yaml.safe_dump(
        {"units": [_plain(u) for u in ordered]}, allow_unicode=True, sort_keys=False, width=100
    )
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False) + body


class RegistryIndex:
    """Look-ups over all records; every answer is for one day (records are dated)."""

    def __init__(self, units: Sequence[RegistryUnit]) -> None:
        self.versions: dict[str, list[RegistryUnit]] = defaultdict(list)
        self.by_district: dict[str, list[RegistryUnit]] = defaultdict(list)
        self.nodal: dict[str, list[RegistryUnit]] = defaultdict(list)
        for unit in units:
            self.versions[unit.id].append(unit)
            for lgd in {unit.lgd if unit.kind == "district" else None, unit.district_lgd}:
                if lgd:
                    self.by_district[lgd].append(unit)
            if unit.kind == "nodal_unit" and unit.parent:
                self.nodal[unit.parent].append(unit)
        self.states: dict[str, str] = {}
        for unit in units:
            if unit.kind == "state":
                self.states[unit.name.casefold()] = unit.id

    def get(self, unit_id: str, on: date) -> RegistryUnit | None:
        return next((u for u in self.versions.get(unit_id, ()) if u.valid_on(on)), None)

    def chain(self, unit_id: str, on: date) -> list[RegistryUnit]:
        """The unit and its ancestors, nearest first."""
        out: list[RegistryUnit] = []
        unit = self.get(unit_id, on)
        while unit is not None and len(out) < 12:
            out.append(unit)
            unit = self.get(unit.parent, on) if unit.parent else None
        return out

    def in_district(self, lgd: str, kind: str, on: date) -> RegistryUnit | None:
        return next(
            (u for u in self.by_district.get(lgd, ()) if u.kind == kind and u.valid_on(on)), None
        )

    def nodal_unit(self, state: str, on: date) -> RegistryUnit | None:
        state_id = self.states.get(state.casefold())
        if state_id is None:
            return None
        return next((u for u in self.nodal.get(state_id, ()) if u.valid_on(on)), None)

    def localities(self) -> list[tuple[str, RegistryUnit]]:
        """(name, police station) for every name a police station's records cover."""
        out = []
        for versions in self.versions.values():
            for unit in versions:
                if unit.kind != "police_station" or not unit.district_lgd:
                    continue
                names = {unit.name, *unit.localities}
                if unit.name_hi:
                    names.add(unit.name_hi)
                out += [(name, unit) for name in sorted(names)]
        return out
