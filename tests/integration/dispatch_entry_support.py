"""Helpers for the dispatch entrypoint tests: a registry whose units have contacts at real
local HTTP endpoints, a located case that no model output can dispatch on its own (automatic
dispatch is off), and the acknowledgement link and code out of the message a unit received."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import SecretStr

from console_support import LUCKNOW, place_in
from dispatch_support import Receiver, import_overlay, receiver, registry_overlay
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.settings import Settings
from lifeline.worker import Worker

OP = Actor("user", "op", "smc_operator")
CLI = Actor("cli", "test")
STATION = "up-lko-ps-madeyganj"
SMS_SECRET = "gateway-shared-secret"
SMC_PHONE = "0522-2390000"
CHANNEL_SECRET = "gw-pass-7731"
PERSON = ("Ravi Kumar", "+919800000001", "ravi@example.org")
POST = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"


def configure(settings: Settings) -> Settings:
    """No automatic dispatch (the tests confirm), an SMS secret and the SMC's phone."""
    settings.auto_dispatch = False
    settings.sms_inbound_token = SecretStr(SMS_SECRET)
    settings.smc_phone = SMC_PHONE
    return settings


@dataclass
class Endpoints:
    station: Receiver
    smc: Receiver
    stf: Receiver


@contextmanager
def endpoints(app: Lifeline) -> Iterator[Endpoints]:
    with receiver() as station, receiver() as smc, receiver() as stf:
        # the station's channel carries a password, as a real SMS gateway's would
        secret_url = f"json://duty:{CHANNEL_SECRET}@127.0.0.1:{station.port}/station"
        text = registry_overlay(secret_url, smc.url("/smc"), trace=stf.url("/stf"))
        import_overlay(app, text)
        yield Endpoints(station, smc, stf)


def new_case(app: Lifeline, handle: str = "a", *, located: bool = True) -> int:
    """A platform alert about a person in Madeyganj, Lucknow; `located` records the place as
    an operator would (so nothing depends on the resolver or the triage model)."""
    name, phone, email = PERSON
    alert = Alert(
        AlertSource.PLATFORM_API,
        app.clock.now(),
        b'{"test": true}',
        "application/json",
        platform="facebook",
        reference=f"FB-{handle}",
        subject=Subject(handle=handle, name=name, phone=phone, email=email),
        post=Post(text=POST),
        location=LocationHint(text="Madeyganj, Lucknow", pin="226020"),
    )
    case_id = receive_alert(app.ctx, ReceiveAlert(alert, Actor("partner", "test"))).case_id
    place_in(app, case_id, LUCKNOW)
    if located:
        cases.record_location(app.ctx, OP, case_id, "Madeyganj, Lucknow")
    return case_id


def drain(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def ack_link(message: str) -> str:
    found = re.search(r"/ack/(\S+)", message)
    assert found, message
    return found.group(1)


def ack_code(message: str) -> str:
    """The code as the message prints it, without its spaces."""
    found = re.search(r"ACK (\d+(?: \d+)*)", message)
    assert found, message
    return found.group(1).replace(" ", "")
