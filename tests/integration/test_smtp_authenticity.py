"""Issue 14, break 1: a spoofed email must not send police. Real SMTP conversations with the
intake server on 127.0.0.1, the worker, and units' endpoints on 127.0.0.1, on both databases.
Signatures are real (dkimpy, keys made here and pinned for the partner: no DNS)."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from dispatch_support import Receiver, unit_endpoints
from dkim_support import other_key, partner_key, sign
from lifeline.bootstrap import Lifeline
from lifeline.cli import app
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.dispatch import escalations as dispatch
from lifeline.simulate import Person, make_email
from lifeline.worker import Worker
from support import FakeClock, free_port

OP = Actor("user", "op", "smc_operator")
CLI = Actor("cli", "test")
RELAY_AR = (
    b"Authentication-Results: mx.smc.example; dkim=pass header.d=facebook.com "
    b"header.s=s1; dmarc=pass header.from=facebook.com\r\n"
)


def victim(n: int = 1) -> Person:
    """The issue's alert: a Hindi post, Madeyganj, Lucknow."""
    return Person(
        name="Ravi",
        handle=f"ravi.{n}",
        platform="facebook",
        phone="+91 9800000001",
        place=("Madeyganj, Lucknow", "226020", 26.8806, 80.9137, "Lucknow"),
        reference=f"FB-3131313{n}",
        post="आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",
        message_id=f"<alert-{n}@facebook.com>",
    )


@pytest.fixture
def station(lifeline: Lifeline) -> Iterator[Receiver]:
    """Meta registered with facebook.com and its signing key pinned; contacts for the units a
    Madeyganj case goes to; the SMTP intake listening."""
    with unit_endpoints(lifeline) as (unit, _smc, _others):
        lifeline.settings.dkim_dns = False  # a control room without outside DNS
        lifeline.settings.smtp_port = free_port()
        server = lifeline.smtp_server()
        server.start()
        try:
            yield unit
        finally:
            server.stop()


@pytest.fixture
def meta(lifeline: Lifeline) -> access.NewPartner:
    partner = access.create_partner(lifeline.ctx, "Meta")
    lifeline.add_partner_sender(partner.key_id, "facebook.com", "s1", partner_key().public_pem)
    return partner


def send(
    app: Lifeline,
    raw: bytes,
    sender: str = "alerts@facebook.com",
    login: tuple[str, str] | None = None,
) -> int:
    with smtplib.SMTP("127.0.0.1", app.settings.smtp_port, timeout=10) as conn:
        conn.ehlo()
        if login is not None:
            conn.login(*login)
        assert conn.mail(sender)[0] == 250
        conn.rcpt("smc@up.example")
        code, reply = conn.data(raw)
    assert code == 250 and b"Accepted" in reply, reply
    return int(reply.decode().rsplit("case ", 1)[1])


def email(n: int = 1) -> bytes:
    return make_email(victim(n), "plain_hi", FakeClock().now(), sender="alerts@facebook.com")


