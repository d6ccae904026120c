"""A case's first messages to every unit it is dispatched to are sent by one job
(`send_notifications`), each recorded, retried and counted on its own: one failing endpoint is
retried alone, and a message recorded as delivered is never sent again, even when the job is
run a second time after its worker died. Real HTTP servers on 127.0.0.1, SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dispatch_support import drain, import_overlay, registry_overlay, take_alert
from lifeline.bootstrap import Lifeline
from lifeline.domain.dispatch import Notification, NotificationState, Reach, reach_of
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.services.job_types import JobKind
from lifeline.worker import Worker
from support import FakeClock

STATION, CELL, UP112 = "up-lko-ps-madeyganj", "up-cell-lucknow", "up-112"
OP = Actor("user", "op", "smc_operator")
#: the lease of the worker that "dies" (the escalation policy's first wait is 60 s)
LEASE = timedelta(seconds=5)


@dataclass
class Units:
    """One HTTP server on 127.0.0.1 for every unit (a path each): counts every request per
    path, answers `status[path]` (200 unless told), and holds a path's first request until
    `release` is set when that path is in `hold`."""

    port: int = 0
    status: dict[str, int] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    hold: set[str] = field(default_factory=set)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"


@contextmanager
def unit_servers(app: Lifeline) -> Iterator[Units]:
    units = Units()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            with units.lock:
                units.hits[self.path] += 1
                first = units.hits[self.path] == 1
            if first and self.path in units.hold:
                units.held.set()
                units.release.wait(30)
            self.send_response(units.status.get(self.path, 200))
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    units.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    import_overlay(
        app,
        registry_overlay(
            units.url("/station"),
            units.url("/smc"),
            cell=units.url("/cell"),
            up112=units.url("/up112"),
        ),
    )
    try:
        yield units
    finally:
        units.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def units(lifeline: Lifeline) -> Iterator[Units]:
    with unit_servers(lifeline) as found:
        yield found


def messages(app: Lifeline, case_id: int) -> dict[str, Notification]:
    """The first message to each unit of the case."""
    with app.ctx.uow(readonly=True) as uow:
        found = uow.dispatches.notifications_for_case(case_id)
    return {n.unit_id: n for n in sorted(found, key=lambda n: n.id or 0, reverse=True)}


def send_jobs(app: Lifeline, case_id: int) -> list[dict[str, Any]]:
    with app.ctx.uow(readonly=True) as uow:
        found = [
            j
            for j in uow.jobs.recent(None, 1000)
            if j["kind"] in (JobKind.SEND_NOTIFICATIONS, JobKind.SEND_NOTIFICATION)
            and j["case_id"] == case_id
        ]
    return sorted(found, key=lambda j: j["id"])


def timeline_kinds(app: Lifeline, case_id: int) -> Counter[tuple[str, int | None]]:
    entries = cases.show_case(app.ctx, OP, case_id).timeline
    return Counter((t.kind, (t.details or {}).get("notification_id")) for t in entries)


def wait_for(check: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_the_first_messages_to_every_unit_of_a_case_are_one_job_each_recorded_on_its_own(
    lifeline: Lifeline, units: Units
) -> None:
    case_id = take_alert(lifeline, "one-job")
    drain(lifeline)
    sent = messages(lifeline, case_id)
    assert set(sent) == {STATION, CELL, UP112}
    assert all(n.state is NotificationState.DELIVERED for n in sent.values())
    (job,) = send_jobs(lifeline, case_id)
    assert job["kind"] == JobKind.SEND_NOTIFICATIONS and job["status"] == "done"
    assert sorted(job["payload"]["notification_ids"]) == sorted(n.id for n in sent.values())
    assert units.hits == Counter({"/station": 1, "/cell": 1, "/up112": 1})
    kinds = timeline_kinds(lifeline, case_id)
    for n in sent.values():
        assert kinds[("notification_delivered", n.id)] == 1
    with lifeline.ctx.uow(readonly=True) as uow:
        case = uow.cases.get(case_id)
    assert Milestone.FIRST_DELIVERED in case.milestones


def test_one_failing_endpoint_is_retried_alone_and_the_others_are_sent_once(
    lifeline: Lifeline, clock: FakeClock, units: Units
) -> None:
    units.status["/station"] = 503
    case_id = take_alert(lifeline, "one-fails")
    drain(lifeline)
    sent = messages(lifeline, case_id)
    assert sent[STATION].state is NotificationState.QUEUED and "503" in sent[STATION].detail
    assert sent[CELL].state is sent[UP112].state is NotificationState.DELIVERED
    first, retry = send_jobs(lifeline, case_id)
    assert first["status"] == "done" and retry["status"] == "pending"
    assert retry["payload"]["notification_ids"] == [sent[STATION].id]  # the failed one alone
    units.status["/station"] = 200
    clock.advance(seconds=1.5)  # the first retry waits 1 s
    drain(lifeline)
    sent = messages(lifeline, case_id)
    assert all(n.state is NotificationState.DELIVERED for n in sent.values())
    assert units.hits == Counter({"/station": 2, "/cell": 1, "/up112": 1})
    kinds = timeline_kinds(lifeline, case_id)
    assert kinds[("notification_retry", sent[STATION].id)] == 1
    assert kinds[("notification_delivered", sent[STATION].id)] == 1


@pytest.mark.parametrize("ends", ["acknowledged", "closed"])
def test_a_message_whose_dispatch_ended_before_it_went_out_is_withdrawn_not_left_sending(
    lifeline: Lifeline, clock: FakeClock, units: Units, ends: str
) -> None:
    """The station's first attempt fails; before its retry is due the station acknowledges
    (or the case is closed). The retry sends nothing and records the message withdrawn, with
    a timeline entry: it is no longer shown as "sending" anywhere."""
    units.status["/station"] = 503
    case_id = take_alert(lifeline, f"withdrawn-{ends}")
    drain(lifeline)
    station = messages(lifeline, case_id)[STATION]
    assert station.state is NotificationState.QUEUED
    if ends == "acknowledged":
        cases.acknowledge(lifeline.ctx, OP, case_id, unit=STATION)
    else:
        cases.record_outcome(lifeline.ctx, OP, case_id, "reached_safe")
        cases.close_case(lifeline.ctx, OP, case_id)
    units.status["/station"] = 200
    clock.advance(seconds=1.5)  # the retry is due
    drain(lifeline)
    sent = messages(lifeline, case_id)
    assert sent[STATION].state is NotificationState.WITHDRAWN
    assert sent[CELL].state is sent[UP112].state is NotificationState.DELIVERED
    assert units.hits["/station"] == 1  # the failed attempt only: nothing sent after the end
    assert timeline_kinds(lifeline, case_id)[("notification_withdrawn", station.id)] == 1
    assert all(j["status"] == "done" for j in send_jobs(lifeline, case_id))
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    (to_station,) = [d for d in detail.dispatches if d.unit_id == STATION]
    with lifeline.ctx.uow(readonly=True) as uow:
        shown = dict(uow.dispatches.unit_states({case_id})[case_id])
    assert "sending" not in shown.values()
    assert reach_of(to_station.id, detail.notifications) is Reach.NOBODY
    assert to_station.state.value == shown[to_station.unit_name] != "sending"


def test_a_rerun_after_the_worker_died_never_resends_what_was_recorded_delivered(
    lifeline: Lifeline, clock: FakeClock, units: Units
) -> None:
    """The station's endpoint hangs on the job's first run while the cell and UP-112 answer:
    their deliveries are recorded at once. The worker is then given up for dead (its lease
    runs out) and the job runs again: only the station's message is sent again."""
    units.hold.add("/station")
    case_id = take_alert(lifeline, "dies")
    failures: list[BaseException] = []

    def first_worker() -> None:
        worker = Worker(lifeline)
        worker.lease = LEASE  # short, so that the case's timers are not due when it runs out
        try:
            while worker.run_once():
                pass
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    dying = threading.Thread(target=first_worker, daemon=True)
    dying.start()

    def others_recorded() -> bool:
        sent = messages(lifeline, case_id)
        return all(
            u in sent and sent[u].state is NotificationState.DELIVERED for u in (CELL, UP112)
        )

    wait_for(others_recorded, "the cell's and UP-112's deliveries to be recorded")
    assert units.held.is_set()
    assert messages(lifeline, case_id)[STATION].state is NotificationState.QUEUED
    (job,) = send_jobs(lifeline, case_id)
    assert job["status"] == "running"

    clock.advance(seconds=LEASE.total_seconds() + 1)  # the lease runs out
    assert Worker(lifeline).run_once() >= 1  # the send job, and the other jobs it held
    sent = messages(lifeline, case_id)
    assert all(n.state is NotificationState.DELIVERED for n in sent.values())
    assert units.hits == Counter({"/station": 2, "/cell": 1, "/up112": 1})

    units.release.set()  # the first run's send answers at last; it records nothing new
    dying.join(timeout=30)
    assert not dying.is_alive() and not failures
    assert units.hits == Counter({"/station": 2, "/cell": 1, "/up112": 1})
    kinds = timeline_kinds(lifeline, case_id)
    for n in sent.values():
        assert kinds[("notification_delivered", n.id)] == 1
    (job,) = send_jobs(lifeline, case_id)
    assert job["status"] == "done"


