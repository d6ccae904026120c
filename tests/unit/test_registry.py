"""The jurisdiction registry: the shipped file, parsing, validation, round trips."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from lifeline.adapters.geo import data
from lifeline.adapters.geo.registry import RegistryIndex, dump_registry, parse_registry
from lifeline.domain.registry import RegistryError, RegistryUnit, validate_units

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
        ("schema: other/1\nunits: []", 'field "schema": must be'),
        (
            "schema: lifeline-registry/1\nunits:\n- {id: a, kind: state}",
            'field "name": is required',
        ),
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


def test_a_files_faults_name_the_file_the_record_and_the_field() -> None:
    text = """schema: lifeline-registry/1
units:
- {id: up-lko-ps-x, kind: police_station, name: X, parent: c, valid_from: yesterday}
- {kind: thana, name: Y, valid_from: 2020-01-01}
- id: up-lko-d
  kind: district
  name: D
  parent: up
  valid_from: 2020-01-01
  valid_to: 2019-01-01
  contacts:
  - {name: Duty, role: duty, channels: ['json://127.0.0.1/x'], phones: [call me]}
  - {name: SHO, channels: ['sms']}
"""
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, "units.yaml")
    assert caught.value.problems == [
        'units.yaml: unit "up-lko-ps-x": field "valid_from": \'yesterday\' is not a date '
        "(YYYY-MM-DD)",
        'units.yaml: unit #2: field "id": is required',
        "units.yaml: unit #2: field \"kind\": unknown kind 'thana' (known: state, adg_zone, "
        "range, district, commissionerate, dcp_zone, circle, police_station, cell, "
        "control_room, agency, nodal_unit, helpline)",
        'units.yaml: unit "up-lko-d": contact 1: field "phones": \'call me\' is not a phone '
        "number (write it with the country code, e.g. +919811111111)",
    ]
    # once every record has the right shape, what each means is checked, still by file
    text = text.replace("phones: [call me]", "phones: ['+919811111111']")
    text = text.replace("yesterday", "2020-01-01").replace("thana", "state")
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, "units.yaml")
    assert caught.value.problems == [
        'units.yaml: unit #2: field "id": is required',
        'units.yaml: unit "up-lko-d": field "valid_to": 2019-01-01 is not after valid_from '
        "2020-01-01",
        'units.yaml: unit "up-lko-d": field "lgd": a district needs its LGD code',
        'units.yaml: unit "up-lko-d": contact 2: field "role": must not be empty',
        'units.yaml: unit "up-lko-d": contact 2: field "channels": channel 1 (\'sms\') is not '
        "a URL (scheme://...)",
    ]


def test_a_csv_files_faults_name_the_row_and_the_column() -> None:
    text = "id,kind,name,valid_from,status\nup,state,UP,2020-01-01,rumoured\n,state,,,\n"
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, "units.csv")
    assert caught.value.problems == [
        'units.csv: unit "up": field "status": \'rumoured\' is not a status: use official, '
        "reported, illustrative",
        'units.csv: unit #2: field "id": is required',
        'units.csv: unit #2: field "name": is required',
        'units.csv: unit #2: field "valid_from": is required',
    ]


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
        "field \"parent\": 'nowhere' does not exist",
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
