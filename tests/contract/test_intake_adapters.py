"""One contract for every intake adapter: the same alert in (HTTP API, SMTP, IMAP, phone entry)
gives the same case out, and a follow-up on the same channel joins that case."""

from __future__ import annotations

import json
import smtplib
import time
from collections.abc import Callable, Iterator

import pyotp
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from dkim_support import partner_key, sign
from dovecot import ImapServer, dovecot, dovecot_binary
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.cases import service as cases
from lifeline.simulate import Person, Scenario, make_api_alert, make_email
from lifeline.web.app import create_app
from support import FakeClock, free_port, signed_headers

OP = Actor("cli", "contract", "admin")
Send = Callable[[Person, Person | None], int]  # returns the case id


@pytest.fixture(scope="module")
def imap_server() -> Iterator[ImapServer | None]:
    if dovecot_binary() is None:
        yield None
        return
    with dovecot() as server:
        yield server


def _http(app: Lifeline, clock: FakeClock) -> Iterator[Send]:
    partner = access.create_partner(app.ctx, "Meta")
    with TestClient(create_app(app, embedded_worker=False)) as client:

        def send(person: Person, earlier: Person | None) -> int:
            body = json.dumps(make_api_alert(person, clock.now()), ensure_ascii=False).encode()
            ts = int(clock.now().timestamp())
            response = client.post(
                "/api/v1/alerts",
                content=body,
                headers=signed_headers(partner.key_id, partner.secret, body, timestamp=ts),
            )
            assert response.status_code == 202, response.text
            return int(response.json()["case_id"])

        yield send


def _phone(app: Lifeline, clock: FakeClock) -> Iterator[Send]:
    user = access.create_user(app.ctx, "op", "smc_operator")
    with TestClient(create_app(app, embedded_worker=False)) as client:
        token = client.post(
            "/api/v1/auth/token",
            json={
                "username": "op",
                "password": user.password,
                "totp": pyotp.TOTP(user.totp_secret).at(clock.now()),
            },
        ).json()["token"]

        def send(person: Person, earlier: Person | None) -> int:
            body = make_api_alert(person, clock.now())
            body.pop("received_via")
            body["caller"] = {
                "name": "Trust & Safety",
                "organisation": "Meta",
                "callback_number": "+16505550100",
                "call_received_at": clock.now().isoformat(),
                "notes": "read the post out on the phone",
            }
            response = client.post(
                "/api/v1/phone-alerts", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 202, response.text
            return int(response.json()["case_id"])

        yield send


def _genuine_mail_from_meta(app: Lifeline) -> None:
    """Meta registered with facebook.com and its DKIM key pinned (mail below is signed)."""
    partner = access.create_partner(app.ctx, "Meta")
    app.settings.dkim_dns = False
    app.add_partner_sender(partner.key_id, "facebook.com", "s1", partner_key().public_pem)


def _smtp(app: Lifeline, clock: FakeClock) -> Iterator[Send]:
    _genuine_mail_from_meta(app)
    app.settings.smtp_port = free_port()
    server = app.smtp_server()
    server.start()
    try:

        def send(person: Person, earlier: Person | None) -> int:
            raw = sign(
                make_email(
                    person,
                    "plain_en",
                    clock.now(),
                    follow_up_of=earlier,
                    sender="records@support.facebook.com",
                )
            )
            with smtplib.SMTP("127.0.0.1", app.settings.smtp_port, timeout=10) as conn:
                conn.ehlo()
                conn.mail("records@support.facebook.com")
                conn.rcpt("smc@up.example")
                code, reply = conn.data(raw)
            assert code == 250, reply
            return int(reply.decode().rsplit("case ", 1)[1])

        yield send
    finally:
        server.stop()


def _imap(app: Lifeline, clock: FakeClock, server: ImapServer) -> Iterator[Send]:
    _genuine_mail_from_meta(app)
    folder = f"Contract{time.monotonic_ns()}"
    client = server.client()
    client.create_folder(folder)
    client.logout()
    s = app.settings
    s.imap_host, s.imap_port, s.imap_ssl, s.imap_folder = "127.0.0.1", server.port, False, folder
    s.imap_user, s.imap_password = server.user, SecretStr(server.password)
    poller = app.imap_poller()
    assert poller is not None

    def send(person: Person, earlier: Person | None) -> int:
        server.deliver(
            sign(
                make_email(
                    person,
                    "plain_en",
                    clock.now(),
                    follow_up_of=earlier,
                    sender="records@support.facebook.com",
                )
            ),
            folder,
        )
        assert poller.poll_once() == 1
        return cases.list_cases(app.ctx, OP, limit=1)[0].id

    yield send


@pytest.fixture(params=["http", "smtp", "imap", "phone"])
def channel(
    request: pytest.FixtureRequest,
    lifeline: Lifeline,
    clock: FakeClock,
    imap_server: ImapServer | None,
) -> Iterator[Send]:
    if request.param == "imap":
        if imap_server is None:
            pytest.skip("dovecot is not installed (.ci/run installs dovecot-imapd)")
        yield from _imap(lifeline, clock, imap_server)
    else:
        yield from {"http": _http, "smtp": _smtp, "phone": _phone}[request.param](lifeline, clock)


def test_the_same_alert_in_gives_the_same_case_out(channel: Send, lifeline: Lifeline) -> None:
    scenario = Scenario(seed=99, follow_up_share=0.0)
    person, _, _ = scenario.next()
    person.platform = "facebook"
    case_id = channel(person, None)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    (alert,) = detail.alerts
    assert detail.case.status.value == "received" and detail.case.platform == "facebook"
    assert alert.reference == person.reference
    assert alert.subject.name == person.name
    assert alert.post.text == person.post
    assert alert.location.text is not None and person.place[0] in alert.location.text
    assert alert.location.pin == person.place[1]
    assert alert.sender_verified is True  # signed request, signed mail, or an operator
    # every door is a platform's escalation: the case starts at the platform's floor (intent)
    assert [t.kind for t in detail.timeline] == ["case_opened", "risk_floor"]
    assert detail.case.risk_level is not None and detail.case.risk_level.value == "intent"


def test_a_follow_up_on_the_same_channel_joins_the_case(channel: Send, lifeline: Lifeline) -> None:
    scenario = Scenario(seed=98, follow_up_share=0.0)
    person, _, _ = scenario.next()
    person.platform = "facebook"
    first = channel(person, None)
    scenario.follow_up_share = 1.0
    update, earlier, _ = scenario.next()
    assert channel(update, earlier) == first
    assert cases.show_case(lifeline.ctx, OP, first).case.alert_count == 2