def test_a_job_written_before_the_change_still_sends_its_one_message(
    lifeline: Lifeline, clock: FakeClock, units: Units
) -> None:
    """A `send_notification` job (one id) queued by an older version is still run, and the
    message it delivered is not sent again by the retry already waiting for it."""
    units.status["/station"] = 503
    case_id = take_alert(lifeline, "old-job")
    drain(lifeline)  # the station's retry waits a second
    station = messages(lifeline, case_id)[STATION]
    units.status["/station"] = 200
    with lifeline.ctx.uow() as uow:
        uow.jobs.enqueue(
            JobKind.SEND_NOTIFICATION,
            {"notification_id": station.id},
            now=lifeline.clock.now(),
            case_id=case_id,
        )
        uow.commit()
    drain(lifeline)
    assert messages(lifeline, case_id)[STATION].state is NotificationState.DELIVERED
    clock.advance(seconds=2)
    drain(lifeline)  # the retry finds it delivered
    assert units.hits["/station"] == 2  # the 503, then the old job's delivery
    assert all(j["status"] == "done" for j in send_jobs(lifeline, case_id))


def test_every_contact_of_a_unit_failing_in_one_job_alarms_the_smc_once(
    lifeline: Lifeline, units: Units
) -> None:
    """Both of the station's contacts refuse (HTTP 404, not worth retrying) in the same job:
    the unit is unreachable, so the SMC is alarmed, once."""
    station = units.url("/station")
    overlay = registry_overlay(
        station, units.url("/smc"), cell=units.url("/cell"), up112=units.url("/up112")
    ).replace(
        f"    channels: [{station}]\n",
        f"    channels: [{station}]\n  - name: SHO\n    role: sho\n"
        f"    channels: [{units.url('/station-sho')}]\n",
        1,
    )
    import_overlay(lifeline, overlay)
    units.status["/station"] = units.status["/station-sho"] = 404
    case_id = take_alert(lifeline, "unreachable")
    drain(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        found = uow.dispatches.notifications_for_case(case_id)
        alarms = uow.dispatches.open_alarms({case_id})
    to_station = [n for n in found if n.unit_id == STATION]
    assert len(to_station) == 2
    assert all(n.state is NotificationState.FAILED for n in to_station)
    assert [a.kind.value for a in alarms] == ["delivery_failed"]
    assert units.hits["/smc"] == 1  # the SMC's contact was told
    (first, *_) = send_jobs(lifeline, case_id)
    assert len(first["payload"]["notification_ids"]) == 4  # both contacts, the cell, UP-112
