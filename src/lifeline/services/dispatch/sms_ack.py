"""Who may acknowledge a case by SMS, and how fast anyone may try.

An SMS reply "ACK <code>" is taken only when it comes from a number of a contact of the unit
the message was for: the registry's contacts of the dispatch's unit (or of the unit the
message went to on escalation, or the nearest unit above with contacts), their `phones` and
the numbers their SMS channels send to, and the numbers this message itself was sent to. All
compare as E.164. A code from any other number is refused with the same answer whether the
code was right or not, so a leaked or guessed code is worth nothing without a contact's phone.

Refusals are counted in the database (every API process sees the same counts): at most
`PER_NUMBER_LIMIT` refusals per number in any `WINDOW`, and `OVERALL_LIMIT` from all contacts'
numbers together; past either limit a reply is not even read until the window has room again
(HTTP 429 with Retry-After). Numbers that are nobody's contact count only against themselves,
so a stranger cannot lock the officers out. A code lives at most `CODE_MAX_AGE`.

With these, `guessing_bound()` is the chance that someone who controls contacts' phones guesses
any live code: each refused reply tests at most `READINGS` codes, each naming one message by
its id with `ACK_CODE_SECRET_DIGITS` secret digits, so how many codes are live does not enter.
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.ack_codes import ACK_CODE_SECRET_DIGITS, AcknowledgementThrottled
from lifeline.domain.dispatch import AcknowledgementRefused, Contact, Notification
from lifeline.domain.errors import DomainError, NotFound, PermissionDenied
from lifeline.services.context import Context
from lifeline.services.dispatch.escalations import note
from lifeline.services.dispatch.ports import PhoneNumbers, SmsAckFailures
from lifeline.services.dispatch.routing import RegistryView, registry_view
from lifeline.services.ports import UnitOfWork

PER_NUMBER_LIMIT = 5
OVERALL_LIMIT = 30
WINDOW = timedelta(minutes=15)
CODE_MAX_AGE = timedelta(hours=24)
#: a refused reply tests at most this many readings of what was typed (code_readings)
READINGS = 2
#: the keys serialising the throttle's count-then-record across processes (PostgreSQL)
_LOCK = "sms-ack-throttle"
_GROUPS = re.compile(r"[0-9]+")


class SenderNotAllowed(PermissionDenied):
    """The reply came from a number that is not a contact of the unit (nothing is said about
    whether the code was right)."""

    code = "sender_not_allowed"


def guessing_bound(
    per_number: bool = False,
    *,
    lifetime: timedelta = CODE_MAX_AGE,
    limit: int | None = None,
    window: timedelta = WINDOW,
) -> float:
    """The chance that any live code is guessed within its lifetime, by someone holding one
    contact's phone (`per_number`) or every contact's: in any `window` at most `limit`
    refusals, so at most limit x (lifetime/window + 1) over a lifetime, each testing READINGS
    codes right with probability 10^-digits each (a union bound)."""
    cap = limit if limit is not None else (PER_NUMBER_LIMIT if per_number else OVERALL_LIMIT)
    windows = math.ceil(lifetime / window) + 1
    return cap * windows * READINGS * 10.0**-ACK_CODE_SECRET_DIGITS


def code_readings(code: str) -> list[str]:
    """What an officer typed as a code, read at most READINGS ways: all its digit groups, and
    without the last group when that leaves a whole code ("ACK 1738 4100 9257 10 min" where
    the 10 is minutes)."""
    groups = _GROUPS.findall(code)
    whole = "".join(groups)
    readings = [whole]
    shorter = "".join(groups[:-1])
    if len(groups) > 1 and len(shorter) > ACK_CODE_SECRET_DIGITS:
        readings.append(shorter)
    return readings[:READINGS]


@dataclass(frozen=True)
class Admitted:
    """An SMS code from a number allowed to send it: the message it names."""

    notification_id: int
    sender_hash: str


def admit_sms_code(ctx: Context, code: str, sender: str) -> Admitted:
    """Check a reply before it may acknowledge anything: throttles, the sender, the code.
    Raises AcknowledgementThrottled, SenderNotAllowed or NotFound (a wrong code, or a code of
    a unit the sender is no contact of: the same answer); each refusal is recorded."""
    if ctx.phones is None:
        raise DomainError("SMS acknowledgements need phone number support (not configured)")
    now = ctx.clock.now()
    number = ctx.phones.normalise(sender)
    with ctx.uow() as uow:
        uow.lock_keys([_LOCK])
        failures = uow.sms_ack_failures
        sender_hash = failures.sender_hash(number or " ".join(sender.split()).casefold())
        _check(failures.since(now - WINDOW, sender_hash=sender_hash), PER_NUMBER_LIMIT, now)
        view = registry_view(ctx, uow, now.date())
        contact = number is not None and number in _all_numbers(ctx, view)
        if contact:
            _check(failures.since(now - WINDOW, contacts_only=True), OVERALL_LIMIT, now)
        found = None
        for reading in code_readings(code):
            found = uow.dispatches.notification_by_code(reading)
            if found is not None:
                break
        allowed = found is not None and number in _allowed(ctx, uow, view, found)
        if found is not None and allowed and found.id is not None:
            if code_expired(found.created_at, now, ctx.config.ack_link_max_age_seconds):
                raise AcknowledgementRefused(
                    "this acknowledgement code has expired; acknowledge in the console or "
                    "call the SMC"
                )
            return Admitted(found.id, sender_hash)
        failures.forget_before(now - 4 * WINDOW)
        failures.record(sender_hash, contact, now)
        why = (
            "the number is not a contact of any unit"
            if not contact
            else "wrong code"
            if found is None
            else "the right code from a number that is not a contact of the unit"
        )
        case_id = found.case_id if found is not None else None
        uow.audit.append(
            at=now,
            actor="anonymous:sms",
            action="case.acknowledge_refused",
            case_id=case_id,
            details={"via": "sms", "why": why, "sender_hash": sender_hash},
        )
        if case_id is not None:
            # the code reached someone it was not sent to: the desk should know
            note(
                uow,
                case_id,
                now,
                "acknowledge_refused",
                "SMS acknowledgement refused: the right code came from a number that is not a "
                "contact of the unit / पावती अस्वीकार: कोड किसी अन्य नंबर से आया",
                sender_hash=sender_hash,
            )
        _note_throttle(uow, failures, sender_hash, contact, now)
        uow.commit()
    if not contact:
        raise SenderNotAllowed(
            "SMS acknowledgements are accepted only from the phone numbers of the unit's "
            "contacts in the registry; acknowledge with the link in the message, or call the SMC"
        )
    raise NotFound("no message with that acknowledgement code for this number")


def code_expired(created_at: datetime, now: datetime, link_max_age_seconds: int) -> bool:
    """Whether an SMS code is past its life (the link's, and never more than CODE_MAX_AGE)."""
    life = min(CODE_MAX_AGE, timedelta(seconds=link_max_age_seconds))
    return now - created_at > life


def _check(recent: list[datetime], limit: int, now: datetime) -> None:
    if len(recent) < limit:
        return
    # room again once the oldest refusal that keeps the count at the limit leaves the window
    frees_at = recent[len(recent) - limit] + WINDOW
    raise AcknowledgementThrottled(
        "too many wrong acknowledgement codes: SMS replies are not read for now; acknowledge "
        "with the link in the message, or call the SMC",
        math.ceil((frees_at - now).total_seconds()),
    )


def _note_throttle(
    uow: UnitOfWork, failures: SmsAckFailures, sender_hash: str, contact: bool, now: datetime
) -> None:
    """One audit row when a limit is reached (not one per throttled attempt)."""
    mine = len(failures.since(now - WINDOW, sender_hash=sender_hash))
    every = len(failures.since(now - WINDOW, contacts_only=True)) if contact else 0
    for scope, count, limit in (("number", mine, PER_NUMBER_LIMIT), ("all", every, OVERALL_LIMIT)):
        if count == limit:
            uow.audit.append(
                at=now,
                actor="anonymous:sms",
                action="sms_ack.throttled",
                case_id=None,
                details={"scope": scope, "sender_hash": sender_hash, "limit": limit},
            )


_NUMBERS: weakref.WeakKeyDictionary[RegistryView, frozenset[str]] = weakref.WeakKeyDictionary()


def _contact_numbers(phones: PhoneNumbers, contacts: tuple[Contact, ...]) -> set[str]:
    found: set[str] = set()
    for contact in contacts:
        for raw in contact.phones:
            number = phones.normalise(raw)
            if number is not None:
                found.add(number)
        for url in contact.channels:
            found.update(phones.of_channel(url))
    return found


def _all_numbers(ctx: Context, view: RegistryView) -> frozenset[str]:
    """Every registry contact's number (built once per registry version and day)."""
    assert ctx.phones is not None
    found = _NUMBERS.get(view)
    if found is None:
        contacts = tuple(c for unit in view.units.values() for c in unit.contacts)
        found = frozenset(_contact_numbers(ctx.phones, contacts))
        _NUMBERS[view] = found
    return found


def _allowed(
    ctx: Context, uow: UnitOfWork, view: RegistryView, notification: Notification
) -> set[str]:
    """The numbers that may acknowledge one message: the contacts of the unit its dispatch
    went to and of the unit it was sent to, and the numbers it was sent to."""
    assert ctx.phones is not None
    repo = uow.dispatches
    units = {notification.unit_id}
    if notification.dispatch_id is not None:
        units.add(repo.get(notification.dispatch_id).unit_id)
    allowed = _contact_numbers(
        ctx.phones, tuple(c for u in sorted(units) for c in view.contacts_for(u)[1])
    )
    for url in notification.channels:
        allowed.update(ctx.phones.of_channel(url))
    return allowed
