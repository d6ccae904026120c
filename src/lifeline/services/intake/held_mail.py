"""Held mail for the people who review it (the console's quarantine page, its header badge and
alarm, `lifeline quarantine list/show`): each message decoded for reading, why it was held and
how long it has waited, the longest waiting first.

Held mail is personal data from an unknown sender: only the roles given `quarantine.read` see
it, and every read of the messages' content is audited. Releasing and discarding are in
`mail.py` (`release`, `discard`: `quarantine.review`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.access import Permission
from lifeline.domain.mail import QuarantineStatus, ReadableMail
from lifeline.domain.model import Actor
from lifeline.services.access.authorisation import may
from lifeline.services.context import Context
from lifeline.services.intake.mail import demand_review, show_quarantined
from lifeline.services.intake.ports import MailReader, QuarantinedMessage


@dataclass(frozen=True)
class HeldMail:
    """One held message as its reviewer sees it."""

    id: int
    received_at: datetime
    waited: timedelta
    channel: str
    #: the envelope sender (SMTP MAIL FROM), as typed by the sending machine
    mail_from: str
    #: why it was held (the trust verdict or what the parser could not make of it)
    reason: str
    size: int
    status: QuarantineStatus
    mail: ReadableMail
    alert_id: int | None = None
    reviewed_by: str | None = None


@dataclass(frozen=True)
class HeldSummary:
    """The header badge: how many messages wait, and whether the longest waiting one has
    waited past the alarm (`LIFELINE_QUARANTINE_ALARM_SECONDS`)."""

    count: int
    oldest_received_at: datetime | None
    waited: timedelta
    alarm: bool

    @property
    def waited_minutes(self) -> int:
        return int(self.waited.total_seconds() // 60)


def held_summary(ctx: Context, actor: Actor) -> HeldSummary | None:
    """The badge of a person who may see held mail (None for anyone else: no badge, and no
    refusal recorded, since nothing was asked for)."""
    if actor.kind == "partner" or not may(actor, Permission.QUARANTINE_READ):
        return None
    with ctx.uow(readonly=True) as uow:
        count, oldest = uow.quarantine.waiting_summary()
    now = ctx.clock.now()
    waited = max(timedelta(0), now - oldest) if oldest is not None else timedelta(0)
    return HeldSummary(count, oldest, waited, count > 0 and waited >= ctx.config.quarantine_alarm)


def _held(message: QuarantinedMessage, read: MailReader, now: datetime) -> HeldMail:
    return HeldMail(
        message.id,
        message.received_at,
        max(timedelta(0), now - message.received_at),
        message.channel,
        message.mail_from,
        message.reason,
        message.size,
        message.status,
        read(message.raw or b""),
        message.alert_id,
        message.reviewed_by,
    )


def held_mail(
    ctx: Context,
    actor: Actor,
    read: MailReader,
    status: QuarantineStatus | None = QuarantineStatus.PENDING,
    limit: int = 100,
) -> list[HeldMail]:
    """Held messages, decoded; pending ones the longest waiting first, others newest first.
    The read is audited (which messages were shown, to whom)."""
    demand_review(ctx, actor, Permission.QUARANTINE_READ)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if status is QuarantineStatus.PENDING:
            messages = uow.quarantine.waiting(limit)
        else:
            listed = uow.quarantine.recent(status.value if status else None, limit)
            messages = [uow.quarantine.get(m.id) for m in listed]
        if messages:
            uow.audit.append(
                at=now,
                actor=str(actor),
                action="email.quarantine_read",
                case_id=None,
                details={"quarantine_ids": [m.id for m in messages]},
            )
        uow.commit()
    return [_held(m, read, now) for m in messages]


def show_held(ctx: Context, actor: Actor, read: MailReader, message_id: int) -> HeldMail:
    """One held message, decoded (the read is audited)."""
    return _held(show_quarantined(ctx, actor, message_id), read, ctx.clock.now())
