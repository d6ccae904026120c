"""Soak benchmark: Lifeline on a private PostgreSQL cluster for a long run, with workers killed
and the database restarted under it.

A benchmark, not a test: it prints figures (targets beside them, never asserted) and writes
them to bench/results/soak.json. On 127.0.0.1 only it starts:

- a **private PostgreSQL cluster** made with `initdb` in a temporary folder (its own port and
  socket folder; as the `postgres` user when run as root, since the server refuses root), never
  the shared server;
- `--api` (2) `lifeline serve --no-worker` processes and `--workers` (3) `lifeline worker`
  processes on it, with a registry overlay (as bench/dispatch.py's) that gives Madeyganj police
  station, the Lucknow social-media cell, UP-112 and the SMC one `json://` contact each, all
  pointing at an HTTP receiver in this process, and a short escalation policy
  (`{notify: [unit], wait_seconds: --wait, repeat: --repeat}`, then the SMC is alarmed);
- a client sending unique signed at-risk alerts at `--rate` per second, round robin over the
  API processes, retrying a refused or failed request with the same Idempotency-Key (as a
  partner does) for up to `--retry-for` s. Every case with an even id is acknowledged: its
  units' acknowledgement links are POSTed 0.5-2 s after their first message arrives; the
  others escalate until the SMC alarm.

Chaos: every `--kill-every` s a random worker is killed with SIGKILL and a new one started;
at `--restart-pg-at` minutes PostgreSQL is stopped (`pg_ctl stop -m fast`) and started again.
Every 15 s it samples the job table by status, each process's RSS and CPU, and each API's
/healthz. After the load it waits for every escalation to end, then reads the database and
reports alerts sent/accepted/lost, messages delivered once/twice/never (twice is allowed only
within the at-least-once window: a worker killed, or the database going away, between a
message's send and its job's commit, docs/dispatch.md), escalation rounds expected vs fired
and their lag, RSS at warm-up and at the end, the job table over time, and CPU per alert.

    .venv/bin/python bench/soak.py [--minutes 30] [--rate 1] [--api 2] [--workers 3]
        [--kill-every 120] [--restart-pg-at MIN]
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import itertools
import os
import queue
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

import harness
from dispatch import AT_RISK, LATENCY_ROUTING, overlay
from intake import (
    LIFELINE,
    RESULTS,
    ROOT,
    alert_bodies,
    cli,
    free_port,
    process_cpu,
    server_env,
    signed_headers,
    stop,
    summary_ms,
)
from lifeline.adapters.db.tables import cases, dispatches, jobs, notifications, smc_alarms

SAMPLE_EVERY = 15.0  # seconds between samples of the job table, RSS, CPU and /healthz
#: a message received twice is within the at-least-once window when a worker was killed, or
#: the database went away, at most this long after its first copy arrived (a send job commits
#: its completion milliseconds after the send; the slack covers a loaded machine)
DUPLICATE_WINDOW_S = 5.0
TARGET_RSS_GROWTH = 10.0  # % after warm-up
TARGET_STEP_LAG_S = 1.0


# -- the private PostgreSQL cluster --------------------------------------------------------------
class Cluster:
    """A PostgreSQL cluster of its own: initdb in a temporary folder, own port and socket."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise SystemExit("no /usr/lib/postgresql/*/bin/initdb: install postgresql")
        self.bin = Path(found[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="lifeline-soak-pg-"))
        self.data, self.sock = self.root / "data", self.root / "sock"
        self.sock.mkdir()
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/lifeline"
        self.cpu_done = 0.0  # CPU of postmasters already stopped

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        self.start()
        admin = create_engine(
            self.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE lifeline"))
        admin.dispose()

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c shared_buffers=64MB"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-o", opts, "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.cpu_done += self.cpu() or 0.0
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def postmaster(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def cpu(self) -> float | None:
        """CPU seconds of the running postmaster, its exited children and its live ones."""
        pid = self.postmaster()
        if pid is None:
            return None
        total = _cpu_with_children(pid)
        for child in _children(pid):
            total += process_cpu(child) or 0.0
        return total

    def pids(self) -> list[int]:
        pid = self.postmaster()
        return [] if pid is None else [pid, *_children(pid)]

    def remove(self) -> None:
        try:
            if self.postmaster() is not None:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu_with_children(pid: int) -> float:
    fields = _stat(pid)
    if fields is None:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


# -- the receiver: every unit's webhook, and the acknowledgements ------------------------------
@dataclass
class Arrival:
    path: str
    case_id: int | None
    notification_id: int | None
    purpose: str | None
    wall: float


@dataclass
class Receiver:
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: queue.Queue[tuple[float, str, int, str]] = field(default_factory=queue.Queue)
    acked: set[tuple[int, str]] = field(default_factory=set)  # (case, unit path) taken
    port: int = 0

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def record(self, path: str, body: dict[str, Any]) -> None:
        incident = body.get("incident") if isinstance(body.get("incident"), dict) else {}
        case_id = body.get("case_id", incident.get("case_id"))
        nid = body.get("notification_id", incident.get("notification_id"))
        arrival = Arrival(
            path,
            case_id if isinstance(case_id, int) else None,
            nid if isinstance(nid, int) else None,
            incident.get("purpose"),
            time.time(),
        )
        ack_url = incident.get("ack_url")
        with self.lock:
            self.arrivals.append(arrival)
            key = (arrival.case_id or 0, path)
            if (
                ack_url
                and arrival.case_id is not None
                and arrival.case_id % 2 == 0
                and key not in self.acked
            ):
                self.acked.add(key)
                self.acks.put((time.time() + random.uniform(0.5, 2.0), ack_url, *key))

    def snapshot(self) -> list[Arrival]:
        with self.lock:
            return list(self.arrivals)


@contextmanager
def receiving() -> Iterator[Receiver]:
    import json  # noqa: PLC0415

    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            state.record(self.path, body if isinstance(body, dict) else {})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, name="receiver", daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class AckLog:
    done: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    latency: list[float] = field(default_factory=list)


def acknowledger(rx: Receiver, bases: list[str], stopping: threading.Event, log: AckLog) -> None:
    """POST each acknowledgement link when due, to the API processes in turn; retried while the
    database is away (503) for up to 60 s."""
    turn = 0
    with httpx.Client(timeout=30) as client:
        while not stopping.is_set() or not rx.acks.empty():
            try:
                due, url, _case, _path = rx.acks.get(timeout=0.5)
            except queue.Empty:
                continue
            time.sleep(max(0.0, due - time.time()))
            path = "/ack/" + url.rsplit("/ack/", 1)[1]
            began, outcome = time.time(), ""
            while time.time() - began < 60:
                base = bases[turn % len(bases)]
                turn += 1
                try:
                    response = client.post(base + path, data={"name": "Soak duty officer"})
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                    time.sleep(1)
                    continue
                outcome = str(response.status_code)
                if response.status_code == 503 or response.status_code >= 500:
                    time.sleep(1)
                    continue
                break
            if outcome == "200":
                log.done += 1
                log.latency.append(time.time() - due)
            else:
                log.refused[outcome] += 1


# -- the processes ---------------------------------------------------------------------------
@dataclass
class Proc:
    role: str  # api-1, worker-3, ...
    popen: subprocess.Popen[Any]
    started: float
    cpu_base: float = 0.0  # CPU seconds when the load began (or at start, if later)
    cpu_last: float = 0.0
    rss: list[tuple[float, float]] = field(default_factory=list)  # (t since start of load, MB)
    killed_at: float | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def sample_cpu(self) -> None:
        cpu = process_cpu(self.pid)
        if cpu is not None and self.popen.poll() is None:
            self.cpu_last = cpu


@dataclass
class Fleet:
    env: dict[str, str]
    workdir: Path
    procs: list[Proc] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Counter[str] = field(default_factory=Counter)

    def start(self, kind: str, *args: str) -> Proc:
        self.counter[kind] += 1
        role = f"{kind}-{self.counter[kind]}"
        log = (self.workdir / f"{role}.log").open("w")
        popen = subprocess.Popen(
            [str(LIFELINE), *args], env=self.env, cwd=self.workdir, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        proc = Proc(role, popen, time.time())
        with self.lock:
            self.procs.append(proc)
        return proc

    def live(self, kind: str) -> list[Proc]:
        with self.lock:
            return [
                p for p in self.procs if p.role.startswith(kind + "-") and p.popen.poll() is None
            ]

    def stop_all(self) -> None:
        for proc in self.procs:
            proc.sample_cpu()
            stop(proc.popen)


def start_api(fleet: Fleet) -> tuple[Proc, str]:
    """A `serve --no-worker` process answering /healthz (200, or 503 before a worker's first
    heartbeat: it is up); started again on another port if its port was taken meanwhile."""
    for _ in range(5):
        port = free_port()
        proc = fleet.start("api", "serve", "--no-worker", "--no-mail", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        if wait_healthy(base, proc):
            return proc, base
        stop(proc.popen)
        with fleet.lock:
            fleet.procs.remove(proc)
    raise SystemExit(f"an API process did not come up; logs in {fleet.workdir}")


def wait_healthy(base: str, proc: Proc, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            return False
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503):
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


# -- the load ------------------------------------------------------------------------------------
@dataclass
class Sent:
    index: int
    first: float  # wall time of the first attempt
    attempts: int = 0
    accepted: float | None = None
    case_id: int | None = None
    answers: Counter[str] = field(default_factory=Counter)


async def send_alerts(
    bases: list[str], partner: dict[str, str], bodies: list[bytes], rate: float, retry_for: float
) -> list[Sent]:
    """Open loop: alert i is first sent at i / rate s, to the API processes in turn; a 503, a
    5xx or a transport error is retried with the same Idempotency-Key after Retry-After (at
    most 5 s) for up to `retry_for` s."""
    sent = [Sent(i, 0.0) for i in range(len(bodies))]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(i: int, raw: bytes, key: str) -> None:
            s = sent[i]
            s.first = time.time()
            turn = i
            while True:
                s.attempts += 1
                base = bases[turn % len(bases)]
                turn += 1
                headers = {**signed_headers(partner, raw), "Idempotency-Key": key}
                wait = 1.0
                try:
                    response = await client.post(
                        base + "/api/v1/alerts", content=raw, headers=headers
                    )
                    s.answers[str(response.status_code)] += 1
                    if response.status_code in (200, 202):
                        s.accepted = time.time()
                        s.case_id = int(response.json()["case_id"])
                        return
                    if response.status_code < 500:
                        return  # refused for good (a bug in the benchmark or the server)
                    wait = min(5.0, float(response.headers.get("Retry-After") or 1))
                except httpx.HTTPError as exc:
                    s.answers[type(exc).__name__] += 1
                if time.time() - s.first + wait > retry_for:
                    return
                await asyncio.sleep(wait)

        began = time.perf_counter()
        run = uuid.uuid4().hex[:8]
        tasks = []
        for i, raw in enumerate(bodies):
            await asyncio.sleep(max(0.0, began + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(i, raw, f"soak-{run}-{i}")))
        await asyncio.gather(*tasks)
    return sent


# -- sampling and chaos --------------------------------------------------------------------------
@dataclass
class Timeline:
    t0: float
    job_table: list[dict[str, Any]] = field(default_factory=list)
    health: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)  # wall times of SIGKILLs
    pg_down: list[tuple[float, float]] = field(default_factory=list)  # (stopped, started again)
    load_end: float | None = None

    def event(self, what: str, **details: Any) -> None:
        at = time.time()
        self.events.append({"t_s": round(at - self.t0, 1), "event": what, **details})
        print(f"  [{at - self.t0:7.1f} s] {what} {details if details else ''}", flush=True)


def sampler(
    fleet: Fleet,
    cluster: Cluster,
    db_url: str,
    bases: list[str],
    tl: Timeline,
    stop_: threading.Event,
) -> None:
    engine = create_engine(db_url, pool_pre_ping=True, connect_args={"connect_timeout": 3})
    try:
        while not stop_.wait(SAMPLE_EVERY):
            now = time.time() - tl.t0
            row: dict[str, Any] = {"t_s": round(now, 1)}
            try:
                with engine.connect() as conn:
                    counts = dict(
                        conn.execute(
                            select(jobs.c.status, func.count()).group_by(jobs.c.status)
                        ).all()
                    )
                row.update({str(k): int(v) for k, v in counts.items()})
                row["total"] = sum(int(v) for v in counts.values())
            except Exception as exc:  # the database is away: say so, keep sampling
                row["error"] = type(exc).__name__
            tl.job_table.append(row)
            for proc in list(fleet.procs):
                if proc.popen.poll() is None:
                    proc.sample_cpu()
                    mb = rss_mb(proc.pid)
                    if mb is not None:
                        proc.rss.append((now, mb))
            pg = sum(rss_mb(p) or 0.0 for p in cluster.pids())
            health = {"t_s": round(now, 1), "postgres_rss_mb": round(pg, 1)}
            for i, base in enumerate(bases):
                try:
                    health[f"api-{i + 1}"] = httpx.get(f"{base}/healthz", timeout=3).status_code
                except httpx.HTTPError as exc:
                    health[f"api-{i + 1}"] = type(exc).__name__
            tl.health.append(health)
    finally:
        engine.dispose()


def chaos(
    fleet: Fleet, cluster: Cluster, args: argparse.Namespace, tl: Timeline, stop_: threading.Event
) -> None:
    """Kill a random worker every --kill-every s (and start a new one); restart PostgreSQL once
    at --restart-pg-at minutes. Calm once the load is sent, so the drain measures what the
    chaos left behind."""
    rng = random.Random(args.seed)
    next_kill = tl.t0 + args.kill_every
    restart_at = tl.t0 + args.restart_pg_at * 60 if args.restart_pg_at >= 0 else None
    while not stop_.wait(0.5) and tl.load_end is None:
        now = time.time()
        if restart_at is not None and now >= restart_at:
            restart_at = None
            tl.event("postgres fast stop")
            stopped = time.time()
            cluster.stop("fast")
            time.sleep(args.pg_down_seconds)
            cluster.start()
            tl.pg_down.append((stopped, time.time()))
            tl.event("postgres started", down_s=round(time.time() - stopped, 1))
        if args.kill_every > 0 and now >= next_kill:
            next_kill += args.kill_every
            live = fleet.live("worker")
            if live:
                victim = rng.choice(live)
                victim.sample_cpu()
                victim.popen.send_signal(signal.SIGKILL)
                victim.popen.wait(10)
                victim.killed_at = time.time()
                tl.kills.append(victim.killed_at)
                new = fleet.start("worker", "worker")
                new.cpu_base = 0.0
                tl.event("SIGKILL", killed=victim.role, started=new.role)


# -- reading the outcome ------------------------------------------------------------------------
def epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def unfinished_escalations(db_url: str) -> int | None:
    """Dispatches still escalating plus send jobs not yet done (None: the database is away)."""
    engine = create_engine(db_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            active = conn.execute(
                select(func.count()).select_from(dispatches).where(dispatches.c.state == "active")
            ).scalar()
            unsent = conn.execute(
                select(func.count())
                .select_from(jobs)
                .where(
                    jobs.c.kind == "send_notification", jobs.c.status.in_(("pending", "running"))
                )
            ).scalar()
            return int(active or 0) + int(unsent or 0)
    except Exception:
        return None
    finally:
        engine.dispose()


def outcome(
    db_url: str, rx: Receiver, sent: list[Sent], tl: Timeline, wait: int, repeat: int
) -> dict[str, Any]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            case_ids = set(conn.scalars(select(cases.c.id)))
            notes = conn.execute(
                select(
                    notifications.c.id,
                    notifications.c.case_id,
                    notifications.c.dispatch_id,
                    notifications.c.purpose,
                    notifications.c.created_at,
                    notifications.c.state,
                )
            ).all()
            disp = conn.execute(
                select(
                    dispatches.c.id,
                    dispatches.c.case_id,
                    dispatches.c.unit_id,
                    dispatches.c.state,
                    dispatches.c.started_at,
                    dispatches.c.acknowledged_at,
                )
            ).all()
            alarms = conn.execute(
                select(smc_alarms.c.dispatch_id, smc_alarms.c.raised_at).where(
                    smc_alarms.c.dispatch_id.is_not(None)
                )
            ).all()
            job_kinds = {
                f"{k} ({s})": int(n)
                for k, s, n in conn.execute(
                    select(jobs.c.kind, jobs.c.status, func.count()).group_by(
                        jobs.c.kind, jobs.c.status
                    )
                )
            }
    finally:
        engine.dispose()

    # alerts
    accepted = [s for s in sent if s.case_id is not None]
    lost = [s.case_id for s in accepted if s.case_id not in case_ids]
    retried = [s for s in accepted if s.attempts > 1]
    answers: Counter[str] = Counter()
    for s in sent:
        answers.update(s.answers)
    alerts = {
        "sent": len(sent),
        "accepted": len(accepted),
        "never_accepted": len(sent) - len(accepted),
        "accepted_after_retry": len(retried),
        "lost_accepted_but_no_case": len(lost),
        "answers": dict(answers),
        "request_to_202_ms": summary_ms(
            [s.accepted - s.first for s in accepted if s.accepted is not None]
        ),
    }

    # messages: once, twice, never
    arrivals: dict[int, list[float]] = {}
    for a in rx.snapshot():
        if a.notification_id is not None:
            arrivals.setdefault(a.notification_id, []).append(a.wall)
    disruptions = list(tl.kills) + [start for start, _ in tl.pg_down]
    twice_in, twice_beyond = [], []
    for nid, times in arrivals.items():
        if len(times) < 2:
            continue
        first = min(times)
        in_window = any(0 <= d - first <= DUPLICATE_WINDOW_S for d in disruptions) or any(
            start - DUPLICATE_WINDOW_S <= first <= end for start, end in tl.pg_down
        )
        (twice_in if in_window else twice_beyond).append(nid)
    never = [n.id for n in notes if n.id not in arrivals]
    dispatch_state = {d.id: d.state for d in disp}
    never_detail = [
        {
            "notification": n.id,
            "purpose": n.purpose,
            "state": n.state,
            "dispatch_state": dispatch_state.get(n.dispatch_id),
            "created_t_s": round(epoch(n.created_at) - tl.t0, 1),
        }
        for n in notes
        if n.id not in arrivals
    ]
    states = Counter(n.state for n in notes if n.id not in arrivals)
    messages = {
        "created": len(notes),
        "delivered_once": sum(1 for n in notes if len(arrivals.get(n.id, [])) == 1),
        "delivered_twice_within_window": len(twice_in),
        "delivered_twice_beyond_window": len(twice_beyond),
        "delivered_twice_beyond_window_sample": twice_beyond[:10],
        "never_delivered": len(never),
        "never_delivered_by_state": dict(states),
        "never_delivered_sample": never_detail[:10],
        "states_at_end": dict(Counter(n.state for n in notes)),
        "arrived_but_queued": sum(1 for n in notes if n.id in arrivals and n.state == "queued"),
        "at_least_once_window": (
            f"a worker SIGKILLed, or PostgreSQL stopped, within {DUPLICATE_WINDOW_S:g} s "
            "after the first copy arrived (the send happened, its job's commit did not: "
            "docs/dispatch.md, delivery is at least once)"
        ),
        "cases_without_a_message": len(
            {s.case_id for s in accepted} - {n.case_id for n in notes if n.id in arrivals}
        ),
    }

    # escalation rounds
    firings: dict[int, list[float]] = {}
    for n in notes:
        if n.dispatch_id is not None:
            firings.setdefault(n.dispatch_id, [])
            at = epoch(n.created_at)
            if at not in firings[n.dispatch_id]:
                firings[n.dispatch_id].append(at)
    alarm_at = {a.dispatch_id: epoch(a.raised_at) for a in alarms}
    expected = fired = missing = extra = 0
    lags: list[float] = []
    exhaustion_lags: list[float] = []
    slow_steps: list[dict[str, Any]] = []  # steps more than 10 s behind their due time
    acked_after_round: list[int] = []
    still_active = 0
    for d in disp:
        times = sorted(firings.get(d.id, []))
        if d.state == "active":
            still_active += 1
        if d.acknowledged_at is not None:
            ack = epoch(d.acknowledged_at)
            # rounds due more than 10 s before the acknowledgement must have fired
            due_rounds = 1 + sum(
                1 for k in range(1, repeat) if times and times[0] + k * wait < ack - 10
            )
            want = max(1, due_rounds)
            late = [t for t in times if t > ack + 0.001]
            if late:
                acked_after_round.append(d.id)
        else:
            want = repeat + 1  # every round, then the SMC alarm
        have = len(times) + (1 if d.id in alarm_at else 0)
        expected += want
        fired += min(have, repeat + 1)
        missing += max(0, want - have)
        extra += max(0, len(times) - repeat)
        for prev, at in itertools.pairwise(times):
            lags.append(at - (prev + wait))
            if at - (prev + wait) > 10:
                slow_steps.append(
                    {
                        "dispatch": d.id,
                        "due_t_s": round(prev + wait - tl.t0, 1),
                        "fired_t_s": round(at - tl.t0, 1),
                    }
                )
        if d.id in alarm_at and times:
            exhaustion_lags.append(alarm_at[d.id] - (times[-1] + wait))
            if alarm_at[d.id] - (times[-1] + wait) > 10:
                slow_steps.append(
                    {
                        "dispatch": d.id,
                        "due_t_s": round(times[-1] + wait - tl.t0, 1),
                        "fired_t_s": round(alarm_at[d.id] - tl.t0, 1),
                        "smc_alarm": True,
                    }
                )
    all_lags = lags + exhaustion_lags
    escalation = {
        "dispatches": len(disp),
        "acknowledged": sum(1 for d in disp if d.acknowledged_at is not None),
        "exhausted": sum(1 for d in disp if d.state == "exhausted"),
        "still_active_at_end": still_active,
        "rounds_expected": expected,
        "rounds_fired": fired,
        "rounds_missing": missing,
        "rounds_fired_twice": extra,
        "rounds_after_acknowledgement": len(acked_after_round),
        "round_lag_ms": summary_ms(lags),
        "smc_alarm_lag_ms": summary_ms(exhaustion_lags),
        "steps_within_1s": sum(1 for x in all_lags if x < TARGET_STEP_LAG_S),
        "steps_measured": len(all_lags),
        "steps_over_10s": sum(1 for x in all_lags if x > 10),
        "steps_over_10s_sample": slow_steps[:20],
    }
    return {
        "alerts": alerts,
        "messages": messages,
        "escalation": escalation,
        "jobs_by_kind_at_end": job_kinds,
    }


def memory(procs: list[Proc], warm_s: float, end_s: float) -> list[dict[str, Any]]:
    """Each process's RSS at warm-up (the first sample at least warm_s into the load and warm_s
    after the process's own first sample: a worker started later warms up too) and its last
    sample, with the growth."""
    out = []
    for p in procs:
        if not p.rss:
            continue
        born = p.rss[0][0]
        warm = next((mb for t, mb in p.rss if t >= max(warm_s, born + warm_s)), None)
        last_t, last = p.rss[-1]
        row: dict[str, Any] = {
            "process": p.role,
            "pid": p.pid,
            "rss_warm_mb": warm,
            "rss_end_mb": last,
            "sampled_until_s": last_t,
            "killed": p.killed_at is not None,
        }
        if warm:
            row["growth_pct"] = round((last - warm) / warm * 100, 1)
        out.append(row)
    return out


# -- main -------------------------------------------------------------------------------------
def prepare(
    cluster: Cluster, rx: Receiver, workdir: Path, args: argparse.Namespace
) -> tuple[dict[str, str], dict[str, str]]:
    env = server_env(cluster.url, workdir, "")
    env.update(
        # the links' host: the acknowledger POSTs their path to each API process in turn
        LIFELINE_PUBLIC_URL="http://127.0.0.1:8000",
        LIFELINE_WORKERS="separate",
        LIFELINE_JOB_KEEP_DONE_SECONDS=str(args.keep_done_seconds),
        LIFELINE_JOB_LEASE_SECONDS=str(args.lease),
    )
    cli(["db", "upgrade", "--json"], env, workdir)
    partner = cli(["partners", "create", "soak", "--json"], env, workdir)
    registry = workdir / "contacts.yaml"
    registry.write_text(
        overlay(rx, routing=LATENCY_ROUTING, wait=args.wait, repeat=args.repeat),  # type: ignore[arg-type]
        encoding="utf-8",
    )
    cli(["registry", "import", str(registry), "--json"], env, workdir)
    return env, partner


def log_findings(workdir: Path) -> dict[str, dict[str, int]]:
    """Per process log: lines naming an error, a loop error, a traceback."""
    found = {}
    for log in sorted(workdir.glob("*-*.log")):
        body = log.read_text(errors="replace")
        found[log.stem] = {
            "loop_errors": body.count("worker.loop_error"),
            "tracebacks": body.count("Traceback"),
            "error_lines": sum(
                1 for line in body.splitlines() if '"level": "error"' in line.lower()
            ),
        }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Soak benchmark (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--minutes", type=float, default=30, help="length of the load")
    parser.add_argument("--rate", type=float, default=1.0, help="alerts/s (open loop)")
    parser.add_argument("--api", type=int, default=2, help="`serve --no-worker` processes")
    parser.add_argument("--workers", type=int, default=3, help="`lifeline worker` processes")
    parser.add_argument(
        "--kill-every", type=float, default=120, help="SIGKILL a random worker every N s (0: never)"
    )
    parser.add_argument(
        "--restart-pg-at",
        type=float,
        default=None,
        help="minute of the load at which PostgreSQL is restarted (default: half way; -1: never)",
    )
    parser.add_argument("--pg-down-seconds", type=float, default=5, help="between stop and start")
    parser.add_argument("--wait", type=int, default=20, help="escalation wait_seconds")
    parser.add_argument("--repeat", type=int, default=3, help="escalation rounds per step")
    parser.add_argument(
        "--keep-done-seconds", type=int, default=300, help="LIFELINE_JOB_KEEP_DONE_SECONDS"
    )
    parser.add_argument("--lease", type=int, default=15, help="LIFELINE_JOB_LEASE_SECONDS")
    parser.add_argument("--warmup-minutes", type=float, default=3, help="RSS reference point")
    parser.add_argument("--retry-for", type=float, default=120, help="a partner's retry budget (s)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--out", default=str(RESULTS / "soak.json"))
    args = parser.parse_args()
    if args.rate <= 0 or args.minutes <= 0 or min(args.api, args.workers, args.repeat) < 1:
        parser.error("--rate, --minutes, --api, --workers and --repeat must be positive")
    if args.restart_pg_at is None:
        args.restart_pg_at = args.minutes / 2
    if args.restart_pg_at > args.minutes:
        parser.error("--restart-pg-at is after the end of the load")

    machine = harness.describe_machine()
    settings = {
        k: getattr(args, k)
        for k in (
            "minutes", "rate", "api", "workers", "kill_every", "restart_pg_at",
            "pg_down_seconds", "wait", "repeat", "keep_done_seconds", "lease",
            "warmup_minutes", "retry_for", "seed",
        )
    }  # fmt: skip
    settings["database"] = "private PostgreSQL cluster (initdb in a temporary folder)"
    settings["acknowledged"] = (
        "cases with an even id: every unit acknowledges 0.5-2 s after its first message"
    )
    harness.print_settings(settings)

    workdir = Path(tempfile.mkdtemp(prefix="lifeline-soak-"))
    cluster = Cluster()
    fleet: Fleet | None = None
    stopping = threading.Event()
    threads: list[threading.Thread] = []
    try:
        cluster.init()
        print(f"private PostgreSQL {cluster.bin.parent.name} on 127.0.0.1:{cluster.port}")
        with receiving() as rx:
            env, partner = prepare(cluster, rx, workdir, args)
            fleet = Fleet(env, workdir)
            for _ in range(args.workers):
                fleet.start("worker", "worker")
            bases = [start_api(fleet)[1] for _ in range(args.api)]
            time.sleep(2)  # the workers' first heartbeat
            count = int(args.minutes * 60 * args.rate)
            bodies = alert_bodies(count, uuid.uuid4().hex[:8], tuple(AT_RISK))
            tl = Timeline(time.time())
            for p in fleet.procs:
                p.sample_cpu()
                p.cpu_base = p.cpu_last
            pg_cpu_base = cluster.cpu() or 0.0
            ack_log = AckLog()
            for target, extra in (
                (sampler, (fleet, cluster, cluster.url, bases, tl, stopping)),
                (chaos, (fleet, cluster, args, tl, stopping)),
                (acknowledger, (rx, bases, stopping, ack_log)),
            ):
                thread = threading.Thread(target=target, args=extra, daemon=True)  # type: ignore[arg-type]
                thread.start()
                threads.append(thread)
            print(f"load: {count} alerts at {args.rate:g}/s over {args.minutes:g} min", flush=True)
            sent = asyncio.run(send_alerts(bases, partner, bodies, args.rate, args.retry_for))
            load_end = tl.load_end = time.time()
            tl.event("load sent", accepted=sum(1 for s in sent if s.case_id is not None))
            # drain: every escalation ends (rounds + the SMC alarm), a lease for killed workers
            drain_limit = args.wait * (args.repeat + 1) + args.lease + 120
            while time.time() - load_end < drain_limit:
                left = unfinished_escalations(cluster.url)
                if left == 0:
                    break
                time.sleep(2)
            time.sleep(3)  # anything sent twice arrives now
            drained = time.time()
            tl.event("drained", escalations_still_active=unfinished_escalations(cluster.url))
            for p in fleet.procs:
                p.sample_cpu()
            pg_cpu = (cluster.cpu() or 0.0) + cluster.cpu_done - pg_cpu_base
            end_s = drained - tl.t0
            stopping.set()
            for thread in threads:
                thread.join(70)
            result = outcome(cluster.url, rx, sent, tl, args.wait, args.repeat)
            accepted = max(1, result["alerts"]["accepted"])
            lifeline_cpu = sum(max(0.0, p.cpu_last - p.cpu_base) for p in fleet.procs)
            api_cpu = sum(
                max(0.0, p.cpu_last - p.cpu_base) for p in fleet.procs if p.role.startswith("api")
            )
            result["cpu"] = {
                "window_s": round(end_s, 1),
                "lifeline_ms_per_alert": round(lifeline_cpu / accepted * 1000, 1),
                "api_ms_per_alert": round(api_cpu / accepted * 1000, 1),
                "workers_ms_per_alert": round((lifeline_cpu - api_cpu) / accepted * 1000, 1),
                "postgres_ms_per_alert": round(pg_cpu / accepted * 1000, 1),
                "cores_busy_lifeline": round(lifeline_cpu / end_s, 2),
                "cores_busy_postgres": round(pg_cpu / end_s, 2),
            }
            result["memory"] = memory(fleet.procs, args.warmup_minutes * 60, end_s)
            result["job_table"] = tl.job_table
            result["health"] = tl.health
            result["events"] = tl.events
            result["acknowledgements"] = {
                "posted": ack_log.done,
                "refused": dict(ack_log.refused),
                "due_to_done_ms": summary_ms(ack_log.latency),
            }
            result["process_logs"] = log_findings(workdir)
    finally:
        stopping.set()
        if fleet is not None:
            fleet.stop_all()
        cluster.remove()
    report(result, args)
    out = Path(args.out)
    harness.write_results(
        out,
        {
            **result,
            "machine": machine,
            "settings": settings,
            "loadavg_after": harness.load_average(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


def report(r: dict[str, Any], args: argparse.Namespace) -> None:
    a, m, e, c = r["alerts"], r["messages"], r["escalation"], r["cpu"]
    print("\n== soak ==")
    print(
        f"alerts: sent {a['sent']}, accepted {a['accepted']} ({a['accepted_after_retry']} after a "
        f"retry), never accepted {a['never_accepted']}, lost after 202 "
        f"{a['lost_accepted_but_no_case']}; answers {a['answers']}"
    )
    print(
        f"messages: created {m['created']}, delivered once {m['delivered_once']}, twice within "
        f"the at-least-once window {m['delivered_twice_within_window']}, twice beyond it "
        f"{m['delivered_twice_beyond_window']} (target 0), never {m['never_delivered']} "
        f"{m['never_delivered_by_state'] or ''}; cases without any message "
        f"{m['cases_without_a_message']}"
    )
    print(f"  window: {m['at_least_once_window']}")
    lag = e["round_lag_ms"]
    print(
        f"escalation: {e['dispatches']} dispatches ({e['acknowledged']} acknowledged, "
        f"{e['exhausted']} exhausted, {e['still_active_at_end']} still active); rounds expected "
        f"{e['rounds_expected']}, fired {e['rounds_fired']}, missing {e['rounds_missing']} "
        f"(target 0), fired twice {e['rounds_fired_twice']}, after an acknowledgement "
        f"{e['rounds_after_acknowledgement']}"
    )
    print(
        f"  round lag behind due (ms): p50 {lag['p50']} p95 {lag['p95']} p99 {lag['p99']} max "
        f"{lag['max']}; SMC alarm lag p50 {e['smc_alarm_lag_ms']['p50']} max "
        f"{e['smc_alarm_lag_ms']['max']}; within 1 s {e['steps_within_1s']}/{e['steps_measured']}, "
        f"over 10 s {e['steps_over_10s']}"
    )
    print(
        f"CPU per alert: Lifeline {c['lifeline_ms_per_alert']} ms (API {c['api_ms_per_alert']}, "
        f"workers {c['workers_ms_per_alert']}), PostgreSQL {c['postgres_ms_per_alert']} ms; cores "
        f"busy {c['cores_busy_lifeline']} + {c['cores_busy_postgres']}"
    )
    print("memory (RSS MB, warm-up -> end, growth; target < 10 % after warm-up):")
    for row in r["memory"]:
        print(
            f"  {row['process']:<10} {row['rss_warm_mb']} -> {row['rss_end_mb']}"
            f"  {row.get('growth_pct', '-')} %{'  (killed)' if row['killed'] else ''}"
        )
    sizes = [(row["t_s"], row.get("total", row.get("error"))) for row in r["job_table"]]
    step = max(1, len(sizes) // 12)
    print(
        "job table rows over time (s: rows): "
        + ", ".join(f"{t:.0f}: {n}" for t, n in sizes[::step])
    )
    bad_health = [
        h for h in r["health"] if any(v != 200 for k, v in h.items() if k.startswith("api"))
    ]
    print(f"/healthz not 200 in {len(bad_health)} of {len(r['health'])} samples")
    print(f"acknowledgements: {r['acknowledgements']}")
    print(f"process logs: {r['process_logs']}")


if __name__ == "__main__":
    main()
