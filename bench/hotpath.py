"""Hot-path benchmark: what one alert costs in-process, from the intake transaction to its
three messages sent, counted in SQL statements, transactions, jobs and CPU, split by phase.

A benchmark, not a test: it prints figures and writes bench/results/hotpath-<db>.json. For each
database (a temporary SQLite file; a fresh temporary PostgreSQL database with --pg-url) it:

1. migrates, creates the bench partner and imports the dispatch benchmark's registry overlay
   (Madeyganj police station, the Lucknow cell and UP-112 with one `json://` contact each,
   pointing at a receiver in its own process that answers 204; bench/dispatch.py);
2. builds the application in this process (`bootstrap`, as `lifeline serve` does) and a real
   `Worker` on it;
3. for each of --count alerts (signed at-risk posts for Madeyganj, a distinct person each):
   checks the headers and parses the body as the API does, runs the real intake service
   (`receive_signed_alert`: the partner's key read and the signature checked in its
   transaction), and every --chunk alerts runs the worker (`run_once`, messages sent inline)
   until no job is due.

SQL statements are counted with SQLAlchemy's `before_cursor_execute` event on both engines
(the durable one intake uses and the jobs' one), transactions with the `begin` event; CPU is
this process's (`time.process_time`, the receiver runs elsewhere). Phases: `intake`
(signature, parsing, `receive_alert`) and, for the worker, one phase per job kind plus `claim`
(claiming batches, including the empty claim that ends each drain). --warmup alerts are run
first and left out.

    .venv/bin/python bench/hotpath.py [--count 300] [--chunk 1] [--pg-url URL | --sqlite-only]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

import harness
from dispatch import AT_RISK, LATENCY_ROUTING, overlay
from intake import RESULTS, alert_bodies, cli, receiver, server_env, signed_headers

TARGET_CPU_MS = {"sqlite": 10.0, "postgresql": 15.0}  # the server's CPU per alert, issue #18


class Counters:
    """Statements, transactions and CPU by phase (the phase is set by the loop below)."""

    def __init__(self) -> None:
        self.phase = "setup"
        self.statements: Counter[str] = Counter()
        self.transactions: Counter[str] = Counter()
        self.cpu: Counter[str] = Counter()
        self.jobs: Counter[str] = Counter()
        #: (phase, statement's first words) -> count, with --show-statements
        self.texts: Counter[tuple[str, str]] | None = None

    def watch(self, engine: Any) -> None:
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements[self.phase] += 1
        if self.texts is not None:
            self.texts[(self.phase, " ".join(statement.split())[:110])] += 1

    def _begin(self, *_: Any) -> None:
        self.transactions[self.phase] += 1

    @contextmanager
    def in_phase(self, phase: str) -> Iterator[None]:
        outer, self.phase = self.phase, phase
        started = time.process_time()
        try:
            yield
        finally:
            self.cpu[phase] += time.process_time() - started
            self.phase = outer

    def reset(self) -> None:
        for c in (self.statements, self.transactions, self.cpu, self.jobs, self.texts):
            if c is not None:
                c.clear()


class Url:
    """What `dispatch.overlay` needs of a receiver: the json:// URL of a path."""

    def __init__(self, base: str) -> None:
        self.base = base.removeprefix("http://").split("/", 1)[0]

    def url(self, path: str) -> str:
        return f"json://{self.base}{path}"


def instrument(worker: Any, counters: Counters) -> None:
    """Time each job by kind, and the claims, on the real worker."""
    run = worker._run

    def timed_run(job: Any, claim_next: int = 0) -> Any:
        counters.jobs[job.kind] += 1
        with counters.in_phase(job.kind):
            return run(job, claim_next)

    worker._run = timed_run
    together = getattr(worker, "_run_together", None)
    if together is None:
        return

    def timed_together(group: list[Any], claim_next: int = 0) -> Any:
        # several transactional jobs in one transaction: their CPU to their kind if one
        kinds = {job.kind for job in group}
        for job in group:
            counters.jobs[job.kind] += 1
        with counters.in_phase(kinds.pop() if len(kinds) == 1 else "together"):
            return together(group, claim_next)

    worker._run_together = timed_together


