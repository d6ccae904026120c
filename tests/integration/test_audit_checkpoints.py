"""Checkpoints of the audit chain: written by the worker at the interval, by one worker of the
deployment at a time, POSTed to the anchor webhook, and the `lifeline audit` commands. On SQLite
and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from test_audit_log import fill

from cli_support import RunResult, cli_result_runner
from lifeline.adapters.db.engine import normalise_url
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.domain.audit import parse_checkpoint
from lifeline.services.access.audit import CheckpointResult, verify_audit, write_checkpoint
from lifeline.settings import Settings
from lifeline.worker import Worker
from support import FakeClock, RecordingSink


def anchor_lines(app: Lifeline) -> list[str]:
    path = app.settings.audit_anchor_path
    return path.read_text().splitlines() if path.exists() else []


def test_the_worker_writes_a_checkpoint_each_interval_while_the_log_grows(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    assert lifeline.settings.audit_checkpoint_seconds == 300
    worker = Worker(lifeline)
    first = worker.checkpoint_audit()
    assert first is not None and first.skipped == "empty"  # nothing to anchor yet
    clock.advance(seconds=60)
    fill(lifeline, clock)
    first = worker.checkpoint_audit()
    assert first is not None and first.written is not None and first.written.rows == 4
    clock.advance(seconds=10)
    assert worker.checkpoint_audit() is None  # not time to try again yet
    fill(lifeline, clock)
    clock.advance(seconds=60)
    early = worker.checkpoint_audit()
    assert early is not None and early.skipped == "not_due"
    clock.advance(seconds=240)
    second = worker.checkpoint_audit()
    assert second is not None and second.written is not None and second.written.rows == 8
    clock.advance(seconds=600)
    idle = worker.checkpoint_audit()
    assert idle is not None and idle.skipped == "unchanged"
    lines = anchor_lines(lifeline)
    assert [parse_checkpoint(line).rows for line in lines] == [4, 8]
    assert verify_audit(lifeline.ctx).ok


def test_zero_seconds_leaves_checkpoints_to_the_command(
    settings: Settings, clock: FakeClock, sink: RecordingSink
) -> None:
    app = bootstrap(settings.model_copy(update={"audit_checkpoint_seconds": 0}), clock=clock)
    app.upgrade_db()
    try:
        fill(app, clock)
        assert Worker(app).checkpoint_audit() is None
        assert anchor_lines(app) == []
    finally:
        app.dispose()


@pytest.fixture
def second(settings: Settings, clock: FakeClock, lifeline: Lifeline) -> Iterator[Lifeline]:
    """Another process of the same deployment: same database, same keys, its own engine."""
    other = bootstrap(settings, clock=clock)
    try:
        yield other
    finally:
        other.dispose()


def test_only_one_of_two_workers_writes_a_checkpoint_for_the_same_head(
    lifeline: Lifeline, second: Lifeline, clock: FakeClock
) -> None:
    a, b = Worker(lifeline), Worker(second)
    fill(lifeline, clock)
    written = a.checkpoint_audit()
    assert written is not None and written.written is not None
    other = b.checkpoint_audit()
    assert other is not None and other.skipped == "unchanged"
    # Now both at the same moment, the log having grown and the interval passed.
    fill(lifeline, clock)
    clock.advance(seconds=301)
    barrier = threading.Barrier(2)
    results: list[CheckpointResult | None] = []

    def tick(worker: Worker) -> None:
        barrier.wait()
        results.append(worker.checkpoint_audit())

    threads = [threading.Thread(target=tick, args=(w,)) for w in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2 and all(r is not None for r in results)
    assert sum(r.written is not None for r in results if r is not None) == 1
    assert {r.skipped for r in results if r is not None} - {None} <= {"busy", "unchanged"}
    assert [parse_checkpoint(line).rows for line in anchor_lines(lifeline)] == [4, 8]
    assert verify_audit(lifeline.ctx).ok


class LineReceiver:
    """An HTTP server on 127.0.0.1 that keeps every body POSTed to it; answers `status`."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.bodies.append(body)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/anchors"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[LineReceiver]:
    r = LineReceiver()
    try:
        yield r
    finally:
        r.close()