def drain(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def verdict(app: Lifeline, case_id: int) -> tuple[bool, str]:
    view = CaseRead.of(cases.show_case(app.ctx, OP, case_id)).plain()
    assert view["alerts"][0]["sender_verified"] is view["sender_verified"]
    return view["sender_verified"], view["sender_verification"]


def test_a_spoofed_email_becomes_a_case_that_waits_for_an_operator(
    lifeline: Lifeline, station: Receiver, meta: access.NewPartner
) -> None:
    case_id = send(lifeline, email())  # MAIL FROM and From: alerts@facebook.com, no DKIM
    drain(lifeline)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.RECEIVED
    assert detail.case.risk_level == "imminent" and station.received == []
    assert verdict(lifeline, case_id) == (False, "dkim: no signature")
    assert "sender_not_verified" in [t.kind for t in detail.timeline]
    plan = dispatch.preview_dispatch(lifeline.ctx, OP, case_id)
    assert plan.units and not plan.automatic and "sender not verified" in plan.why
    dispatch.confirm_dispatch(lifeline.ctx, OP, case_id)  # the operator's one click
    drain(lifeline)
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED
    assert len(station.received) == 1


def test_mail_signed_by_the_partner_is_verified_and_dispatched_at_once(
    lifeline: Lifeline, station: Receiver, meta: access.NewPartner
) -> None:
    case_id = send(lifeline, sign(email()), sender="bounce-77@mail.facebook.com")
    drain(lifeline)
    assert verdict(lifeline, case_id) == (True, "dkim:facebook.com")
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED
    assert len(station.received) == 1


def test_a_signature_by_another_key_or_over_a_changed_body_is_not_trusted(
    lifeline: Lifeline, station: Receiver, meta: access.NewPartner
) -> None:
    forged = send(lifeline, sign(email(1), key=other_key()))
    assert verdict(lifeline, forged) == (False, "dkim: signature by d=facebook.com does not verify")
    signed = sign(email(2))
    tampered = send(lifeline, signed[:-4] + b"Xg==\r\n")  # the base64 body's last bytes changed
    assert verdict(lifeline, tampered) == (False, "dkim: body hash mismatch")
    drain(lifeline)
    assert station.received == []


def test_a_trusted_relays_results_count_only_from_its_address(
    lifeline: Lifeline, meta: access.NewPartner
) -> None:
    lifeline.settings.smtp_port = free_port()
    lifeline.settings.dkim_dns = False
    lifeline.settings.smtp_trusted_relays = "127.0.0.0/8=mx.smc.example"
    server = lifeline.smtp_server()
    server.start()
    try:
        trusted = send(lifeline, RELAY_AR + email(1))
        lifeline.settings.smtp_trusted_relays = "192.0.2.0/24=mx.smc.example"
        untrusted = send(lifeline, RELAY_AR + email(2))
    finally:
        server.stop()
    assert verdict(lifeline, trusted) == (True, "relay:mx.smc.example")
    assert verdict(lifeline, untrusted) == (False, "dkim: no signature")


def test_smtp_auth_with_the_partner_key_counts_as_verified(
    lifeline: Lifeline, meta: access.NewPartner
) -> None:
    lifeline.settings.smtp_port = free_port()
    server = lifeline.smtp_server()
    server.start()
    try:
        case_id = send(
            lifeline, email(), sender="relay@mailer.example", login=(meta.key_id, meta.secret)
        )
    finally:
        server.stop()
    assert verdict(lifeline, case_id) == (True, f"smtp-auth:{meta.key_id}")


def test_the_simulator_signs_in_as_the_partner_so_demo_mail_is_verified(
    lifeline: Lifeline, meta: access.NewPartner
) -> None:
    """`make run SIMULATE=N` sends its mail as the demo partner (SMTP AUTH on loopback), so a
    newcomer sees genuine platform mail dispatched; without a key the same mail is unverified."""
    lifeline.settings.smtp_port = free_port()
    server = lifeline.smtp_server()
    server.start()
    smtp = f"127.0.0.1:{lifeline.settings.smtp_port}"
    args = ["simulate", "--via", "smtp", "--count", "2", "--rate", "0", "--smtp", smtp]
    try:
        signed = CliRunner().invoke(
            app, [*args, "--key-id", meta.key_id, "--secret", meta.secret, "--json"]
        )
        assert signed.exit_code == 0, signed.output
        unsigned = CliRunner().invoke(app, [*args, "--seed", "8", "--json"], env={})
        assert unsigned.exit_code == 0, unsigned.output
    finally:
        server.stop()
    with lifeline.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT sender_verified, sender_verification FROM alerts ORDER BY id")
        ).all()
    assert [(bool(r[0]), r[1]) for r in rows[:2]] == [(True, f"smtp-auth:{meta.key_id}")] * 2
    # (unauthenticated mail from senders not on the allow-list is held, not an alert)
    assert rows[2:] and not any(r[0] for r in rows[2:])
