"""Dispatch: routing rules, escalation policies, and the per-unit escalation that runs on a case.

A case is dispatched to one or more units (police station, district cell, UP-112, STF...). Each
unit gets a `Dispatch` that carries a snapshot of its escalation policy, taken when it starts,
so editing the registry never changes an escalation already running (as Grafana OnCall's
escalation snapshot). Timers are durable jobs carrying the dispatch's `timer_token`; a timer
whose token is not the dispatch's current one is stale and does nothing. Each `Notification`
is one message to one contact, tried channel by channel.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from lifeline.domain.errors import Conflict, DomainError

#: what a routing rule may name as a target (besides `unit:<registry id>`)
ROUTE_TARGETS = (
    "police_station",  # the resolved police station (or the district unit if none is known)
    "district_unit",  # the commissionerate or district police covering the district
    "district_cell",  # the district's social-media cell
    "nodal_unit",  # another state's nodal officer (a case outside the home state)
    "trace",  # the STF, asked to trace the person (no confident location)
)
#: what an escalation step may notify (besides `unit:<registry id>` and `role:<contact role>`)
STEP_TARGETS = ("unit", "parent", "smc")
_TARGET = re.compile(r"^(unit|role):[A-Za-z0-9_.\-]+$")


def is_step_target(target: str) -> bool:
    """Whether an escalation step may notify `target`."""
    return target in STEP_TARGETS or _TARGET.match(target) is not None


def is_route_target(target: str) -> bool:
    """Whether a routing rule may send a case to `target`."""
    return target in ROUTE_TARGETS or target.startswith("unit:")


class DispatchError(DomainError):
    """A dispatch, acknowledgement or routing configuration that cannot be used."""

    code = "dispatch_error"


class AcknowledgementRefused(Conflict):
    """An acknowledgement that cannot be taken (already taken, case closed, token spent)."""

    code = "acknowledgement_refused"


class AckTokenError(DomainError):
    """An acknowledgement link whose token is forged, damaged or expired."""

    code = "invalid_ack_token"

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class AlarmKind(StrEnum):
    """What an SMC alarm is about. Stored as the value (at most 24 characters); the console
    renders each in the reader's language from the kind and the alarm's `details`."""

    DESK_UNATTENDED = "desk_unattended"  # nobody at the desk opened a new imminent case
    NOT_DISPATCHED = "not_dispatched"  # an at-risk case not sent to any unit in time
    NOBODY_REACHED = "nobody_reached"  # dispatched, but no message delivered in time
    DELIVERY_FAILED = "delivery_failed"  # every message to a unit failed on every channel
    NO_CONTACT = "no_contact"  # an escalation step found nobody to notify
    EXHAUSTED = "exhausted"  # a unit did not acknowledge after every escalation step
    FOLLOWUP_OVERDUE = "followup_overdue"  # a follow-up check-in not recorded in time
    OTHER = "other"  # rows from before alarms had kinds, whose reason matched none


#: most urgent first: the kind a case's alarm line names when it has several
ALARM_URGENCY: tuple[AlarmKind, ...] = tuple(AlarmKind)


def alarm_reason(kind: AlarmKind, details: dict[str, Any]) -> str:
    """An alarm in English for the timeline, the audit log and the API's `reason` (people
    read the kind in their language: web/console/strings/attention.py)."""
    unit = str(details.get("unit") or "a unit")
    minutes = int(details.get("seconds") or 0) // 60
    seconds = int(details.get("seconds") or 0)
    texts = {
        AlarmKind.DESK_UNATTENDED: f"nobody at the desk opened this imminent case in {seconds} s",
        AlarmKind.NOT_DISPATCHED: f"not dispatched {minutes} min after the alert",
        AlarmKind.NOBODY_REACHED: f"no unit reached {seconds} s after dispatch",
        AlarmKind.DELIVERY_FAILED: f"{unit}: no contact reachable on any channel",
        AlarmKind.NO_CONTACT: f"no contact to notify for {unit}",
        AlarmKind.EXHAUSTED: f"{unit} did not acknowledge after every escalation step",
        AlarmKind.FOLLOWUP_OVERDUE: f"follow-up check-in overdue by {minutes} min",
        AlarmKind.OTHER: str(details.get("reason") or "SMC alarm"),
    }
    return texts[kind]


@dataclass(frozen=True)
class Alarm:
    """An alarm raised at the SMC about a case, open until it is cleared (the case moved on).
    `kind` and `details` (units, seconds waited, the unit's name) say what is wrong; `reason`
    is the same in English. An operator's acknowledgement quiets it without clearing it."""

    id: int
    case_id: int
    dispatch_id: int | None
    reason: str
    raised_at: datetime
    kind: AlarmKind = AlarmKind.OTHER
    details: dict[str, Any] = field(default_factory=dict)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


@dataclass(frozen=True)
class Contact:
    """A person or endpoint of a unit: `channels` are apprise-style URLs tried in order;
    `phones` the numbers an SMS reply from this contact may come from, besides those its SMS
    channels send to."""

    name: str
    role: str
    channels: tuple[str, ...]
    phones: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "role": self.role,
            "channels": list(self.channels),
        }
        if self.phones:
            out["phones"] = list(self.phones)
        return out


