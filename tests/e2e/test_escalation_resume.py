"""Escalation survives a crashed worker and stops when a unit acknowledges: real `lifeline serve`
and `lifeline worker` processes, with the units' contacts pointing at a real HTTP receiver.

Delivery is at least once (dispatch/notify.py): a message whose send job the killed worker held
may reach its receiver twice (once before the kill, once after the lease ends), carrying the
same notification id both times. What must never happen twice is an escalation *step*: each
(unit, step, round) fires once, so it has exactly one `escalation_step` timeline entry and one
set of notifications (one per contact), and the receiver sees no two notification ids for the
same (unit, step, round). That is what these tests assert; a repeated arrival of the *same*
notification id is allowed only for a send job that was running when the worker was killed.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from e2e_harness import LIFELINE, Deployment

from lifeline.domain.model import Actor
from lifeline.services.job_types import JobKind
from lifeline.services.location import registry
from support import alert_body, dumps, free_port

pytestmark = pytest.mark.slow

WAIT = 2  # seconds between rounds
REPEAT = 4  # rounds of the one step, then the SMC is alarmed
LEASE = 5  # a job the killed worker held is claimed again this long after
ACK_WAIT = 3  # the acknowledgement test's wait: the link is confirmed well within it
STATION, CELL = "up-lko-ps-madeyganj", "up-cell-lucknow"
PATHS = {"/station": STATION, "/cell": CELL}


@dataclass
class Message:
    path: str
    body: dict[str, Any]
    at: float  # time.monotonic() on arrival


@dataclass
class Receiver:
    """The units' webhook: an HTTP server on 127.0.0.1 recording every message (apprise
    `json://` bodies carry case_id, notification_id, ack_url and the incident)."""

    messages: list[Message] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    port: int = 0
    #: a path whose requests are answered only once `release` is set (a slow endpoint)
    hold: str | None = None
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Message]:
        with self.changed:
            return [m for m in self.messages if m.path == path]

    def wait_until(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = Counter(m.path for m in self.messages)
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}: {seen}")
                self.changed.wait(min(left, 0.5))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.changed:
                state.messages.append(Message(self.path, json.loads(raw), time.monotonic()))
                state.changed.notify_all()
            if self.path == state.hold:
                state.release.wait(120)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


def import_contacts(deployment: Deployment, receiver: Receiver, wait: int = WAIT) -> None:
    """Load a registry overlay giving Madeyganj police station and the Lucknow cell one
    contact each at the receiver, and the SMC too; a case in Lucknow goes to both units under
    a fast policy. (In this process, as `lifeline registry import` would: one process start
    less; the servers read the registry in force at every dispatch.)"""

    def unit(uid: str, kind: str, name: str, parent: str, start: str, path: str) -> str:
        return (
            f"- id: {uid}\n  kind: {kind}\n  name: {name}\n  parent: {parent}\n"
            f"  district_lgd: '157'\n  valid_from: '{start}'\n  contacts:\n"
            f"  - name: Duty officer\n    role: duty\n    channels: ['{receiver.url(path)}']\n"
        )

    text = (
        "schema: lifeline-registry/1\ntitle: e2e contacts\n"
        "routing:\n- name: Lucknow\n  when: {in_state: true, located: true}\n"
        "  notify: [police_station, district_cell]\n"
        "escalation_policies:\n- id: default\n  steps:\n"
        f"  - {{notify: [unit], wait_seconds: {wait}, repeat: {REPEAT}}}\n"
        "units:\n"
        + unit(
            STATION,
            "police_station",
            "Madeyganj",
            "up-lko-circle-mahanagar",
            "2022-11-13",
            "/station",
        )
        + unit(
            CELL, "cell", "Lucknow social media cell", "up-district-lucknow", "2022-03-01", "/cell"
        )
        + unit("up-smc", "control_room", "SMC", "state-uttar-pradesh", "2022-03-01", "/smc")
    )
    app = deployment.open_app()
    try:
        units = registry.read_registry(app.ctx, text, "contacts.yaml")
        rules = registry.read_dispatch_rules(app.ctx, text, "contacts.yaml")
        assert rules is not None
        registry.import_registry(
            app.ctx, Actor("cli", "e2e"), units, source="contacts.yaml", replace=False, rules=rules
        )
    finally:
        app.dispose()


def start_worker(deployment: Deployment, env: dict[str, str], n: int) -> subprocess.Popen[bytes]:
    with (deployment.home / f"worker-{n}.log").open("wb") as log:
        return subprocess.Popen(
            [LIFELINE, "worker"],
            cwd=deployment.home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def send_alert(deployment: Deployment, base: str, handle: str) -> int:
    body = dumps(alert_body(reference=f"FB-{handle}", subject={"handle": handle, "name": "Ravi"}))
    response = httpx.post(
        f"{base}/api/v1/alerts", content=body, headers=deployment.partner.headers(body), timeout=15
    )
    assert response.status_code == 202, response.text
    return int(response.json()["case_id"])


@dataclass(frozen=True)
class Fired:
    unit_id: str
    step: int
    round: int
    at: datetime


def escalation(deployment: Deployment, case_id: int) -> tuple[list[Fired], dict[int, Fired]]:
    """The case's escalation steps (timeline) and, for each of its notifications, the step it
    was sent for (a step's messages are created at the instant the step fires)."""
    app = deployment.open_app()
    try:
        with app.ctx.uow(readonly=True) as uow:
            fired = [
                Fired(t.details["unit_id"], t.details["step"], t.details["round"], t.at)
                for t in uow.cases.timeline(case_id)
                if t.kind == "escalation_step"
            ]
            sent = uow.dispatches.notifications_for_case(case_id)
            units = {d.id: d.unit_id for d in uow.dispatches.for_case(case_id)}
    finally:
        app.dispose()
    by_step = {(f.unit_id, f.step, f.at): f for f in fired}
    owner: dict[int, Fired] = {}
    for n in sent:
        if n.dispatch_id is None:  # an SMC alarm, not a step
            continue
        assert n.id is not None
        key = (units[n.dispatch_id], n.step_index, n.created_at)
        assert key in by_step, f"notification {n.id} belongs to no escalation step: {key}"
        owner[n.id] = by_step[key]
    return fired, owner


def states(deployment: Deployment, case_id: int) -> dict[str, str]:
    """The case's status and the state of its escalation to each unit."""
    app = deployment.open_app()
    try:
        with app.ctx.uow(readonly=True) as uow:
            found = {d.unit_id: d.state.value for d in uow.dispatches.for_case(case_id)}
            found["case"] = uow.cases.get(case_id).status.value
    finally:
        app.dispose()
    return found


def test_a_worker_killed_mid_escalation_resumes_it_without_sending_any_step_twice(
    deployment: Deployment, receiver: Receiver
) -> None:
    port = free_port()
    env = {
        **deployment.env,
        "LIFELINE_JOB_LEASE_SECONDS": str(LEASE),
        "LIFELINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    first = start_worker(deployment, env, 1)  # boots beside the server
    second: subprocess.Popen[bytes] | None = None
    try:
        import_contacts(deployment, receiver)
        server = deployment.start("--no-worker", port=port, job_lease_seconds=LEASE)
        case_id = send_alert(deployment, server.url, "resume.me")
        receiver.wait_until(lambda: bool(receiver.at("/station")), 30, "the first message")
        first_id = receiver.at("/station")[0].body["notification_id"]
        first.send_signal(signal.SIGKILL)  # mid-escalation: rounds 2..4 are timers in the db
        assert first.wait(timeout=10) == -signal.SIGKILL
        killed = time.monotonic()
        app = deployment.open_app()
        try:
            with app.ctx.uow(readonly=True) as uow:
                held = [
                    n
                    for j in uow.jobs.recent("running", 1000)
                    if j["kind"] == JobKind.SEND_NOTIFICATIONS
                    for n in j["payload"]["notification_ids"]
                ]
        finally:
            app.dispose()

        time.sleep(WAIT + 0.5)  # round 2 falls due while no worker runs
        assert len(receiver.at("/station")) == 1, "a message went out with no worker running"
        second = start_worker(deployment, env, 2)

        def finished() -> bool:  # every round of both units, then the SMC alarm
            rounds = [len({m.body["notification_id"] for m in receiver.at(p)}) for p in PATHS]
            return min(rounds) >= REPEAT and bool(receiver.at("/smc"))

        receiver.wait_until(finished, 30 + LEASE, "the resumed escalation to run out")
        time.sleep(0.5)  # anything sent twice would arrive by now

        fired, owner = escalation(deployment, case_id)
        steps = Counter((f.unit_id, f.step, f.round) for f in fired)
        # every round of each unit fired, exactly once
        assert steps == {(u, 0, r): 1 for u in PATHS.values() for r in range(REPEAT)}, steps
        # the round that fell due while no worker ran fired after the restart, not before
        late = {m.body["notification_id"] for m in receiver.at("/station") if m.at > killed}
        assert len(late - {first_id}) == REPEAT - 1, late
        # one notification per (unit, step, round): one contact each
        per_step = Counter((f.unit_id, f.step, f.round) for f in owner.values())
        assert per_step == steps, per_step
        # the receiver saw each of them; the same id twice only if its send job was in the
        # killed worker's hands (at least once delivery), never two ids for one step
        for path, unit_id in PATHS.items():
            got = Counter(m.body["notification_id"] for m in receiver.at(path))
            assert set(got) == {n for n, f in owner.items() if f.unit_id == unit_id}, got
            twice = {n for n, count in got.items() if count > 1}
            assert twice <= set(held), (twice, held)
            for_steps = Counter((owner[n].step, owner[n].round) for n in got)
            assert set(for_steps.values()) == {1}, for_steps
        assert all(m.body["case_id"] == case_id for m in receiver.messages)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def test_acknowledging_by_the_link_stops_the_units_further_rounds(
    deployment: Deployment, receiver: Receiver
) -> None:
    import_contacts(deployment, receiver, ACK_WAIT)
    port = free_port()
    server = deployment.start(port=port, public_url=f"http://127.0.0.1:{port}")
    case_id = send_alert(deployment, server.url, "ack.me")
    receiver.wait_until(lambda: bool(receiver.at("/station")), 30, "the first message")
    (message,) = receiver.at("/station")
    link = message.body["ack_url"]
    assert link.startswith(f"{server.url}/ack/"), link

    with server.client() as web:
        assert web.get(link).status_code == 200  # a link scanner's GET changes nothing
        confirmed = web.post(link, data={"name": "SI Verma"})
        assert confirmed.status_code == 200, confirmed.text
        again = web.post(link, data={"name": "SI Verma"})
        assert again.status_code == 409, again.text

    # The cell, which has not acknowledged, is asked a third time: the station's next due time
    # (one wait after the first round) has passed by then, and it was not asked again.
    receiver.wait_until(
        lambda: len(receiver.at("/cell")) >= 3, 3 * ACK_WAIT + 5, "the cell's third round"
    )
    assert [m.body["notification_id"] for m in receiver.at("/station")] == [
        message.body["notification_id"]
    ]
    fired, _ = escalation(deployment, case_id)
    assert [(f.step, f.round) for f in fired if f.unit_id == STATION] == [(0, 0)]
    assert [f.round for f in fired if f.unit_id == CELL][:3] == [0, 1, 2]
    assert states(deployment, case_id) == {
        "case": "acknowledged",
        STATION: "acknowledged",
        CELL: "active",
    }


def test_a_worker_renews_the_lease_of_a_slow_send_and_a_killed_ones_is_taken_over_in_a_lease(
    deployment: Deployment, receiver: Receiver
) -> None:
    """The station's endpoint answers only after the test says so. The worker sending to it
    holds the send job far past one lease (its heartbeat renews it): a second, idle worker does
    not send the message again. Once the sender is SIGKILLed, the second takes the job over
    within about one lease and sends it again (at least once, the same notification id)."""
    receiver.hold = "/station"
    port = free_port()
    env = {
        **deployment.env,
        "LIFELINE_JOB_LEASE_SECONDS": str(LEASE),
        "LIFELINE_CHANNEL_TIMEOUT_SECONDS": "60",  # the held request is not given up on
        "LIFELINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    import_contacts(deployment, receiver, wait=600)  # no second round within the test
    first = start_worker(deployment, env, 1)
    second: subprocess.Popen[bytes] | None = None
    try:
        server = deployment.start("--no-worker", port=port, job_lease_seconds=LEASE)
        send_alert(deployment, server.url, "slow.endpoint")
        receiver.wait_until(lambda: bool(receiver.at("/station")), 60, "the first message")
        sent_at = receiver.at("/station")[0].at
        second = start_worker(deployment, env, 2)
        warmed = deployment.home / "worker-2.log"
        deadline = time.monotonic() + 60
        while b"worker.warmed_up" not in warmed.read_bytes():
            assert time.monotonic() < deadline, "the second worker did not warm up"
            time.sleep(0.1)
        # two leases and more since the send began, the second worker polling all along
        time.sleep(max(0.0, sent_at + 2 * LEASE + 1 - time.monotonic()))
        assert len(receiver.at("/station")) == 1, "the held job was taken over while renewed"

        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
        killed = time.monotonic()
        receiver.wait_until(lambda: len(receiver.at("/station")) == 2, 30, "the take-over")
        again = receiver.at("/station")[1]
        # the last renewal came at most a quarter lease before the kill
        assert again.at - killed < LEASE + 3, again.at - killed
        assert again.body["notification_id"] == receiver.at("/station")[0].body["notification_id"]
        receiver.release.set()
        time.sleep(1.0)
        assert len(receiver.at("/station")) == 2
    finally:
        receiver.release.set()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
