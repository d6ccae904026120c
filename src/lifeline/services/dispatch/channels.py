"""The port through which notifications leave Lifeline, and what passes through it.

A contact in the registry lists its channels as apprise URLs (``json://``, ``mailto://``,
``tgram://``, SMS gateways...) or ``up112://`` / ``up112s://`` for a UP-112/ERSS-style incident
endpoint. The dispatch service hands one `OutgoingMessage` and one channel URL at a time to the
`NotificationChannels` adapter and records the `DeliveryResult` on the notification; trying the
next channel, retrying with backoff and raising the SMC alarm are the service's decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """One notification's content. `title` and `body` are bilingual plain text (short enough
    for SMS when `short` is used); `incident` is the structured form for machine endpoints
    (UP-112/ERSS, JSON webhooks). `notification_id` is unique per message: receivers dedupe
    on it if a message is delivered twice (a worker killed between send and commit)."""

    notification_id: int
    case_id: int
    title: str
    body: str
    short: str
    ack_url: str | None = None
    ack_code: str | None = None
    incident: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryResult:
    """What one attempt on one channel gave. `detail` never contains secrets (tokens,
    passwords in URLs). `retryable` is False when retrying the same channel cannot help
    (bad URL, unsupported scheme, refused as invalid by the receiver, circuit open)."""

    delivered: bool
    detail: str = ""
    retryable: bool = True


class NotificationChannels(Protocol):
    """Sends a message over one channel URL. Implementations never raise for delivery
    failures: they return `DeliveryResult(delivered=False, ...)` with a reason."""

    def send(self, url: str, message: OutgoingMessage, *, timeout: float) -> DeliveryResult: ...

    def describe(self, url: str) -> str:
        """The URL with secrets removed (scheme and host only), safe for logs and timelines."""
        ...

    def check(self, url: str) -> str | None:
        """Why the URL cannot be used (unknown scheme, malformed), or None if it looks usable."""
        ...
