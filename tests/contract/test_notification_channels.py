"""One contract for every notification channel kind: a JSON webhook (apprise ``json://``), a
UP-112/ERSS incident endpoint (``up112://``), e-mail (apprise ``mailto://``) and an SMS gateway
(apprise ``smseagle://``, an on-premises SMS gateway's JSON-RPC API), each sent through
`AppriseNotificationChannels` to a real server on 127.0.0.1: an HTTP server standing in for the
webhook receiver, UP-112 and the SMS gateway, an aiosmtpd SMTP sink for e-mail.

Every kind: delivers the case id, the bilingual text (Devanagari byte-exact) and the
acknowledgement link or code; reports a 500 (SMTP 451), a timeout and a refused connection as
retryable failures that say what happened, and a permanent refusal as not retryable; opens its
provider's circuit after repeated faults without contacting the server again, and closes it
after the cool-off; never shows the URL's secret; and `check` tells good URLs from bad ones.
"""

from __future__ import annotations

import asyncio
import email.policy
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from lifeline.adapters.channels.notifiers import AppriseNotificationChannels
from lifeline.services.dispatch.ports import DeliveryResult, OutgoingMessage
from support import free_port

HINDI = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
SECRET = "s3cr3t-Tok3n-9f8e7d"
TIMEOUT = 0.4
SLOW = 1.0
ACK_URL = "http://127.0.0.1:8000/ack/Zm9vYmFy"
MESSAGE = OutgoingMessage(
    notification_id=17,
    case_id=4242,
    title="Lifeline case 4242 / केस 4242: urgent welfare check",
    body=(
        "Person may be at risk of suicide; please reach them with care.\n"
        f"व्यक्ति को मदद की ज़रूरत है। पोस्ट: {HINDI}\n"
        "Where: Madeyganj, Lucknow (226020). Call SMC: 0522-2390000.\n"
        f"Acknowledge / स्वीकार करें: {ACK_URL} (code 7351)"
    ),
    short=f"Lifeline 4242: {HINDI} - Madeyganj, Lucknow. ACK 7351 / {ACK_URL}",
    ack_url=ACK_URL,
    ack_code="7351",
    incident={
        "type": "suicide_risk",
        "risk_level": "imminent",
        "location": {"text": "Madeyganj, Lucknow", "lat": 26.88, "lon": 80.91, "pin": "226020"},
        "post_text": HINDI,
    },
)


# -- stand-in endpoints -------------------------------------------------------------------


@dataclass
class Endpoint:
    """What a stand-in receiver does (`mode`) and what it has received."""

    mode: str = "ok"  # ok | fail | refuse | slow
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.received.append(item)

    def count(self) -> int:
        with self.lock:
            return len(self.received)


class StubHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, ok_status: int, ok_body: dict[str, Any]) -> None:
        super().__init__(("127.0.0.1", 0), StubHandler)
        self.endpoint = Endpoint()
        self.ok_status = ok_status
        self.ok_body = ok_body

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class StubHandler(BaseHTTPRequestHandler):
    server: StubHttpServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        endpoint = self.server.endpoint
        endpoint.record({"path": self.path, "headers": dict(self.headers), "body": body})
        if endpoint.mode == "slow":
            time.sleep(SLOW)
        status, answer = {
            "fail": (500, {"error": "gateway down"}),
            "refuse": (404, {"error": "no such route"}),
        }.get(endpoint.mode, (self.server.ok_status, self.server.ok_body))
        data = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout test)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_http_server(ok_status: int, ok_body: dict[str, Any]) -> StubHttpServer:
    server = StubHttpServer(ok_status, ok_body)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def http_server() -> Iterator[Callable[[int, dict[str, Any]], StubHttpServer]]:
    """Starts extra HTTP stand-ins for one test."""
    started: list[StubHttpServer] = []

    def start(ok_status: int, ok_body: dict[str, Any]) -> StubHttpServer:
        started.append(start_http_server(ok_status, ok_body))
        return started[-1]

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


