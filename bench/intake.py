"""Intake benchmark: signed partner alerts against the real server, then job pickup latency.

A benchmark, not a test: it prints figures (with targets beside them, never asserted) and writes
them to bench/results/intake-<db>.json. For each database (a temporary SQLite file always; a
fresh temporary PostgreSQL database when --pg-url or LIFELINE_TEST_DATABASE_URL is given) it

1. starts a tiny webhook receiver on 127.0.0.1 that answers 204, named in
   LIFELINE_EVENT_WEBHOOKS, so every alert makes a deliver_event job for the embedded worker;
2. runs `lifeline db upgrade`, `lifeline partners create bench --json` and
   `lifeline serve --port P` as subprocesses, with a data key file in a temporary directory;
3. posts N unique signed alerts (unique reference and handle: each opens a case) from C
   concurrent clients and times each request until its 202;
4. waits until no job is due and unfinished, and reads from the jobs table the time from
   created_at to started_at (first pickup) of the jobs that were due at once
   (run_at == created_at).

It stops by itself (bounded counts, a timeout on every wait) and only talks to 127.0.0.1 and to
the PostgreSQL server given.

    .venv/bin/python bench/intake.py --count 2000 --concurrency 16 [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

import harness
from harness import (
    pg_database as pg_database,  # re-exported: other benchmarks import it from here
)
from lifeline.adapters.db.engine import normalise_url
from lifeline.adapters.db.tables import jobs
from lifeline.services.access.accounts import sign

ROOT = Path(__file__).resolve().parent.parent
LIFELINE = Path(sys.executable).parent / "lifeline"
RESULTS = ROOT / "bench" / "results"

TARGET_RATE = 200.0  # alerts/s, SQLite
TARGET_P99_MS = 100.0  # request to 202, SQLite
TARGET_PICKUP_P99_MS = 200.0  # job committed to first pickup


# -- the webhook receiver (runs as `intake.py _receiver`, in its own process) ------------------
def run_receiver() -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: PLC0415

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would allow

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


@contextmanager
def receiver() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "_receiver"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}/events"
    finally:
        stop(proc)


# -- helpers -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[Any], timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan when there are no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), int(-(-q * len(ordered) // 100)))) - 1]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": round(pct(ms, 50), 1),
        "p95": round(pct(ms, 95), 1),
        "p99": round(pct(ms, 99), 1),
        "max": round(max(ms), 1) if ms else float("nan"),
        "mean": round(statistics.fmean(ms), 1) if ms else float("nan"),
    }


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process, all threads (Linux /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def meets(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def server_env(db_url: str, workdir: Path, webhook: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
    env.update(
        LIFELINE_DATABASE_URL=db_url,
        LIFELINE_DATA_KEY_FILE=str(workdir / "lifeline.key"),
        LIFELINE_LOG_LEVEL="WARNING",
        LIFELINE_EVENT_WEBHOOKS=webhook,
        LIFELINE_HTTP_HOST="127.0.0.1",
        LIFELINE_SMTP_HOST="127.0.0.1",
        LIFELINE_SMTP_PORT=str(free_port()),
    )
    return env


def cli(args: list[str], env: dict[str, str], cwd: Path) -> Any:
    done = subprocess.run(
        [str(LIFELINE), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise SystemExit(f"lifeline {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout)


def wait_healthy(base: str, proc: subprocess.Popen[Any], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not healthy after {timeout} s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_server(
    env: dict[str, str],
    workdir: Path,
    workers: int = 0,
    started: list[subprocess.Popen[Any]] | None = None,
) -> Iterator[tuple[subprocess.Popen[Any], str, Path]]:
    """`lifeline serve` (with `--no-worker` and `workers` worker processes when asked), healthy;
    yields (server process, base URL, log file) and stops everything afterwards. `started`, if
    given, receives every process started (serve first, then the workers), e.g. to read their
    CPU time."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    serve = [str(LIFELINE), "serve", "--port", str(port)] + (["--no-worker"] if workers else [])
    procs: list[subprocess.Popen[Any]] = [] if started is None else started
    try:
        with log.open("w") as out:
            procs.append(
                subprocess.Popen(serve, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
            )
            for _ in range(workers):  # separate worker processes: the API keeps its core
                procs.append(
                    subprocess.Popen(
                        [str(LIFELINE), "worker"],
                        env=env,
                        cwd=workdir,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        wait_healthy(base, procs[0], log)
        yield procs[0], base, log
    finally:
        for proc in procs:
            stop(proc)


# -- the load ----------------------------------------------------------------------------------
def alert_bodies(
    count: int, run: str, texts: tuple[str, ...] = ("आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",)
) -> list[bytes]:
    """Unique alerts: unique reference, handle and profile URL, so each opens its own case;
    posts taken in turn from `texts`, placed confidently (Madeyganj, Lucknow)."""
    bodies = []
    for i in range(count):
        handle = f"bench.{run}.{i}"
        body = {
            "platform": "facebook",
            "reference": f"BENCH-{run}-{i}",
            "received_via": "platform_api",
            "subject": {
                "name": f"Bench Person {i}",
                "handle": handle,
                "profile_url": f"https://facebook.com/{handle}",
            },
            "post": {
                "text": texts[i % len(texts)],
                "url": f"https://facebook.com/{handle}/posts/1",
                "posted_at": "2022-09-06T21:41:09Z",
                "kind": "text",
            },
            "location": {
                "text": "Madeyganj, Lucknow",
                "lat": 26.88,
                "lon": 80.91,
                "pin": "226020",
                "ip_city": "Lucknow",
            },
        }
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


@dataclass
class Refusals:
    """Alerts not answered with 202, by kind ("409 duplicate", "ReadTimeout"), and the first
    answer of each kind."""

    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, sample: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.samples.setdefault(kind, sample[:300])

    def answer(self, response: httpx.Response) -> None:
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = "?"
        self.add(f"{response.status_code} {code}", response.text)


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    refusals: Refusals = field(default_factory=Refusals)
    wall: float = 0.0
    client_cpu: float = 0.0


Accepted = Callable[[httpx.Response, float, float], None]


def signed_headers(partner: dict[str, str], raw: bytes) -> dict[str, str]:
    """The headers of a signed partner POST (alerts, monitoring posts): key id, timestamp,
    signature."""
    ts = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-Lifeline-Key": partner["key_id"],
        "X-Lifeline-Timestamp": ts,
        "X-Lifeline-Signature": sign(partner["secret"], ts, raw),
    }


async def send_signed(
    base: str,
    partner: dict[str, str],
    bodies: list[bytes],
    concurrency: int,
    timeout: float,
    rate: float | None,
    accepted: Accepted,
    refusals: Refusals,
) -> float:
    """Post `bodies` to /api/v1/alerts signed as `partner`, from `concurrency` clients sharing
    one list (each body is taken by exactly one client); with `rate`, body i is not sent before
    i/rate s. `accepted(response, sent, answered)` is called for each 202, with perf_counter
    times; everything else goes to `refusals`. Returns the wall time."""
    todo = iter(enumerate(bodies))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient, began: float) -> None:
        for i, raw in todo:
            if rate:
                await asyncio.sleep(max(0.0, began + i / rate - time.perf_counter()))
            headers = signed_headers(partner, raw)
            started = time.perf_counter()
            try:
                response = await client.post("/api/v1/alerts", content=raw, headers=headers)
            except httpx.HTTPError as exc:
                refusals.add(type(exc).__name__, repr(exc))
                continue
            if response.status_code == 202:
                accepted(response, started, time.perf_counter())
            else:
                refusals.answer(response)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        began = time.perf_counter()
        await asyncio.gather(*(client_loop(client, began) for _ in range(concurrency)))
        return time.perf_counter() - began


async def post_all(
    base: str,
    partner: dict[str, str],
    bodies: list[bytes],
    concurrency: int,
    timeout: float,
    rate: float | None = None,
) -> Load:
    """Request-to-202 latencies and refusals of `send_signed`."""
    load = Load()

    def accepted(_response: httpx.Response, started: float, done: float) -> None:
        load.latencies.append(done - started)

    cpu = own_cpu()
    load.wall = await send_signed(
        base, partner, bodies, concurrency, timeout, rate, accepted, load.refusals
    )
    load.client_cpu = own_cpu() - cpu
    return load


# -- the job queue -----------------------------------------------------------------------------
def max_job_id(db_url: str) -> int:
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(jobs.c.id), 0))).scalar_one())
    finally:
        engine.dispose()


