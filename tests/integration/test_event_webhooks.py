"""Event webhooks as a receiver sees them: a real HTTP server on 127.0.0.1 gets each event
signed like a partner request (HMAC-SHA256 over "{timestamp}.{raw body}" with
LIFELINE_EVENT_WEBHOOK_SECRET), so it can refuse forged ones, and with the event id for
deduplication."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lifeline.adapters.channels.webhook import HttpxWebhookSink, WebhookDeliveryError
from lifeline.services.access.accounts import sign


class Received(ThreadingHTTPServer):
    requests: list[tuple[dict[str, str], bytes]]
    answer: int = 204


class Handler(BaseHTTPRequestHandler):
    server: Received

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(self.server.answer)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Received]:
    server = Received(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url(server: Received) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/events"


EVENT = {"event": "case_opened", "case_id": 7, "at": "2026-12-06T05:00:00+00:00"}


def test_an_event_is_signed_so_the_receiver_can_check_it(receiver: Received) -> None:
    sink = HttpxWebhookSink(secret="s3cret")
    try:
        sink.deliver(url(receiver), "job-41", EVENT)
    finally:
        sink.close()
    ((headers, body),) = receiver.requests
    assert headers["x-lifeline-event-id"] == "job-41"
    assert json.loads(body) == EVENT
    expected = sign("s3cret", headers["x-lifeline-timestamp"], body)
    assert headers["x-lifeline-signature"] == expected
    # a receiver holding another secret, or checking another body, refuses it
    assert sign("other", headers["x-lifeline-timestamp"], body) != expected
    assert sign("s3cret", headers["x-lifeline-timestamp"], body + b" ") != expected


def test_a_receiver_that_refuses_the_event_makes_the_delivery_fail_for_a_retry(
    receiver: Received,
) -> None:
    receiver.answer = 401
    sink = HttpxWebhookSink(secret="s3cret")
    try:
        with pytest.raises(WebhookDeliveryError, match="answered 401"):
            sink.deliver(url(receiver), "job-42", EVENT)
    finally:
        sink.close()
