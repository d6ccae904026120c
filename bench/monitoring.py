"""Monitoring stream benchmark: posts/s end to end through `POST /api/v1/monitoring/posts`, and
the server's memory over a long run.

A benchmark, not a test: it prints figures (with the target beside them, never asserted) and
writes bench/results/monitoring.json. For each database (a temporary SQLite file always; a
fresh temporary PostgreSQL database when --pg-url or LIFELINE_TEST_DATABASE_URL is given) it

1. runs `lifeline db upgrade`, `lifeline partners create bench --json` and `lifeline serve`
   (one uvicorn process with its embedded worker) as subprocesses, with a webhook receiver on
   127.0.0.1 for the case events;
2. sends --posts posts as signed JSON requests of --batch posts (1,000: the most a request
   takes) from --concurrency clients, and times each request from send to its 200 (scoring
   and storing included);
3. samples the server's resident memory (VmRSS) after every request, to show it flat over a
   long run (--posts 1000000).

The posts are a realistic mix: short and long, English, Hindi (Devanagari) and Hinglish, about
2% at risk (--flagged), from a pool of authors so that some write again (windows, joins). They
are made up here from templates, none from evaluation sets. The run stops by itself and only
talks to 127.0.0.1 and to the PostgreSQL server given.

    .venv/bin/python bench/monitoring.py [--posts 20000] [--pg-url URL] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

import harness
from intake import (
    RESULTS,
    cli,
    meets,
    process_cpu,
    receiver,
    running_server,
    server_env,
    signed_headers,
    summary_ms,
)

TARGET_RATE = 2000.0  # posts/s end to end

EVERYDAY = (
    "Beautiful sunset at Marine Drive today with friends",
    "Had chai with my cousins at Hazratganj this evening",
    "match dekha kal, kya khela Kohli ne, full paisa vasool",
    "traffic jam again near Charbagh station, office late ho gaya",
    "Anyone knows a good tailor in Aminabad? Need a kurta stitched by Friday",
    "आज मौसम बहुत सुहाना है, बारिश के बाद सब कुछ हरा-भरा दिख रहा है",
    "नई फिल्म देखी, कहानी अच्छी थी लेकिन गाने कमज़ोर थे",
    "bhai log exam ka result kab aayega koi batao",
    "Congratulations to the school cricket team on winning the district cup",
    "Electricity cut for 4 hours in Gomti Nagar, this is too much",
    "रविवार को गंगा घाट पर आरती देखी, मन शांत हो गया",
    "New recipe tried today: paneer tikka in the air fryer, turned out great",
    "Exams are tough this year but preparation is going fine",
    "kal se gym shuru, is baar pakka",
    "Suicide prevention helpline numbers: call Tele-MANAS 14416, you are not alone",
    "Read about the new metro line, should cut my commute by half",
)
AT_RISK = (
    "I want to die, nothing matters anymore and I cannot go on",
    "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",
    "main ab aur nahi jee sakta, aaj raat sab khatam kar dunga",
    "I have the pills ready, tonight I end it all. Goodbye everyone",
    "मैं मरना चाहता हूं, अब जीने की कोई वजह नहीं बची",
)
PLACES = ("Lucknow", "Aliganj, Lucknow", "Kanpur", "Varanasi", "Gorakhpur", None, None, None)
FILLER = (
    "", "", " #lucknow", " 🙂", " Please share this post with your friends.",
    " Long post, but please read till the end: the new bus timetable for Lucknow city routes "
    "starts on Monday and most routes get more buses.",
)  # fmt: skip


def make_posts(
    count: int, run: str, flagged: float, authors: int, seed: int
) -> Iterator[dict[str, Any]]:
    """`count` posts of a realistic mix; ids are unique to `run`."""
    rng = random.Random(seed)
    posted = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    for i in range(count):
        at_risk = rng.random() < flagged
        text = rng.choice(AT_RISK if at_risk else EVERYDAY) + rng.choice(FILLER)
        author = f"user{rng.randrange(authors)}"
        post: dict[str, Any] = {
            "platform": rng.choice(("x", "facebook", "instagram")),
            "post_id": f"{run}-{i}",
            "author": author,
            "text": f"{text} [{i}]" if rng.random() < 0.5 else text,
            "posted_at": (posted + timedelta(seconds=i)).isoformat(),
            "url": f"https://x.com/{author}/status/{run}{i}",
        }
        place = rng.choice(PLACES)
        if place:
            post["place"] = place
        yield post


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: dict[str, str] = field(default_factory=dict)
    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    cases: set[int] = field(default_factory=set)
    rss: list[tuple[int, int]] = field(default_factory=list)  # (posts sent, KiB)
    wall: float = 0.0


async def send_all(
    base: str,
    partner: dict[str, str],
    requests: Iterator[bytes],
    concurrency: int,
    pid: int,
    timeout: float,
) -> Run:
    run = Run()
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal sent
        for raw in requests:
            headers = signed_headers(partner, raw)
            started = time.perf_counter()
            try:
                response = await client.post(
                    "/api/v1/monitoring/posts", content=raw, headers=headers
                )
            except httpx.HTTPError as exc:
                kind = type(exc).__name__
                run.errors[kind] = run.errors.get(kind, 0) + 1
                run.error_samples.setdefault(kind, repr(exc)[:300])
                continue
            if response.status_code != 200:
                kind = str(response.status_code)
                run.errors[kind] = run.errors.get(kind, 0) + 1
                run.error_samples.setdefault(kind, response.text[:300])
                continue
            run.latencies.append(time.perf_counter() - started)
            answer = response.json()
            run.accepted += answer["accepted"]
            run.duplicates += answer["duplicates"]
            run.flagged += answer["flagged"]
            run.cases.update(answer["case_ids"])
            sent += answer["accepted"] + answer["duplicates"]
            kib = rss_kib(pid)
            if kib is not None:
                run.rss.append((sent, kib))

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        began = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        run.wall = time.perf_counter() - began
    return run


def request_bodies(posts: Iterator[dict[str, Any]], batch: int) -> Iterator[bytes]:
    chunk: list[dict[str, Any]] = []
    for post in posts:
        chunk.append(post)
        if len(chunk) == batch:
            yield json.dumps(chunk, ensure_ascii=False).encode()
            chunk = []
    if chunk:
        yield json.dumps(chunk, ensure_ascii=False).encode()


def memory(rss: list[tuple[int, int]]) -> dict[str, Any]:
    """Resident memory at the start, after a tenth of the run (warm: model, caches), and at
    the end, and the growth per 100,000 posts over the last nine tenths (least squares)."""
    if len(rss) < 3:
        return {"samples": len(rss)}
    warm = rss[len(rss) // 10 :]
    xs = [x for x, _ in warm]
    ys = [y for _, y in warm]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in warm) / var if var else 0.0
    return {
        "samples": len(rss),
        "first_mib": round(rss[0][1] / 1024, 1),
        "warm_mib": round(warm[0][1] / 1024, 1),
        "last_mib": round(rss[-1][1] / 1024, 1),
        "max_mib": round(max(y for _, y in rss) / 1024, 1),
        "growth_mib_per_100k_posts_after_warmup": round(slope * 100_000 / 1024, 2),
    }


def bench_one(db: str, db_url: str, workdir: Path, args: argparse.Namespace, webhook: str) -> Any:
    env = server_env(db_url, workdir, webhook)
    cli(["db", "upgrade", "--json"], env, workdir)
    partner = cli(["partners", "create", "bench", "--json"], env, workdir)
    run_id = f"{int(time.time())}"
    with running_server(env, workdir) as (proc, base, log):
        # warm-up: the model loads and the first cases are made before the clock starts
        warm = request_bodies(
            make_posts(args.batch, f"w{run_id}", args.flagged, 1000, 1), args.batch
        )
        asyncio.run(send_all(base, partner, warm, 1, proc.pid, args.request_timeout))
        cpu_before = process_cpu(proc.pid)
        bodies = request_bodies(
            make_posts(args.posts, run_id, args.flagged, args.authors, args.seed), args.batch
        )
        run = asyncio.run(
            send_all(base, partner, bodies, args.concurrency, proc.pid, args.request_timeout)
        )
        cpu_after = process_cpu(proc.pid)
        # the same posts again: every one a duplicate (a tool resending after a timeout)
        again = request_bodies(
            make_posts(
                min(args.posts, 10 * args.batch), run_id, args.flagged, args.authors, args.seed
            ),
            args.batch,
        )
        resend = asyncio.run(
            send_all(base, partner, again, args.concurrency, proc.pid, args.request_timeout)
        )
        log_tail = "\n".join(log.read_text().splitlines()[-15:])
    posts = run.accepted + run.duplicates
    cpu = {}
    if cpu_before is not None and cpu_after is not None:
        cpu = {
            "server_cpu_s": round(cpu_after - cpu_before, 1),
            "server_cores_busy": round((cpu_after - cpu_before) / run.wall, 2),
            "server_cpu_us_per_post": round((cpu_after - cpu_before) / max(posts, 1) * 1e6, 1),
        }
    return {
        "database": db,
        "posts_sent": args.posts,
        "posts_answered": posts,
        "accepted": run.accepted,
        "duplicates": run.duplicates,
        "flagged": run.flagged,
        "cases": len(run.cases),
        "requests": len(run.latencies),
        "errors": run.errors,
        "error_samples": run.error_samples,
        "wall_seconds": round(run.wall, 2),
        "posts_per_second": round(posts / run.wall, 1) if run.wall else None,
        "request_ms": summary_ms(run.latencies),
        "resend": {
            "posts": resend.accepted + resend.duplicates,
            "duplicates": resend.duplicates,
            "posts_per_second": round((resend.accepted + resend.duplicates) / resend.wall, 1)
            if resend.wall
            else None,
        },
        "memory": memory(run.rss),
        "cpu": cpu,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "server_log_tail": log_tail,
    }


def report(r: dict[str, Any]) -> None:
    lat, mem = r["request_ms"], r["memory"]
    print(f"\n== {r['database']} ==")
    print(
        f"posts answered: {r['posts_answered']}/{r['posts_sent']} in {r['wall_seconds']} s "
        f"({r['requests']} requests); accepted {r['accepted']}, duplicates {r['duplicates']}, "
        f"flagged {r['flagged']} into {r['cases']} cases; errors {r['errors'] or 'none'}"
    )
    for kind, sample in r["error_samples"].items():
        print(f"  first {kind}: {sample}")
    rate = r["posts_per_second"] or 0.0
    print(f"throughput: {rate} posts/s (target >= {TARGET_RATE:.0f}: {meets(rate >= TARGET_RATE)})")
    print(
        f"request of {r['posts_sent'] and min(r['posts_sent'], 1000)} posts -> 200 (ms): "
        f"p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  max {lat['max']}"
    )
    print(f"resent posts (all duplicates): {r['resend']}")
    if "last_mib" in mem:
        print(
            f"server RSS: {mem['first_mib']} MiB after the first request, {mem['warm_mib']} "
            f"warm, {mem['last_mib']} at the end (max {mem['max_mib']}); growth after warm-up "
            f"{mem['growth_mib_per_100k_posts_after_warmup']} MiB per 100,000 posts"
        )
    if r["cpu"]:
        print(
            f"server CPU: {r['cpu']['server_cores_busy']} cores busy, "
            f"{r['cpu']['server_cpu_us_per_post']} us per post"
        )
    print(f"load average after: {r['loadavg_after']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Monitoring stream benchmark (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--posts", type=int, default=20_000, help="posts to send (1000000: long run)"
    )
    parser.add_argument("--batch", type=int, default=1000, help="posts per request (at most 1000)")
    parser.add_argument("--concurrency", type=int, default=2, help="concurrent clients")
    parser.add_argument("--flagged", type=float, default=0.02, help="share of posts at risk")
    parser.add_argument("--authors", type=int, default=50_000, help="distinct authors")
    parser.add_argument("--seed", type=int, default=19)
    harness.add_database_options(parser)
    parser.add_argument("--request-timeout", type=float, default=120.0, help="seconds")
    parser.add_argument("--output", type=Path, default=RESULTS / "monitoring.json")
    args = parser.parse_args()
    if not 1 <= args.batch <= 1000 or args.posts < 1 or args.concurrency < 1:
        parser.error("--batch must be 1..1000; --posts and --concurrency positive")
    machine = harness.describe_machine()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {
            "posts": args.posts,
            "batch": args.batch,
            "concurrency": args.concurrency,
            "flagged_share": args.flagged,
            "authors": args.authors,
            "server": "lifeline serve: 1 uvicorn process with the embedded worker",
            "LIFELINE_MONITORING_BATCH_SIZE": "default (500)",
        },
        "target_posts_per_second": TARGET_RATE,
        "runs": [],
    }
    databases = harness.database_targets(args)
    with receiver() as webhook:
        for db, pg in databases:
            with tempfile.TemporaryDirectory(prefix="lifeline-bench-monitoring-") as tmp:
                workdir = Path(tmp)
                with harness.bench_database(pg, workdir) as url:
                    r = bench_one(db, url, workdir, args, webhook)
            report(r)
            results["runs"].append(r)
    harness.write_results(args.output, results)
    print(f"\nwritten: {args.output}")


if __name__ == "__main__":
    main()
