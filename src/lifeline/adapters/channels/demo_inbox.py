"""The demo inbox: a ``demo://inbox/<unit id>`` channel that keeps each message in the serving
process's memory, shown at /console/demo-inbox, so a newcomer running `make run` sees what a
station house officer would receive and can acknowledge from its link.

It exists only in demo mode (LIFELINE_DEMO=true, refused with LIFELINE_ENV=production). In
any other deployment a ``demo://`` URL is refused like an unknown scheme: a registry import
rejects it, and a notification over it fails at once (so the SMC is alarmed; nothing is
quietly swallowed). Hand-written: apprise has no in-process inbox, and this one is a bounded
list behind a lock. Memory, not the database: messages carry personal data that a demo has
no reason to keep, and the embedded worker of `lifeline serve` (the default) sends from the
process that serves the page.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from lifeline.services.dispatch.ports import (
    DeliveryResult,
    DemoMessage,
    NotificationChannels,
    OutgoingMessage,
)

SCHEME = "demo"
SERVICE = "demo inbox"
OFF = "demo inbox (demo://) is available in demo mode only (LIFELINE_DEMO=true)"


def is_demo_url(url: str) -> bool:
    return isinstance(url, str) and url.strip().lower().startswith(f"{SCHEME}://")


def recipient_of(url: str) -> str:
    """``demo://inbox/up-lko-ps-madeyganj`` -> ``up-lko-ps-madeyganj``."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path).strip("/")
    return path[:120] or "inbox"


class MemoryDemoInbox:
    """The last `capacity` messages delivered to ``demo://`` channels, newest first."""

    def __init__(
        self, capacity: int = 500, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._lock = threading.Lock()
        self._kept: deque[DemoMessage] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._now = now

    def deliver(self, url: str, message: OutgoingMessage) -> None:
        with self._lock:
            self._kept.appendleft(
                DemoMessage(
                    id=next(self._ids),
                    received_at=self._now(),
                    recipient=recipient_of(url),
                    case_id=message.case_id,
                    title=message.title,
                    body=message.body,
                    ack_url=message.ack_url,
                )
            )

    def messages(self, limit: int = 100) -> list[DemoMessage]:
        with self._lock:
            return list(itertools.islice(self._kept, max(0, limit)))


class DemoInboxChannels:
    """`NotificationChannels` that hands ``demo://`` URLs to the demo inbox (when there is
    one) and every other URL to `inner`."""

    def __init__(self, inner: NotificationChannels, inbox: MemoryDemoInbox | None) -> None:
        self.inner = inner
        self.inbox = inbox

    def send(self, url: str, message: OutgoingMessage, *, timeout: float) -> DeliveryResult:
        if not is_demo_url(url):
            return self.inner.send(url, message, timeout=timeout)
        if self.inbox is None:
            return DeliveryResult(False, OFF, retryable=False)
        self.inbox.deliver(url, message)
        return DeliveryResult(True, f"{SERVICE}: delivered")

    def describe(self, url: str) -> str:
        return f"{SCHEME}://inbox" if is_demo_url(url) else self.inner.describe(url)

    def check(self, url: str) -> str | None:
        if not is_demo_url(url):
            return self.inner.check(url)
        return None if self.inbox is not None else OFF

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()
