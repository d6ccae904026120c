"""Email content that today's parser let through to the database and broke the insert (451
forever: the alert never stored, never quarantined), or the transport refused for good (500):
over a real SMTP conversation, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from sqlalchemy import text

from email_strategies import mime_messages
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.cases import service as cases
from support import free_port

OP = Actor("cli", "tester", "admin")
HINDI_LINE = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी, कोई मुझे नहीं समझता। "


@pytest.fixture
def smtp(lifeline: Lifeline) -> Iterator[tuple[Lifeline, int]]:
    lifeline.settings.smtp_port = free_port()
    lifeline.settings.smtp_max_bytes = 200_000
    partner = access.create_partner(lifeline.ctx, "Meta")
    access.add_partner_sender(lifeline.ctx, partner.key_id, "facebook.com")
    server = lifeline.smtp_server()
    server.start()
    try:
        yield lifeline, lifeline.settings.smtp_port
    finally:
        server.stop()


def send(port: int, raw: bytes, sender: str = "records@support.facebook.com") -> tuple[int, str]:
    """DATA as the bytes given (CRLF line ends), without smtplib rewriting bare LFs."""
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as conn:
        conn.ehlo()
        assert conn.mail(sender)[0] == 250
        assert conn.rcpt("smc@up.example")[0] == 250
        code, reply = conn.data(raw)
        return code, reply.decode()


def mail(body: str, *, subject: str = "Urgent: risk of self-harm") -> bytes:
    head = (
        "From: records@support.facebook.com\r\nTo: smc@up.example\r\n"
        f"Subject: {subject}\r\nMessage-ID: <m-{abs(hash(body))}@facebook.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return (head + body.replace("\n", "\r\n")).encode("utf-8")


def the_alert(app: Lifeline, reply: str):  # type: ignore[no-untyped-def]
    case_id = int(reply.rsplit("case ", 1)[1])
    (alert,) = cases.show_case(app.ctx, OP, case_id).alerts
    return alert


def count(app: Lifeline, table: str) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def test_a_nul_in_a_labelled_line_is_dropped_with_a_warning_and_the_alert_is_stored(
    smtp: tuple[Lifeline, int],
) -> None:
    app, port = smtp
    body = (
        "Platform: Facebook\nReference ID: FB-77\x0012093\nUsername: @ravi.k.1999\n"
        "Account Name: Ravi\x00 Kumar\nPost Text: आज मैं आत्महत्या कर रहा हूं\x00\n"
        "Address: Madeyganj, Lucknow\n"
    )
    code, reply = send(port, mail(body))
    assert code == 250 and "Accepted" in reply, reply
    alert = the_alert(app, reply)
    assert alert.reference is None and alert.subject.name is None
    assert alert.subject.handle == "ravi.k.1999"
    assert alert.post.text == "आज मैं आत्महत्या कर रहा हूं"
    assert alert.location.text == "Madeyganj, Lucknow"
    dropped = {d["field"] for d in alert.extra["extraction"]["dropped"]}
    assert {"reference", "account_name"} <= dropped
    assert any("control character" in p for p in alert.extra["extraction"]["problems"])
    assert b"\x00" in alert.raw_payload  # the message itself is kept verbatim


def test_a_date_outside_1970_to_2100_is_dropped_and_the_alert_still_reaches_the_desk(
    smtp: tuple[Lifeline, int],
) -> None:
    app, port = smtp
    for n, posted in enumerate(["9999-12-31T23:59:59+05:30", "0001-01-01T00:00:00-05:00"]):
        body = (
            f"Reference ID: FB-5550{n}99\nUsername: @a.b{n}\nPosted at: {posted}\nPost Text: bye\n"
        )
        code, reply = send(port, mail(body))
        assert code == 250 and "Accepted" in reply, reply
        alert = the_alert(app, reply)
        assert alert.post.posted_at is None and alert.reference == f"FB-5550{n}99"
        (why,) = [d for d in alert.extra["extraction"]["dropped"] if d["field"] == "posted_at"]
        assert "1970" in why["reason"]


def test_an_absurdly_long_reference_is_dropped_not_a_failed_insert(
    smtp: tuple[Lifeline, int],
) -> None:
    app, port = smtp
    body = "Reference ID: FB-" + "7" * 400 + "\nUsername: @long.ref\nPost Text: bye\n"
    code, reply = send(port, mail(body))
    assert code == 250 and "Accepted" in reply, reply
    alert = the_alert(app, reply)
    assert alert.reference is None and alert.subject.handle == "long.ref"
    assert [d["field"] for d in alert.extra["extraction"]["dropped"]] == ["reference"]


def test_undecodable_header_bytes_are_stored_not_a_crash(smtp: tuple[Lifeline, int]) -> None:
    app, port = smtp
    raw = mail("Reference ID: FB-1234567\nPost Text: bye\n", subject="Ref \xff").replace(
        "\xff".encode(), b"\xff\xfe\x00"
    )
    code, reply = send(port, raw)
    assert code == 250 and "Accepted" in reply, reply
    assert the_alert(app, reply).reference == "FB-1234567"


def test_one_3000_character_hindi_line_is_accepted_and_stored(smtp: tuple[Lifeline, int]) -> None:
    app, port = smtp
    post = (HINDI_LINE * 60)[:3000]
    code, reply = send(port, mail(f"Reference ID: FB-30003000\nPost Text: {post}\n"))
    assert code == 250 and "Accepted" in reply, reply
    assert the_alert(app, reply).post.text == post.strip()


def test_a_message_with_only_unusable_content_goes_to_the_quarantine_not_451(
    smtp: tuple[Lifeline, int],
) -> None:
    app, port = smtp
    code, reply = send(port, mail("\x00\x01\x02\n\x00\n", subject="\x00"))
    assert code == 250 and "Held for review" in reply, reply
    assert count(app, "alerts") == 0 and count(app, "email_quarantine") == 1


def test_a_nul_in_the_envelope_sender_is_refused_at_mail_not_451_after_data(
    smtp: tuple[Lifeline, int],
) -> None:
    app, port = smtp
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as conn:
        conn.ehlo()
        code, reply = conn.mail("a\x00b@facebook.com")
        assert code == 553 and b"control character" in reply
        assert conn.mail("records@support.facebook.com")[0] == 250  # the session goes on
    assert count(app, "alerts") + count(app, "email_quarantine") == 0


def test_a_nul_in_an_auth_login_is_a_failed_login_not_a_500(smtp: tuple[Lifeline, int]) -> None:
    _, port = smtp
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as conn:
        conn.ehlo()
        assert conn.docmd("AUTH", "LOGIN")[0] == 334
        assert conn.docmd(base64.b64encode(b"pk_\x00' or 1=1").decode())[0] == 334
        code, reply = conn.docmd(base64.b64encode(b"secret").decode())
        assert code == 535, reply
        assert conn.noop()[0] == 250


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=mime_messages)
@example(raw=mail("Reference ID: FB-1\x002345\nPost Text: \x00bye\n"))
@example(raw=mail("Reference ID: FB-12345\nPosted at: 0001-01-01T00:00:00-05:00\n"))
@example(raw=mail("Reference ID: FB-" + "1" * 300 + "\nPost Text: bye\n"))
def test_any_mime_tree_from_a_partner_is_stored_as_an_alert_or_quarantined(
    lifeline: Lifeline, raw: bytes
) -> None:
    """Through the service and the real database: whatever the parser makes of a message is
    committed (no NUL, overflow or length error in the insert), never left to 451."""
    partner = access.create_partner(lifeline.ctx, "Meta")
    outcome = lifeline.receive_email(raw, "records@support.facebook.com", partner.partner.id)
    assert outcome.status in ("alert", "duplicate", "quarantined")
