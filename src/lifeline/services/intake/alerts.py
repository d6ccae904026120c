"""Receiving alerts: store verbatim, merge into a case by subject, schedule follow-on work, all in
one transaction. The caller acknowledges the sender only after this returns."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from lifeline.domain.access import Permission
from lifeline.domain.alert import Alert
from lifeline.domain.errors import Conflict
from lifeline.domain.floor import FLOOR_REASON, platform_floor
from lifeline.domain.inputs import check_alert
from lifeline.domain.lifecycle import MERGEABLE_STATES
from lifeline.domain.model import Actor, Case
from lifeline.services.access.accounts import KnownSecrets, SignedRequest, verify_partner
from lifeline.services.access.authorisation import require
from lifeline.services.context import Context
from lifeline.services.intake.ports import IdempotencyRecord
from lifeline.services.job_types import AlertJob, AlertSteps, CaseJob, JobKind, enqueue
from lifeline.services.ports import ConcurrentWrite, UnitOfWork


@dataclass(frozen=True)
class ReceiveAlert:
    """Command: take in one alert. `idempotency_key` and `signature` come from a signed partner
    request; `actor` is the partner, the operator who took a phone call, or the mail intake."""

    alert: Alert
    actor: Actor
    idempotency_key: str | None = None
    signature: str | None = None
    #: transport-level identity of the message (email Message-ID): delivered twice, taken once
    dedupe_key: str | None = None


@dataclass(frozen=True)
class Receipt:
    alert_id: int
    case_id: int
    merged: bool
    replayed: bool = False


class Replay(Conflict):
    """A signed request was sent again without the Idempotency-Key that would make that safe."""

    code = "replayed_request"


def request_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def receive_alert(ctx: Context, cmd: ReceiveAlert) -> Receipt:
    """Store one alert in one transaction; retried (whole) if a concurrent writer got there
    first, so the sender never sees a conflict that was not theirs. A field that could not
    be stored (a NUL byte, a year 9999) is refused first with `InvalidInput` naming it; mail,
    which has no one to refuse to, drops such fields in its parser instead. A person enters an
    alert only with `alert.enter`; partners, mail and the system are checked where they come in."""
    if cmd.actor.kind == "user":
        require(cmd.actor, Permission.ALERT_ENTER)
    check_alert(cmd.alert)
    return _in_transaction(ctx, lambda uow: take_alert(ctx, uow, cmd))


def receive_signed_alert(
    ctx: Context,
    request: SignedRequest,
    alert: Alert,
    idempotency_key: str | None = None,
    known: KnownSecrets | None = None,
) -> Receipt:
    """`receive_alert` for a partner's signed request whose headers passed
    `check_signed_request`: the partner's key is read and the signature checked in the
    transaction that stores the alert (one transaction, not a read of its own before it;
    `AuthenticationFailed` rolls it back) before anything about the alert is said. The alert is
    the partner's (`partner_id` set here)."""

    def take(uow: UnitOfWork) -> Receipt:
        partner = verify_partner(uow, request, known)
        check_alert(alert)
        alert.partner_id = int(partner.id)
        return take_alert(
            ctx, uow, ReceiveAlert(alert, partner, idempotency_key, request.signature)
        )

    return _in_transaction(ctx, take)


def _in_transaction(ctx: Context, take: Callable[[UnitOfWork], Receipt]) -> Receipt:
    """Run `take` in a transaction and commit; the whole again if a concurrent writer got there
    first (at most three times)."""
    attempts = 3
    while True:
        attempts -= 1
        try:
            with ctx.uow() as uow:
                receipt = take(uow)
                uow.commit()
                return receipt
        except ConcurrentWrite:
            if attempts == 0:
                raise


