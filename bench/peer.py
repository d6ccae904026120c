"""Peer benchmark: Prometheus Alertmanager and Lifeline side by side, in one run, at one rate.

A benchmark, not a test: it prints the figures of both systems and their ratio (Lifeline /
Alertmanager) and writes them to bench/results/peer-<db>.json. For each database (a temporary
SQLite file always; a fresh temporary PostgreSQL database when --pg-url or
LIFELINE_TEST_DATABASE_URL is given) it starts, on 127.0.0.1 only:

- **Lifeline** as in bench/dispatch.py's latency phase: `lifeline serve` (embedded worker, or
  `--no-worker` plus N `lifeline worker` processes with --workers N) with the registry overlay
  that gives Madeyganj police station, the Lucknow social-media cell and UP-112 one `json://`
  contact each, pointing at a receiver in this process; signed at-risk alerts for Madeyganj,
  each about a distinct person (three messages per alert, the first one is timed);
- **Alertmanager** (Debian `prometheus-alertmanager`; skipped with a message if the binary is
  missing) with a generated configuration: one route, `group_by: ['...']` (a group per alert),
  `group_wait: 0s`, a webhook receiver in this process; clustering off, data in a temp folder.

One asyncio client loop feeds both at --rate alerts/s each, interleaved, after --warmup
unmeasured alerts each. Per system: request -> answer, request -> first webhook message (for
Lifeline also 202 -> first message and request -> the police station's message), and server
CPU per alert from /proc (Lifeline: serve and its worker processes; PostgreSQL's backends apart),
from before the first alert until that system's own last message arrived. bench/README.md has
the details and the figures.

It stops by itself (bounded counts, a timeout on every wait).

    .venv/bin/python bench/peer.py [--rate 20 --count 400] [--pg-url URL] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import harness
from alertmanager import (
    BINARIES,
    INSTALL_HINT,
    alertmanager_bodies,
    alertmanager_seq,
    find_binary,
    running_alertmanager,
)
from dispatch import LATENCY_ROUTING, Receiver, alert_bodies, job_failures, prepare, receiver
from intake import (
    RESULTS,
    ROOT,
    Refusals,
    own_cpu,
    process_cpu,
    running_server,
    signed_headers,
    summary_ms,
)
from lifeline.adapters.db.engine import normalise_url

DEFAULT_RATE = 20.0  # alerts/s to each system, as in the issue
LIFELINE_PATHS = ("/station", "/cell", "/up112")  # the overlay's units: a message each per alert
ALERTMANAGER_PATHS = ("/alertmanager",)
LOCAL = (None, "", "127.0.0.1", "localhost", "::1")


# -- the client loop -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One system's side of the feed: where alerts go and how they are sent."""

    name: str
    base: str
    path: str
    bodies: Sequence[tuple[int | None, bytes]]  # (key known before sending, or None; body)
    partner: dict[str, str] | None = None  # Lifeline's signing key


@dataclass
class Fed:
    sent: dict[int, float] = field(default_factory=dict)  # key -> perf_counter at the request
    answered: dict[int, float] = field(default_factory=dict)  # key -> at the answer
    refusals: Refusals = field(default_factory=Refusals)
    wall: float = 0.0


