"""Location accuracy benchmark: the sets written by other hands, and the time per query.

A benchmark, not a test: it prints figures with the targets beside them (never asserted) and
writes them to bench/results/location-accuracy.json.

* traps (tests/data/location_traps_{dev,heldout}.jsonl): posts with no real location, resolved
  as a post (`post_text`). Confident = a district set and `needs_review` false; the target is
  at most 1% confident, and no candidate at all for most. The held-out split is measured only
  with `--heldout` (once, at the end of a piece of work; never tune on it).
* fresh (tests/data/location_fresh.jsonl): location fields with coordinates, PIN, phone and IP
  city. District accuracy (target >= 97%) and, where the writer marked the evidence as agreeing,
  the share that is confident (target >= 95%). The writer's district names are aliased to the
  gazetteer's official names here (ALIASES), the data is not edited.
* location_set (tests/data/location_set.jsonl): district accuracy on the older set.
* towns: 400 Uttar Pradesh towns (head and sub post offices) drawn from the gazetteer with a
  fixed seed, written as an address "Town, District" and as a post "main Town mein rehta hu,
  District jila": district accuracy and the share right and confident. Not by other hands (the
  names are the gazetteer's own spellings): a guard that the rules against false places do not
  lose real ones.
* time: p50 and p99 of `resolve` over every query above, --rounds times (target p99 < 20 ms).

    .venv/bin/python bench/location_accuracy.py [--heldout] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from lifeline.adapters.geo import data
from lifeline.adapters.geo.resolver import GeoLocator
from lifeline.domain.place import LocationQuery, Resolution

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RESULTS = ROOT / "bench" / "results" / "location-accuracy.json"
DAY = date(2026, 11, 28)
FIELDS = ("text", "lat", "lon", "pin", "phone", "ip_city", "post_text")
TARGETS = {
    "trap_confident_rate": 0.01,
    "fresh_district_accuracy": 0.97,
    "fresh_confident_when_agree": 0.95,
    "p99_ms": 20.0,
}
#: the fresh set's district names -> the gazetteer's (LGD) names
ALIASES = {
    "Lakhimpur Kheri": "Kheri",
    "Gautam Buddha Nagar": "Gautam Buddh Nagar",
    "Gautam Buddh Nagar": "Gautam Buddh Nagar",
    "Raebareli": "Rae Bareli",
    "Dholpur": "Dhaulpur",
}


def load(name: str) -> list[dict[str, Any]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def lgd_of(geo: GeoLocator, district: str, state: str = "Uttar Pradesh") -> set[str]:
    names = {district.casefold(), ALIASES.get(district, district).casefold()}
    return {
        d.lgd for d in geo.districts.values() if d.name.casefold() in names and d.state == state
    }


def confident(r: Resolution) -> bool:
    return r.district_lgd is not None and not r.needs_review


def traps(geo: GeoLocator, split: str) -> dict[str, Any]:
    rows = load(f"location_traps_{split}.jsonl")
    results = [(row, geo.resolve(LocationQuery(post_text=row["text"]), on=DAY)) for row in rows]
    sure = [(row, r) for row, r in results if confident(r)]
    with_candidate = [(row, r) for row, r in results if r.candidates]
    worst = sorted(results, key=lambda x: (not confident(x[1]), -x[1].confidence))[:8]
    return {
        "posts": len(rows),
        "confident": len(sure),
        "confident_rate": round(len(sure) / len(rows), 4),
        "candidate_rate": round(len(with_candidate) / len(rows), 4),
        "worst": [
            {
                "id": row["id"],
                "text": row["text"],
                "district": r.district,
                "confidence": r.confidence,
                "needs_review": r.needs_review,
            }
            for row, r in worst
            if r.candidates
        ],
    }


def fresh_query(row: dict[str, Any]) -> LocationQuery:
    return LocationQuery(
        text=row.get("text"),
        lat=row.get("lat"),
        lon=row.get("lon"),
        pin=row.get("pin"),
        phone=row.get("phone"),
        ip_city=row.get("ip_city"),
    )


def fresh(geo: GeoLocator) -> dict[str, Any]:
    rows = load("location_fresh.jsonl")
    wrong, held, agree = [], [], 0
    for row in rows:
        r = geo.resolve(fresh_query(row), on=DAY)
        want = lgd_of(geo, row["expect_district"], row["expect_state"])
        if not want:
            raise SystemExit(f"{row['id']}: no gazetteer district for {row['expect_district']}")
        if r.district_lgd not in want:
            wrong.append({"id": row["id"], "text": row["text"], "got": r.district})
        if row["agree"]:
            agree += 1
            if not confident(r) or r.district_lgd not in want:
                review = [e.finding for e in r.evidence if e.source == "review"]
                held.append({"id": row["id"], "text": row["text"], "why": review})
    return {
        "entries": len(rows),
        "district_accuracy": round(1 - len(wrong) / len(rows), 4),
        "agreeing": agree,
        "confident_when_agree": round(1 - len(held) / agree, 4),
        "wrong": wrong,
        "agreeing_not_confident": held,
    }


def location_set(geo: GeoLocator) -> dict[str, Any]:
    rows = [r for r in load("location_set.jsonl") if r.get("expect")]
    wrong = []
    for row in rows:
        r = geo.resolve(LocationQuery(**{k: row.get(k) for k in FIELDS}), on=DAY)
        name, _, state = row["expect"].partition(", ")
        if r.district_lgd not in lgd_of(geo, name, state or "Uttar Pradesh"):
            wrong.append({"id": row["id"], "got": r.district})
    return {
        "entries": len(rows),
        "district_accuracy": round(1 - len(wrong) / len(rows), 4),
        "wrong": wrong,
    }


def towns(geo: GeoLocator) -> dict[str, Any]:
    offices = [
        (name, lgd)
        for name, kind, _, lgd in data.load_places()
        if kind in ("head_office", "sub_office") and lgd in geo.districts
        if geo.districts[lgd].state == "Uttar Pradesh"
    ]
    sample = random.Random(7).sample(offices, 400)
    out: dict[str, Any] = {"towns": len(sample)}
    for style in ("address", "post"):
        right = sure = 0
        for name, lgd in sample:
            district = geo.districts[lgd].name
            if style == "address":
                query = LocationQuery(text=f"{name}, {district}")
            else:
                query = LocationQuery(post_text=f"main {name} mein rehta hu, {district} jila")
            r = geo.resolve(query, on=DAY)
            right += r.district_lgd == lgd
            sure += r.district_lgd == lgd and not r.needs_review
        out[style] = {
            "district_accuracy": round(right / len(sample), 4),
            "right_and_confident": round(sure / len(sample), 4),
        }
    return out


def timing(geo: GeoLocator, rounds: int) -> dict[str, float]:
    queries = [fresh_query(r) for r in load("location_fresh.jsonl")]
    queries += [LocationQuery(post_text=r["text"]) for r in load("location_traps_dev.jsonl")]
    queries += [LocationQuery(**{k: r.get(k) for k in FIELDS}) for r in load("location_set.jsonl")]
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            geo.resolve(q, on=DAY)
            times.append((time.perf_counter() - t) * 1000)
    ordered = sorted(times)
    return {
        "queries": len(times),
        "p50_ms": round(statistics.median(times), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 3),
        "max_ms": round(ordered[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", action="store_true", help="also measure the held-out traps")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quiet", action="store_true", help="no lists of misses")
    args = parser.parse_args()
    geo = GeoLocator()
    figures: dict[str, Any] = {"traps_dev": traps(geo, "dev")}
    if args.heldout:
        figures["traps_heldout"] = traps(geo, "heldout")
    figures["fresh"] = fresh(geo)
    figures["location_set"] = location_set(geo)
    figures["towns"] = towns(geo)
    figures["time"] = timing(geo, args.rounds)
    figures["targets"] = TARGETS

    for split in ("traps_dev", "traps_heldout"):
        if split in figures:
            f = figures[split]
            print(
                f"{split:>14}: confident {f['confident']}/{f['posts']} = {f['confident_rate']:.2%}"
                f" (target <= 1%), any candidate {f['candidate_rate']:.1%}"
            )
            if not args.quiet:
                for w in f["worst"]:
                    print(
                        f"{'':>16}{w['id']} {w['district']} {w['confidence']} "
                        f"review={w['needs_review']}: {w['text'][:70]}"
                    )
    f = figures["fresh"]
    print(
        f"{'fresh':>14}: district accuracy {f['district_accuracy']:.2%} (target >= 97%) of "
        f"{f['entries']}; confident when agreeing {f['confident_when_agree']:.2%} "
        f"(target >= 95%) of {f['agreeing']}"
    )
    if not args.quiet:
        for w in f["wrong"]:
            print(f"{'':>16}wrong {w['id']} got {w['got']}: {w['text']}")
        for w in f["agreeing_not_confident"]:
            print(f"{'':>16}review {w['id']}: {w['text']} {w['why']}")
    f = figures["location_set"]
    print(
        f"{'location_set':>14}: district accuracy {f['district_accuracy']:.2%} of {f['entries']}"
        + (f" wrong {f['wrong']}" if f["wrong"] and not args.quiet else "")
    )
    f = figures["towns"]
    for style in ("address", "post"):
        print(
            f"{'towns ' + style:>14}: district accuracy {f[style]['district_accuracy']:.2%}, "
            f"right and confident {f[style]['right_and_confident']:.2%} of {f['towns']}"
        )
    f = figures["time"]
    print(
        f"{'time':>14}: p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms (target < 20), "
        f"max {f['max_ms']} ms over {f['queries']} calls"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
