"""A real SMTP conversation over 127.0.0.1 with the intake server, on both databases."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from lifeline.adapters.intake.smtp import SmtpIntakeServer
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.cases import service as cases
from lifeline.services.intake import mail as email_intake
from lifeline.simulate import Scenario, make_email
from support import FakeClock, free_port

OP = Actor("cli", "tester", "admin")


@pytest.fixture
def smtp(lifeline: Lifeline) -> Iterator[tuple[Lifeline, int]]:
    lifeline.settings.smtp_port = free_port()
    lifeline.settings.smtp_max_bytes = 200_000
    lifeline.settings.smtp_rate_per_minute = 5
    partner = access.create_partner(lifeline.ctx, "Meta")
    access.add_partner_sender(lifeline.ctx, partner.key_id, "facebook.com")
    server = lifeline.smtp_server()
    server.start()
    try:
        yield lifeline, lifeline.settings.smtp_port
    finally:
        server.stop()


def send(port: int, raw: bytes, sender: str = "records@support.facebook.com") -> tuple[int, str]:
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as conn:
        conn.ehlo()
        code, reply = conn.mail(sender)
        assert code == 250
        conn.rcpt("smc@up.example")
        code, reply = conn.data(raw)
        return code, reply.decode()


def count(app: Lifeline, table: str) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def test_an_alert_email_is_a_case_with_its_fields_when_250_is_answered(smtp, clock) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    person, _, _ = Scenario(seed=3).next()
    person.platform = "facebook"
    code, reply = send(port, make_email(person, "screenshot", clock.now()))
    assert code == 250 and "case" in reply
    case_id = int(reply.rsplit("case ", 1)[1])
    detail = cases.show_case(app.ctx, OP, case_id)
    (alert,) = detail.alerts
    assert alert.reference == person.reference and alert.subject.name == person.name
    assert alert.post.text == person.post and alert.location.pin == person.place[1]
    assert alert.partner_id is not None and alert.source.value == "platform_email"
    assert [a.filename for a in alert.attachments] == ["screenshot.png"]
    assert alert.raw_payload.startswith(b"Content-Type") or b"From:" in alert.raw_payload


def test_a_follow_up_reply_lands_on_the_same_case_with_its_new_text(smtp, clock) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    scenario = Scenario(seed=11, follow_up_share=0.0)
    person, _, _ = scenario.next()
    person.platform = "facebook"
    _, first = send(port, make_email(person, "plain_en", clock.now()))
    scenario.follow_up_share = 1.0
    update, earlier, fmt = scenario.next()
    assert earlier is person
    _, second = send(port, make_email(update, fmt, clock.now(), follow_up_of=person))
    assert first.rsplit("case ", 1)[1] == second.rsplit("case ", 1)[1]
    case_id = int(second.rsplit("case ", 1)[1])
    merged = [t for t in cases.show_case(app.ctx, OP, case_id).timeline if t.kind == "alert_merged"]
    assert merged and merged[0].details["post_text"] == update.post


def test_the_same_message_delivered_twice_is_taken_once(smtp, clock) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    person, _, _ = Scenario(seed=5).next()
    raw = make_email(person, "plain_en", clock.now(), sender="alerts@facebook.com")
    _, first = send(port, raw)
    _, again = send(port, raw)
    assert first == again
    assert count(app, "alerts") == 1


def test_mail_from_an_unknown_sender_is_quarantined_never_dropped(smtp, clock) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    person, _, _ = Scenario(seed=6).next()
    code, reply = send(
        port, make_email(person, "plain_en", clock.now()), sender="someone@unknown.example"
    )
    assert code == 250 and "Held for review" in reply and "not on the allow-list" in reply
    assert count(app, "alerts") == 0
    (held,) = email_intake.list_quarantine(app.ctx)
    outcome = app.release_quarantined(OP, held.id)
    assert outcome.alert_id is not None
    assert email_intake.list_quarantine(app.ctx, "released")[0].alert_id == outcome.alert_id
    assert count(app, "alerts") == 1


def test_garbage_is_kept_for_review_with_the_reason(smtp) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    code, reply = send(port, b"From: x@facebook.com\r\n\r\n")
    assert code == 250 and "nothing could be extracted" in reply
    (held,) = email_intake.list_quarantine(app.ctx)
    assert "nothing could be extracted" in held.reason


def test_an_oversized_message_is_refused_with_552(smtp) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    code, reply = send(port, b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 5000)
    assert code == 552 and "Too much mail data" in reply
    assert count(app, "alerts") == 0 and count(app, "email_quarantine") == 0


def test_a_flood_from_one_sender_is_deferred_with_451_not_lost(smtp, clock) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    scenario = Scenario(seed=9, follow_up_share=0.0)
    codes = []
    for _ in range(8):
        person, _, _ = scenario.next()
        raw = make_email(person, "plain_en", clock.now())
        codes.append(send(port, raw, sender="bulk@facebook.com")[0])
    assert codes[:5] == [250] * 5 and set(codes[5:]) == {451}
    assert count(app, "alerts") == 5


def test_a_message_that_cannot_be_stored_gets_451_so_the_sender_retries(smtp, clock) -> None:  # type: ignore[no-untyped-def]
    app, port = smtp
    with app.engine.begin() as conn:
        conn.execute(text("ALTER TABLE alert_attachments RENAME TO attachments_gone"))
    person, _, _ = Scenario(seed=4).next()
    code, reply = send(port, make_email(person, "screenshot", clock.now(), sender="a@facebook.com"))
    assert code == 451 and "retry" in reply
    with app.engine.begin() as conn:
        conn.execute(text("ALTER TABLE attachments_gone RENAME TO alert_attachments"))
    assert count(app, "alerts") == 0  # nothing half-written
    code, _ = send(port, make_email(person, "screenshot", clock.now(), sender="a@facebook.com"))
    assert code == 250 and count(app, "alerts") == 1


def _certificate(tmp: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def test_starttls_and_partner_auth_take_mail_from_any_sender_as_that_partner(
    lifeline: Lifeline, clock: FakeClock, tmp_path: Path
) -> None:
    s = lifeline.settings
    s.smtp_port, (s.smtp_tls_cert, s.smtp_tls_key) = free_port(), _certificate(tmp_path)
    s.smtp_require_tls = s.smtp_require_auth = True
    partner = access.create_partner(lifeline.ctx, "Meta")
    server: SmtpIntakeServer = lifeline.smtp_server()
    server.start()
    try:
        person, _, _ = Scenario(seed=8).next()
        raw = make_email(person, "plain_en", clock.now(), sender="relay@mailer.example")
        with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=10) as conn:
            assert conn.mail("relay@mailer.example")[0] == 530  # STARTTLS first
            conn.starttls(context=ssl._create_unverified_context())
            with pytest.raises(smtplib.SMTPAuthenticationError):
                conn.login(partner.key_id, "wrong secret")
            conn.login(partner.key_id, partner.secret)
            conn.sendmail("relay@mailer.example", ["smc@up.example"], raw)
    finally:
        server.stop()
    with lifeline.ctx.uow(readonly=True) as uow:
        assert uow.quarantine.recent() == []
    listed = cases.list_cases(lifeline.ctx, OP)
    detail = cases.show_case(lifeline.ctx, OP, listed[0].id)
    assert detail.alerts[0].partner_id == partner.partner.id
