"""The jurisdiction registry: the shipped file, parsing, validation, round trips."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from lifeline.adapters.geo import data
from lifeline.adapters.geo.registry import RegistryIndex, dump_registry, parse_registry
from lifeline.services.location.resolution import RegistryError, RegistryUnit, validate_units

KNOWN = {"157", "176"}


def shipped() -> list[RegistryUnit]:
    return parse_registry(data.registry_text(), "registry.yaml")


def unit(id: str, kind: str, parent: str | None = None, **kw: object) -> RegistryUnit:
    return RegistryUnit(
        id=id, kind=kind, name=id.title(), parent=parent, valid_from=date(2022, 1, 1), **kw
    )  # type: ignore[arg-type]


def test_the_shipped_registry_is_valid_and_has_what_the_issue_asks_for() -> None:
    units = shipped()
    known = {d for d in data.load_districts(data.load_boundaries())}
    assert validate_units(units, known) == []
    kinds = [u.kind for u in units]
    districts = [u for u in units if u.kind == "district"]
    assert len(districts) == 75 and all(u.lgd for u in districts)
    assert kinds.count("commissionerate") == 7
    madeyganj = next(u for u in units if u.id == "up-lko-ps-madeyganj")
    index = RegistryIndex(units)
    chain = [u.kind for u in index.chain(madeyganj.id, date(2026, 1, 1))]
    assert chain[:4] == ["police_station", "circle", "dcp_zone", "commissionerate"]
    assert {u.status for u in units} == {"official", "reported", "illustrative"}
    assert sum(1 for u in units if u.kind == "nodal_unit") == 35


def test_a_registry_round_trips_through_yaml_and_csv() -> None:
    units = shipped()
    again = parse_registry(dump_registry(units, "yaml"), "again.yaml")
    assert sorted(again, key=lambda u: (u.id, u.valid_from)) == sorted(
        units, key=lambda u: (u.id, u.valid_from)
    )
    from_csv = parse_registry(dump_registry(units, "csv"), "again.csv")
    assert {(u.id, u.valid_from, u.localities) for u in from_csv} == {
        (u.id, u.valid_from, u.localities) for u in units
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("units: [", "not valid YAML"),
        ("just a string", "expected a mapping"),
        ("schema: other/1\nunits: []", "schema must be"),
        ("schema: lifeline-registry/1\nunits:\n- {id: a, kind: state}", "missing name"),
        (
            "schema: lifeline-registry/1\nunits:\n- {id: a, kind: state, name: A, "
            "valid_from: yesterday}",
            "is not a date",
        ),
        (
            "schema: lifeline-registry/1\nunits:\n- {id: a, kind: state, name: A, "
            "valid_from: 2020-01-01, colour: red}",
            "unknown field",
        ),
    ],
)
def test_a_broken_file_is_refused_with_every_problem_named(text: str, expected: str) -> None:
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, "broken.yaml")
    assert any(expected in p for p in caught.value.problems)


def test_validation_names_each_fault_in_a_record_set() -> None:
    units = [
        unit("up", "state"),
        unit("d1", "district", "up", lgd="157"),
        unit("d2", "district", "up", lgd="999"),
        unit("ps1", "police_station", "nowhere", district_lgd="157"),
        unit("ps2", "police_station", "up", district_lgd="157"),
        unit("x", "spaceship", "up"),
        replace(unit("z", "circle", "d1"), valid_to=date(2021, 1, 1)),
        unit("d1", "district", "up", lgd="157"),
    ]
    problems = " | ".join(validate_units(units, KNOWN))
    for fault in (
        "'999' is not a known district",
        "parent 'nowhere' does not exist",
        "cannot sit under a state",
        "unknown kind 'spaceship'",
        "is not after valid_from",
        "overlap",
    ):
        assert fault in problems


def test_dated_records_answer_for_the_day_asked() -> None:
    old = replace(unit("ps", "police_station", "d1", district_lgd="157"), valid_to=date(2024, 1, 1))
    new = replace(old, valid_from=date(2024, 1, 1), valid_to=None, name="Renamed")
    units = [unit("up", "state"), unit("d1", "district", "up", lgd="157"), old, new]
    assert validate_units(units, KNOWN) == []
    index = RegistryIndex(units)
    assert index.get("ps", date(2023, 6, 1)).name == "Ps"  # type: ignore[union-attr]
    assert index.get("ps", date(2025, 6, 1)).name == "Renamed"  # type: ignore[union-attr]