def take_alert(ctx: Context, uow: UnitOfWork, cmd: ReceiveAlert) -> Receipt:
    """Everything `receive_alert` does, inside the caller's transaction (the caller commits)."""
    alert = cmd.alert
    digest = request_digest(alert.raw_payload)
    partner_id = alert.partner_id
    if partner_id is not None and cmd.idempotency_key:
        uow.lock_keys([f"idempotency:{partner_id}:{cmd.idempotency_key}"])
        earlier = uow.idempotency.get(partner_id, cmd.idempotency_key)
        if earlier is not None:
            return _repeat(earlier, digest, cmd.idempotency_key)
    if cmd.dedupe_key:
        uow.lock_keys([f"dedupe:{cmd.dedupe_key}"])
        seen = uow.receipts.get(cmd.dedupe_key)
        if seen is not None:
            return Receipt(seen[0], seen[1], merged=True, replayed=True)
    fresh = (
        partner_id is None
        or not cmd.signature
        or uow.signatures.remember(partner_id, cmd.signature, ctx.clock.now())
    )
    if not fresh:
        raise Replay(
            "this signature was already used; send a new timestamp and signature, or "
            "repeat the request with the same Idempotency-Key to retry safely"
        )
    receipt = _store(ctx, uow, cmd, digest)
    if cmd.dedupe_key:
        uow.receipts.put(cmd.dedupe_key, receipt.alert_id, receipt.case_id, ctx.clock.now())
    return receipt


def _repeat(earlier: IdempotencyRecord, digest: str, key: str) -> Receipt:
    if earlier.request_digest != digest:
        raise Conflict(
            f"Idempotency-Key {key!r} was already used for a different alert body; "
            "use a new key for a new alert"
        )
    return Receipt(earlier.alert_id, earlier.case_id, earlier.merged, replayed=True)


def _store(ctx: Context, uow: UnitOfWork, cmd: ReceiveAlert, digest: str) -> Receipt:
    alert = cmd.alert
    keys = alert.merge_keys()
    uow.lock_keys(keys)
    since = alert.received_at - ctx.config.merge_window
    case = uow.cases.find_mergeable(keys, since) if keys else None
    if case is not None:
        # Lock the row before changing it: a job (location, triage) may be saving the same case
        # right now. Re-read under the lock, and open a new case if it stopped taking alerts.
        assert case.id is not None
        case = uow.cases.get(case.id, for_update=True)
        if case.status not in MERGEABLE_STATES:
            case = None
    merged = case is not None
    if case is None:
        subject = uow.subjects.add(alert.subject)
        case = Case.open(alert)
        case.subject_id = subject.id
        uow.cases.add(case)
    else:
        alert.subject.id = case.subject_id
    assert case.id is not None
    alert.case_id = case.id
    uow.alerts.add(alert)
    if merged:
        case.merge(alert)
    floor = platform_floor(alert)
    if floor is not None:
        # the platform's flag is the floor from the first second: the queue, the deadline and
        # the dispatch rules see it before the model has read the post
        case.raise_to_floor(alert.received_at, floor, FLOOR_REASON)
    if not merged:
        case.opened_by(alert)
        _schedule_deadline(ctx, uow, case)
    assert alert.id is not None
    steps = ctx.config.alert_jobs
    if ctx.config.one_alert_job and steps:
        work = AlertSteps(alert.id, case.id, [str(kind) for kind in steps])
        enqueue(uow.jobs, JobKind.PROCESS_ALERT, work, now=ctx.clock.now(), case_id=case.id)
    else:
        for kind in steps:
            job = AlertJob(alert.id, case.id)
            enqueue(uow.jobs, kind, job, now=ctx.clock.now(), case_id=case.id)
    uow.cases.attach_keys(case.id, keys, alert.received_at)
    uow.cases.save(case)
    uow.audit.append(
        at=ctx.clock.now(),
        actor=str(cmd.actor),
        action="alert.merged" if merged else "alert.received",
        case_id=case.id,
        details={
            "alert_id": alert.id,
            "source": alert.source.value,
            "platform": alert.platform,
            "raw_sha256": digest,
        },
    )
    if alert.partner_id is not None and cmd.idempotency_key:
        uow.idempotency.put(
            IdempotencyRecord(
                alert.partner_id, cmd.idempotency_key, digest, alert.id, case.id, merged
            ),
            ctx.clock.now(),
        )
    return Receipt(alert.id, case.id, merged)


def _schedule_deadline(ctx: Context, uow: UnitOfWork, case: Case) -> None:
    """A durable timer: if nobody has dispatched the case by the deadline, the SMC is alarmed.
    The level is rarely known yet: it first looks at the shortest deadline, then again by the
    level known then (services/dispatch/attention.py)."""
    assert case.id is not None
    enqueue(
        uow.jobs,
        JobKind.CHECK_DISPATCH_DEADLINE,
        CaseJob(case.id),
        now=ctx.clock.now(),
        case_id=case.id,
        run_at=case.opened_at + ctx.config.dispatch_deadline.shortest,
    )
