"""Helpers for console tests: people of every role, a signed-in HTTP client, cases placed in
districts, and reading CSRF tokens out of pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.web.app import create_app
from support import FakeClock

LUCKNOW, VARANASI = "157", "197"
PASSWORD = "correct horse battery staple"
OPERATOR = Actor("user", "op", "smc_operator")


@dataclass
class Person:
    username: str
    role: str
    totp_secret: str
    jurisdiction: str | None = None
    enrolment_code: str = ""

    def code(self, clock: FakeClock) -> str:
        return str(pyotp.TOTP(self.totp_secret).at(clock.now()))


def make_person(app: Lifeline, username: str, role: str, jurisdiction: str | None = None) -> Person:
    new = access.create_user(app.ctx, username, role, jurisdiction=jurisdiction, password=PASSWORD)
    return Person(new.username, role, new.totp_secret, jurisdiction, new.enrolment_code)


def client(app: Lifeline) -> TestClient:
    """An HTTPS test client (the session cookie is Secure) that does not follow redirects."""
    return TestClient(
        create_app(app, embedded_worker=False),
        base_url="https://testserver",
        follow_redirects=False,
    )


def form_token(html: str, name: str = "csrf") -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} field in the page"
    return found.group(1)


def sign_in(web: TestClient, person: Person, clock: FakeClock, *, code: str | None = None) -> Any:
    page = web.get("/console/sign-in")
    clock.advance(seconds=30)  # a TOTP code is accepted once: each sign-in gets a new step
    return web.post(
        "/console/sign-in",
        data={
            "username": person.username,
            "password": PASSWORD,
            "code": code if code is not None else person.code(clock),
            "pre_csrf": form_token(page.text, "pre_csrf"),
            "next": "/console/queue",
        },
    )


def signed_in(app: Lifeline, person: Person, clock: FakeClock) -> tuple[TestClient, str]:
    web = client(app)
    response = sign_in(web, person, clock)
    assert response.status_code == 303, response.text
    page = web.get("/console/queue")
    return web, form_token(page.text)


def new_case(
    app: Lifeline,
    text: str = "आज मैं आत्महत्या कर रहा हूं",
    handle: str = "ravi",
    place: str | None = "Madeyganj, Lucknow",
) -> int:
    alert = Alert(
        source=AlertSource.PLATFORM_API,
        received_at=app.clock.now(),
        raw_payload=b"{}",
        raw_content_type="application/json",
        platform="facebook",
        reference=f"FB-{handle}",
        subject=Subject(name="Ravi K", handle=handle, phone="+919812345678"),
        post=Post(text),
        location=LocationHint(place),
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, OPERATOR)).case_id


def place_in(app: Lifeline, case_id: int, district: str) -> None:
    with app.ctx.uow() as uow:
        uow.jurisdictions.assign(case_id, district, "test", app.clock.now())
        uow.commit()


def audit_actions(app: Lifeline) -> list[tuple[str, str, int | None, dict[str, Any]]]:
    with app.ctx.uow(readonly=True) as uow:
        return [(r.actor, r.action, r.case_id, r.details) for r in uow.audit.records()]
