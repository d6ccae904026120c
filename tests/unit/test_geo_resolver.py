"""The resolver's evidence sources and how it combines them (real shipped data, no IO)."""

from __future__ import annotations

from datetime import date

import pytest

from lifeline.adapters.geo.lazy import LazyGeoLocator, shared_locator
from lifeline.adapters.geo.resolver import GeoLocator
from lifeline.domain.place import DEFAULT_HOME_STATE, LocationQuery, Resolution

KEYS = {
    "state",
    "district",
    "district_lgd",
    "commissionerate",
    "zone",
    "police_station",
    "confidence",
    "needs_review",
    "candidates",
    "evidence",
}


@pytest.fixture(scope="module")
def geo() -> GeoLocator:
    locator = shared_locator()
    locator.use_registry(None, "shipped")
    return locator


def resolve(geo: GeoLocator, **kw: object) -> Resolution:
    return geo.resolve(LocationQuery(**kw), on=date(2026, 11, 28))  # type: ignore[arg-type]


def reasons(r: Resolution) -> str:
    return " | ".join(e.finding for e in r.evidence)


def test_the_2022_case_resolves_to_madeyganj_police_station(geo: GeoLocator) -> None:
    r = resolve(geo, text="Madeyganj, Lucknow", lat=26.88, lon=80.91, pin="226020")
    assert set(r.as_dict()) == KEYS
    assert (r.state, r.district, r.district_lgd) == ("Uttar Pradesh", "Lucknow", "157")
    assert r.police_station == "Madeyganj" and r.zone == "Central Zone"
    assert r.commissionerate == "Lucknow Police Commissionerate"
    assert r.candidates[0].circle == "Mahanagar Circle"
    assert not r.needs_review and r.confidence >= 0.95


def test_devanagari_text_finds_the_same_police_station(geo: GeoLocator) -> None:
    r = resolve(geo, text="मदेयगंज, लखनऊ")
    assert r.police_station == "Madeyganj" and not r.needs_review


def test_free_text_in_a_post_is_read_with_the_district_narrowing_the_locality(
    geo: GeoLocator,
) -> None:
    r = resolve(geo, post_text="main lucknow ke chinhat me rehta hu")
    assert r.district == "Lucknow" and r.police_station == "Chinhat"


def test_a_point_well_inside_a_district_is_confident(geo: GeoLocator) -> None:
    r = resolve(geo, lat=26.85, lon=80.95)
    assert r.district == "Lucknow" and not r.needs_review
    assert r.evidence[0].source == "coordinates"


def test_a_point_near_a_border_lowers_confidence_and_lists_both_districts(
    geo: GeoLocator,
) -> None:
    # find a point on the Lucknow / Barabanki border from the shipped boundary itself
    lucknow = geo.polygons.shapes[geo.polygons.by_lgd["157"]]
    barabanki = geo.polygons.shapes[geo.polygons.by_lgd["176"]]
    border = lucknow.boundary.intersection(barabanki.boundary)
    point = border.representative_point() if not border.is_empty else None
    assert point is not None
    r = resolve(geo, lat=point.y, lon=point.x)
    assert {"157", "176"} <= {c.district_lgd for c in r.candidates}
    assert r.needs_review and r.confidence < 0.75
    assert "km from the border" in reasons(r)


def test_coordinates_outside_india_or_swapped_are_explained(geo: GeoLocator) -> None:
    london = resolve(geo, lat=51.5, lon=-0.12)
    assert london.district is None and london.needs_review
    assert "outside India" in reasons(london)
    swapped = resolve(geo, lat=80.95, lon=26.85)
    assert swapped.district == "Lucknow" and swapped.needs_review
    assert "swapped" in reasons(swapped)
    nonsense = resolve(geo, lat=95.0, lon=200.0)
    assert nonsense.district is None and "not a point on Earth" in reasons(nonsense)


def test_a_pin_in_several_districts_gives_candidates_not_a_pick(geo: GeoLocator) -> None:
    r = resolve(geo, pin="110025")
    assert r.needs_review and len(r.candidates) >= 2
    assert "spans" in reasons(r)


def test_a_pin_that_does_not_exist_or_is_malformed_is_said_so(geo: GeoLocator) -> None:
    missing = resolve(geo, pin="999999")
    assert missing.district is None and missing.needs_review
    assert "does not exist" in reasons(missing)
    assert "not a six-digit" in reasons(resolve(geo, pin="12345"))


