"""Location benchmark: resolver start-up, memory, and time per query.

A benchmark, not a test: it prints figures with the targets beside them (never asserted) and
writes them to bench/results/locate.json. In a fresh process it

1. times the imports and the building of the resolver (boundaries, gazetteer, registry);
2. resolves every query of tests/data/location_set.jsonl once to warm up, then --rounds times
   each, timing every call (perf_counter) and reporting p50, p95, p99 and max per query;
3. reads the process's peak resident memory;
4. reports district accuracy on the set (as the test does) for the record.

    .venv/bin/python bench/locate.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "tests" / "data" / "location_set.jsonl"
RESULTS = ROOT / "bench" / "results" / "locate.json"
FIELDS = ("text", "lat", "lon", "pin", "phone", "ip_city", "post_text")
TARGETS = {"p99_ms": 20.0, "startup_s": 2.0, "memory_mb": 300.0}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    started = time.perf_counter()
    resolver = importlib.import_module("lifeline.adapters.geo.resolver")  # timed, so not at top
    LocationQuery = importlib.import_module("lifeline.domain.place").LocationQuery
    imported = time.perf_counter()
    geo = resolver.GeoLocator()
    built = time.perf_counter()

    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]
    queries = [LocationQuery(**{k: r.get(k) for k in FIELDS}) for r in rows]
    long_text = LocationQuery(text="Madeyganj, Lucknow " + "ghar ke paas " * 4000)
    day = date(2026, 11, 28)
    for q in queries:
        geo.resolve(q, on=day)
    times: list[float] = []
    for _ in range(args.rounds):
        for q in queries:
            t = time.perf_counter()
            geo.resolve(q, on=day)
            times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    geo.resolve(long_text, on=day)
    long_ms = (time.perf_counter() - t) * 1000

    correct = total = 0
    for row, q in zip(rows, queries, strict=True):
        if not row.get("expect"):
            continue
        name, _, state = row["expect"].partition(", ")
        want = {
            d.lgd
            for d in geo.districts.values()
            if d.name.casefold() == name.casefold() and d.state == (state or "Uttar Pradesh")
        }
        total += 1
        correct += geo.resolve(q, on=day).district_lgd in want

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "queries": len(times),
        "distinct_queries": len(queries),
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(percentile(times, 95), 3),
        "p99_ms": round(percentile(times, 99), 3),
        "max_ms": round(max(times), 3),
        "long_text_52kb_ms": round(long_ms, 2),
        "import_s": round(imported - started, 3),
        "build_s": round(built - imported, 3),
        "startup_s": round(built - started, 3),
        "memory_mb": round(peak_kb / 1024, 1),
        "district_accuracy": round(correct / total, 4),
        "accuracy_entries": total,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "targets": TARGETS,
    }
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "long_text_52kb_ms", "startup_s"):
        target = TARGETS.get(key)
        print(f"{key:>20}: {figures[key]:>8}" + (f"   (target < {target})" if target else ""))
    print(f"{'memory_mb':>20}: {figures['memory_mb']:>8}   (target < {TARGETS['memory_mb']})")
    print(f"{'district_accuracy':>20}: {figures['district_accuracy']:>8}   on {total} entries")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
