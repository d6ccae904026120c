"""Drills and test messages: proving a unit can be reached before a life depends on it.

`start_drill` (`lifeline drill`) takes a marked test alert in through intake, flags its case
`drill` and dispatches it to one unit through routing, escalation and the notification jobs
the worker sends, so the message, its acknowledgement link and the timings are the real ones.
Only this use case sets `Case.drill`: no intake (API, mail, console) can, so nobody can hide a
real case from the reports by calling it a drill. A drill alert has no subject, reference or
thread, so it has no merge keys: no real alert can merge into a drill case, nor a drill into
a real one.

`send_test_message` sends one clearly marked TEST message to one contact of a unit over its
channels in order, at once (not a job: the admin is waiting for the answer), and audits the
result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.dispatch import DispatchError, NotificationState
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.services.access.authorisation import require
from lifeline.services.context import Context
from lifeline.services.dispatch.escalations import note, start_dispatch
from lifeline.services.dispatch.message import DRILL_MARK, without_recipients
from lifeline.services.dispatch.ports import OutgoingMessage
from lifeline.services.dispatch.routing import plan_dispatch
from lifeline.services.intake.alerts import ReceiveAlert, take_alert
from lifeline.services.location.registry import registry_units_in_force

#: the unit a drill goes to when none is named: the SMC's own control room
DEFAULT_DRILL_UNIT = "up-smc"
DRILL_TEXT = (
    f"{DRILL_MARK}: test alert sent by the SMC to check the alert path. No one is at risk. / "
    "SMC द्वारा भेजा गया अभ्यास अलर्ट। कोई व्यक्ति खतरे में नहीं है।"
)


@dataclass(frozen=True)
class DrillStarted:
    case_id: int
    unit_id: str
    unit_name: str
    started_at: datetime


@dataclass(frozen=True)
class DrillProgress:
    """Where a drill is: seconds from its start to the first message delivered and to the
    acknowledgement (None: not yet), and the notifications' states."""

    case_id: int
    delivered_after: float | None
    acknowledged_after: float | None
    states: tuple[str, ...]
    details: tuple[str, ...]


def start_drill(ctx: Context, actor: Actor, unit_id: str | None = None) -> DrillStarted:
    """Take in a drill alert and dispatch its case to `unit_id` (default: the SMC), in one
    transaction; the worker then sends the messages. Raises `DispatchError` if the unit is
    unknown or has nobody to notify."""
    require(actor, Permission.REGISTRY_MANAGE)
    target = (unit_id or DEFAULT_DRILL_UNIT).strip()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        today = now.date()
        unit = next(
            (u for u in registry_units_in_force(ctx, uow) if u.id == target and u.valid_on(today)),
            None,
        )
        if unit is None:
            raise DispatchError(f"unit {target!r} is not in the registry in force")
        alert = Alert(
            source=AlertSource.MANUAL,
            received_at=now,
            raw_payload=json.dumps(
                {"drill": True, "unit": target, "by": str(actor)}, ensure_ascii=False
            ).encode(),
            raw_content_type="application/json",
            platform="other",
            subject=Subject(),
            post=Post(DRILL_TEXT),
            location=LocationHint(text=unit.name),
            received_via="drill",
            sender_verified=True,
            sender_verification="drill",
        )
        receipt = take_alert(ctx, uow, ReceiveAlert(alert, actor))
        case = uow.cases.get(receipt.case_id, for_update=True)
        case.drill = True
        note(uow, receipt.case_id, now, "drill", f"{DRILL_MARK}: drill to {unit.name}", actor)
        # the drill's "person" is at the unit: dispatch needs a place (no one is traced)
        case.mark_located(now, f"{DRILL_MARK}: {unit.name}", actor)
        plan = plan_dispatch(ctx, uow, case, now, unit_ids=[target])
        if not plan.units or not any(u.contacts for u in plan.units):
            why = "; ".join(plan.problems) or "nobody to notify"
            raise DispatchError(f"cannot drill {target!r}: {why}")
        start_dispatch(ctx, uow, case, plan, actor, now)
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="drill.started",
            case_id=case.id,
            details={"unit": target},
        )
        uow.commit()
    return DrillStarted(receipt.case_id, target, unit.name, now)


def drill_progress(ctx: Context, started: DrillStarted) -> DrillProgress:
    with ctx.uow(readonly=True) as uow:
        case = uow.cases.get(started.case_id)
        notes = uow.dispatches.notifications_for_case(started.case_id)
    delivered = [n.delivered_at for n in notes if n.delivered_at is not None]
    acked = case.milestones.get(Milestone.ACKNOWLEDGED)
    since = started.started_at
    return DrillProgress(
        started.case_id,
        (min(delivered) - since).total_seconds() if delivered else None,
        (acked - since).total_seconds() if acked else None,
        tuple(str(n.state) for n in notes),
        tuple(n.detail for n in notes if n.state is not NotificationState.DELIVERED and n.detail),
    )


# -- test messages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TestMessageResult:
    unit_id: str
    contact: str
    delivered: bool
    #: the channel that took it (or the last tried), secrets removed
    via: str
    detail: str


def _test_message(unit_name: str, at: datetime) -> OutgoingMessage:
    title = f"TEST / परीक्षण: Lifeline message for {unit_name}"
    body = "\n".join(
        [
            title,
            "This is a TEST message from the Social Media Centre's Lifeline. No action is "
            "needed; it checks that messages reach you. / यह सोशल मीडिया सेंटर के Lifeline का "
            "परीक्षण संदेश है। कोई कार्रवाई आवश्यक नहीं; यह जाँचता है कि संदेश आप तक पहुँचते हैं।",
        ]
    )
    short = "TEST / परीक्षण: Lifeline test message, no action needed. कोई कार्रवाई आवश्यक नहीं।"
    # negative and unique: never a real notification's id, never deduplicated by a receiver
    marker = -int(at.timestamp() * 1000)
    return OutgoingMessage(marker, 0, title, body, short, None, None, {"type": "test"})


def send_test_message(
    ctx: Context, actor: Actor, unit_id: str, contact_index: int
) -> TestMessageResult:
    """Send a TEST message to one contact of a unit (its channels in order, one attempt each,
    until one delivers) and audit what happened."""
    require(actor, Permission.REGISTRY_MANAGE)
    if ctx.channels is None:
        raise DispatchError("no notification channels are configured")
    now = ctx.clock.now()
    with ctx.uow(readonly=True) as uow:
        unit = next(
            (
                u
                for u in registry_units_in_force(ctx, uow)
                if u.id == unit_id and u.valid_on(now.date())
            ),
            None,
        )
    if unit is None or not 0 <= contact_index < len(unit.contacts):
        raise DispatchError(f"unit {unit_id!r} has no contact {contact_index + 1}")
    contact = unit.contacts[contact_index]
    message = _test_message(unit.name, now)
    via, detail, delivered = "", "no channel", False
    for url in contact.channels:
        via = ctx.channels.describe(url)
        problem = ctx.channels.check(url)
        if problem is not None:
            detail = problem
            continue
        result = ctx.channels.send(url, message, timeout=ctx.config.channel_timeout)
        detail, delivered = result.detail, result.delivered
        if delivered:
            break
    with ctx.uow() as uow:
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="registry.test_message",
            case_id=None,
            details={
                "unit": unit_id,
                "contact": contact_index + 1,
                "role": contact.role,
                "delivered": delivered,
                "via": via,
                "detail": without_recipients(detail)[:200],
            },
        )
        uow.commit()
    return TestMessageResult(unit_id, contact.role, delivered, via, without_recipients(detail))
