"""json:// webhooks go over Lifeline's pooled HTTP client (adapters/channels/json_webhook.py)
instead of apprise: the receiver must get the same request either way. Each URL is sent once
through `AppriseNotificationChannels` (the pooled client) and once through `AppriseSender`
(apprise and requests, as before) to a real HTTP server on 127.0.0.1, which compares method,
path and query, headers and body byte for byte."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lifeline.adapters.channels.apprise_sender import AppriseSender, instantiate, make_asset
from lifeline.adapters.channels.json_webhook import json_target
from lifeline.adapters.channels.notifiers import AppriseNotificationChannels
from lifeline.services.dispatch.ports import OutgoingMessage

HINDI = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
MESSAGE = OutgoingMessage(
    notification_id=31,
    case_id=907,
    title="Lifeline case 907: person at risk, please reach them / व्यक्ति खतरे में",
    body=f"Risk / जोखिम: imminent. Place / स्थान: Madeyganj\nPost / पोस्ट: “{HINDI}”\n",
    short="Lifeline case 907: imminent risk, Madeyganj. Reply ACK 3100 0000 0042",
    ack_url="http://127.0.0.1:8000/ack/Zm9v",
    ack_code="310000000042",
    incident={"type": "suicide_risk", "case_id": 907, "person": {"phone": "+919800000001"}},
)
#: what differs between HTTP client libraries and says nothing about the message
CLIENT_HEADERS = {"accept", "accept-encoding", "connection"}


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict[str, Any]] = []
        self.connections: set[int] = set()
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class Handler(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"  # keeps connections open, as real receivers do

    def _record(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.server.lock:
            self.server.connections.add(self.client_address[1])
            self.server.requests.append(
                {"method": self.command, "path": self.path, "headers": headers, "body": body}
            )
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_POST = do_PUT = do_PATCH = _record

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def channels() -> Iterator[AppriseNotificationChannels]:
    adapter = AppriseNotificationChannels()
    yield adapter
    adapter.close()


def comparable(request: dict[str, Any]) -> dict[str, Any]:
    headers = {k: v for k, v in request["headers"].items() if k not in CLIENT_HEADERS}
    return {**request, "headers": headers}


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:{port}/hooks/smc",
        "json://lifeline:s3cr3t@127.0.0.1:{port}/hooks/smc?+X-Token=abc&-tenant=up",
        "json://127.0.0.1:{port}/in?:source=lifeline&:type=&:title=subject&:ack_code=hidden",
        "json://127.0.0.1:{port}/in?method=PUT&+Idempotency-Key=mine&redirect=no",
    ],
)
def test_the_pooled_client_sends_what_apprise_sends(
    url: str, recorder: Recorder, channels: AppriseNotificationChannels
) -> None:
    url = url.format(port=recorder.port)
    assert json_target(url, instantiate(url, make_asset())) is not None, "not the pooled path"
    for message in (MESSAGE, replace(MESSAGE, body="x" * 40000)):  # the short text past the limit
        recorder.requests.clear()
        assert channels.send(url, message, timeout=2.0).delivered
        assert AppriseSender().send(url, message, timeout=2.0).delivered
        ours, apprises = (comparable(r) for r in recorder.requests)
        assert ours == apprises


def test_messages_to_one_endpoint_share_a_connection(
    recorder: Recorder, channels: AppriseNotificationChannels
) -> None:
    url = f"json://127.0.0.1:{recorder.port}/hook"
    for n in range(5):
        assert channels.send(url, replace(MESSAGE, notification_id=n), timeout=2.0).delivered
    assert len(recorder.requests) == 5 and len(recorder.connections) == 1


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:9/x?format=markdown",  # an option only apprise knows what to do with
        "json://127.0.0.1:9/x?overflow=split",
        "json://user@127.0.0.1:9/x",  # a user without a password
        "form://127.0.0.1:9/x",  # not JSON
    ],
)
def test_urls_with_options_the_pooled_client_does_not_know_stay_with_apprise(url: str) -> None:
    assert json_target(url, instantiate(url, make_asset())) is None


def test_a_refused_connection_and_a_server_error_read_as_before(
    recorder: Recorder, channels: AppriseNotificationChannels
) -> None:
    closed = recorder.port
    recorder.shutdown()
    recorder.server_close()
    url = f"json://127.0.0.1:{closed}/hook"
    ours = channels.send(url, MESSAGE, timeout=1.0)
    apprises = AppriseSender().send(url, MESSAGE, timeout=1.0)
    assert (ours.delivered, ours.retryable) == (apprises.delivered, apprises.retryable)
    assert ours.detail == apprises.detail == "JSON: connection refused"
