"""Taking in alert emails (SMTP or IMAP): allow-listed senders become alerts, everything else
is kept in the quarantine for an operator to review and release. Never dropped."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from lifeline.domain.errors import Conflict, DomainError
from lifeline.domain.model import Actor, Alert
from lifeline.services.context import Context
from lifeline.services.intake import ReceiveAlert, take_alert
from lifeline.services.ports import QuarantinedMessage, UnitOfWork

SMTP_ACTOR = Actor("system", "smtp-intake")


@dataclass
class ParsedMessage:
    """What an email parser made of a message."""

    alert: Alert | None
    missing: list[str] = field(default_factory=list)
    reason: str | None = None  # why no alert could be made
    message_id: str | None = None


class EmailParser(Protocol):
    def __call__(self, raw: bytes, *, received_at: datetime, mail_from: str) -> ParsedMessage: ...


@dataclass(frozen=True)
class EmailOutcome:
    status: str  # "alert" | "duplicate" | "quarantined"
    alert_id: int | None = None
    case_id: int | None = None
    quarantine_id: int | None = None
    reason: str | None = None
    missing: tuple[str, ...] = ()


def sender_allowed(allowed: tuple[str, ...], address: str) -> bool:
    """An address is allowed if listed exactly, or its domain (or a parent domain) is listed."""
    address = address.strip().lower()
    domain = address.rpartition("@")[2]
    for entry in (a.strip().lower().lstrip("@") for a in allowed):
        if entry and (entry == address or domain == entry or domain.endswith("." + entry)):
            return True
    return False


def receive_email(
    ctx: Context,
    parse: EmailParser,
    raw: bytes,
    *,
    mail_from: str,
    channel: str = "smtp",
    partner_id: int | None = None,
    in_transaction: Callable[[UnitOfWork, EmailOutcome], None] | None = None,
) -> EmailOutcome:
    """Store one message as an alert or in the quarantine, in one transaction (together with
    whatever `in_transaction` records, e.g. the IMAP UID). Returns after the commit.
    `partner_id` is given when the transport authenticated the partner (SMTP AUTH)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        outcome = _take(ctx, uow, parse, raw, mail_from, channel, now, partner_id)
        if in_transaction is not None:
            in_transaction(uow, outcome)
        uow.commit()
    return outcome


def _take(
    ctx: Context,
    uow: UnitOfWork,
    parse: EmailParser,
    raw: bytes,
    mail_from: str,
    channel: str,
    now: datetime,
    partner_id: int | None,
) -> EmailOutcome:
    if partner_id is None and mail_from:
        partner_id = uow.senders.partner_for(mail_from)
    if partner_id is None and not sender_allowed(ctx.config.allowed_senders, mail_from):
        return _quarantine(
            uow,
            channel,
            mail_from,
            raw,
            now,
            f"sender {mail_from or '(empty)'!r} is not on the allow-list",
        )
    try:
        parsed = parse(raw, received_at=now, mail_from=mail_from)
    except Exception as exc:  # a parser fault must not make a message undeliverable (451 for
        # ever): it is kept in the quarantine, whole, for an operator
        parsed = ParsedMessage(None, reason=f"the message could not be read ({type(exc).__name__})")
    if parsed.alert is None:
        return _quarantine(
            uow,
            channel,
            mail_from,
            raw,
            now,
            parsed.reason or "no alert could be made from this message",
        )
    alert = parsed.alert
    alert.partner_id = partner_id
    actor = Actor("partner", str(partner_id), "partner") if partner_id else SMTP_ACTOR
    key = "email:" + (parsed.message_id or hashlib.sha256(raw).hexdigest())
    receipt = take_alert(ctx, uow, ReceiveAlert(alert, actor, dedupe_key=key))
    return EmailOutcome(
        "duplicate" if receipt.replayed else "alert",
        receipt.alert_id,
        receipt.case_id,
        missing=tuple(parsed.missing),
    )


def _quarantine(
    uow: UnitOfWork, channel: str, mail_from: str, raw: bytes, now: datetime, reason: str
) -> EmailOutcome:
    qid = uow.quarantine.add(channel=channel, mail_from=mail_from, raw=raw, reason=reason, at=now)
    uow.audit.append(
        at=now,
        actor=f"system:{channel}-intake",
        action="email.quarantined",
        case_id=None,
        details={"quarantine_id": qid, "reason": reason},
    )
    return EmailOutcome("quarantined", quarantine_id=qid, reason=reason)


def list_quarantine(
    ctx: Context, status: str | None = "pending", limit: int = 100
) -> list[QuarantinedMessage]:
    with ctx.uow(readonly=True) as uow:
        return uow.quarantine.recent(status, limit)


def show_quarantined(ctx: Context, actor: Actor, message_id: int) -> QuarantinedMessage:
    with ctx.uow() as uow:
        message = uow.quarantine.get(message_id)
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="email.quarantine_read",
            case_id=None,
            details={"quarantine_id": message_id},
        )
        uow.commit()
        return message


def release(ctx: Context, parse: EmailParser, actor: Actor, message_id: int) -> EmailOutcome:
    """An operator vouches for a quarantined message: it becomes an alert (whoever sent it)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        message = uow.quarantine.get(message_id, for_update=True)
        if message.status != "pending":
            raise Conflict(f"quarantined message {message_id} is already {message.status}")
        assert message.raw is not None
        parsed = parse(message.raw, received_at=message.received_at, mail_from=message.mail_from)
        if parsed.alert is None:
            raise DomainError(
                f"message {message_id} still cannot become an alert: {parsed.reason}; "
                "enter it by hand as a phone/manual alert instead"
            )
        key = "email:" + (parsed.message_id or hashlib.sha256(message.raw).hexdigest())
        receipt = take_alert(ctx, uow, ReceiveAlert(parsed.alert, actor, dedupe_key=key))
        uow.quarantine.mark(
            message_id, status="released", alert_id=receipt.alert_id, by=str(actor), at=now
        )
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="email.released",
            case_id=receipt.case_id,
            details={"quarantine_id": message_id, "alert_id": receipt.alert_id},
        )
        uow.commit()
    return EmailOutcome(
        "alert", receipt.alert_id, receipt.case_id, message_id, missing=tuple(parsed.missing)
    )


def discard(ctx: Context, actor: Actor, message_id: int, reason: str) -> None:
    """Mark a quarantined message as reviewed and not an alert (spam). It is kept, not deleted."""
    if not reason.strip():
        raise DomainError("say why the message is discarded")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        message = uow.quarantine.get(message_id, for_update=True)
        if message.status != "pending":
            raise Conflict(f"quarantined message {message_id} is already {message.status}")
        uow.quarantine.mark(message_id, status="discarded", alert_id=None, by=str(actor), at=now)
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="email.discarded",
            case_id=None,
            details={"quarantine_id": message_id, "reason": reason.strip()},
        )
        uow.commit()
