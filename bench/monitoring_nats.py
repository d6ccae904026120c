"""Monitoring stream benchmark through NATS JetStream: posts/s taken in by 1 and then 2
`lifeline monitor consume` processes on one durable, and their memory over the run.

A benchmark, not a test: it prints figures (with the target beside them, never asserted) and
writes bench/results/monitoring_nats.json. For each database (a temporary SQLite file always; a
fresh temporary PostgreSQL database when --pg-url or LIFELINE_TEST_DATABASE_URL is given) and
each consumer count (--consumers 1,2) it

1. runs `lifeline db upgrade` on a fresh database, creates a stream of its own on the NATS
   server (--nats, default 127.0.0.1:4222) and publishes --posts posts, one a message (the
   realistic mix of bench/monitoring.py: English, Hindi, Hinglish, ~2% at risk);
2. starts the consumers (`monitor consume --exit-when-idle --json`), which load the model and
   then bind the same durable;
3. polls the durable every 0.25 s: the clock runs from the first message delivered to the
   last acked (acked = committed), so model loading and publishing are not counted; and
   samples each consumer's resident memory (VmRSS) and CPU;
4. deletes the stream.

On SQLite the consumers are separate processes contending for the one write lock; on
PostgreSQL they write side by side. The run stops by itself and talks only to 127.0.0.1 and
the PostgreSQL server given.

    .venv/bin/python bench/monitoring_nats.py [--posts 200000] [--consumers 1,2] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import nats.js.errors

import harness
from intake import LIFELINE, RESULTS, cli, meets, process_cpu
from monitoring import make_posts, memory, rss_kib

TARGET_RATE = 3500.0  # posts/s with two consumer processes
POLL_SECONDS = 0.25  # how often the durable is read: the run's clock has this resolution


@dataclass
class Sample:
    t: float
    acked: int
    rss_kib: list[int | None]


@dataclass
class Watch:
    started: float | None = None
    finished: float | None = None
    samples: list[Sample] = field(default_factory=list)
    cpu: dict[int, float] = field(default_factory=dict)


def consumer_env(db_url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
    env.update(
        LIFELINE_DATABASE_URL=db_url,
        LIFELINE_DATA_KEY_FILE=str(workdir / "lifeline.key"),
        LIFELINE_LOG_LEVEL="WARNING",
    )
    return env


async def publish(url: str, stream: str, subject: str, posts: int, args: Any, run: str) -> float:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[subject])
    started = time.monotonic()
    pending = []
    for post in make_posts(posts, run, args.flagged, args.authors, args.seed):
        pending.append(await js.publish_async(subject, json.dumps(post).encode()))
        if len(pending) >= 2000:
            await asyncio.gather(*pending)
            pending = []
    await asyncio.gather(*pending)
    seconds = time.monotonic() - started
    await nc.close()
    return seconds


async def watch(url: str, stream: str, posts: int, procs: list[subprocess.Popen[str]]) -> Watch:
    nc = await nats.connect(url)
    js = nc.jetstream()
    w = Watch()
    try:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            now = time.monotonic()
            try:
                info = await js.consumer_info(stream, "bench")
            except nats.js.errors.NotFoundError:
                info = None
            for p in procs:
                cpu = process_cpu(p.pid)
                if cpu is not None:
                    w.cpu[p.pid] = cpu
            acked = info.ack_floor.stream_seq if info and info.ack_floor else 0
            delivered = info.delivered.stream_seq if info and info.delivered else 0
            if w.started is None and delivered:
                w.started = now
            if w.started is not None:
                w.samples.append(Sample(now - w.started, acked, [rss_kib(p.pid) for p in procs]))
            if info is not None and acked >= posts and info.num_ack_pending == 0:
                w.finished = now
                return w
            if all(p.poll() is not None for p in procs):
                raise SystemExit(f"consumers exited before the end: {acked} of {posts} acked")
    finally:
        await nc.close()


def measured_seconds(w: Watch, posts: int) -> float:
    """The run's wall time, first delivered to last acked; a clear stop when the consumers took
    every post between two polls of the durable (nothing to divide by: a run too short)."""
    if w.started is None or w.finished is None or w.finished - w.started <= 0:
        raise SystemExit(
            f"the run ended before it could be measured: all {posts} posts were taken between "
            f"two polls of the durable ({POLL_SECONDS} s apart), so there is no time to divide "
            f"by; give more posts (--posts 20000 or more) so the run lasts several polls"
        )
    return w.finished - w.started


def bench_one(db: str, db_url: str, workdir: Path, consumers: int, args: Any) -> dict[str, Any]:
    env = consumer_env(db_url, workdir)
    cli(["db", "upgrade", "--json"], env, workdir)
    tag = uuid.uuid4().hex[:8]
    stream, subject = f"BENCH_MON_{tag}", f"bench.monitoring.{tag}"
    publish_s = asyncio.run(publish(args.nats, stream, subject, args.posts, args, tag))
    logs = [workdir / f"consumer{i}.log" for i in range(consumers)]
    command = [
        str(LIFELINE), "monitor", "consume", "--nats", args.nats, "--subject", subject,
        "--durable", "bench", "--stream", stream, "--batch", str(args.batch),
        "--exit-when-idle", "--report-every", "0", "--json",
    ]  # fmt: skip
    procs = [
        subprocess.Popen(
            command, env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=log.open("w"), text=True
        )
        for log in logs
    ]
    try:
        w = asyncio.run(watch(args.nats, stream, args.posts, procs))
        outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()

        async def delete() -> None:
            nc = await nats.connect(args.nats)
            await nc.jetstream().delete_stream(stream)
            await nc.close()

        asyncio.run(delete())
    wall = measured_seconds(w, args.posts)
    cpu = sum(w.cpu.values())
    per_consumer = []
    for i, out in enumerate(outputs):
        rss = [(s.acked, s.rss_kib[i]) for s in w.samples if s.rss_kib[i] is not None]
        per_consumer.append({**out, "memory": memory(rss)})  # type: ignore[arg-type]
    return {
        "database": db,
        "consumers": consumers,
        "posts": args.posts,
        "publish_seconds": round(publish_s, 2),
        "wall_seconds": round(wall, 2),
        "posts_per_second": round(args.posts / wall, 1),
        "accepted": sum(o["accepted"] for o in outputs),
        "duplicates": sum(o["duplicates"] for o in outputs),
        "flagged": sum(o["flagged"] for o in outputs),
        "rejected": sum(o["rejected"] for o in outputs),
        "consumer_cpu_us_per_post": round(cpu / args.posts * 1e6, 1),
        "per_consumer": per_consumer,
        "acked_over_time": [
            (round(s.t, 1), s.acked) for s in w.samples[:: max(1, len(w.samples) // 40)]
        ],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def report(r: dict[str, Any]) -> None:
    rate = r["posts_per_second"]
    print(
        f"\n== {r['database']}, {r['consumers']} consumer(s) ==\n"
        f"{r['posts']} posts in {r['wall_seconds']} s: {rate} posts/s"
        + (
            f" (target >= {TARGET_RATE:.0f} with two: {meets(rate >= TARGET_RATE)})"
            if r["consumers"] == 2
            else ""
        )
        + f"; accepted {r['accepted']}, duplicates {r['duplicates']}, flagged {r['flagged']}; "
        f"{r['consumer_cpu_us_per_post']} us CPU per post (consumers)"
    )
    for i, c in enumerate(r["per_consumer"]):
        mem = c["memory"]
        print(
            f"  consumer {i}: {c['posts']} posts, {c['posts_per_second']} posts/s busy; RSS "
            f"{mem.get('first_mib')} -> {mem.get('last_mib')} MiB (max {mem.get('max_mib')}, "
            f"growth {mem.get('growth_mib_per_100k_posts_after_warmup')} MiB/100k posts)"
        )
    print(f"  load average after: {r['loadavg_after']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Monitoring stream through NATS benchmark (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--consumers", default="1,2", help="consumer counts to run, in order")
    parser.add_argument("--batch", type=int, default=500, help="messages per fetch")
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--flagged", type=float, default=0.02, help="share of posts at risk")
    parser.add_argument("--authors", type=int, default=50_000, help="distinct authors")
    parser.add_argument("--seed", type=int, default=19)
    harness.add_database_options(parser)
    parser.add_argument("--postgresql-only", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS / "monitoring_nats.json")
    args = parser.parse_args()
    counts = [int(c) for c in args.consumers.split(",")]
    machine = harness.describe_machine()
    databases = harness.database_targets(args, sqlite=not args.postgresql_only)
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "settings": {"posts": args.posts, "batch": args.batch, "flagged_share": args.flagged},
        "target_posts_per_second_two_consumers": TARGET_RATE,
        "runs": [],
    }
    for db, pg in databases:
        for n in counts:
            with tempfile.TemporaryDirectory(prefix="lifeline-bench-nats-") as tmp:
                workdir = Path(tmp)
                with harness.bench_database(pg, workdir) as url:
                    r = bench_one(db, url, workdir, n, args)
            report(r)
            results["runs"].append(r)
            harness.write_results(args.output, results)
    print(f"\nwritten: {args.output}")


if __name__ == "__main__":
    main()