async def feed(
    targets: list[Target], rate: float, concurrency: int, timeout: float
) -> dict[str, Fed]:
    """Send every target's bodies at `rate` per second each, the targets interleaved in time
    (target j's body i is due at (i + j / len(targets)) / rate s), from `concurrency` connections
    per target. Lifeline's key is the case id of its 202; Alertmanager's the body's seq."""
    fed = {t.name: Fed() for t in targets}
    schedule = sorted(
        ((i + j / len(targets)) / rate, j, key, raw)
        for j, t in enumerate(targets)
        for i, (key, raw) in enumerate(t.bodies)
    )
    todo = iter(schedule)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = [httpx.AsyncClient(base_url=t.base, limits=limits, timeout=timeout) for t in targets]

    async def sender(began: float) -> None:
        for due, j, key, raw in todo:
            await asyncio.sleep(max(0.0, began + due - time.perf_counter()))
            target, got = targets[j], fed[targets[j].name]
            headers = (
                signed_headers(target.partner, raw)
                if target.partner
                else {"Content-Type": "application/json"}
            )
            started = time.perf_counter()
            try:
                response = await clients[j].post(target.path, content=raw, headers=headers)
            except httpx.HTTPError as exc:
                got.refusals.add(type(exc).__name__, repr(exc))
                continue
            answered = time.perf_counter()
            if response.status_code in (200, 202):
                key = int(response.json()["case_id"]) if key is None else key
                got.sent[key], got.answered[key] = started, answered
            else:
                got.refusals.answer(response)

    try:
        began = time.perf_counter()
        await asyncio.gather(*(sender(began) for _ in range(concurrency * len(targets))))
        wall = time.perf_counter() - began
    finally:
        for client in clients:
            await client.aclose()
    for got in fed.values():
        got.wall = wall
    return fed


# -- measuring -----------------------------------------------------------------------------------
def arrivals_by_key(rx: Receiver, paths: tuple[str, ...]) -> dict[int, list[float]]:
    """The perf_counter arrival times of the messages on `paths` naming each key."""
    found: dict[int, list[float]] = {}
    for a in rx.snapshot():
        if a.case_id is not None and a.path in paths:
            found.setdefault(a.case_id, []).append(a.perf)
    return found


def wait_all(rx: Receiver, keys: set[int], paths: tuple[str, ...], timeout: float) -> bool:
    """Wait until every key has a message on each of `paths`; False on timeout."""
    wanted = len(keys) * len(paths)

    def done() -> bool:
        seen = {(a.case_id, a.path) for a in rx.arrivals if a.case_id in keys and a.path in paths}
        return len(seen) >= wanted

    return rx.wait_for(done, timeout)


def received_twice(rx: Receiver) -> int:
    """Messages that arrived more than once: the same notification id (Lifeline), or the
    same alert (Alertmanager's messages carry none)."""
    seen = Counter(
        a.notification_id if a.notification_id is not None else a.case_id
        for a in rx.snapshot()
        if a.case_id is not None
    )
    return sum(1 for n in seen.values() if n > 1)


def cpu_of(pids: list[int]) -> float | None:
    """User + system CPU seconds of these processes together (None if one cannot be read)."""
    total = 0.0
    for pid in pids:
        cpu = process_cpu(pid)
        if cpu is None:
            return None
        total += cpu
    return total


def backend_pids(db_url: str) -> list[int]:
    """PostgreSQL backend processes connected to this database (the server is on this host)."""
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            ).all()
    finally:
        engine.dispose()
    return [int(r[0]) for r in rows]


def figures(
    fed: Fed, rx: Receiver, paths: tuple[str, ...], cpu_s: float | None, count: int
) -> dict[str, Any]:
    first = arrivals_by_key(rx, paths)
    keys = sorted(fed.sent, key=fed.sent.__getitem__)  # in sending order, for the trend
    reached = [k for k in keys if k in first]
    to_webhook = [min(first[k]) - fed.sent[k] for k in reached]
    tenth = max(1, len(to_webhook) // 10)
    out: dict[str, Any] = {
        "alerts_sent": count,
        "alerts_accepted": len(keys),
        "errors": dict(fed.refusals.counts),
        "error_samples": fed.refusals.samples,
        "alerts_per_second": round(len(keys) / fed.wall, 1) if fed.wall else 0.0,
        "request_to_answer_ms": summary_ms([fed.answered[k] - fed.sent[k] for k in keys]),
        "alert_to_webhook_ms": summary_ms(to_webhook),
        "trend_p50_ms_first_last_tenth": [
            summary_ms(to_webhook[:tenth])["p50"],
            summary_ms(to_webhook[-tenth:])["p50"],
        ],
        "never_reached": len(keys) - len(reached),
        "messages_per_alert": len(paths),
        "messages_received_twice": received_twice(rx),
    }
    if cpu_s is not None and keys:
        out["server_cpu_s"] = round(cpu_s, 2)
        out["server_cpu_ms_per_alert"] = round(cpu_s / len(keys) * 1000, 2)
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 1) if a is not None and b else None


