"""Taking in alert emails (SMTP or IMAP): allow-listed senders become alerts, everything else
is kept in the quarantine for an operator to review and release. Never dropped.

An allow-listed sender is only a claim: each alert records whether the sender was proven (SMTP
AUTH as the partner, a DKIM signature aligned with the From domain and the partner's registered
domains, or a trusted relay's Authentication-Results) and how, or why not. An alert whose
sender is not verified is never dispatched without an operator (services/dispatch/routing.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.email_trust import (
    OPERATOR,
    SenderVerification,
    judge,
    registered_domains,
)
from lifeline.domain.errors import Conflict, DomainError, PermissionDenied
from lifeline.domain.mail import EmailOutcome, EmailStatus, ParsedMessage, QuarantineStatus
from lifeline.domain.model import Actor, TimelineEntry
from lifeline.services.access.authorisation import demand
from lifeline.services.context import Context
from lifeline.services.intake.alerts import ReceiveAlert, take_alert
from lifeline.services.intake.ports import EmailParser, MailAuthenticator, QuarantinedMessage
from lifeline.services.ports import UnitOfWork

SMTP_ACTOR = Actor("system", "smtp-intake")


def sender_allowed(allowed: tuple[str, ...], address: str) -> bool:
    """An address is allowed if listed exactly, or its domain (or a parent domain) is listed."""
    address = address.strip().lower()
    domain = address.rpartition("@")[2]
    for entry in (a.strip().lower().lstrip("@") for a in allowed):
        if entry and (entry == address or domain == entry or domain.endswith("." + entry)):
            return True
    return False


@dataclass(frozen=True)
class Delivery:
    """How a message reached us: the envelope sender, the transport, the partner the transport
    authenticated (SMTP AUTH) and the SMTP client's address."""

    mail_from: str
    channel: str = "smtp"
    partner_id: int | None = None
    peer: str | None = None


@dataclass(frozen=True)
class Trust:
    """Who a message claims to come from and what proves it (None: not on the allow-list)."""

    partner_id: int | None
    check: SenderVerification | None


def receive_email(
    ctx: Context,
    parse: EmailParser,
    authenticate: MailAuthenticator,
    raw: bytes,
    delivery: Delivery,
    in_transaction: Callable[[UnitOfWork, EmailOutcome], None] | None = None,
) -> EmailOutcome:
    """Store one message as an alert or in the quarantine, in one transaction (together with
    whatever `in_transaction` records, e.g. the IMAP UID). Returns after the commit.
    The sender is checked first, outside the write transaction: a DNS look-up for a DKIM key
    may take seconds and must not hold the database's write lock."""
    with ctx.uow(readonly=True) as uow:
        trust = sender_trust(ctx, uow, authenticate, raw, delivery)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        outcome = _take(ctx, uow, parse, raw, delivery, trust, now)
        if in_transaction is not None:
            in_transaction(uow, outcome)
        uow.commit()
    return outcome


def sender_trust(
    ctx: Context,
    uow: UnitOfWork,
    authenticate: MailAuthenticator,
    raw: bytes,
    delivery: Delivery,
) -> Trust:
    """The partner (or allow-list entry) the message claims, by its envelope sender or From
    header, and whether that is proven."""
    if delivery.partner_id is not None:
        key = uow.senders.partner_key(delivery.partner_id) or delivery.partner_id
        return Trust(delivery.partner_id, SenderVerification(True, f"smtp-auth:{key}"))
    author = authenticate.author(raw) or ""
    claimed = [a for a in (delivery.mail_from, author) if a]
    partner_id = next((p for a in claimed if (p := uow.senders.partner_for(a))), None)
    if partner_id is not None:
        registered = registered_domains(uow.senders.patterns_of(partner_id))
    else:
        listed = ctx.config.allowed_senders
        matched = [e for e in listed if any(sender_allowed((e,), a) for a in claimed)]
        if not matched:
            return Trust(None, None)
        registered = registered_domains(matched)
    evidence = authenticate.verify(
        raw, peer=delivery.peer, channel=delivery.channel, pinned=uow.senders.pinned_key
    )
    return Trust(partner_id, judge(evidence, registered))


def _take(
    ctx: Context,
    uow: UnitOfWork,
    parse: EmailParser,
    raw: bytes,
    delivery: Delivery,
    trust: Trust,
    now: datetime,
) -> EmailOutcome:
    mail_from, channel, partner_id, check = (
        delivery.mail_from,
        delivery.channel,
        trust.partner_id,
        trust.check,
    )
    if check is None:
        return _quarantine(uow, channel, mail_from, raw, now, "sender domain not on the allow-list")
    try:
        parsed = parse(raw, received_at=now, mail_from=mail_from)
    except Exception as exc:  # a parser fault must not make a message undeliverable (451 for
        # ever): it is kept in the quarantine, whole, for an operator
        parsed = ParsedMessage(None, reason=f"the message could not be read ({type(exc).__name__})")
    if parsed.alert is None:
        # the trust verdict is kept for the reviewer (whether the partner is proven), not told
        # to the sending client
        proven = "verified" if check.verified else "not verified"
        reason = parsed.reason or "no alert could be made from this message"
        return _quarantine(
            uow, channel, mail_from, raw, now, reason, verdict=f"sender {proven}: {check.how}"
        )
    alert = parsed.alert
    alert.partner_id = partner_id
    alert.sender_verified, alert.sender_verification = check.verified, check.how
    actor = Actor("partner", str(partner_id), "partner") if partner_id else SMTP_ACTOR
    key = "email:" + (parsed.message_id or hashlib.sha256(raw).hexdigest())
    receipt = take_alert(ctx, uow, ReceiveAlert(alert, actor, dedupe_key=key))
    if not receipt.replayed and not check.verified:
        _note_unverified(uow, receipt.case_id, receipt.alert_id, check, now)
    return EmailOutcome(
        EmailStatus.DUPLICATE if receipt.replayed else EmailStatus.ALERT,
        receipt.alert_id,
        receipt.case_id,
        missing=tuple(parsed.missing),
        sender_verified=check.verified,
        sender_verification=check.how,
    )


