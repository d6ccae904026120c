"""Real local endpoints for dispatch tests: an HTTP server on 127.0.0.1 that records what it
is sent (standing in for an SMS gateway, a webhook or UP-112) and can be told to fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.model import Actor
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.location import registry
from lifeline.worker import Worker

#: a post at risk, in Hindi, and the place the tests' units cover
AT_RISK = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
MADEYGANJ = LocationHint(text="Madeyganj, Lucknow", lat=26.88, lon=80.91, pin="226020")
#: who sends the test alerts unless told otherwise
PARTNER = Actor("partner", "test")


@dataclass
class Receiver:
    port: int = 0
    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def bodies(self) -> list[str]:
        return [json.dumps(r, ensure_ascii=False) for r in self.received]


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if state.status < 300:
                try:
                    state.received.append(json.loads(raw or b"{}"))
                except ValueError:
                    state.received.append({"raw": raw.decode("utf-8", "replace")})
                state.paths.append(self.path)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    # a short poll: shutdown() waits up to one poll for the loop to notice (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


#: the number each test unit's duty officer replies from (their registry `phones`)
CONTACT_PHONES = {
    "up-lko-ps-madeyganj": "+919811111111",
    "up-smc": "+919822222222",
    "up-cell-lucknow": "+919833333333",
    "up-stf": "+919844444444",
    "up-cp-lucknow": "+919855555555",
}


def registry_overlay(
    station: str,
    smc: str,
    cell: str = "",
    trace: str = "",
    up112: str = "",
    commissionerate: str = "",
) -> str:
    """A registry file giving contacts to Madeyganj police station, the SMC, and if given the
    Lucknow cell, the STF and UP-112 (records merged over the shipped ones by id and
    valid_from)."""

    def unit(
        uid: str, kind: str, name: str, parent: str, start: str, url: str, extra: str = ""
    ) -> str:
        return (
            f"- id: {uid}\n  kind: {kind}\n  name: {name}\n  parent: {parent}\n{extra}"
            f"  valid_from: '{start}'\n  contacts:\n  - name: Duty officer\n    role: duty\n"
            f"    channels: [{url}]\n    phones: ['{CONTACT_PHONES.get(uid, '')}']\n"
        )

    units = unit(
        "up-lko-ps-madeyganj",
        "police_station",
        "Madeyganj",
        "up-lko-circle-mahanagar",
        "2022-11-13",
        station,
        "  district_lgd: '157'\n  localities: [Madiyaganj]\n",
    )
    units += unit(
        "up-smc",
        "control_room",
        "Social Media Centre",
        "state-uttar-pradesh",
        "2022-03-01",
        smc,
        "  district_lgd: '157'\n",
    )
    if cell:
        units += unit(
            "up-cell-lucknow",
            "cell",
            "Lucknow social media cell",
            "up-district-lucknow",
            "2022-03-01",
            cell,
            "  district_lgd: '157'\n",
        )
    if trace:
        units += unit("up-stf", "agency", "STF", "state-uttar-pradesh", "2022-03-01", trace)
    if commissionerate:
        units += unit(
            "up-cp-lucknow",
            "commissionerate",
            "Lucknow Police Commissionerate",
            "state-uttar-pradesh",
            "2020-01-13",
            commissionerate,
            "  district_lgd: '157'\n",
        )
    if up112:
        units += unit(
            "up-112", "control_room", "UP-112", "state-uttar-pradesh", "2016-10-26", up112
        )
    policies = (
        "escalation_policies:\n- id: default\n  steps:\n"
        "  - {notify: [unit], wait_seconds: 60, repeat: 2}\n"
        "  - {notify: [unit, parent], wait_seconds: 60}\n"
    )
    return f"schema: lifeline-registry/1\ntitle: test contacts\n{policies}units:\n{units}"


def import_overlay(app: Lifeline, text: str) -> None:
    """Import a registry overlay (units, contacts, routing rules) as an operator's CLI would."""
    units = registry.read_registry(app.ctx, text, "contacts.yaml")
    rules = app.ctx.locator.read_dispatch_rules(text, "contacts.yaml")  # type: ignore[union-attr]
    registry.import_registry(
        app.ctx, Actor("cli", "test"), units, source="test", replace=False, rules=rules
    )


@contextmanager
def unit_endpoints(app: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    """Endpoints on 127.0.0.1 for the Madeyganj station, the SMC and the other units (the
    Lucknow cell, the STF and UP-112 share one), imported as their contacts' channels."""
    with receiver() as station, receiver() as smc, receiver() as others:
        text = registry_overlay(
            station.url("/station"),
            smc.url("/smc"),
            cell=others.url("/cell"),
            trace=others.url("/stf"),
            up112=others.url("/up112"),
        )
        import_overlay(app, text)
        yield station, smc, others


def take_alert(
    app: Lifeline,
    handle: str = "a",
    *,
    text: str = AT_RISK,
    source: AlertSource = AlertSource.PLATFORM_API,
    hint: LocationHint = MADEYGANJ,
    actor: Actor = PARTNER,
    **extra: Any,
) -> int:
    """An alert about Ravi (`handle` tells people apart) taken in as intake would: its case id."""
    alert = Alert(
        source,
        app.clock.now(),
        b'{"test": true}',
        "application/json",
        platform="facebook",
        reference=f"FB-{handle}",
        subject=Subject(handle=handle, name="Ravi", phone="+919800000001"),
        post=Post(text=text),
        location=hint,
        **extra,
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, actor)).case_id


def resolutions(app: Lifeline, case_id: int) -> int:
    """How many location resolutions a case has."""
    with app.ctx.uow(readonly=True) as uow:
        return len(uow.locations.for_case(case_id))


def drain(app: Lifeline) -> None:
    """Run every job that is due, until none is left."""
    worker = Worker(app)
    while worker.run_once():
        pass