# -- escalation policies ----------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationStep:
    """Notify `notify`, wait `wait_seconds`; the pair runs `repeat` times before the next step."""

    notify: tuple[str, ...]
    wait_seconds: int
    repeat: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "notify": list(self.notify),
            "wait_seconds": self.wait_seconds,
            "repeat": self.repeat,
        }


@dataclass(frozen=True)
class EscalationPolicy:
    id: str
    steps: tuple[EscalationStep, ...]
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "steps": [s.as_dict() for s in self.steps]}


#: used when the registry defines no policy named "default"
DEFAULT_POLICY = EscalationPolicy(
    "default",
    (
        EscalationStep(("unit",), 120, 2),
        EscalationStep(("unit", "parent"), 180, 1),
        EscalationStep(("smc",), 300, 1),
    ),
    "Unit twice, then unit and its parent, then the SMC",
)


# -- a running dispatch -----------------------------------------------------------------------


class Purpose(StrEnum):
    """Why a unit is sent the case (a dispatch: respond or trace), or why a contact gets a
    message (a notification: any of them). Stored as the value (at most 12 characters)."""

    RESPOND = "respond"
    TRACE = "trace"  # the STF, asked to trace the person
    ALARM = "alarm"  # the SMC, alarmed about the case
    RELOCATED = "relocated"  # a unit already notified, told the place has changed


class DispatchState(StrEnum):
    ACTIVE = "active"  # escalating: waiting for an acknowledgement
    ACKNOWLEDGED = "acknowledged"
    STOPPED = "stopped"  # the case moved on (on scene, outcome, closed, re-routed)
    EXHAUSTED = "exhausted"  # every step ran and nobody acknowledged: the SMC was alarmed


@dataclass(frozen=True)
class Firing:
    """What one timer firing decided: whom to notify now, and when the next timer is due."""

    step_index: int
    round: int
    notify: tuple[str, ...]
    next_at: datetime | None
    exhausted: bool = False


@dataclass
class Dispatch:
    case_id: int
    unit_id: str
    unit_name: str
    policy: EscalationPolicy
    started_at: datetime
    started_by: str
    reason: str = ""  # the routing rule or the operator's choice that sent the case here
    purpose: Purpose = Purpose.RESPOND  # respond | trace
    state: DispatchState = DispatchState.ACTIVE
    step_index: int = 0
    round: int = 0
    timer_token: str = field(default_factory=lambda: secrets.token_hex(8))
    next_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    id: int | None = None

    def fire(self, now: datetime) -> Firing:
        """Run the step that is due: which targets to notify, when the next timer falls due
        (a new token is drawn, so any other timer for this dispatch is now stale)."""
        if self.state is not DispatchState.ACTIVE:
            raise DispatchError(f"dispatch {self.id} to {self.unit_id} is {self.state.value}")
        steps = self.policy.steps
        if self.step_index >= len(steps):
            self.state, self.ended_at, self.next_at = DispatchState.EXHAUSTED, now, None
            self.end_reason = "no acknowledgement after every escalation step"
            return Firing(self.step_index, self.round, (), None, exhausted=True)
        step = steps[self.step_index]
        firing_step, firing_round = self.step_index, self.round
        self.round += 1
        if self.round >= step.repeat:
            self.step_index, self.round = self.step_index + 1, 0
        self.next_at = now + timedelta(seconds=step.wait_seconds)
        self.timer_token = secrets.token_hex(8)
        return Firing(firing_step, firing_round, step.notify, self.next_at)

    def acknowledge(self, at: datetime, by: str) -> None:
        if self.state is DispatchState.ACKNOWLEDGED:
            raise AcknowledgementRefused(
                f"case {self.case_id} was already acknowledged for {self.unit_name} by "
                f"{self.acknowledged_by} at {self.acknowledged_at:%Y-%m-%d %H:%M} UTC"
            )
        if self.state is DispatchState.STOPPED:
            raise AcknowledgementRefused(
                f"the dispatch of case {self.case_id} to {self.unit_name} has ended "
                f"({self.end_reason})"
            )
        self.state, self.acknowledged_at, self.acknowledged_by = DispatchState.ACKNOWLEDGED, at, by
        self.next_at = None

    def stop(self, at: datetime, reason: str) -> bool:
        if self.state is not DispatchState.ACTIVE:
            return False
        self.state, self.ended_at, self.end_reason, self.next_at = (
            DispatchState.STOPPED,
            at,
            reason,
            None,
        )
        return True


