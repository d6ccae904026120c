"""The SMTP transport itself, over real connections to the real server (aiosmtpd) with a fake
store behind it: long lines, no smuggling, AUTH only over TLS off loopback, an exact rate limit
per client, and log lines that name no sender."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lifeline.adapters.intake.smtp import SmtpIntakeServer, SmtpOptions
from lifeline.domain.mail import EmailOutcome, EmailStatus

SECRET_LOGIN, SECRET = "pk_0123456789abcdef", "s3cret-partner-secret"
PERSON = "ravi.kumar.1999@gmail.example"


@dataclass
class FakeStore:
    """Stands in for the database behind `Receive`: remembers every message handed over."""

    messages: list[tuple[bytes, str, int | None]] = field(default_factory=list)
    fail: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(
        self, raw: bytes, sender: str, partner: int | None, peer: str | None = None
    ) -> EmailOutcome:
        if self.fail:
            raise RuntimeError("database away")
        with self.lock:
            self.messages.append((raw, sender, partner))
            n = len(self.messages)
        return EmailOutcome(EmailStatus.ALERT, n, n)


def check_login(login: str, password: str) -> int | None:
    return 7 if (login, password) == (SECRET_LOGIN, SECRET) else None


def port_on(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def outside_address() -> str:
    """An address of this machine that is not loopback (the route to a TEST-NET address;
    connecting a UDP socket sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            host = str(s.getsockname()[0])
    except OSError:
        pytest.skip("this machine has no non-loopback IPv4 address")
    if host.startswith("127.") or host == "0.0.0.0":
        pytest.skip("this machine has no non-loopback IPv4 address")
    return host


def certificate(tmp: Path, host: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
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


class Running:
    def __init__(self, options: SmtpOptions, store: FakeStore) -> None:
        self.options, self.store = options, store
        self.server = SmtpIntakeServer(options, store.receive, check_login)

    def __enter__(self) -> Running:
        self.server.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.stop()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def loopback(store: FakeStore) -> Iterator[Running]:
    options = SmtpOptions("127.0.0.1", port_on("127.0.0.1"), 300_000, 5)
    with Running(options, store) as running:
        yield running


def message(body: bytes = b"Reference ID: FB-1234567\r\nPost Text: bye\r\n") -> bytes:
    return b"From: a@facebook.com\r\nSubject: alert\r\n\r\n" + body


def send_raw(conn: smtplib.SMTP, sender: str, data: bytes) -> tuple[int, bytes]:
    """MAIL, RCPT and DATA with `data` sent byte for byte (smtplib.data would turn bare LFs
    into CRLFs), ended by CRLF.CRLF."""
    conn.ehlo_or_helo_if_needed()
    assert conn.mail(sender)[0] == 250
    assert conn.rcpt("smc@up.example")[0] == 250
    conn.putcmd("data")
    code, _ = conn.getreply()
    assert code == 354
    conn.send(data + b"\r\n.\r\n")
    return conn.getreply()


# -- long lines and smuggling -----------------------------------------------------------


def test_a_line_far_over_1000_characters_is_accepted_up_to_the_size_limit(
    loopback: Running,
) -> None:
    line = ("आज मैं आत्महत्या कर रहा हूं " * 4000).encode()[:250_000]
    with smtplib.SMTP("127.0.0.1", loopback.options.port, timeout=20) as conn:
        code, reply = send_raw(conn, "a@facebook.com", message(b"Post Text: " + line + b"\r\n"))
        assert code == 250, reply
        code, reply = send_raw(conn, "a@facebook.com", message(b"x" * 310_000 + b"\r\n"))
        assert code == 552, reply  # over the size limit: refused as too big, not as a long line
    ((raw, _, _),) = loopback.store.messages
    assert line in raw


def test_bare_lf_dot_lf_does_not_end_the_message_nor_smuggle_a_second_one(
    loopback: Running,
) -> None:
    smuggled = (
        b"Post Text: first\n.\nMAIL FROM:<alerts@facebook.com>\nRCPT TO:<smc@up.example>\n"
        b"DATA\nFrom: alerts@facebook.com\nPost Text: smuggled\r\n.\n"
        b"MAIL FROM:<alerts@facebook.com>\r\nRCPT TO:<smc@up.example>\r\nDATA\r\n"
        b"Post Text: smuggled again\n.\r\nstill the first message"
    )
    with smtplib.SMTP("127.0.0.1", loopback.options.port, timeout=20) as conn:
        code, reply = send_raw(conn, "a@facebook.com", message(smuggled))
        assert code == 250, reply
        assert conn.noop()[0] == 250  # the conversation is in step: nothing was left over
    ((raw, _, _),) = loopback.store.messages
    assert raw.endswith(b"still the first message\r\n") and b"smuggled again" in raw


# -- the rate limit ---------------------------------------------------------------------


def test_a_limit_of_60_lets_exactly_60_through_and_defers_the_61st(store: FakeStore) -> None:
    options = SmtpOptions("127.0.0.1", port_on("127.0.0.1"), 100_000, 60)
    with Running(options, store), smtplib.SMTP("127.0.0.1", options.port, timeout=20) as conn:
        codes = [send_raw(conn, "bulk@facebook.com", message())[0] for _ in range(61)]
    assert codes[:60] == [250] * 60 and codes[60] == 451
    assert len(store.messages) == 60


def test_rotating_the_envelope_sender_does_not_get_round_the_limit(loopback: Running) -> None:
    codes = []
    for n in range(7):
        with smtplib.SMTP("127.0.0.1", loopback.options.port, timeout=20) as conn:
            codes.append(send_raw(conn, f"sender{n}@spam{n}.example", message())[0])
    assert codes == [250] * 5 + [451] * 2
    assert len(loopback.store.messages) == 5


# -- AUTH only over TLS, except on loopback ---------------------------------------------


def auth_words(conn: smtplib.SMTP) -> str:
    conn.ehlo()
    return str(conn.esmtp_features.get("auth", ""))


def test_without_tls_off_loopback_auth_is_neither_offered_nor_taken(store: FakeStore) -> None:
    host = outside_address()
    options = SmtpOptions(host, port_on(host), 100_000, 60)
    with Running(options, store), smtplib.SMTP(host, options.port, timeout=20) as conn:
        assert auth_words(conn) == ""
        code, reply = conn.docmd("AUTH", "PLAIN AHBrXzAxMjM0NTY3ODlhYmNkZWYAczNjcmV0")
        assert code == 538 and b"Encryption required" in reply


def test_auth_is_offered_off_loopback_only_after_starttls(store: FakeStore, tmp_path: Path) -> None:
    host = outside_address()
    cert, key = certificate(tmp_path, host)
    options = SmtpOptions(host, port_on(host), 100_000, 60, cert, key)
    with Running(options, store), smtplib.SMTP(host, options.port, timeout=20) as conn:
        assert auth_words(conn) == "" and conn.has_extn("starttls")
        conn.starttls(context=ssl._create_unverified_context())
        assert "PLAIN" in auth_words(conn)
        conn.login(SECRET_LOGIN, SECRET)
        assert send_raw(conn, "relay@mailer.example", message())[0] == 250
    assert store.messages[0][2] == 7


def test_auth_is_offered_over_implicit_tls(store: FakeStore, tmp_path: Path) -> None:
    host = outside_address()
    cert, key = certificate(tmp_path, host)
    options = SmtpOptions(host, port_on(host), 100_000, 60, cert, key, implicit_tls=True)
    context = ssl._create_unverified_context()
    with Running(options, store), smtplib.SMTP_SSL(host, options.port, context=context) as conn:
        assert "LOGIN" in auth_words(conn) and not conn.has_extn("starttls")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            conn.login(SECRET_LOGIN, "wrong")
        conn.login(SECRET_LOGIN, SECRET)
        assert send_raw(conn, "relay@mailer.example", message())[0] == 250
    assert store.messages[0][2] == 7


def test_on_loopback_auth_is_offered_without_tls(loopback: Running) -> None:
    with smtplib.SMTP("127.0.0.1", loopback.options.port, timeout=20) as conn:
        assert "PLAIN" in auth_words(conn)
        conn.login(SECRET_LOGIN, SECRET)


def test_requiring_auth_off_loopback_without_tls_is_refused_at_start(store: FakeStore) -> None:
    with pytest.raises(ValueError, match="LIFELINE_SMTP_TLS_CERT"):
        SmtpIntakeServer(
            SmtpOptions("0.0.0.0", 2525, require_auth=True), store.receive, check_login
        )


# -- logs -------------------------------------------------------------------------------


def test_logs_name_no_sender_address_nor_login(
    store: FakeStore, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    options = SmtpOptions("127.0.0.1", port_on("127.0.0.1"), 100_000, 1)
    with Running(options, store), smtplib.SMTP("127.0.0.1", options.port, timeout=20) as conn:
        assert send_raw(conn, PERSON, message())[0] == 250  # received
        assert send_raw(conn, PERSON, message())[0] == 451  # deferred
        with pytest.raises(smtplib.SMTPAuthenticationError):
            conn.login(PERSON, "guess")
    store.fail = True
    with Running(options, store), smtplib.SMTP("127.0.0.1", options.port, timeout=20) as conn:
        assert send_raw(conn, PERSON, message())[0] == 451  # could not store
    out = capsys.readouterr()
    logged = out.out + out.err + caplog.text
    assert "smtp.received" in logged and "smtp.deferred" in logged
    assert "smtp.auth_failed" in logged and "smtp.store_failed" in logged
    assert PERSON not in logged and "ravi.kumar" not in logged
    assert "gmail.example" in logged  # the domain is all that is said