def wait_drained(db_url: str, timeout: float) -> tuple[bool, float, dict[str, int]]:
    """Wait until no job is due and unfinished (pending with run_at <= now, or running)."""
    engine = create_engine(normalise_url(db_url))
    began = time.monotonic()
    try:
        while True:
            with engine.connect() as conn:
                due = conn.execute(
                    select(func.count())
                    .select_from(jobs)
                    .where(
                        ((jobs.c.status == "pending") & (jobs.c.run_at <= datetime.now(UTC)))
                        | (jobs.c.status == "running")
                    )
                ).scalar_one()
                counts: dict[str, int] = dict(
                    conn.execute(select(jobs.c.status, func.count()).group_by(jobs.c.status)).all()
                )
            waited = time.monotonic() - began
            if due == 0 or waited > timeout:
                return due == 0, waited, {str(k): int(v) for k, v in counts.items()}
            time.sleep(0.25)
    finally:
        engine.dispose()


def pickup_latencies(db_url: str, after_id: int) -> tuple[list[float], dict[str, int], int]:
    """created_at -> started_at of the jobs due at once (run_at == created_at), their kinds,
    and how many of them had not been picked up at all when this was read."""
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(jobs.c.kind, jobs.c.created_at, jobs.c.started_at).where(
                    jobs.c.id > after_id, jobs.c.run_at == jobs.c.created_at
                )
            ).all()
    finally:
        engine.dispose()
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    started = [(r.started_at - r.created_at).total_seconds() for r in rows if r.started_at]
    return started, kinds, len(rows) - len(started)