# -- notifications ----------------------------------------------------------------------------


class NotificationState(StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    FAILED = "failed"  # every channel of the contact failed
    #: not sent because its dispatch ended first (acknowledged, or stopped as the case moved
    #: on): neither delivered nor failed, and no longer pending
    WITHDRAWN = "withdrawn"


class Reach(StrEnum):
    """How far a dispatch's messages got: what a person is told instead of "notified" until a
    message was actually delivered (issue 16: a unit without contacts showed "Dispatched")."""

    DELIVERED = "delivered"  # at least one message delivered
    SENDING = "sending"  # messages still being tried, none delivered yet
    #: no contact to tell, or every message failed on every channel (or was withdrawn: the
    #: dispatch ended before any was delivered)
    NOBODY = "nobody_reached"


def reach_of(dispatch_id: int | None, notifications: Iterable[Notification]) -> Reach:
    """The reach of dispatch `dispatch_id` from the case's notifications (alarms, which have
    no dispatch, never count)."""
    if dispatch_id is None:
        return Reach.NOBODY
    states = {n.state for n in notifications if n.dispatch_id == dispatch_id}
    if NotificationState.DELIVERED in states:
        return Reach.DELIVERED
    if NotificationState.QUEUED in states:
        return Reach.SENDING
    return Reach.NOBODY


def shown_state(state: DispatchState, reach: Reach) -> str:
    """The state a person is shown for a dispatch: its own, except that one still running (or
    run out) whose messages reached nobody is "nobody_reached", and one still sending its
    first messages is "sending": never "waiting for acknowledgement" from a unit not told."""
    if state in (DispatchState.ACTIVE, DispatchState.EXHAUSTED) and reach is Reach.NOBODY:
        return Reach.NOBODY.value
    if state is DispatchState.ACTIVE and reach is Reach.SENDING:
        return Reach.SENDING.value
    return state.value


@dataclass
class Notification:
    """One message to one contact of a unit, for one escalation step (or an SMC alarm)."""

    case_id: int
    dispatch_id: int | None
    unit_id: str
    contact_name: str
    contact_role: str
    channels: tuple[str, ...]
    created_at: datetime
    step_index: int = 0
    purpose: Purpose = Purpose.RESPOND
    state: NotificationState = NotificationState.QUEUED
    channel_index: int = 0
    attempts: int = 0  # on the current channel
    detail: str = ""
    delivered_at: datetime | None = None
    delivered_via: str | None = None
    ack_code: str | None = None  # only known when created (the store keeps a hash)
    #: what the message says about the case, read when the step fired (services/dispatch/briefs.py);
    #: None: read when it is sent. Loaded with the one notification, not in lists.
    brief: dict[str, Any] | None = None
    id: int | None = None

    def record_attempt(
        self,
        at: datetime,
        delivered: bool,
        detail: str,
        retryable: bool,
        via: str,
        max_attempts: int,
    ) -> str:
        """Record one attempt; answer what to do next: "done", "retry" (same channel),
        "next" (the contact's next channel) or "failed" (no channel left)."""
        self.attempts += 1
        self.detail = detail[:500]
        if delivered:
            self.state, self.delivered_at, self.delivered_via = (
                NotificationState.DELIVERED,
                at,
                via,
            )
            return "done"
        if retryable and self.attempts < max_attempts:
            return "retry"
        if self.channel_index + 1 < len(self.channels):
            self.channel_index, self.attempts = self.channel_index + 1, 0
            return "next"
        self.state = NotificationState.FAILED
        return "failed"

    def withdraw(self) -> None:
        """Not to be sent: its dispatch ended (acknowledged, stopped) before it went out."""
        if self.state is not NotificationState.QUEUED:
            raise DomainError(
                f"notification {self.id} is {self.state.value}: only a message still to send "
                "can be withdrawn"
            )
        self.state = NotificationState.WITHDRAWN