def test_a_landline_gives_its_std_area_and_a_mobile_gives_nothing(geo: GeoLocator) -> None:
    landline = resolve(geo, phone="0522 2345678")
    assert landline.district == "Lucknow" and landline.needs_review  # an area, not an address
    mobile = resolve(geo, phone="+91 98123 45678")
    assert mobile.district is None and "mobile" in reasons(mobile)


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("Allahabad", "Prayagraj"),
        ("Faizabad", "Ayodhya"),
        ("Mahamaya Nagar", "Hathras"),
        ("Sant Ravidas Nagar", "Bhadohi"),
        ("Jyotiba Phule Nagar", "Amroha"),
        ("Kanshiram Nagar", "Kasganj"),
        ("Lakhimpur Kheri", "Kheri"),
        ("Mughalsarai", "Chandauli"),
        ("Banaras", "Varanasi"),
        ("इलाहाबाद", "Prayagraj"),
    ],
)
def test_old_names_resolve_to_the_current_district(geo: GeoLocator, old: str, current: str) -> None:
    assert resolve(geo, text=old).district == current


def test_text_and_coordinates_that_disagree_need_review_with_both(geo: GeoLocator) -> None:
    r = resolve(geo, text="Lucknow", lat=25.32, lon=82.99)
    assert r.needs_review
    assert {c.district for c in r.candidates} >= {"Lucknow", "Varanasi"}
    assert "disagree" in reasons(r)


@pytest.mark.parametrize("name", ["Vaishali", "Akbarpur", "Aurangabad"])
def test_a_name_shared_by_several_places_is_never_picked_silently(
    geo: GeoLocator, name: str
) -> None:
    r = resolve(geo, text=name)
    assert r.needs_review and len(r.candidates) >= 2


def test_a_state_named_next_to_a_shared_name_settles_it(geo: GeoLocator) -> None:
    r = resolve(geo, text="Aurangabad, Bihar")
    assert (r.state, r.district) == ("Bihar", "Aurangabad") and not r.needs_review


def test_outside_up_the_state_district_and_nodal_unit_are_named(geo: GeoLocator) -> None:
    r = resolve(geo, text="Boring Road, Patna")
    assert (r.state, r.district) == ("Bihar", "Patna")
    assert r.commissionerate is None
    assert r.candidates[0].unit_id == "nodal-bihar"


def test_only_a_state_gives_the_state_and_asks_for_review(geo: GeoLocator) -> None:
    r = resolve(geo, text="Bihar")
    assert r.state == "Bihar" and r.district is None and r.needs_review


@pytest.mark.parametrize(
    "text", ["", "   ", "Москва, Россия", "🙂🙂🙂", "aaj sab khatam", "x" * 50_000, "\x00\x01"]
)
def test_bad_or_empty_input_gives_a_clear_empty_result(geo: GeoLocator, text: str) -> None:
    r = resolve(geo, text=text)
    assert r.district is None and r.needs_review and r.confidence == 0.0
    assert any(e.source == "review" for e in r.evidence)


def test_a_long_address_is_cut_and_says_so(geo: GeoLocator) -> None:
    r = resolve(geo, text="Madeyganj, Lucknow " + "x" * 50_000)
    assert r.district == "Lucknow"
    assert "read the first" in reasons(r)


def test_a_pin_inside_the_text_counts(geo: GeoLocator) -> None:
    r = resolve(geo, text="H.No 5, near mandir, 226020")
    assert r.district == "Lucknow"


def test_a_police_station_not_yet_in_force_on_that_day_is_not_named(geo: GeoLocator) -> None:
    before = geo.resolve(LocationQuery(text="Madeyganj, Lucknow"), on=date(2019, 1, 1))
    assert before.district == "Lucknow" and before.police_station is None
    assert before.commissionerate is None  # the commissionerate began in January 2020


def test_district_geometry_is_geojson_with_the_lgd_code(geo: GeoLocator) -> None:
    feature = geo.district_geojson("157")
    assert feature is not None and feature["type"] == "FeatureCollection"
    assert feature["features"][0]["properties"]["lgd"] == "157"
    assert geo.district_geojson("99999") is None


def test_a_home_state_not_in_the_shipped_state_list_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValueError, match=r"'Utter Pradesh'.*LIFELINE_HOME_STATE"):
        GeoLocator("Utter Pradesh")


def test_the_shared_resolver_serves_the_configured_home_state() -> None:
    assert shared_locator().home_state == DEFAULT_HOME_STATE
    assert LazyGeoLocator("Bihar").home_state == "Bihar"  # built on first use, not here
