"""Ports of dispatch: the dispatch repository (escalations, notifications, SMC alarms), the
signed acknowledgement links, the channels notifications leave by, phone numbers and the SMS
acknowledgement throttle.

A contact in the registry lists its channels as apprise URLs (``json://``, ``mailto://``,
``tgram://``, SMS gateways...) or ``up112://`` / ``up112s://`` for a UP-112/ERSS-style incident
endpoint. The dispatch service hands one `OutgoingMessage` and one channel URL at a time to the
`NotificationChannels` adapter and records the `DeliveryResult` on the notification; trying the
next channel, retrying with backoff and raising the SMC alarm are the service's decisions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from lifeline.domain.dispatch import Alarm, AlarmKind, Dispatch, Notification

# -- the dispatch repository ------------------------------------------------------------------


class DispatchRepository(Protocol):
    def add(self, dispatch: Dispatch) -> Dispatch: ...
    def add_all(self, dispatches: list[Dispatch]) -> list[Dispatch]:
        """`add` each, in order (one statement for them all)."""
        ...

    def get(self, dispatch_id: int, *, for_update: bool = False) -> Dispatch: ...
    def save(self, dispatch: Dispatch) -> None: ...
    def for_case(self, case_id: int, *, for_update: bool = False) -> list[Dispatch]: ...
    def unit_states(self, case_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        """Per case, (unit name, state shown) of each dispatch, oldest first: many cases in one
        read (the live queue's "notified" column), never one query per case. The state shown
        is `domain.dispatch.shown_state` (`nobody_reached` for a unit nobody of which was told)."""
        ...

    def add_notification(self, notification: Notification) -> Notification:
        """Store it; its id and acknowledgement code are set."""
        ...

    def add_notifications(self, notifications: list[Notification]) -> list[Notification]:
        """`add_notification` each, in order (one statement for them all)."""
        ...

    def notification(self, notification_id: int, *, for_update: bool = False) -> Notification: ...
    def notifications(
        self, notification_ids: Collection[int], *, for_update: bool = False
    ) -> list[Notification]:
        """The notifications with these ids that exist, with their briefs, in id order."""
        ...

    def save_notification(self, notification: Notification) -> None: ...
    def save_notifications(self, changed: Collection[Notification]) -> None:
        """Save several notifications at once."""
        ...

    def notifications_for_case(self, case_id: int) -> list[Notification]: ...
    def delivered_before(self, case_id: int, notification_id: int) -> bool:
        """Whether a message to a unit (not an SMC alarm) of this case other than
        `notification_id` was delivered already."""
        ...

    def notification_by_code(self, code: str) -> Notification | None:
        """The notification an acknowledgement code names (None if no such code)."""
        ...

    def raise_alarm(
        self,
        case_id: int,
        dispatch_id: int | None,
        reason: str,
        at: datetime,
        *,
        kind: AlarmKind = AlarmKind.OTHER,
        details: dict[str, Any] | None = None,
    ) -> int | None:
        """A new alarm's id, or None if one of this kind for this case and dispatch is
        already open."""
        ...

    def open_alarms(self, case_ids: set[int] | None = None) -> list[Alarm]:
        """Open (not cleared) alarms, acknowledged or not, oldest first."""
        ...

    def alarmed_case_ids(self) -> set[int]:
        """The cases with an open (not cleared) alarm, acknowledged or not."""
        ...

    def ever_alarmed(self, case_id: int, kind: AlarmKind) -> bool:
        """Whether the case ever had an alarm of this kind, open or cleared."""
        ...

    def acknowledge_alarms(self, case_id: int, at: datetime, by: str) -> list[int]:
        """Mark the case's open alarms not yet acknowledged as acknowledged; their ids."""
        ...

    def clear_alarms(
        self, case_id: int, at: datetime, by: str, *, kind: AlarmKind | None = None
    ) -> int:
        """Close the case's open alarms (of one kind, if given); how many."""
        ...


# -- acknowledgement links ----------------------------------------------------------------------


class AckTokens(Protocol):
    """Signs acknowledgement links (the token names a notification)."""

    def issue(self, notification_id: int) -> str: ...
    def read(self, token: str, max_age_seconds: int) -> int:
        """The notification id; raises AckTokenError."""
        ...


# -- notification channels ----------------------------------------------------------------------


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


# -- the demo inbox ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoMessage:
    """A message the demo inbox kept: what the unit's officer would have received."""

    id: int
    received_at: datetime
    #: who it was for, from the channel URL (``demo://inbox/<unit id>``)
    recipient: str
    case_id: int
    title: str
    body: str
    ack_url: str | None


class DemoInbox(Protocol):
    """Where ``demo://`` channels deliver in demo mode (LIFELINE_DEMO), so a newcomer can see
    a message arrive and acknowledge it; absent in every other deployment."""

    def messages(self, limit: int = 100) -> list[DemoMessage]:
        """The latest messages, newest first."""
        ...


# -- SMS acknowledgement --------------------------------------------------------------------


class PhoneNumbers(Protocol):
    """Phone numbers as E.164 text."""

    def normalise(self, raw: str) -> str | None:
        """The number in E.164 ("+919811111111"), or None if it is not a phone number."""
        ...

    def of_channel(self, url: str) -> tuple[str, ...]:
        """The numbers a channel URL sends to (an SMS gateway's targets), in E.164."""
        ...


class SmsAckFailures(Protocol):
    """Refused SMS acknowledgements (the throttle's memory, shared by every process)."""

    def sender_hash(self, number: str) -> str:
        """A keyed hash of a number: what the throttle and the audit log keep instead."""
        ...

    def since(
        self, at: datetime, *, sender_hash: str | None = None, contacts_only: bool = False
    ) -> list[datetime]:
        """When each refusal after `at` happened, oldest first: of one sender, or (with
        `contacts_only`) of numbers that belong to a registry contact."""
        ...

    def record(self, sender_hash: str, contact: bool, at: datetime) -> None: ...
    def forget_before(self, at: datetime) -> int: ...