def test_each_checkpoint_is_posted_to_the_anchor_webhook_as_the_same_line(
    settings: Settings, clock: FakeClock, receiver: LineReceiver
) -> None:
    app = bootstrap(settings.model_copy(update={"audit_anchor_webhook": receiver.url}), clock=clock)
    app.upgrade_db()
    try:
        fill(app, clock)
        receiver.status = 503  # the receiver is down at first: the job is retried, not lost
        assert write_checkpoint(app.ctx, force=True).written is not None
        worker = Worker(app)
        worker.run_once()
        assert len(receiver.bodies) == 1
        with app.ctx.uow(readonly=True) as uow:
            pending = uow.jobs.recent("pending")
        assert [j["kind"] for j in pending if j["kind"] == "send_audit_checkpoint"] == [
            "send_audit_checkpoint"
        ]
        receiver.status = 200
        clock.advance(seconds=3600)
        worker.run_once()
        assert len(receiver.bodies) == 2
        assert receiver.bodies[-1].decode() == anchor_lines(app)[-1]
        trust = app.ctx.audit
        assert trust is not None
        assert parse_checkpoint(receiver.bodies[-1].decode()).mac_ok(trust.key)
    finally:
        app.dispose()


# -- the commands ------------------------------------------------------------------------------
@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunResult:
    return cli_result_runner(database_url, tmp_path, monkeypatch)


def test_audit_checkpoint_and_verify_commands(run, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("demo", "seed")
    for case_id in ("1", "2", "3"):
        run("cases", "show", case_id)
    made = json.loads(run("audit", "checkpoint", "--json").stdout)
    assert set(made) == {"at", "rows", "head", "mac"} and made["rows"] > 10
    anchor = tmp_path / "lifeline-audit-anchors.jsonl"
    assert json.loads(anchor.read_text().splitlines()[-1]) == made
    healthy = json.loads(run("audit", "verify", "--json").stdout)
    assert healthy["ok"] and healthy["checkpoints"] == 1 and healthy["problems"] == []
    assert healthy["rows"] == healthy["keyed_rows"] == made["rows"]
    assert "audit log intact" in run("audit", "verify").stdout

    engine = create_engine(normalise_url(database_url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": made["rows"] - 10})
    engine.dispose()
    broken = json.loads(run("audit", "verify", "--json", code=1).stdout)
    assert not broken["ok"] and broken["first_broken"] is None
    assert broken["checkpoint_problems"][0]["line"] == 1
    assert broken["problems"][0].startswith("checkpoint on line 1 ")
    assert "deleted from the end" in broken["problems"][0]
    said = run("audit", "verify", code=1)
    assert "checkpoint on line 1" in said.stderr and "deleted from the end" in said.stderr


def test_the_commands_refuse_an_audit_key_file_that_is_the_data_key(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIFELINE_AUDIT_KEY_FILE", str(tmp_path / "key.json"))
    said = run("audit", "verify", code=2)
    assert "same file" in said.stderr and "LIFELINE_AUDIT_KEY_FILE" in said.stderr


def test_an_unwritable_anchor_file_holds_up_no_job_and_verify_reports_it(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken = settings.model_copy(update={"audit_anchor_file": blocker / "anchors.jsonl"})
    app = bootstrap(broken, clock=clock)
    app.upgrade_db()
    try:
        fill(app, clock)
        worker = Worker(app)
        assert worker.checkpoint_audit() is None  # logged, not raised into the job loop
        assert worker.run_once() > 0  # the alert's jobs still run
        report = verify_audit(app.ctx)
        assert not report.ok and report.problems[0].startswith("cannot read the anchor file")
        assert "is not in the anchor file" in report.problems[1]
    finally:
        app.dispose()


def test_audit_checkpoint_says_when_the_anchor_file_cannot_be_written(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blocker").write_text("")
    monkeypatch.setenv("LIFELINE_AUDIT_ANCHOR_FILE", str(tmp_path / "blocker" / "a.jsonl"))
    run("demo", "seed")
    said = json.loads(run("audit", "checkpoint", "--json", code=1).stdout)
    message = said["error"]["message"]
    assert "cannot append a checkpoint to" in message and "blocker" in message
