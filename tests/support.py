"""Shared test helpers: a settable clock, a recording event sink, signing, a free port, an app
under a real uvicorn server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn

from lifeline.services.access.accounts import sign


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 28, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


@dataclass
class RecordingSink:
    """An EventSink that remembers deliveries; can be told to fail."""

    delivered: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    fail_with: Exception | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, url: str, event_id: str, event: dict[str, Any]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        with self.lock:
            self.delivered.append((url, event_id, event))


def signed_headers(
    key_id: str,
    secret: str,
    body: bytes,
    *,
    timestamp: int | None = None,
    idempotency_key: str | None = None,
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": "application/json",
        "X-Lifeline-Key": key_id,
        "X-Lifeline-Timestamp": ts,
        "X-Lifeline-Signature": sign(secret, ts, body),
    }
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return headers


def alert_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "platform": "facebook",
        "reference": "FB-77812093",
        "received_via": "platform_api",
        "subject": {
            "name": "Ravi Kumar",
            "handle": "ravi.k.1999",
            "profile_url": "https://facebook.com/ravi.k.1999",
            "phone": "+919812345678",
        },
        "post": {
            "text": "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",
            "url": "https://facebook.com/ravi.k.1999/posts/1",
            "posted_at": "2022-09-06T21:41:09Z",
            "kind": "text",
        },
        "location": {
            "text": "Madeyganj, Lucknow",
            "lat": 26.88,
            "lon": 80.91,
            "pin": "226020",
            "ip_city": "Lucknow",
        },
    }
    body.update(overrides)
    return body


def dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def uvicorn_serving(app: Any, **options: Any) -> Iterator[str]:
    """The ASGI app under a real uvicorn server on a free 127.0.0.1 port, run in a thread until
    the block ends; yields its base URL. options go to uvicorn.Config (log_config, access_log,
    lifespan, proxy options ...)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