# -- one database ------------------------------------------------------------------------------
def bench_one(db: str, db_url: str, workdir: Path, args: argparse.Namespace, webhook: str) -> Any:
    env = server_env(db_url, workdir, webhook)
    cli(["db", "upgrade", "--json"], env, workdir)
    partner = cli(["partners", "create", "bench", "--json"], env, workdir)
    with running_server(env, workdir, args.workers) as (proc, base, log):
        run = uuid.uuid4().hex[:8]
        if args.warmup:
            warm = alert_bodies(args.warmup, f"{run}w")
            asyncio.run(post_all(base, partner, warm, args.concurrency, args.request_timeout))
            wait_drained(db_url, args.drain_timeout)
        first_job = max_job_id(db_url)
        cpu_before = process_cpu(proc.pid)
        load = asyncio.run(
            post_all(
                base,
                partner,
                alert_bodies(args.count, run),
                args.concurrency,
                args.request_timeout,
                args.rate,
            )
        )
        cpu_run = process_cpu(proc.pid)
        drained, drain_wait, job_counts = wait_drained(db_url, args.drain_timeout)
        cpu_drained = process_cpu(proc.pid)
        pickups, kinds, never_picked = pickup_latencies(db_url, first_job)
        alive = proc.poll() is None

    accepted = len(load.latencies)
    cpu: dict[str, float] = {}
    if cpu_before is not None and cpu_run is not None and cpu_drained is not None:
        cpu = {
            "server_cpu_s_during_run": round(cpu_run - cpu_before, 2),
            "server_cores_busy_during_run": round((cpu_run - cpu_before) / load.wall, 2),
            "server_cpu_ms_per_alert_with_jobs": round(
                (cpu_drained - cpu_before) / max(accepted, 1) * 1000, 2
            ),
        }
    cpu["client_cpu_ms_per_alert"] = round(load.client_cpu / max(len(load.latencies), 1) * 1000, 2)
    return {
        "database": db,
        "alerts_sent": args.count,
        "alerts_accepted": accepted,
        "errors": sum(load.refusals.counts.values()),
        "errors_by_kind": load.refusals.counts,
        "error_samples": load.refusals.samples,
        "wall_seconds": round(load.wall, 3),
        "alerts_per_second": round(accepted / load.wall, 1) if load.wall else 0.0,
        "latency_ms": summary_ms(load.latencies),
        "queue_drained": drained,
        "drain_wait_seconds": round(drain_wait, 2),
        "jobs_by_status": job_counts,
        "pickup_jobs_by_kind": kinds,
        "job_pickup_ms": summary_ms(pickups),
        "jobs_due_at_once_not_picked_up": never_picked,
        "cpu": cpu,
        "server_alive_after_run": alive,
        "server_log_tail": log.read_text()[-2000:] if (load.refusals.counts or not alive) else "",
    }