def bench_one(db: str, db_url: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    from lifeline.adapters.db.tables import jobs, notifications  # noqa: PLC0415
    from lifeline.bootstrap import bootstrap  # noqa: PLC0415
    from lifeline.domain.alert import AlertSource  # noqa: PLC0415
    from lifeline.observability import configure_logging  # noqa: PLC0415
    from lifeline.services.access.accounts import check_signed_request  # noqa: PLC0415
    from lifeline.services.intake.alerts import receive_signed_alert  # noqa: PLC0415
    from lifeline.settings import load_settings  # noqa: PLC0415
    from lifeline.web.api.alerts import _alert, _decode, _validate  # noqa: PLC0415
    from lifeline.web.api.schemas import AlertIn  # noqa: PLC0415
    from lifeline.worker import Worker  # noqa: PLC0415

    with receiver() as base:
        env = server_env(db_url, workdir, "")
        env["LIFELINE_DESK_UNATTENDED_SECONDS"] = "3600"
        cli(["db", "upgrade", "--json"], env, workdir)
        partner = cli(["partners", "create", "bench", "--json"], env, workdir)
        registry = workdir / "contacts.yaml"
        registry.write_text(
            overlay(Url(base), routing=LATENCY_ROUTING, wait=3600, repeat=1),  # type: ignore[arg-type]
            encoding="utf-8",
        )
        cli(["registry", "import", str(registry), "--json"], env, workdir)
        saved, cwd = dict(os.environ), Path.cwd()
        os.environ.clear()
        os.environ.update(env)
        os.chdir(workdir)  # the audit key and anchors default to var/ under the working folder
        try:
            app = bootstrap(load_settings())
        finally:
            os.environ.clear()
            os.environ.update(saved)
            os.chdir(cwd)
        configure_logging("WARNING")
        counters = Counters()
        if args.show_statements:
            counters.texts = Counter()
        counters.watch(app.engine)
        worker = Worker(app)
        wengine = getattr(app, "_worker_engine", None)
        if wengine is not None and wengine is not app.engine:
            counters.watch(wengine)
        instrument(worker, counters)
        app.warm_up()

        def one_alert(raw: bytes) -> None:
            # as the API does (web/api/alerts.py): the headers checked, the body parsed, then
            # the key read and the signature checked in the intake transaction
            headers = signed_headers(partner, raw)
            signed = check_signed_request(
                app.ctx,
                headers["X-Lifeline-Key"],
                headers["X-Lifeline-Timestamp"],
                headers["X-Lifeline-Signature"],
                raw,
            )
            body = _validate(AlertIn, _decode(raw))
            alert = _alert(
                body, AlertSource.PLATFORM_API, raw, "application/json", app.clock.now(), None
            )
            receive_signed_alert(app.ctx, signed, alert)

        def drain() -> None:
            while True:
                with counters.in_phase("claim"):
                    claimed = worker.run_once()
                if not claimed:
                    return

        def run(bodies: list[bytes]) -> float:
            started = time.perf_counter()
            for n, raw in enumerate(bodies, 1):
                with counters.in_phase("intake"):
                    one_alert(raw)
                if n % args.chunk == 0 or n == len(bodies):
                    drain()
            return time.perf_counter() - started

        tag = uuid.uuid4().hex[:8]
        run(alert_bodies(args.warmup, f"{tag}w", tuple(AT_RISK)))
        counters.reset()
        load_before = harness.load_average()
        cpu0 = time.process_time()
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        wall = run(alert_bodies(args.count, tag, tuple(AT_RISK)))
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        cpu = time.process_time() - cpu0
        load_after = harness.load_average()
        counters.phase = "after"  # the reads below are the benchmark's, not the alerts'
        with app.engine.connect() as conn:
            sent = conn.execute(
                select(func.count()).where(notifications.c.delivered_at.is_not(None))
            ).scalar_one()
            failed = conn.execute(
                select(func.count()).select_from(jobs).where(jobs.c.status == "failed")
            ).scalar_one()
        app.dispose()

    n = args.count
    # the claim phase's CPU includes the jobs it ran (nested): take them out
    job_cpu = sum(v for k, v in counters.cpu.items() if k not in ("intake", "claim"))
    phases: dict[str, dict[str, float]] = {}
    counters.statements.pop("after", None)
    counters.transactions.pop("after", None)
    for phase in sorted(set(counters.cpu) | set(counters.statements)):
        own_cpu = counters.cpu[phase] - (job_cpu if phase == "claim" else 0.0)
        phases[phase] = {
            "cpu_ms_per_alert": round(own_cpu / n * 1000, 2),
            "statements_per_alert": round(counters.statements[phase] / n, 2),
            "transactions_per_alert": round(counters.transactions[phase] / n, 2),
            "jobs_per_alert": round(counters.jobs[phase] / n, 2),
        }
    if counters.texts is not None:
        for (phase, text), count in sorted(counters.texts.items()):
            if phase != "after":
                print(f"{phase:<20} {count / n:6.2f}  {text}")
    return {
        "database": db,
        "alerts": n,
        "chunk": args.chunk,
        "warmup": args.warmup,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "wall_seconds": round(wall, 2),
        "cpu_ms_per_alert": round(cpu / n * 1000, 2),
        "statements_per_alert": round(sum(counters.statements.values()) / n, 1),
        "transactions_per_alert": round(sum(counters.transactions.values()) / n, 2),
        "jobs_per_alert": round(sum(counters.jobs.values()) / n, 2),
        "messages_delivered": sent,
        "jobs_failed": failed,
        "phases": phases,
    }


def report(r: dict[str, Any]) -> None:
    target = TARGET_CPU_MS[r["database"]]
    print(
        f"\n== {r['database']}: {r['alerts']} alerts, worker drained every {r['chunk']} "
        f"(load average {r['loadavg_before']} -> {r['loadavg_after']}) =="
    )
    print(
        f"CPU {r['cpu_ms_per_alert']} ms/alert (target <= {target:g} ms for the server, "
        f"{'meets' if r['cpu_ms_per_alert'] <= target else 'MISSES'} it), "
        f"{r['statements_per_alert']} statements, {r['transactions_per_alert']} transactions, "
        f"{r['jobs_per_alert']} jobs per alert; wall {r['wall_seconds']} s; "
        f"messages delivered {r['messages_delivered']}, jobs failed {r['jobs_failed']}"
    )
    print(f"  {'phase':<26}{'CPU ms':>8}{'stmts':>8}{'txns':>7}{'jobs':>6}")
    for phase, f in r["phases"].items():
        print(
            f"  {phase:<26}{f['cpu_ms_per_alert']:>8}{f['statements_per_alert']:>8}"
            f"{f['transactions_per_alert']:>7}{f['jobs_per_alert']:>6}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--chunk", type=int, default=1, help="alerts taken in before each worker drain"
    )
    parser.add_argument(
        "--show-statements", action="store_true", help="print each phase's statements per alert"
    )
    parser.add_argument("--profile", help="write a cProfile of the measured alerts to this file")
    harness.add_database_options(parser)
    args = parser.parse_args()
    machine = harness.describe_machine()
    for db, pg in harness.database_targets(args):
        with tempfile.TemporaryDirectory(prefix="lifeline-hotpath-") as tmp:
            workdir = Path(tmp)
            with harness.bench_database(pg, workdir) as url:
                result = bench_one(db, url, workdir, args)
        result["machine"] = machine
        report(result)
        suffix = "" if args.chunk == 1 else f"-chunk{args.chunk}"
        harness.write_results(RESULTS / f"hotpath-{db}{suffix}.json", result)


if __name__ == "__main__":
    main()
