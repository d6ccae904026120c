"""The jurisdiction registry on disk (YAML or CSV, schema in docs/registry.md) and in memory.

`parse_registry` reads a file into `RegistryUnit` records through the Pydantic models of
registry_schema.py, reporting every fault it can see in the file itself, each naming the file,
the record and the field (the services check the complete registry: parents, overlaps, LGD
codes); `dump_registry` writes records back out; `RegistryIndex` answers the resolver's questions
(which commissionerate covers a district, which zone and circle a police station sits in).
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import yaml

from lifeline.adapters.geo import data
from lifeline.adapters.geo.registry_schema import read_dispatch_rules, read_units
from lifeline.domain.registry import RegistryError, RegistryUnit
from lifeline.domain.routing import DispatchRules

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
    lists = {key: doc.get(key) or [] for key in ("escalation_policies", "routing")}
    wrong = [key for key, value in lists.items() if not isinstance(value, list)]
    if wrong:
        raise RegistryError([f'{name}: field "{key}": must be a list' for key in wrong])
    return read_dispatch_rules(lists["escalation_policies"], lists["routing"], name)


def parse_registry(text: str, name: str = "registry.yaml") -> list[RegistryUnit]:
    """Records from a YAML (``schema: lifeline-registry/1`` with ``units:``) or CSV file."""
    problems: list[str] = []
    if name.lower().endswith(".csv"):
        rows: list[Any] = list(csv.DictReader(io.StringIO(text)))
        rows = [{k: v for k, v in r.items() if k and v not in (None, "")} for r in rows]
    else:
        doc = _document(text, name)
        if doc.get("schema") != SCHEMA:
            found = doc.get("schema")
            problems.append(f'{name}: field "schema": must be {SCHEMA!r}, not {found!r}')
        rows = doc["units"]
    units, faults = read_units(rows, name)
    problems += faults
    if problems:
        raise RegistryError(problems)
    return units


def _plain(unit: RegistryUnit) -> dict[str, Any]:
    data: dict[str, Any] = {"id": unit.id, "kind": str(unit.kind), "name": unit.name}
    for key in ("name_hi", "parent", "lgd", "district_lgd"):
        if getattr(unit, key) is not None:
            data[key] = getattr(unit, key)
    data["valid_from"] = unit.valid_from.isoformat()
    if unit.valid_to is not None:
        data["valid_to"] = unit.valid_to.isoformat()
    data["status"] = str(unit.status)
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
