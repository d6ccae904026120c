"""Dispatch benchmark: alert accepted over HTTP -> first notification at a local webhook, and
escalation timers against their due times, with the real server.

A benchmark, not a test: it prints figures (targets beside them, never asserted) and writes them
to bench/results/dispatch-<db>.json. For each database (a temporary SQLite file always; a fresh
temporary PostgreSQL database when --pg-url or LIFELINE_TEST_DATABASE_URL is given) it runs two
phases, each on a fresh database with its own `lifeline serve` (embedded worker, or
`--no-worker` plus N `lifeline worker` processes with --workers N):

1. **latency**: a registry overlay gives the units of the shipped routing rule for a case in
   Lucknow (Madeyganj police station, the Lucknow social-media cell, UP-112) one contact each,
   a `json://` URL pointing at a webhook receiver that runs in this process and records the
   arrival time of every message; the policy waits an hour, so only first messages are sent.
   The overlay is loaded with `lifeline registry import FILE` before the server starts. Then
   unique signed at-risk alerts (distinct subject handle each, so none merge; a confident
   location) are posted at --rate alerts/s, and for each case the time from its 202 to the
   first message whose JSON body names the case is taken. Optionally (--saturate) a closed-loop
   run follows on the same server.
2. **escalation**: a second overlay routes the case to the police station only, under a short
   policy (notify the unit, wait --wait s, --repeat rounds; then the SMC is alarmed). For each
   dispatch the firing times are read from the database (a firing's messages are created at
   the instant it runs) and compared with their due times (previous firing + wait), and the
   arrival of each repeated message at the receiver with the same due time; the server's
   `lifeline_response_seconds{interval="escalation_step_lag"}` histogram is read from /metrics.
   It also counts messages received twice and dispatches that fired a round twice or missed one.

It stops by itself (bounded counts, a timeout on every wait) and only talks to 127.0.0.1 and to
the PostgreSQL server given.

    .venv/bin/python bench/dispatch.py [--rate 20 --count 600] [--saturate] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, func, select

import harness
from intake import (
    RESULTS,
    ROOT,
    Refusals,
    cli,
    meets,
    process_cpu,
    running_server,
    send_signed,
    server_env,
    summary_ms,
)
from intake import (
    alert_bodies as intake_alert_bodies,
)
from lifeline.adapters.db.engine import normalise_url
from lifeline.adapters.db.tables import jobs, notifications, smc_alarms

TARGET_P50_MS = 300.0  # 202 -> first notification delivered, at 20 alerts/s
TARGET_P99_MS = 1000.0
TARGET_STEP_LAG_S = 1.0
DEFAULT_RATE = 20.0  # an escalation step fires within 1 s of its due time
AT_RISK = (
    "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",
    "I am going to end my life tonight, the rope is ready",
)


# -- the notification receiver (a thread of this process) --------------------------------------
@dataclass(frozen=True)
class Arrival:
    path: str
    case_id: int | None
    notification_id: int | None
    purpose: str | None
    perf: float  # time.perf_counter() when the body was read (same clock as the client)
    wall: float  # time.time(), to compare with the server's timestamps in the database


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 standing in for the units' webhooks: answers 200 and records
    each message (apprise `json://` body: title, message, case_id, notification_id, incident).
    `case_of`, if given, reads the case id from another sender's body (e.g. Alertmanager's)."""

    arrivals: list[Arrival] = field(default_factory=list)
    first_perf: dict[int, float] = field(default_factory=dict)  # case id -> first arrival
    changed: threading.Condition = field(default_factory=threading.Condition)
    port: int = 0
    case_of: Callable[[Any], Any] | None = None

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def record(self, path: str, raw: bytes) -> None:
        perf, wall = time.perf_counter(), time.time()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        incident = body.get("incident") if isinstance(body.get("incident"), dict) else {}
        case_id = (
            body.get("case_id", incident.get("case_id"))
            if self.case_of is None
            else self.case_of(body)
        )
        nid = body.get("notification_id", incident.get("notification_id"))
        arrival = Arrival(
            path,
            case_id if isinstance(case_id, int) else None,
            nid if isinstance(nid, int) else None,
            incident.get("purpose"),
            perf,
            wall,
        )
        with self.changed:
            self.arrivals.append(arrival)
            if arrival.case_id is not None:
                self.first_perf.setdefault(arrival.case_id, perf)
            self.changed.notify_all()

    def wait_for(self, done: Any, timeout: float) -> bool:
        """Wait until done() (called under the lock) is true; False on timeout."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.5))
        return True

    def reset(self) -> None:
        """Forget everything (each phase has a fresh database: case ids start again)."""
        with self.changed:
            self.arrivals.clear()
            self.first_perf.clear()

    def snapshot(self) -> list[Arrival]:
        with self.changed:
            return list(self.arrivals)


@contextmanager
def receiver(case_of: Callable[[Any], Any] | None = None) -> Iterator[Receiver]:
    state = Receiver(case_of=case_of)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.record(self.path, raw)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# -- registry overlays ---------------------------------------------------------------------------
def _unit(uid: str, kind: str, name: str, parent: str, start: str, url: str, extra: str) -> str:
    """One registry record (same id and valid_from as the shipped one: it replaces it)."""
    return (
        f"- id: {uid}\n  kind: {kind}\n  name: {name}\n  parent: {parent}\n{extra}"
        f"  valid_from: '{start}'\n  contacts:\n  - name: Bench duty officer\n    role: duty\n"
        f"    channels: ['{url}']\n"
    )


def overlay(rx: Receiver, *, routing: str, wait: int, repeat: int) -> str:
    lucknow = "  district_lgd: '157'\n"
    units = _unit(
        "up-lko-ps-madeyganj",
        "police_station",
        "Madeyganj",
        "up-lko-circle-mahanagar",
        "2022-11-13",
        rx.url("/station"),
        lucknow + "  localities: [Madiyaganj]\n",
    )
    units += _unit(
        "up-cell-lucknow",
        "cell",
        "Lucknow social media cell",
        "up-district-lucknow",
        "2022-03-01",
        rx.url("/cell"),
        lucknow,
    )
    units += _unit(
        "up-112",
        "control_room",
        "UP-112 emergency response",
        "state-uttar-pradesh",
        "2016-10-26",
        rx.url("/up112"),
        "",
    )
    units += _unit(
        "up-smc",
        "control_room",
        "Social Media Centre, UP Police Headquarters",
        "state-uttar-pradesh",
        "2022-03-01",
        rx.url("/smc"),
        lucknow,
    )
    return (
        "schema: lifeline-registry/1\ntitle: dispatch benchmark contacts\n"
        f"routing:\n- name: bench\n  when: {{in_state: true, located: true}}\n"
        f"  notify: [{routing}]\n"
        "escalation_policies:\n- id: default\n  steps:\n"
        f"  - {{notify: [unit], wait_seconds: {wait}, repeat: {repeat}}}\n"
        f"units:\n{units}"
    )


LATENCY_ROUTING = "police_station, district_cell, 'unit:up-112'"  # the shipped rule's units


def prepare(
    db_url: str, workdir: Path, rx: Receiver, *, routing: str, wait: int, repeat: int
) -> tuple[dict[str, str], dict[str, str]]:
    """Migrate the (fresh) database, create the bench partner and import the contacts overlay
    (the units' webhooks at `rx`); returns the server's environment and the partner's key."""
    env = server_env(db_url, workdir, "")
    cli(["db", "upgrade", "--json"], env, workdir)
    partner = cli(["partners", "create", "bench", "--json"], env, workdir)
    registry = workdir / "contacts.yaml"
    registry.write_text(overlay(rx, routing=routing, wait=wait, repeat=repeat), encoding="utf-8")
    cli(["registry", "import", str(registry), "--json"], env, workdir)
    return env, partner


# -- the load --------------------------------------------------------------------------------
def alert_bodies(count: int, run: str) -> list[bytes]:
    """Unique at-risk alerts with a confident place; distinct handles, so none merge."""
    return intake_alert_bodies(count, run, tuple(AT_RISK))


@dataclass
class Sent:
    case_id: int
    sent: float  # perf_counter before the request
    accepted: float  # perf_counter when the 202 was read


@dataclass
class Load:
    sent: list[Sent] = field(default_factory=list)
    refusals: Refusals = field(default_factory=Refusals)
    wall: float = 0.0


async def post_all(
    base: str,
    partner: dict[str, str],
    bodies: list[bytes],
    concurrency: int,
    timeout: float,
    rate: float | None,
) -> Load:
    """The case of each alert accepted with 202, with when it was sent and accepted."""
    load = Load()

    def accepted(response: httpx.Response, started: float, done: float) -> None:
        load.sent.append(Sent(int(response.json()["case_id"]), started, done))

    load.wall = await send_signed(
        base, partner, bodies, concurrency, timeout, rate, accepted, load.refusals
    )
    return load


# -- reading the server --------------------------------------------------------------------------
def histogram(base: str, interval: str) -> dict[str, Any]:
    """Buckets (le -> cumulative count), count and sum of lifeline_response_seconds{interval}."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    found: dict[str, Any] = {"buckets": {}, "count": 0.0, "sum": 0.0}
    for family in text_string_to_metric_families(text):
        if family.name != "lifeline_response_seconds":
            continue
        for s in family.samples:
            if s.labels.get("interval") != interval:
                continue
            if s.name.endswith("_bucket"):
                found["buckets"][s.labels["le"]] = s.value
            elif s.name.endswith("_count"):
                found["count"] = s.value
            elif s.name.endswith("_sum"):
                found["sum"] = s.value
    return found


def histogram_delta(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The observations made between two reads: count, mean, and the share within each bound
    up to 5 s (cumulative, as Prometheus buckets are)."""
    count = after["count"] - before["count"]
    out: dict[str, Any] = {"n": int(count)}
    if count <= 0:
        return out
    out["mean_ms"] = round((after["sum"] - before["sum"]) / count * 1000, 1)
    share = {}
    for le, total in after["buckets"].items():
        if le != "+Inf" and float(le) <= 5:
            share[f"<={le}s"] = round((total - before["buckets"].get(le, 0.0)) / count, 4)
    out["share_within"] = share
    return out


def job_failures(db_url: str) -> dict[str, Any]:
    """Failed or retried jobs by kind, with one error each (e.g. a broken triage model)."""
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(jobs.c.kind, jobs.c.status, func.count(), func.max(jobs.c.last_error))
                .where(jobs.c.last_error.is_not(None))
                .group_by(jobs.c.kind, jobs.c.status)
            ).all()
    finally:
        engine.dispose()
    return {f"{r[0]} ({r[1]})": {"jobs": int(r[2]), "error": str(r[3])[:300]} for r in rows}


def epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


# -- phase 1: alert -> first notification ------------------------------------------------------
def first_notification(
    rx: Receiver, base: str, partner: dict[str, str], bodies: list[bytes], args: Any, **how: Any
) -> tuple[Load, list[float], list[float], list[int]]:
    """Post the bodies; wait for a message about every accepted case. Returns the load, the
    202 -> first message and request -> first message times (s), and the cases never reached."""
    load = asyncio.run(post_all(base, partner, bodies, timeout=args.request_timeout, **how))
    wanted = {s.case_id for s in load.sent}
    rx.wait_for(lambda: wanted <= rx.first_perf.keys(), args.drain_timeout)
    with rx.changed:
        first = dict(rx.first_perf)
    load.sent.sort(key=lambda s: s.sent)  # in sending order, for the trend below
    from_202 = [first[s.case_id] - s.accepted for s in load.sent if s.case_id in first]
    from_send = [first[s.case_id] - s.sent for s in load.sent if s.case_id in first]
    return load, from_202, from_send, sorted(wanted - first.keys())


def latency_phase(db: str, db_url: str, workdir: Path, rx: Receiver, args: Any) -> dict[str, Any]:
    env, partner = prepare(db_url, workdir, rx, routing=LATENCY_ROUTING, wait=3600, repeat=1)
    result: dict[str, Any] = {"units_per_case": 3}
    with running_server(env, workdir, args.workers) as (proc, base, log):
        run = uuid.uuid4().hex[:8]
        if args.warmup:
            warm = alert_bodies(args.warmup, f"{run}w")
            _, got, _, missed = first_notification(
                rx, base, partner, warm, args, concurrency=4, rate=args.rate
            )
            if not got:
                result["error"] = "no notification arrived for the warm-up alerts"
                result["job_failures"] = job_failures(db_url)
                result["server_log_tail"] = log.read_text()[-3000:]
                return result
        before = {
            i: histogram(base, i) for i in ("alert_to_first_delivered", "alert_to_dispatched")
        }
        cpu0 = process_cpu(proc.pid)
        load, from_202, from_send, missed = first_notification(
            rx,
            base,
            partner,
            alert_bodies(args.count, run),
            args,
            concurrency=args.concurrency,
            rate=args.rate,
        )
        cpu1 = process_cpu(proc.pid)
        server_side = {
            i: histogram_delta(histogram(base, i), before[i])
            for i in ("alert_to_first_delivered", "alert_to_dispatched")
        }
        result["paced"] = _figures(load, from_202, from_send, missed, args.count)
        result["paced"]["server_histograms"] = server_side
        if cpu0 is not None and cpu1 is not None and load.sent:
            result["paced"]["server_cpu_ms_per_alert"] = round(
                (cpu1 - cpu0) / len(load.sent) * 1000, 1
            )
        if args.saturate:
            load, from_202, from_send, missed = first_notification(
                rx,
                base,
                partner,
                alert_bodies(args.saturate_count, f"{run}s"),
                args,
                concurrency=args.concurrency,
                rate=None,
            )
            result["saturation"] = _figures(load, from_202, from_send, missed, args.saturate_count)
        time.sleep(0.5)  # anything sent twice would arrive now
        ids = Counter(a.notification_id for a in rx.snapshot() if a.notification_id is not None)
        result["messages_received"] = sum(ids.values())
        result["messages_received_twice"] = sum(1 for n in ids.values() if n > 1)
        result["job_failures"] = job_failures(db_url)
        result["server_alive_after_run"] = proc.poll() is None
        result["server_log_tail"] = log.read_text()[-2000:] if result["job_failures"] else ""
    return result