# -- one database --------------------------------------------------------------------------------
def run_one(
    db_url: str,
    workdir: Path,
    rx: Receiver,
    am_rx: Receiver,
    binary: str | None,
    args: argparse.Namespace,
) -> dict[str, Any]:
    env, partner = prepare(db_url, workdir, rx, routing=LATENCY_ROUTING, wait=3600, repeat=1)
    # as the hour-long escalation wait: only the dispatch's first messages, no desk alarm to the
    # SMC for a case nobody opened (60 s by default: a slow run would page it)
    env["LIFELINE_DESK_UNATTENDED_SECONDS"] = "3600"
    # the backends' CPU is read from /proc: only for a server on this host
    pg = make_url(db_url).get_backend_name() == "postgresql" and make_url(db_url).host in LOCAL
    run = uuid.uuid4().hex[:8]
    procs: list[subprocess.Popen[Any]] = []
    with ExitStack() as stack:
        _, base, log = stack.enter_context(running_server(env, workdir, args.workers, procs))
        am: tuple[subprocess.Popen[Any], str] | None = None
        if binary:
            webhook = f"http://127.0.0.1:{am_rx.port}{ALERTMANAGER_PATHS[0]}"
            am = stack.enter_context(running_alertmanager(binary, workdir, webhook))

        def targets(count: int, tag: str, first_seq: int) -> list[Target]:
            ll = [(None, raw) for raw in alert_bodies(count, f"{run}{tag}")]
            out = [Target("lifeline", base, "/api/v1/alerts", ll, partner)]
            if am:
                bodies = alertmanager_bodies(first_seq, count, run)
                out.append(Target("alertmanager", am[1], "/api/v2/alerts", bodies))
            return out

        ll_pids = [p.pid for p in procs]
        pg_cpu0: dict[int, float] = {}

        def backends_cpu() -> float | None:
            """CPU of the backends connected now since the run began (a backend connected
            later counts whole; one that left before the end is missed)."""
            pids = backend_pids(db_url)
            return sum((process_cpu(p) or 0.0) - pg_cpu0.get(p, 0.0) for p in pids)

        def cpu_now() -> dict[str, float | None]:
            return {
                "lifeline": cpu_of(ll_pids),
                "alertmanager": cpu_of([am[0].pid]) if am else None,
                "postgresql": backends_cpu() if pg else None,
            }

        def drain(fed: dict[str, Fed]) -> tuple[dict[str, bool], dict[str, float | None]]:
            """Wait for each system's messages, the quicker one first; each system's CPU is
            read as soon as its own messages are in (not while it idles waiting for the
            other), and so are the PostgreSQL backends' with Lifeline's."""
            done, cpu = {}, {}
            if "alertmanager" in fed:
                keys = set(fed["alertmanager"].sent)
                done["alertmanager"] = wait_all(am_rx, keys, ALERTMANAGER_PATHS, args.drain_timeout)
                cpu["alertmanager"] = cpu_now()["alertmanager"]
            keys = set(fed["lifeline"].sent)
            done["lifeline"] = wait_all(rx, keys, LIFELINE_PATHS, args.drain_timeout)
            now = cpu_now()
            cpu.update(lifeline=now["lifeline"], postgresql=now["postgresql"])
            return done, cpu

        go = (args.rate, args.concurrency, args.request_timeout)
        if args.warmup:
            drain(asyncio.run(feed(targets(args.warmup, "w", 0), *go)))
        measured = targets(args.count, "", args.warmup)
        if pg:
            pg_cpu0.update((p, process_cpu(p) or 0.0) for p in backend_pids(db_url))
        bench0 = own_cpu()
        cpu0 = cpu_now()
        fed = asyncio.run(feed(measured, *go))
        drained, cpu1 = drain(fed)
        bench_cpu = own_cpu() - bench0
        time.sleep(0.5)  # anything sent twice would arrive now
        alive = {"lifeline": all(p.poll() is None for p in procs)}
        if am:
            alive["alertmanager"] = am[0].poll() is None
        log_tail = log.read_text()[-2000:]

    def used(name: str) -> float | None:
        if name == "postgresql":  # already relative to the start
            return cpu1[name]
        a, b = cpu0[name], cpu1[name]
        return b - a if a is not None and b is not None else None

    result: dict[str, Any] = {}
    ll_first = arrivals_by_key(rx, LIFELINE_PATHS)
    ll = figures(fed["lifeline"], rx, LIFELINE_PATHS, used("lifeline"), args.count)
    station = arrivals_by_key(rx, ("/station",))
    ll_fed = fed["lifeline"]
    ll["accepted_to_first_message_ms"] = summary_ms(
        [min(ll_first[k]) - ll_fed.answered[k] for k in ll_fed.sent if k in ll_first]
    )
    ll["alert_to_station_ms"] = summary_ms(
        [min(station[k]) - ll_fed.sent[k] for k in ll_fed.sent if k in station]
    )
    ll["all_messages_arrived"] = drained["lifeline"]
    if pg and used("postgresql") is not None and ll_fed.sent:
        ll["postgresql_backends_cpu_ms_per_alert"] = round(
            (used("postgresql") or 0.0) / len(ll_fed.sent) * 1000, 2
        )
    ll["job_failures"] = job_failures(db_url)
    result["lifeline"] = ll
    if am:
        am_fed = fed["alertmanager"]
        peer = figures(am_fed, am_rx, ALERTMANAGER_PATHS, used("alertmanager"), args.count)
        peer["all_messages_arrived"] = drained["alertmanager"]
        result["alertmanager"] = peer
        result["ratio_lifeline_to_alertmanager"] = {
            "alert_to_webhook_p50": ratio(
                ll["alert_to_webhook_ms"]["p50"], peer["alert_to_webhook_ms"]["p50"]
            ),
            "alert_to_webhook_p99": ratio(
                ll["alert_to_webhook_ms"]["p99"], peer["alert_to_webhook_ms"]["p99"]
            ),
            "server_cpu_per_alert": ratio(
                ll.get("server_cpu_ms_per_alert"), peer.get("server_cpu_ms_per_alert")
            ),
        }
    else:
        result["alertmanager"] = {"skipped": f"no Alertmanager binary ({INSTALL_HINT})"}
    result["bench_process_cpu_ms_per_alert"] = round(
        bench_cpu / max(1, sum(len(f.sent) for f in fed.values())) * 1000, 2
    )
    result["processes_alive_after_run"] = alive
    if ll["job_failures"] or not all(alive.values()):
        result["server_log_tail"] = log_tail
    return result


