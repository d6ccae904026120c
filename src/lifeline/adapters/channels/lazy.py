"""The notification channels, built on first use.

`AppriseNotificationChannels` imports apprise and httpx (about half a second) and builds an
apprise asset and a pooled HTTP client; a command that never notifies anyone (`lifeline cases
list`) should not pay for that. The first `send`, `describe` or `check` builds it, once per
application, so its circuit breakers stay per application as before.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from lifeline.services.dispatch.ports import DeliveryResult, OutgoingMessage

if TYPE_CHECKING:
    from lifeline.adapters.channels.notifiers import AppriseNotificationChannels


class LazyNotificationChannels:
    """A `NotificationChannels` that builds `AppriseNotificationChannels(**options)` when first
    asked anything."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._lock = threading.Lock()
        self._built: AppriseNotificationChannels | None = None

    @property
    def channels(self) -> AppriseNotificationChannels:
        # heavy (apprise, httpx): imported when a channel is first used, not at start-up
        from lifeline.adapters.channels.notifiers import (  # noqa: PLC0415
            AppriseNotificationChannels,
        )

        with self._lock:
            if self._built is None:
                self._built = AppriseNotificationChannels(**self._options)
            return self._built

    def warm(self) -> None:
        """Build the channels and load apprise's plugins now (a server or worker starting),
        so the first message of the first case does not wait for them."""
        self.channels.check("json://127.0.0.1/")

    def send(self, url: str, message: OutgoingMessage, *, timeout: float) -> DeliveryResult:
        return self.channels.send(url, message, timeout=timeout)

    def describe(self, url: str) -> str:
        return self.channels.describe(url)

    def check(self, url: str) -> str | None:
        return self.channels.check(url)

    def close(self) -> None:
        """Close the pooled HTTP client, if the channels were ever built."""
        with self._lock:
            built = self._built
        if built is not None:
            built.close()