def report(r: dict[str, Any]) -> None:
    lat, pick, cpu = r["latency_ms"], r["job_pickup_ms"], r["cpu"]
    sqlite = r["database"] == "sqlite"
    rate_note = f"target >= {TARGET_RATE:.0f}: {meets(r['alerts_per_second'] >= TARGET_RATE)}"
    p99_note = f"target p99 < {TARGET_P99_MS:.0f} ms: {meets(lat['p99'] < TARGET_P99_MS)}"
    pick_note = f"target p99 < {TARGET_PICKUP_P99_MS:.0f} ms: "
    pick_note += meets(pick["p99"] < TARGET_PICKUP_P99_MS)
    if not sqlite:
        rate_note = p99_note = "targets are for SQLite"
    print(f"\n== {r['database']} ==")
    print(
        f"alerts accepted: {r['alerts_accepted']}/{r['alerts_sent']} in {r['wall_seconds']} s; "
        f"errors: {r['errors']} {r['errors_by_kind'] or ''}"
    )
    for kind, sample in r["error_samples"].items():
        print(f"  first {kind}: {sample}")
    print(f"throughput: {r['alerts_per_second']} alerts/s  ({rate_note})")
    print(
        f"request -> 202 (ms): p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  "
        f"max {lat['max']}  ({p99_note})"
    )
    print(
        f"job pickup created_at -> started_at, {pick['n']} jobs due at once "
        f"{r['pickup_jobs_by_kind']} (ms): p50 {pick['p50']}  p95 {pick['p95']}  "
        f"p99 {pick['p99']}  max {pick['max']}  ({pick_note})"
    )
    if r["jobs_due_at_once_not_picked_up"]:
        print(
            f"  ({r['jobs_due_at_once_not_picked_up']} jobs due at once were never picked up "
            "before the drain timeout: the pickup figures above understate the wait)"
        )
    print(
        f"queue drained: {r['queue_drained']}, {r['drain_wait_seconds']} s after the last 202; "
        f"jobs: {r['jobs_by_status']}"
    )
    if "server_cpu_s_during_run" in cpu:
        print(
            f"CPU: server {cpu['server_cores_busy_during_run']} cores busy during the run, "
            f"{cpu['server_cpu_ms_per_alert_with_jobs']} ms per alert incl. its job; "
            f"bench client {cpu['client_cpu_ms_per_alert']} ms per alert"
        )
    print(f"load average after: {r['loadavg_after']}")
    if r["server_log_tail"]:
        print("server log (tail):\n" + r["server_log_tail"])


def main() -> None:
    if sys.argv[1:2] == ["_receiver"]:
        run_receiver()
        return
    parser = argparse.ArgumentParser(
        description="Intake benchmark (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=2000, help="alerts to post")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: send at most this many alerts/s in all (default: as fast as answered)",
    )
    harness.add_database_options(parser)
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured alerts sent first")
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds")
    parser.add_argument("--drain-timeout", type=float, default=120.0, help="seconds")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run `serve --no-worker` plus this many `lifeline worker` processes "
        "(default 0: the embedded worker)",
    )
    args = parser.parse_args()
    if args.count < 1 or args.concurrency < 1 or (args.rate is not None and args.rate <= 0):
        parser.error("--count, --concurrency and --rate must be positive")

    machine = harness.describe_machine()
    settings = {
        "count": args.count,
        "concurrency": args.concurrency,
        "rate": args.rate or "closed loop (as fast as answered)",
        "warmup": args.warmup,
        "server": harness.server_description(args.workers),
        "LIFELINE_LOG_LEVEL": "WARNING",
        "LIFELINE_EVENT_WEBHOOKS": "1 local receiver answering 204",
        "other settings": "defaults (SQLite synchronous FULL, worker poll 0.05 s, batch 20)",
    }
    harness.print_settings(settings)

    targets = harness.database_targets(args)
    with receiver() as webhook:
        for db, pg_url in targets:
            workdir = Path(tempfile.mkdtemp(prefix=f"lifeline-bench-{db}-"))
            try:
                with harness.bench_database(pg_url, workdir) as url:
                    result = bench_one(db, url, workdir, args, webhook)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            result["loadavg_after"] = harness.load_average()
            report(result)
            result.update(
                machine=machine,
                settings=settings,
                targets={
                    "alerts_per_second_min": TARGET_RATE if db == "sqlite" else None,
                    "latency_p99_ms_max": TARGET_P99_MS if db == "sqlite" else None,
                    "job_pickup_p99_ms_max": TARGET_PICKUP_P99_MS,
                },
                finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            suffix = f"-workers{args.workers}" if args.workers else ""
            out = RESULTS / f"intake-{db}{suffix}.json"
            harness.write_results(out, result)
            print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