def _note_unverified(
    uow: UnitOfWork, case_id: int, alert_id: int, check: SenderVerification, now: datetime
) -> None:
    """Say on the case's timeline and in the audit why this alert waits for an operator."""
    uow.cases.note(
        case_id,
        TimelineEntry(
            now,
            "sender_not_verified",
            f"Sender not verified ({check.how}): dispatch waits for an operator's "
            f"confirmation / प्रेषक सत्यापित नहीं ({check.how}): भेजने से पहले ऑपरेटर की पुष्टि",
            str(SMTP_ACTOR),
            {"alert_id": alert_id, "sender_verification": check.how},
        ),
    )
    uow.audit.append(
        at=now,
        actor=str(SMTP_ACTOR),
        action="email.sender_not_verified",
        case_id=case_id,
        details={"alert_id": alert_id, "sender_verification": check.how},
    )


def _quarantine(
    uow: UnitOfWork,
    channel: str,
    mail_from: str,
    raw: bytes,
    now: datetime,
    reason: str,
    verdict: str | None = None,
) -> EmailOutcome:
    stored = f"{reason} ({verdict})" if verdict else reason
    qid = uow.quarantine.add(channel=channel, mail_from=mail_from, raw=raw, reason=stored, at=now)
    uow.audit.append(
        at=now,
        actor=f"system:{channel}-intake",
        action="email.quarantined",
        case_id=None,
        details={"quarantine_id": qid, "reason": stored},
    )
    return EmailOutcome(EmailStatus.QUARANTINED, quarantine_id=qid, reason=reason)


def list_quarantine(
    ctx: Context, status: str | None = "pending", limit: int = 100
) -> list[QuarantinedMessage]:
    with ctx.uow(readonly=True) as uow:
        return uow.quarantine.recent(status, limit)


def show_quarantined(ctx: Context, actor: Actor, message_id: int) -> QuarantinedMessage:
    demand_review(ctx, actor, Permission.QUARANTINE_READ)
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


def demand_review(ctx: Context, actor: Actor, permission: Permission) -> None:
    """Held mail is for the roles the table gives `quarantine.read` / `quarantine.review`
    (and the CLI); a refusal is audited. Partners never review the quarantine."""
    if actor.kind == "partner":
        raise PermissionDenied(f"a partner may not {permission.value}")
    demand(ctx, actor, permission)


def release(
    ctx: Context, parse: EmailParser, actor: Actor, message_id: int, reason: str | None = None
) -> EmailOutcome:
    """An operator vouches for a quarantined message: it becomes an alert (whoever sent it).
    `reason` (why it is genuine) is kept in the audit; the console requires one."""
    demand_review(ctx, actor, Permission.QUARANTINE_REVIEW)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        message = uow.quarantine.get(message_id, for_update=True)
        if message.status is not QuarantineStatus.PENDING:
            raise Conflict(f"quarantined message {message_id} is already {message.status}")
        assert message.raw is not None
        parsed = parse(message.raw, received_at=message.received_at, mail_from=message.mail_from)
        if parsed.alert is None:
            raise DomainError(
                f"message {message_id} still cannot become an alert: {parsed.reason}; "
                "enter it by hand as a phone/manual alert instead"
            )
        key = "email:" + (parsed.message_id or hashlib.sha256(message.raw).hexdigest())
        # the operator vouches for it: as verified as an alert an operator took on the phone
        parsed.alert.sender_verified, parsed.alert.sender_verification = True, OPERATOR
        receipt = take_alert(ctx, uow, ReceiveAlert(parsed.alert, actor, dedupe_key=key))
        released = QuarantineStatus.RELEASED
        uow.quarantine.mark(
            message_id, status=released, alert_id=receipt.alert_id, by=str(actor), at=now
        )
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="email.released",
            case_id=receipt.case_id,
            details={
                "quarantine_id": message_id,
                "alert_id": receipt.alert_id,
                **({"reason": reason.strip()} if reason and reason.strip() else {}),
            },
        )
        uow.commit()
    return EmailOutcome(
        EmailStatus.ALERT,
        receipt.alert_id,
        receipt.case_id,
        message_id,
        missing=tuple(parsed.missing),
    )


def discard(ctx: Context, actor: Actor, message_id: int, reason: str) -> None:
    """Mark a quarantined message as reviewed and not an alert (spam). It is kept, not deleted."""
    demand_review(ctx, actor, Permission.QUARANTINE_REVIEW)
    if not reason.strip():
        raise DomainError("say why the message is discarded")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        message = uow.quarantine.get(message_id, for_update=True)
        if message.status is not QuarantineStatus.PENDING:
            raise Conflict(f"quarantined message {message_id} is already {message.status}")
        discarded = QuarantineStatus.DISCARDED
        uow.quarantine.mark(message_id, status=discarded, alert_id=None, by=str(actor), at=now)
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="email.discarded",
            case_id=None,
            details={"quarantine_id": message_id, "reason": reason.strip()},
        )
        uow.commit()