# -- report --------------------------------------------------------------------------------------
def _line(label: str, s: dict[str, Any]) -> str:
    return (
        f"{label} (ms, n={s['n']}): p50 {s['p50']}  p95 {s['p95']}  p99 {s['p99']}  max {s['max']}"
    )


def report(db: str, r: dict[str, Any]) -> None:
    print(f"\n== {db} ==")
    for name in ("lifeline", "alertmanager"):
        s = r[name]
        if "skipped" in s:
            print(f"[{name}] skipped: {s['skipped']}")
            continue
        print(
            f"[{name}] accepted {s['alerts_accepted']}/{s['alerts_sent']} "
            f"({s['alerts_per_second']} alerts/s), errors {s['errors'] or 0}, never reached "
            f"{s['never_reached']}, all {s['messages_per_alert']} message(s) per alert arrived: "
            f"{s['all_messages_arrived']}; messages received twice {s['messages_received_twice']}"
        )
        for kind, sample in s["error_samples"].items():
            print(f"  first {kind}: {sample}")
        print("  " + _line("request -> answer", s["request_to_answer_ms"]))
        print("  " + _line("alert -> webhook (first message)", s["alert_to_webhook_ms"]))
        if "alert_to_station_ms" in s:
            print("  " + _line("alert -> police station's webhook", s["alert_to_station_ms"]))
            print("  " + _line("202 -> first message", s["accepted_to_first_message_ms"]))
        head, tail = s["trend_p50_ms_first_last_tenth"]
        print(f"  p50 of the first tenth {head} ms, of the last tenth {tail} ms")
        if "server_cpu_ms_per_alert" in s:
            print(f"  server CPU {s['server_cpu_ms_per_alert']} ms per alert")
        if "postgresql_backends_cpu_ms_per_alert" in s:
            pg_ms = s["postgresql_backends_cpu_ms_per_alert"]
            print(f"  PostgreSQL backends' CPU {pg_ms} ms per alert (not in the figure above)")
        if s.get("job_failures"):
            print(f"  job failures: {s['job_failures']}")
    if "ratio_lifeline_to_alertmanager" in r:
        q = r["ratio_lifeline_to_alertmanager"]
        print(
            f"ratio Lifeline / Alertmanager: alert -> webhook p50 {q['alert_to_webhook_p50']}x, "
            f"p99 {q['alert_to_webhook_p99']}x, server CPU per alert {q['server_cpu_per_alert']}x"
        )
    print(
        f"bench process (client loop and receivers): {r['bench_process_cpu_ms_per_alert']} ms "
        "CPU per alert sent"
    )
    if r.get("server_log_tail"):
        print("server log (tail):\n" + r["server_log_tail"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Alertmanager and Lifeline side by side (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="alerts/s to each system")
    parser.add_argument("--count", type=int, default=400, help="measured alerts to each system")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured alerts sent first")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="concurrent connections per system"
    )
    parser.add_argument(
        "--alertmanager",
        default=None,
        help=f"Alertmanager binary (default: the first of {', '.join(BINARIES)} on PATH)",
    )
    harness.add_database_options(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run `serve --no-worker` plus this many `lifeline worker` processes (their CPU "
        "is counted with the server's)",
    )
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds")
    parser.add_argument("--drain-timeout", type=float, default=180.0, help="seconds")
    args = parser.parse_args()
    if min(args.count, args.concurrency) < 1 or args.warmup < 0 or args.workers < 0:
        parser.error("--count and --concurrency must be positive, --warmup and --workers >= 0")
    if args.rate <= 0:
        parser.error("--rate must be positive")
    binary = find_binary(args.alertmanager)
    if binary is None:
        print(
            f"Alertmanager not found ({args.alertmanager or ' or '.join(BINARIES) + ' on PATH'}): "
            f"install it with `{INSTALL_HINT}`. Running Lifeline alone, without the peer."
        )

    machine = harness.describe_machine()
    settings = {
        "rate_per_system": args.rate,
        "count_per_system": args.count,
        "warmup": args.warmup,
        "concurrency_per_system": args.concurrency,
        "lifeline": harness.server_description(args.workers),
        "alertmanager": f"{binary}: group_by ['...'], group_wait 0s, one webhook receiver"
        if binary
        else "skipped",
        "receivers": "threads of the benchmark process (answer 200)",
    }
    harness.print_settings(settings)
    targets = harness.database_targets(args)
    with receiver() as rx, receiver(case_of=alertmanager_seq) as am_rx:
        for db, pg_url in targets:
            workdir = Path(tempfile.mkdtemp(prefix=f"lifeline-bench-peer-{db}-"))
            rx.reset()
            am_rx.reset()
            try:
                with harness.bench_database(pg_url, workdir) as url:
                    result = run_one(url, workdir, rx, am_rx, binary, args)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            loadavg_after = harness.load_average()
            report(db, result)
            print(f"load average after: {loadavg_after}")
            out_data = {
                "database": db,
                **result,
                "loadavg_after": loadavg_after,
                "machine": machine,
                "settings": settings,
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            suffix = f"-workers{args.workers}" if args.workers else ""
            suffix += f"-rate{args.rate:g}" if args.rate != DEFAULT_RATE else ""
            out = RESULTS / f"peer-{db}{suffix}.json"
            harness.write_results(out, out_data)
            print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
