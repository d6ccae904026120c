"""Point in polygon against India's district boundaries (shapely STRtree over the shipped
GeoJSON), with the districts whose border is within the data's own error of the point."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import shapely

#: roughly how far a point may be from India's boundary and still be a misplaced Indian point
COAST_SLACK_DEG = 0.05
KM_PER_DEG = 111.2


@dataclass(frozen=True)
class Area:
    lgd: str | None
    district: str | None
    state: str | None
    remarks: str | None


@dataclass(frozen=True)
class PointHit:
    """Where a point falls: the area containing it (None: in no district), and every other
    area whose border is within the margin (with distances in km)."""

    inside: Area | None
    near: tuple[tuple[Area, float], ...]
    border_km: float | None


class DistrictPolygons:
    def __init__(self, collection: dict[str, Any]) -> None:
        meta = collection.get("metadata", {})
        self.margin = float(meta.get("border_margin_deg", 0.01))
        self.areas: list[Area] = []
        self.features: list[dict[str, Any]] = collection["features"]
        self.by_lgd: dict[str, int] = {}
        geoms = []
        for i, feature in enumerate(self.features):
            p = feature["properties"]
            self.areas.append(Area(p["lgd"], p["district"], p["state"], p["remarks"]))
            if p["lgd"]:
                self.by_lgd[p["lgd"]] = i
            geoms.append(json.dumps(feature["geometry"]))
        self.shapes = shapely.from_geojson(geoms)
        shapely.prepare(self.shapes)
        self.tree = shapely.STRtree(self.shapes)

    def locate(self, lat: float, lon: float) -> PointHit | None:
        """None when the point is nowhere near India."""
        point = shapely.Point(lon, lat)
        inside_idx = [int(i) for i in self.tree.query(point, predicate="intersects")]
        near_idx = [
            int(i) for i in self.tree.query(point, predicate="dwithin", distance=self.margin)
        ]
        if not inside_idx and not near_idx:
            nearest = self.tree.query_nearest(point, max_distance=COAST_SLACK_DEG)
            if len(nearest) == 0:
                return None
            near_idx = [int(i) for i in nearest]
        inside = self.areas[inside_idx[0]] if inside_idx else None
        border_km = None
        if inside_idx:
            boundary = shapely.boundary(self.shapes[inside_idx[0]])
            border_km = self._km(float(shapely.distance(point, boundary)), lat)
        near = tuple(
            (self.areas[i], self._km(float(shapely.distance(point, self.shapes[i])), lat))
            for i in near_idx
            if not inside_idx or i != inside_idx[0]
        )
        return PointHit(inside, tuple(sorted(near, key=lambda n: n[1])), border_km)

    @staticmethod
    def _km(degrees: float, lat: float) -> float:
        # degrees of a mixed direction: the mean of the latitude and longitude scales
        return round(degrees * KM_PER_DEG * (1 + math.cos(math.radians(lat))) / 2, 2)

    def feature(self, lgd: str) -> dict[str, Any] | None:
        i = self.by_lgd.get(lgd)
        return None if i is None else self.features[i]
