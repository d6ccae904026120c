"""The resolver against tests/data/location_set.jsonl: Hindi, Hinglish, English, PINs,
coordinates, old names, out-of-state, ambiguous and bad inputs.

District accuracy must be at least 95% on the entries with one expected district, and every
ambiguous entry must be flagged (needs_review) with all its districts among the candidates.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lifeline.adapters.geo.lazy import shared_locator
from lifeline.adapters.geo.resolver import GeoLocator
from lifeline.domain.place import LocationQuery

SET = Path(__file__).resolve().parent.parent / "data" / "location_set.jsonl"
FIELDS = ("text", "lat", "lon", "pin", "phone", "ip_city", "post_text")


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]


def lgd_of(geo: GeoLocator, name: str) -> str:
    district, _, state = name.partition(", ")
    found = [
        d.lgd
        for d in geo.districts.values()
        if d.name.casefold() == district.casefold() and d.state == (state or "Uttar Pradesh")
    ]
    assert len(found) == 1, name
    return found[0]


@pytest.fixture(scope="module")
def results() -> list[tuple[dict[str, Any], Any]]:
    geo = shared_locator()
    geo.use_registry(None, "shipped")
    out = []
    for row in load():
        query = LocationQuery(**{k: row.get(k) for k in FIELDS})
        out.append((row, geo.resolve(query, on=date(2026, 11, 28))))
    return out


def test_the_set_has_at_least_200_strings_of_every_kind() -> None:
    rows = load()
    assert len(rows) >= 200
    kinds = {r["id"].split("-")[0] for r in rows}
    assert {"en", "hi", "post", "pin", "coord", "old", "out", "amb", "bad"} <= kinds


def test_district_accuracy_is_at_least_95_percent(
    results: list[tuple[dict[str, Any], Any]],
) -> None:
    geo = shared_locator()
    scored = [(row, r) for row, r in results if row.get("expect")]
    wrong = [
        (row["id"], row.get("text") or row.get("post_text"), r.district)
        for row, r in scored
        if r.district_lgd != lgd_of(geo, row["expect"])
    ]
    accuracy = 1 - len(wrong) / len(scored)
    print(f"district accuracy {accuracy:.3f} on {len(scored)} entries; wrong: {wrong}")
    assert accuracy >= 0.95, wrong


def test_every_ambiguous_entry_is_flagged_with_all_its_candidates(
    results: list[tuple[dict[str, Any], Any]],
) -> None:
    geo = shared_locator()
    missed = []
    for row, r in results:
        if "ambiguous" not in row:
            continue
        wanted = {lgd_of(geo, name) for name in row["ambiguous"]}
        if not r.needs_review or not wanted <= {c.district_lgd for c in r.candidates}:
            missed.append(row["id"])
    assert missed == []


def test_bad_input_is_flagged_and_names_no_district(
    results: list[tuple[dict[str, Any], Any]],
) -> None:
    bad = [(row, r) for row, r in results if "expect" in row and row["expect"] is None]
    assert bad and all(r.needs_review and r.district is None for _, r in bad)