class SmtpSinkHandler:
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.endpoint.record({"rcpt": envelope.rcpt_tos, "content": envelope.original_content})
        if self.endpoint.mode == "slow":
            await asyncio.sleep(SLOW)
        if self.endpoint.mode == "fail":
            return "451 4.3.0 Mail server temporarily unavailable"
        if self.endpoint.mode == "refuse":
            return "554 5.7.1 Message rejected"
        return "250 OK"


def authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == SECRET.encode()
    return AuthResult(success=ok)


def start_smtp_sink() -> tuple[Controller, int, Endpoint]:
    endpoint = Endpoint()
    port = free_port()
    controller = Controller(
        SmtpSinkHandler(endpoint),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    return controller, port, endpoint


# -- channel kinds ------------------------------------------------------------------------


@dataclass
class Kind:
    name: str
    port: int
    endpoint: Endpoint
    make_url: Callable[[int], str]
    read: Callable[[dict[str, Any]], str]  # everything the recipient can see, as text
    failure_status: str  # how the receiver's "500" is named in the detail
    malformed: str  # this scheme, unusable

    def url(self, port: int | None = None) -> str:
        return self.make_url(self.port if port is None else port)

    def last_text(self) -> str:
        with self.endpoint.lock:
            return self.read(self.endpoint.received[-1])


def _json_text(item: dict[str, Any]) -> str:
    return json.dumps(json.loads(item["body"]), ensure_ascii=False)


def _sms_text(item: dict[str, Any]) -> str:
    return str(json.loads(item["body"])["params"]["message"])


def _email_text(item: dict[str, Any]) -> str:
    parsed = BytesParser(policy=email.policy.default).parsebytes(item["content"])
    body = parsed.get_body(("plain",))
    assert body is not None
    # SMTP carries CRLF line ends; the text is the same
    return f"{parsed['Subject']}\n{body.get_content()}".replace("\r\n", "\n")


@pytest.fixture(scope="module")
def kinds() -> Iterator[dict[str, Kind]]:
    """One real stand-in server per channel kind, shared by the module's tests."""
    webhook = start_http_server(200, {"ok": True})
    up112 = start_http_server(201, {"incident_id": "UP112-2026-000123"})
    gateway = start_http_server(200, {"result": {"message_id": 4753, "status": "ok"}})
    controller, smtp_port, mailbox = start_smtp_sink()
    yield {
        "json": Kind(
            "json",
            webhook.port,
            webhook.endpoint,
            lambda p: f"json://lifeline:{SECRET}@127.0.0.1:{p}/hooks/smc",
            _json_text,
            "500",
            "json://",
        ),
        "up112": Kind(
            "up112",
            up112.port,
            up112.endpoint,
            lambda p: f"up112://127.0.0.1:{p}/erss/v1/incidents?token={SECRET}",
            _json_text,
            "500",
            "up112://:tok@/x",
        ),
        "email": Kind(
            "email",
            smtp_port,
            mailbox,
            lambda p: (
                f"mailto://smc:{SECRET}@127.0.0.1:{p}"
                "?from=smc@lifeline.local&to=thana.madeyganj@up.police&mode=insecure"
            ),
            _email_text,
            "451",
            "mailto://",
        ),
        "sms": Kind(
            "sms",
            gateway.port,
            gateway.endpoint,
            lambda p: f"smseagle://{SECRET}@127.0.0.1:{p}/+919812345678",
            _sms_text,
            "500",
            "smseagle://",
        ),
    }
    for server in (webhook, up112, gateway):
        server.shutdown()
        server.server_close()
    controller.stop()


@pytest.fixture(params=["json", "up112", "email", "sms"])
def kind(request: pytest.FixtureRequest, kinds: dict[str, Kind]) -> Kind:
    chosen = kinds[request.param]
    chosen.endpoint.mode = "ok"
    return chosen


@pytest.fixture
def channels() -> Iterator[AppriseNotificationChannels]:
    adapter = AppriseNotificationChannels(failure_threshold=2, reset_after=0.5)
    yield adapter
    adapter.close()


def timed_send(
    channels: AppriseNotificationChannels, url: str, timeout: float = TIMEOUT
) -> tuple[DeliveryResult, float]:
    start = time.monotonic()
    result = channels.send(url, MESSAGE, timeout=timeout)
    return result, time.monotonic() - start


# -- the contract -------------------------------------------------------------------------


def test_delivers_case_id_bilingual_text_and_acknowledgement(
    kind: Kind, channels: AppriseNotificationChannels
) -> None:
    before = kind.endpoint.count()
    result, _ = timed_send(channels, kind.url(), timeout=2.0)
    assert result.delivered, result.detail
    assert kind.endpoint.count() == before + 1
    text = kind.last_text()
    assert "4242" in text
    assert HINDI in text  # byte-exact: same code points, no normalisation or mangling
    assert ACK_URL in text or "7351" in text


def test_server_error_is_a_retryable_failure_naming_the_status(
    kind: Kind, channels: AppriseNotificationChannels
) -> None:
    kind.endpoint.mode = "fail"
    result, _ = timed_send(channels, kind.url())
    assert not result.delivered
    assert result.retryable
    assert kind.failure_status in result.detail


def test_permanent_refusal_is_not_retryable_and_does_not_open_the_circuit(
    kind: Kind, channels: AppriseNotificationChannels
) -> None:
    kind.endpoint.mode = "refuse"
    for _ in range(3):  # more than failure_threshold
        result, _ = timed_send(channels, kind.url())
        assert not result.delivered
        assert not result.retryable
        assert "circuit" not in result.detail


def test_slow_endpoint_times_out_within_about_the_timeout(
    kind: Kind, channels: AppriseNotificationChannels
) -> None:
    kind.endpoint.mode = "slow"
    result, elapsed = timed_send(channels, kind.url())
    assert not result.delivered
    assert result.retryable
    assert "timeout" in result.detail.lower()
    assert elapsed < TIMEOUT + 0.6, elapsed


def test_refused_connection_is_a_retryable_failure(
    kind: Kind, channels: AppriseNotificationChannels
) -> None:
    result, elapsed = timed_send(channels, kind.url(port=free_port()))
    assert not result.delivered
    assert result.retryable
    assert "connection refused" in result.detail.lower()
    assert elapsed < TIMEOUT + 0.6


def test_circuit_opens_after_repeated_faults_and_closes_after_the_cool_off(
    kind: Kind, channels: AppriseNotificationChannels
) -> None:
    kind.endpoint.mode = "fail"
    for _ in range(2):
        assert timed_send(channels, kind.url())[0].retryable
    seen = kind.endpoint.count()

    result, elapsed = timed_send(channels, kind.url())
    assert not result.delivered
    assert not result.retryable
    assert result.detail.startswith(f"circuit open for {channels.describe(kind.url())} until ")
    assert elapsed < 0.2  # no network round trip, no timeout waited
    assert kind.endpoint.count() == seen  # short-circuited: the server saw nothing

    kind.endpoint.mode = "ok"
    time.sleep(0.55)
    assert timed_send(channels, kind.url(), timeout=2.0)[0].delivered  # the half-open trial
    assert timed_send(channels, kind.url(), timeout=2.0)[0].delivered  # closed again
    assert kind.endpoint.count() == seen + 2


def test_secret_never_in_detail_description_or_logs(
    kind: Kind, channels: AppriseNotificationChannels, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    details = []
    with structlog.testing.capture_logs() as events:
        for mode in ("ok", "fail", "refuse", "slow"):
            kind.endpoint.mode = mode
            details.append(channels.send(kind.url(), MESSAGE, timeout=TIMEOUT).detail)
        details.append(channels.send(kind.url(port=free_port()), MESSAGE, timeout=TIMEOUT).detail)
        details.append(channels.check(kind.url().replace("127.0.0.1", "")) or "")
    description = channels.describe(kind.url())
    assert description.endswith(f"://127.0.0.1:{kind.port}")
    for text in [*details, description, caplog.text, repr(events)]:
        assert SECRET not in text


def test_check_accepts_the_kind_and_rejects_garbage(
    kind: Kind, channels: AppriseNotificationChannels
) -> None:
    assert channels.check(kind.url()) is None
    for bad in ("", "   ", "garbage", "127.0.0.1:8099", "nosuchscheme://host/x", kind.malformed):
        problem = channels.check(bad)
        assert problem, bad
        assert not channels.send(bad, MESSAGE, timeout=TIMEOUT).delivered
    assert "nosuchscheme" in (channels.check("nosuchscheme://host/x") or "")
    assert not channels.send("nosuchscheme://h/x", MESSAGE, timeout=TIMEOUT).retryable


# -- what each kind adds ------------------------------------------------------------------


def test_up112_posts_the_incident_with_idempotency_key_and_bearer_token(
    http_server: Callable[[int, dict[str, Any]], StubHttpServer],
    channels: AppriseNotificationChannels,
) -> None:
    server = http_server(201, {"incident_id": "UP112-2026-000123"})
    result = channels.send(
        f"up112://{SECRET}@127.0.0.1:{server.port}/erss/v1/incidents?priority=1",
        MESSAGE,
        timeout=2.0,
    )
    assert result.delivered
    assert "UP112-2026-000123" in result.detail
    request = server.endpoint.received[-1]
    assert request["path"] == "/erss/v1/incidents?priority=1"
    assert request["headers"]["Idempotency-Key"] == "lifeline-notification-17"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET}"
    payload = json.loads(request["body"])
    assert payload["notification_id"] == 17 and payload["case_id"] == 4242
    assert payload["ack_url"] == ACK_URL and payload["ack_code"] == "7351"
    assert payload["location"]["pin"] == "226020" and payload["risk_level"] == "imminent"

    server.endpoint.mode = "refuse"
    refused = channels.send(f"up112://127.0.0.1:{server.port}/x", MESSAGE, timeout=2.0)
    assert not refused.retryable and "404" in refused.detail


def test_json_webhook_carries_the_structured_incident(
    http_server: Callable[[int, dict[str, Any]], StubHttpServer],
    channels: AppriseNotificationChannels,
) -> None:
    server = http_server(200, {})
    url = f"json://127.0.0.1:{server.port}/hook?:source=lifeline"
    assert channels.send(url, MESSAGE, timeout=2.0).delivered
    request = server.endpoint.received[-1]
    payload = json.loads(request["body"])
    assert request["headers"]["Idempotency-Key"] == "lifeline-notification-17"
    assert payload["title"] == MESSAGE.title and payload["message"] == MESSAGE.body
    assert payload["case_id"] == 4242 and payload["notification_id"] == 17
    assert payload["ack_url"] == ACK_URL and payload["ack_code"] == "7351"
    assert payload["incident"] == MESSAGE.incident
    assert payload["source"] == "lifeline"  # the URL's own payload fields still apply


def test_sms_gets_the_short_text_and_email_gets_title_and_body(
    kinds: dict[str, Kind], channels: AppriseNotificationChannels
) -> None:
    sms, mail = kinds["sms"], kinds["email"]
    sms.endpoint.mode = mail.endpoint.mode = "ok"
    assert channels.send(sms.url(), MESSAGE, timeout=2.0).delivered
    assert sms.last_text() == MESSAGE.short
    assert channels.send(mail.url(), MESSAGE, timeout=2.0).delivered
    text = mail.last_text()
    assert text.startswith(MESSAGE.title + "\n") and MESSAGE.body in text
    with mail.endpoint.lock:
        raw = mail.endpoint.received[-1]["content"]
    assert b"X-Lifeline-Notification: lifeline-notification-17" in raw
