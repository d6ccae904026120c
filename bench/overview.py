"""Map and dashboard benchmark: server time of /console/map and /console/dashboard (and the
fragments their pages poll) with N open cases and a month of history.

A benchmark, not a test: it prints figures (targets beside them, never asserted) and writes them
to bench/results/overview-<db>.json. For each database (a temporary SQLite file always; a fresh
temporary PostgreSQL database when --pg-url or LIFELINE_TEST_DATABASE_URL is given) it

1. migrates, creates an SMC operator and a district officer (Lucknow);
2. stores, through the real use cases, H cases over the month so far (one every few hours,
   placed in one of five districts, dispatched, acknowledged and on scene at a few minutes
   each, outcome recorded) and then N open cases (a third placed in Lucknow, a third with
   coordinates, a third nowhere);
3. signs both in through the console's sign-in form and requests each page and fragment R
   times, in process (Starlette's test client: server time without a network), reporting
   p50/p95/max and the size of the answer.

Target (issue: console): the map and the dashboard answer within 300 ms (p95) with 500 open
cases and a month of history; the fragments polled are a small part of the page.

    .venv/bin/python bench/overview.py --cases 500 --history 300 --repeat 30 [--pg-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from console_support import (  # noqa: E402
    LUCKNOW,
    OPERATOR,
    make_person,
    new_case,
    place_in,
    signed_in,
)
from lifeline.adapters.db.engine import normalise_url  # noqa: E402
from lifeline.bootstrap import Lifeline, bootstrap  # noqa: E402
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject  # noqa: E402
from lifeline.services import cases, console  # noqa: E402
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert  # noqa: E402
from lifeline.settings import Settings  # noqa: E402
from support import FakeClock, RecordingSink  # noqa: E402

DISTRICTS = ("157", "197", "146", "164", "188")  # Lucknow, Varanasi, Agra, Kanpur, Gorakhpur


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(web: Any, path: str, repeat: int, headers: dict[str, str]) -> dict[str, float]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = web.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "kib": round(size / 1024, 1),
    }


def pinned_case(app: Lifeline, n: int) -> int:
    alert = Alert(
        source=AlertSource.PLATFORM_API,
        received_at=app.clock.now(),
        raw_payload=b"{}",
        raw_content_type="application/json",
        platform="instagram",
        reference=f"IG-bench{n}",
        subject=Subject(handle=f"pinned{n}"),
        post=Post("sab khatam"),
        location=LocationHint(None, 26.85 + (n % 7) / 100, 80.95 + (n % 5) / 100, None, None),
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, OPERATOR)).case_id


def history(app: Lifeline, clock: FakeClock, count: int) -> None:
    """`count` cases spread over the month so far, each taken to its outcome."""
    now = clock.current
    first = now.replace(day=1, hour=0, minute=0)
    step = (now - first - timedelta(hours=1)) / max(count, 1)
    for n in range(count):
        clock.current = first + n * step
        case_id = new_case(app, "sab khatam", handle=f"past{n}", place=None)
        console.record_place(app.ctx, OPERATOR, case_id, "", DISTRICTS[n % len(DISTRICTS)])
        for minutes, act in (
            (2 + n % 4, lambda c: cases.dispatch_case(app.ctx, OPERATOR, c, ["Thana"])),
            (1 + n % 3, lambda c: cases.acknowledge(app.ctx, OPERATOR, c, "Thana")),
            (5 + n % 20, lambda c: cases.mark_on_scene(app.ctx, OPERATOR, c)),
            (10, lambda c: cases.record_outcome(app.ctx, OPERATOR, c, "reached_safe")),
        ):
            clock.advance(minutes=minutes)
            act(case_id)
    clock.current = now


def run(database_url: str, open_cases: int, past: int, repeat: int, home: Path) -> dict[str, Any]:
    clock = FakeClock()
    settings = Settings(
        database_url=database_url,
        data_key_file=home / "lifeline.key",
        log_json=True,
        log_level="WARNING",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = bootstrap(settings, clock=clock, events=RecordingSink())
    app.upgrade_db()
    operator = make_person(app, "bench.op", "smc_operator")
    officer = make_person(app, "bench.dsp", "district_officer", LUCKNOW)
    started = time.perf_counter()
    history(app, clock, past)
    for n in range(open_cases):
        if n % 3 == 0:
            place_in(app, new_case(app, "sab khatam", handle=f"bench{n}", place=None), LUCKNOW)
        elif n % 3 == 1:
            pinned_case(app, n)
        else:
            new_case(app, "sab khatam", handle=f"bench{n}", place=None)
    seeded = time.perf_counter() - started
    clock.advance(minutes=3)
    results: dict[str, Any] = {"database": make_url(database_url).get_backend_name()}
    results |= {"open_cases": open_cases, "history_cases": past, "seed_seconds": round(seeded, 1)}
    poll = {"X-Lifeline-Poll": "1"}
    for label, person in (("operator", operator), ("district_officer", officer)):
        web, _ = signed_in(app, person, clock)
        web.get("/console/map")  # the first request projects the boundaries (then cached)
        results[f"{label}_map_page"] = timed(web, "/console/map", repeat, {})
        results[f"{label}_map_live"] = timed(web, "/console/map/live", repeat, poll)
        results[f"{label}_dashboard_page"] = timed(web, "/console/dashboard", repeat, {})
        results[f"{label}_dashboard_live_month"] = timed(
            web, "/console/dashboard/live?period=month", repeat, poll
        )
    app.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--history", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pg-url", default=os.environ.get("LIFELINE_TEST_DATABASE_URL"))
    args = parser.parse_args()
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        urls = [f"sqlite:///{home / 'overview.db'}"]
        admin = None
        name = f"lifeline_bench_{uuid.uuid4().hex[:8]}"
        if args.pg_url:
            admin = create_engine(normalise_url(args.pg_url), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            urls.append(make_url(normalise_url(args.pg_url)).set(database=name).render_as_string(
                hide_password=False))  # fmt: skip
        try:
            for url in urls:
                figures = run(url, args.cases, args.history, args.repeat, home)
                figures["machine"] = f"{platform.machine()} {os.cpu_count()} CPUs"
                figures["target"] = "map and dashboard p95 < 300 ms, 500 open cases, a month"
                db = figures["database"]
                (out_dir / f"overview-{db}.json").write_text(json.dumps(figures, indent=2) + "\n")
                print(json.dumps(figures, indent=2))
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
