"""The map's projection and path drawing, and the dashboard's time bands: pure functions."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from lifeline.services.console import district_map as console_map
from lifeline.services.console.district_map import Frame
from lifeline.services.reports import dashboard

UP = Frame.fit(77.08, 23.87, 84.63, 30.41)


def test_the_frame_fits_the_area_in_the_width_and_keeps_its_shape() -> None:
    west, north = UP.point(30.41, 77.08)
    east, south = UP.point(23.87, 84.63)
    assert (round(west), round(north)) == (12, 12)
    assert round(east) == 988 and round(south) == round(UP.height - 12)
    # a degree of longitude is shorter than a degree of latitude by cos(mid-latitude)
    assert math.isclose(UP.kx / UP.ky, math.cos(math.radians((30.41 + 23.87) / 2)))
    assert UP.holds(26.85, 80.95) and not UP.holds(19.07, 72.88)  # Lucknow, not Mumbai


def test_a_path_is_relative_moves_in_tenths_with_repeated_points_dropped() -> None:
    frame = Frame.fit(80.0, 26.0, 81.0, 27.0)
    square = [(80.0, 27.0), (81.0, 27.0), (81.0, 27.0), (81.0, 26.0), (80.0, 26.0), (80.0, 27.0)]
    path = console_map.svg_path([[square]], frame)
    assert path.startswith("M12 12l") and path.endswith("z")
    assert len(re.findall(r"-?\d*\.?\d+", path)) == 2 + 2 * 4  # the repeat is gone
    assert console_map.svg_path([[[(80.0, 26.0), (80.0, 26.0)]]], frame) == ""


def test_tenths_are_written_as_short_as_svg_allows() -> None:
    assert [console_map._tenths(n) for n in (0, 5, -6, 15, -20, 123)] == [
        "0",
        ".5",
        "-.6",
        "1.5",
        "-2",
        "12.3",
    ]
    assert console_map._compact(["1", "-.5", ".5", "2"]) == "1-.5 .5 2"


def test_the_centre_of_a_district_is_its_largest_polygons_centroid() -> None:
    small = [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]
    large = [[(10.0, 10.0), (14.0, 10.0), (14.0, 12.0), (10.0, 12.0), (10.0, 10.0)]]
    assert console_map.centre([small, large]) == (12.0, 11.0)


@given(st.integers(min_value=0, max_value=200))
def test_markers_of_one_district_do_not_cover_each_other(n: int) -> None:
    here = console_map.spiral((500.0, 500.0), n)
    others = [console_map.spiral((500.0, 500.0), i) for i in range(n)]
    diameter = 2 * console_map.MARKER_RADIUS
    assert all(math.dist(here, other) >= diameter - 1e-9 for other in others)


def test_minutes_fall_in_bands_with_a_bound_in_the_lower_band() -> None:
    assert dashboard.banded([0.0, 5.0, 5.1, 10.0, 14.0, 30.0, 60.0, 61.0, 600.0]) == (
        2,
        2,
        1,
        1,
        1,
        2,
    )
    assert len(dashboard.BAND_LABELS) == len(dashboard.BANDS) + 1


def test_the_dashboard_watches_the_reports_steps_and_acknowledgement() -> None:
    keys = [step[0] for step in dashboard.WATCHED]
    assert keys == [
        "alert_to_located",
        "alert_to_dispatched",
        "alert_to_first_delivered",
        "alert_to_acknowledged",
        "alert_to_on_scene",
    ]
    assert all(step[1] == "received" for step in dashboard.WATCHED)


def test_a_district_is_shaded_by_its_highest_assessed_risk() -> None:
    assert console_map.shade_of(["unassessed", "distress", "imminent", "ideation"]) == "imminent"
    assert console_map.shade_of(["unassessed", "none"]) == "none"
    assert console_map.shade_of(["unassessed"]) == "unassessed"
    assert console_map.shade_of([]) is None
