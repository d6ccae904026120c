"""Email intake benchmark: alert emails over SMTP to committed cases.

A benchmark, not a test: it prints figures (targets beside them, never asserted) and writes
bench/results/email-intake-<db>.json. For SQLite always, and PostgreSQL when --pg-url or
LIFELINE_TEST_DATABASE_URL is given, it starts `lifeline serve` (SMTP intake inside), registers
a partner's sender domains, then

1. paced: sends --count simulated alert emails (many formats, Hindi/Hinglish/English) at --rate
   messages/s over --connections SMTP connections, timing each from the end of DATA (the
   client's final ".") to the 250 reply, which the server sends only after the commit: that is
   when the case is visible in the database;
2. flat out: sends --count more as fast as the connections allow, for messages/s.

Every accepted message is checked to be an alert in the database at the end.

    .venv/bin/python bench/email_intake.py --count 600 --rate 20 [--pg-url URL]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import smtplib
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from intake import (
    RESULTS,
    cli,
    meets,
    pg_database,
    running_server,
    server_env,
    summary_ms,
)
from lifeline.adapters.db.engine import normalise_url
from lifeline.simulate import SENDERS, Scenario, make_email, utcnow

TARGET_P99_MS = 250.0  # end of DATA to committed, at 20 messages/s


class TimedSMTP(smtplib.SMTP):
    """smtplib.SMTP that notes when the last byte of DATA left, to time the reply alone."""

    data_sent_at = 0.0

    def send(self, s: bytes | str) -> None:
        super().send(s)
        self.data_sent_at = time.perf_counter()


def send_all(
    port: int, messages: list[tuple[str, bytes]], rate: float, connections: int
) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = itertools.count()
    start = time.perf_counter() + 0.2

    def worker() -> None:
        conn = TimedSMTP("127.0.0.1", port, timeout=60)
        conn.ehlo()
        try:
            while (i := next(counter)) < len(messages):
                if rate > 0:
                    time.sleep(max(0.0, start + i / rate - time.perf_counter()))
                sender, raw = messages[i]
                conn.mail(sender)
                conn.rcpt("smc-alerts@uppolice.example")
                code, reply = conn.data(raw)
                elapsed = time.perf_counter() - conn.data_sent_at
                with lock:
                    if code == 250 and b"alert" in reply:
                        latencies.append(elapsed)
                    else:
                        failures.append(f"{code} {reply.decode(errors='replace')[:80]}")
        finally:
            conn.quit()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return latencies, failures, time.perf_counter() - began


def messages(count: int, seed: int) -> list[tuple[str, bytes]]:
    scenario = Scenario(seed=seed, follow_up_share=0.0)
    out = []
    for _ in range(count):
        person, _, fmt = scenario.next()
        fmt = "plain_en" if fmt in ("forwarded", "free_text") else fmt  # keep all as alerts
        out.append((SENDERS[person.platform], make_email(person, fmt, utcnow())))
    return out


def alerts_in(db_url: str) -> int:
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM alerts")).scalar() or 0)
    finally:
        engine.dispose()


def bench_one(db: str, db_url: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = server_env(db_url, workdir, "")
    env["LIFELINE_SMTP_RATE_PER_MINUTE"] = "0"
    smtp_port = int(env["LIFELINE_SMTP_PORT"])
    cli(["db", "upgrade", "--json"], env, workdir)
    partner = cli(["partners", "create", "bench", "--json"], env, workdir)
    for domain in ("facebook.com", "instagram.com", "x.com", "youtube.com"):
        cli(["partners", "add-sender", partner["key_id"], domain, "--json"], env, workdir)
    with running_server(env, workdir):
        paced = messages(args.count, 1)
        lat, fail, took = send_all(smtp_port, paced, args.rate, args.connections)
        flat = messages(args.count, 2)
        lat2, fail2, took2 = send_all(smtp_port, flat, 0, args.connections)
    stored = alerts_in(db_url)
    return {
        "database": db,
        "machine": {"cpus": os.cpu_count()},
        "settings": {"count": args.count, "rate": args.rate, "connections": args.connections},
        "paced": {
            "sent": len(paced),
            "accepted": len(lat),
            "failed": fail[:5],
            "rate_achieved": round(len(lat) / took, 1),
            "data_to_commit_ms": summary_ms(lat),
        },
        "flat_out": {
            "sent": len(flat),
            "accepted": len(lat2),
            "failed": fail2[:5],
            "messages_per_s": round(len(lat2) / took2, 1),
            "data_to_commit_ms": summary_ms(lat2),
        },
        "alerts_in_database": stored,
        "all_accepted_stored": stored == len(lat) + len(lat2),
    }


def report(r: dict[str, Any]) -> None:
    paced, flat = r["paced"], r["flat_out"]
    p99 = paced["data_to_commit_ms"]["p99"]
    print(f"\n== email intake on {r['database']} ({r['machine']['cpus']} CPUs) ==")
    print(
        f"paced at {r['settings']['rate']}/s over {r['settings']['connections']} connections: "
        f"{paced['accepted']}/{paced['sent']} accepted ({paced['rate_achieved']}/s)"
    )
    print(f"  end of DATA -> committed (250): {paced['data_to_commit_ms']}")
    print(f"  p99 {p99} ms vs target < {TARGET_P99_MS} ms: {meets(p99 < TARGET_P99_MS)}")
    print(
        f"flat out: {flat['messages_per_s']} messages/s, {flat['accepted']}/{flat['sent']} "
        f"accepted, {flat['data_to_commit_ms']}"
    )
    print(
        f"alerts in the database: {r['alerts_in_database']} "
        f"(every accepted message stored: {r['all_accepted_stored']})"
    )
    if paced["failed"] or flat["failed"]:
        print(f"failures: {paced['failed'] + flat['failed']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pg-url", default=os.environ.get("LIFELINE_TEST_DATABASE_URL"))
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    runs = [("sqlite", None)] + ([("postgresql", args.pg_url)] if args.pg_url else [])
    for db, base in runs:
        with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as tmp:
            workdir = Path(tmp)
            holder = pg_database(base) if base else nullcontext(f"sqlite:///{workdir}/bench.db")
            with holder as db_url:
                result = bench_one(db, db_url, workdir, args)
        report(result)
        (RESULTS / f"email-intake-{db}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
