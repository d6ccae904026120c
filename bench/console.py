"""Console benchmark: server time of the live queue with N open cases and M open SMC alarms.

A benchmark, not a test: it prints figures (targets beside them, never asserted) and writes them
to bench/results/console-<db>.json. For each database (a temporary SQLite file always; a fresh
temporary PostgreSQL database when --pg-url or LIFELINE_TEST_DATABASE_URL is given) it

1. migrates, freezes the start-up heap as `lifeline serve` does once started and again once
   its worker has warmed up (process.freeze_heap: the collector no longer walks the modules,
   templates, the triage model and the resolver's indexes), creates an
   SMC operator and a district officer (Lucknow), and stores N open cases through the real
   intake use case (half of them placed in Lucknow), and raises an SMC alarm on M of them
   through the escalation service's `raise_alarm` (as an unreached or unacknowledged dispatch
   does: the queue's breached-clock order, the banner on every page);
2. signs both in through the console's own sign-in form (argon2id and TOTP);
3. requests the queue page and the queue rows the page polls, R times each, in process (the
   ASGI app through Starlette's test client: server time without a network), and reports
   p50/p95/max of each, the process's CPU time per request (server and client), and the
   1-minute load average before and after.

Target (issues: console, #16): queue page p95 < 100 ms with 500 open cases and 200 alarms.

    .venv/bin/python bench/console.py --cases 500 --alarms 200 --repeat 50 [--pg-url URL]
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
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from console_support import (  # noqa: E402
    LUCKNOW,
    make_person,
    new_case,
    place_in,
    signed_in,
)
from lifeline.adapters.db.engine import normalise_url  # noqa: E402
from lifeline.bootstrap import bootstrap  # noqa: E402
from lifeline.process import freeze_heap, import_server_adapters  # noqa: E402
from lifeline.settings import Settings  # noqa: E402
from support import FakeClock, RecordingSink  # noqa: E402

TEXTS = [
    "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",
    "ab aur nahi hota yaar, sab khatam kar dunga aaj raat",
    "Going live. This is goodbye, I am sorry to everyone.",
    "kisi ko fark nahi padta, main ja raha hu",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(web: Any, path: str, repeat: int, headers: dict[str, str]) -> dict[str, float]:
    times = []
    cpu = time.process_time()
    for _ in range(repeat):
        start = time.perf_counter()
        response = web.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        # CPU of the whole process (server and test client) per request: less swayed by
        # other jobs on the machine than the wall-clock figures
        "cpu_ms": round((time.process_time() - cpu) * 1000 / repeat, 2),
    }


def raise_alarms(app: Any, case_ids: list[int]) -> None:
    """An open SMC alarm on each case, as the escalation timers raise them."""
    from lifeline.domain.dispatch import AlarmKind  # noqa: PLC0415
    from lifeline.services.dispatch.escalations import raise_alarm  # noqa: PLC0415

    for case_id in case_ids:
        with app.ctx.uow() as uow:
            now = app.clock.now()
            details = {"seconds": 120, "units": 1}
            raise_alarm(app.ctx, uow, case_id, None, AlarmKind.NOBODY_REACHED, details, now)
            uow.commit()


def run(database_url: str, cases: int, alarms: int, repeat: int, home: Path) -> dict[str, Any]:
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
    # as `lifeline serve` does: the adapters imported and the heap frozen when it starts
    # (create_app(long_running=True)), then the worker's warm-up (the triage model, the
    # resolver's indexes) frozen too (Worker.run); left unfrozen, the model's objects were
    # walked by every full collection (about 200 ms) and made the page's p95
    import_server_adapters()
    freeze_heap()
    app.warm_up()
    freeze_heap()
    operator = make_person(app, "bench.op", "smc_operator")
    officer = make_person(app, "bench.dsp", "district_officer", LUCKNOW)
    started = time.perf_counter()
    opened = []
    for n in range(cases):
        case_id = new_case(app, TEXTS[n % len(TEXTS)], handle=f"bench{n}")
        opened.append(case_id)
        if n % 2 == 0:
            place_in(app, case_id, LUCKNOW)
    raise_alarms(app, opened[: min(alarms, cases)])
    seeded = time.perf_counter() - started
    clock.advance(minutes=3)
    results: dict[str, Any] = {"database": make_url(database_url).get_backend_name()}
    results["cases"], results["seed_seconds"] = cases, round(seeded, 1)
    results["alarms"] = min(alarms, cases)
    for label, person in (("operator", operator), ("district_officer", officer)):
        web, _ = signed_in(app, person, clock)
        results[f"{label}_queue_page"] = timed(web, "/console/queue", repeat, {})
        results[f"{label}_queue_rows_poll"] = timed(
            web, "/console/queue/rows", repeat, {"X-Lifeline-Poll": "1"}
        )
    app.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--alarms", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--pg-url", default=os.environ.get("LIFELINE_TEST_DATABASE_URL"))
    args = parser.parse_args()
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        urls = [f"sqlite:///{home / 'console.db'}"]
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
                load_before = os.getloadavg()[0]
                figures = run(url, args.cases, args.alarms, args.repeat, home)
                figures["machine"] = f"{platform.machine()} {os.cpu_count()} CPUs"
                # other jobs on the machine skew the tail: compare runs at similar load
                figures["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
                figures["target"] = "queue page p95 < 100 ms with 500 open cases, 200 alarms"
                db = figures["database"]
                (out_dir / f"console-{db}.json").write_text(json.dumps(figures, indent=2) + "\n")
                print(json.dumps(figures, indent=2))
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
