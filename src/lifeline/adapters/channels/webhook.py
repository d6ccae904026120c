"""Delivering case events to HTTP webhooks, signed like partner requests so receivers can check
them, with the job id as X-Lifeline-Event-Id for deduplication of redeliveries.

httpx is imported, and the pooled client made, at the first delivery: every application builds a
sink, and most commands deliver nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


class WebhookDeliveryError(Exception):
    """The receiver did not accept the event (network error or non-2xx)."""


class HttpxWebhookSink:
    def __init__(self, secret: str | None = None, timeout: float = 5.0) -> None:
        self.secret = secret
        self.timeout = timeout
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        import httpx  # noqa: PLC0415 (heavy: imported at the first delivery, see above)

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout)
            return self._client

    def deliver(self, url: str, event_id: str, event: dict[str, Any]) -> None:
        import httpx  # noqa: PLC0415 (heavy: imported at the first delivery, see above)

        body = json.dumps(event, ensure_ascii=False, sort_keys=True).encode()
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Lifeline-Event-Id": event_id,
            "X-Lifeline-Timestamp": ts,
        }
        if self.secret:
            headers["X-Lifeline-Signature"] = hmac.new(
                self.secret.encode(), ts.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise WebhookDeliveryError(f"POST {url} failed: {exc!r}") from exc
        if response.status_code >= 300:
            raise WebhookDeliveryError(f"POST {url} answered {response.status_code}")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