def _figures(
    load: Load, from_202: list[float], from_send: list[float], missed: list[int], count: int
) -> dict[str, Any]:
    return {
        "alerts_sent": count,
        "alerts_accepted": len(load.sent),
        "errors": dict(load.refusals.counts),
        "error_samples": load.refusals.samples,
        "wall_seconds": round(load.wall, 2),
        "alerts_per_second": round(len(load.sent) / load.wall, 1) if load.wall else 0.0,
        "request_to_202_ms": summary_ms([s.accepted - s.sent for s in load.sent]),
        "accepted_to_first_notification_ms": summary_ms(from_202),
        # p50 of the first and the last tenth of the alerts (in sending order): a last tenth far
        # above the first means a queue grew through the run (the server fell behind the rate)
        "trend_p50_ms_first_last_tenth": [
            summary_ms(from_202[: max(1, len(from_202) // 10)])["p50"],
            summary_ms(from_202[-max(1, len(from_202) // 10) :])["p50"],
        ],
        "request_to_first_notification_ms": summary_ms(from_send),
        "cases_never_reached": len(missed),
        "cases_never_reached_sample": missed[:10],
    }


# -- phase 2: escalation timers ----------------------------------------------------------------
def escalation_phase(
    db: str, db_url: str, workdir: Path, rx: Receiver, args: Any
) -> dict[str, Any]:
    env, partner = prepare(
        db_url, workdir, rx, routing="police_station", wait=args.wait, repeat=args.repeat
    )
    result: dict[str, Any] = {
        "policy": {"notify": ["unit"], "wait_seconds": args.wait, "repeat": args.repeat},
        "routing": ["police_station"],
    }

    def alarmed(cases: set[int]) -> bool:  # every case's escalation ran out, the SMC was told
        got = {a.case_id for a in rx.arrivals if a.path == "/smc" and a.purpose == "alarm"}
        return cases <= got

    with running_server(env, workdir, args.workers) as (proc, base, log):
        run = uuid.uuid4().hex[:8]
        warm, got, _, _ = first_notification(
            rx, base, partner, alert_bodies(3, f"{run}w"), args, concurrency=3, rate=None
        )
        if not got:
            result["error"] = "no notification arrived for the warm-up alerts"
            result["job_failures"] = job_failures(db_url)
            result["server_log_tail"] = log.read_text()[-3000:]
            return result
        # let the warm-up escalations run out, so the histogram counts the measured ones only
        rx.wait_for(lambda: alarmed({s.case_id for s in warm.sent}), args.wait * args.repeat + 10)
        before = histogram(base, "escalation_step_lag")
        load = asyncio.run(
            post_all(
                base,
                partner,
                alert_bodies(args.escalation_count, run),
                args.concurrency,
                args.request_timeout,
                args.rate,
            )
        )
        cases = {s.case_id for s in load.sent}
        settle = args.wait * (args.repeat + 1) + args.drain_timeout
        all_alarmed = rx.wait_for(lambda: alarmed(cases), settle)
        time.sleep(0.5)  # anything sent twice would arrive now
        lag_hist = histogram_delta(histogram(base, "escalation_step_lag"), before)
        result.update(
            timers(db_url, rx, cases, args.wait, args.repeat),
            alerts_accepted=len(load.sent),
            errors=dict(load.refusals.counts),
            every_case_alarmed=all_alarmed,
            server_histogram_escalation_step_lag=lag_hist,
            job_failures=job_failures(db_url),
            server_alive_after_run=proc.poll() is None,
        )
        result["server_log_tail"] = log.read_text()[-2000:] if result["job_failures"] else ""
    return result


def timers(db_url: str, rx: Receiver, cases: set[int], wait: int, repeat: int) -> dict[str, Any]:
    """Each dispatch's firings (the created_at of its messages), their lag behind the due
    time, and the lag of the messages' arrival behind the same due time."""
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            sent = conn.execute(
                select(
                    notifications.c.id,
                    notifications.c.case_id,
                    notifications.c.dispatch_id,
                    notifications.c.purpose,
                    notifications.c.created_at,
                ).where(notifications.c.case_id.in_(cases))
            ).all()
            alarms = conn.execute(
                select(
                    smc_alarms.c.case_id, smc_alarms.c.dispatch_id, smc_alarms.c.raised_at
                ).where(smc_alarms.c.case_id.in_(cases), smc_alarms.c.dispatch_id.is_not(None))
            ).all()
    finally:
        engine.dispose()
    arrivals: dict[int, list[float]] = {}
    for a in rx.snapshot():
        if a.notification_id is not None:
            arrivals.setdefault(a.notification_id, []).append(a.wall)
    firings: dict[int, dict[float, list[int]]] = {}  # dispatch -> firing time -> messages
    alarm_messages: dict[int, list[int]] = {}  # case -> SMC alarm messages
    for n in sent:
        if n.dispatch_id is not None:
            firings.setdefault(n.dispatch_id, {}).setdefault(epoch(n.created_at), []).append(n.id)
        elif n.purpose == "alarm":
            alarm_messages.setdefault(n.case_id, []).append(n.id)
    fired_late: list[float] = []  # firing - due, rounds 2..repeat
    arrived_late: list[float] = []  # first arrival - due, rounds 2..repeat
    wrong_rounds: dict[int, int] = {}
    for dispatch_id, by_time in firings.items():
        times = sorted(by_time)
        if len(times) != repeat:
            wrong_rounds[dispatch_id] = len(times)
        for prev, at in itertools.pairwise(times):
            due = prev + wait
            fired_late.append(at - due)
            got = [min(arrivals[i]) for i in by_time[at] if i in arrivals]
            if got:
                arrived_late.append(min(got) - due)
    exhausted_late: list[float] = []  # the last step (SMC alarm) against its due time
    alarm_arrived_late: list[float] = []
    for alarm in alarms:
        times = sorted(firings.get(alarm.dispatch_id, {}))
        if not times:
            continue
        due = times[-1] + wait
        exhausted_late.append(epoch(alarm.raised_at) - due)
        got = [min(arrivals[i]) for i in alarm_messages.get(alarm.case_id, []) if i in arrivals]
        if got:
            alarm_arrived_late.append(min(got) - due)
    twice = {i: len(w) for i, w in arrivals.items() if len(w) > 1}
    all_fired = fired_late + exhausted_late
    return {
        "dispatches": len(firings),
        "repeat_firings_measured": len(fired_late),
        "exhaustion_firings_measured": len(exhausted_late),
        "firing_lag_ms": summary_ms(fired_late),
        "exhaustion_lag_ms": summary_ms(exhausted_late),
        "due_to_arrival_ms": summary_ms(arrived_late),
        "due_to_alarm_arrival_ms": summary_ms(alarm_arrived_late),
        "steps_within_1s": sum(1 for x in all_fired if x < TARGET_STEP_LAG_S),
        "steps_measured": len(all_fired),
        "messages_received_twice": len(twice),
        "dispatches_with_wrong_round_count": wrong_rounds,
    }


# -- report -----------------------------------------------------------------------------------
def _line(label: str, s: dict[str, Any]) -> str:
    return (
        f"{label} (ms, n={s['n']}): p50 {s['p50']}  p95 {s['p95']}  p99 {s['p99']}  "
        f"max {s['max']}  mean {s['mean']}"
    )


def report(db: str, lat: dict[str, Any], esc: dict[str, Any]) -> None:
    print(f"\n== {db} ==")
    for name in ("paced", "saturation"):
        r = lat.get(name)
        if r is None:
            continue
        first = r["accepted_to_first_notification_ms"]
        print(
            f"[{name}] accepted {r['alerts_accepted']}/{r['alerts_sent']} in "
            f"{r['wall_seconds']} s ({r['alerts_per_second']} alerts/s); errors {r['errors']}; "
            f"cases never reached: {r['cases_never_reached']}"
        )
        for kind, sample in r["error_samples"].items():
            print(f"  first {kind}: {sample}")
        print("  " + _line("request -> 202", r["request_to_202_ms"]))
        note = ""
        if name == "paced":
            ok = first["p50"] < TARGET_P50_MS and first["p99"] < TARGET_P99_MS
            note = f"  (target p50 < {TARGET_P50_MS:.0f}, p99 < {TARGET_P99_MS:.0f}: {meets(ok)})"
        print("  " + _line("202 -> first notification", first) + note)
        head, tail = r["trend_p50_ms_first_last_tenth"]
        behind = "  (the server fell behind the rate)" if tail > 2 * head + 200 else ""
        print(f"  p50 of the first tenth {head} ms, of the last tenth {tail} ms{behind}")
        print("  " + _line("request -> first notification", r["request_to_first_notification_ms"]))
        hist = r.get("server_histograms", {}).get("alert_to_first_delivered")
        if hist and hist.get("n"):
            print(f"  server histogram alert_to_first_delivered: {hist}")
        if "server_cpu_ms_per_alert" in r:
            print(f"  server CPU {r['server_cpu_ms_per_alert']} ms per alert (incl. its jobs)")
    if "messages_received" in lat:
        print(
            f"  messages received {lat['messages_received']}, received twice (same "
            f"notification id): {lat['messages_received_twice']}"
        )
    if lat.get("error"):
        print(f"latency phase failed: {lat['error']}\n{lat.get('job_failures')}")
    if esc.get("error"):
        print(f"escalation phase failed: {esc['error']}\n{esc.get('job_failures')}")
    elif esc:
        p = esc["policy"]
        print(
            f"[escalation] {esc['alerts_accepted']} cases, policy notify unit, wait "
            f"{p['wait_seconds']} s, repeat {p['repeat']}, then the SMC alarm; every case "
            f"alarmed: {esc['every_case_alarmed']}"
        )
        ok = esc["steps_within_1s"] == esc["steps_measured"] and esc["steps_measured"] > 0
        print(
            "  "
            + _line("repeat step fired - due", esc["firing_lag_ms"])
            + f"  (target < {TARGET_STEP_LAG_S:.0f} s: {meets(ok)}, "
            f"{esc['steps_within_1s']}/{esc['steps_measured']} steps within)"
        )
        print("  " + _line("last step (SMC alarm) fired - due", esc["exhaustion_lag_ms"]))
        print("  " + _line("due -> repeated message arrived", esc["due_to_arrival_ms"]))
        print("  " + _line("due -> SMC alarm message arrived", esc["due_to_alarm_arrival_ms"]))
        print(
            f"  server histogram escalation_step_lag: {esc['server_histogram_escalation_step_lag']}"
        )
        print(
            f"  messages received twice: {esc['messages_received_twice']}; dispatches with a "
            f"round missing or repeated: {len(esc['dispatches_with_wrong_round_count'])}"
        )
    for phase in (lat, esc):
        if phase.get("job_failures"):
            print(f"job failures: {phase['job_failures']}")
        if phase.get("server_log_tail"):
            print("server log (tail):\n" + phase["server_log_tail"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Dispatch benchmark (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--rate", type=float, default=DEFAULT_RATE, help="alerts/s, paced (open loop)"
    )
    parser.add_argument("--count", type=int, default=600, help="alerts in the paced run")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured alerts sent first")
    parser.add_argument(
        "--saturate", action="store_true", help="add a closed-loop run (as fast as answered)"
    )
    parser.add_argument("--saturate-count", type=int, default=1000, help="alerts in that run")
    parser.add_argument(
        "--escalation-count", type=int, default=200, help="cases escalated (sent at --rate)"
    )
    parser.add_argument("--wait", type=int, default=2, help="escalation wait_seconds")
    parser.add_argument("--repeat", type=int, default=3, help="escalation repeat")
    parser.add_argument(
        "--phases", default="latency,escalation", help="which phases to run (comma-separated)"
    )
    harness.add_database_options(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run `serve --no-worker` plus this many `lifeline worker` processes (the "
        "server's /metrics then has no worker histograms)",
    )
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds")
    parser.add_argument("--drain-timeout", type=float, default=60.0, help="seconds")
    args = parser.parse_args()
    if min(args.count, args.concurrency, args.escalation_count, args.repeat) < 1:
        parser.error("counts, --concurrency and --repeat must be positive")
    if args.rate <= 0 or args.wait < 1:
        parser.error("--rate and --wait must be positive")
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}

    machine = harness.describe_machine()
    settings = {
        "rate": args.rate,
        "count": args.count,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "saturate": args.saturate_count if args.saturate else False,
        "escalation_count": args.escalation_count,
        "server": harness.server_description(args.workers),
        "LIFELINE_LOG_LEVEL": "WARNING",
        "channels": "json:// to a receiver thread in the benchmark process (answers 200)",
        "other settings": "defaults (worker poll 0.05 s, batch 20, 4 send threads)",
    }
    harness.print_settings(settings)

    targets = harness.database_targets(args)
    with receiver() as rx:
        for db, pg_url in targets:
            results: dict[str, dict[str, Any]] = {"latency": {}, "escalation": {}}
            for phase, run_phase in (("latency", latency_phase), ("escalation", escalation_phase)):
                if phase not in phases:
                    continue
                workdir = Path(tempfile.mkdtemp(prefix=f"lifeline-bench-dispatch-{db}-"))
                rx.reset()
                try:
                    with harness.bench_database(pg_url, workdir) as url:
                        results[phase] = run_phase(db, url, workdir, rx, args)
                finally:
                    shutil.rmtree(workdir, ignore_errors=True)
            report(db, results["latency"], results["escalation"])
            out_data = {
                "database": db,
                **results,
                "loadavg_after": harness.load_average(),
                "machine": machine,
                "settings": settings,
                "targets": {
                    "accepted_to_first_notification_p50_ms_max": TARGET_P50_MS,
                    "accepted_to_first_notification_p99_ms_max": TARGET_P99_MS,
                    "escalation_step_lag_s_max": TARGET_STEP_LAG_S,
                },
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            print(f"load average after: {out_data['loadavg_after']}")
            if any(r.get("error") for r in results.values()):
                print("a phase failed: no results written")
                continue
            suffix = f"-workers{args.workers}" if args.workers else ""
            suffix += f"-rate{args.rate:g}" if args.rate != DEFAULT_RATE else ""
            out = RESULTS / f"dispatch-{db}{suffix}.json"
            harness.write_results(out, out_data)
            print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
