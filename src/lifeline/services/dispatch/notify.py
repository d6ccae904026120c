"""Sending notifications: compose each message, try its contact's channel, record the result.

What a message says is message.py. A transaction's messages for one case (the first messages
to every unit a case is dispatched to, an escalation step's, an SMC alarm's) are one
`send_notifications` job. It runs outside any open transaction (the worker calls it with the
context only): the network calls must never hold a database lock, so the messages are read and
composed in the transaction that claimed the job (`_read_ahead`; most often the one that queued
them) or else in one short transaction of its own, sent at once, and the attempts recorded (each
on its own notification, with its own retries) in one more. Delivery is at least once: if the
process dies between sending and recording, the job's lease ends and the messages not yet
recorded are sent again (a message recorded as delivered never is); each carries its
notification id for the receiver to drop the duplicate.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.dispatch import (
    AlarmKind,
    DispatchState,
    Notification,
    NotificationState,
    Purpose,
)
from lifeline.domain.errors import DomainError
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Case
from lifeline.services.context import Context
from lifeline.services.dispatch.escalations import (
    contact_label,
    note,
    raise_alarm,
)
from lifeline.services.dispatch.message import compose, without_recipients
from lifeline.services.dispatch.ports import DeliveryResult, OutgoingMessage
from lifeline.services.job_spec import free_job, read_ahead_for
from lifeline.services.job_types import (
    BadJobPayload,
    JobKind,
    NotificationJob,
    NotificationsJob,
    enqueue,
)
from lifeline.services.ports import Job, UnitOfWork

#: how long after a job's first answer the others are waited for, to record them together;
#: an endpoint slower than that has the deliveries before it recorded first
RECORD_TOGETHER_SECONDS = 0.25

#: how old a read ahead (in the transaction that claimed the job) may be and still be sent
#: from: a job that waited longer for a sending thread reads again, so a message whose dispatch
#: ended meanwhile (acknowledged) is withdrawn, not sent
READ_AHEAD_SECONDS = 1.0

#: seconds before retrying the same channel, by attempt (then the next channel is tried)
RETRY_BACKOFF = (1.0, 3.0, 10.0)


def _read_ahead(
    ctx: Context, uow: UnitOfWork, job: Job, payload: NotificationsJob
) -> list[_Outgoing] | None:
    """In the transaction that claims the job (the one that queued the messages, most often):
    the messages to send, composed; None when some must be withdrawn instead (the job reads
    again and withdraws them in its own transaction)."""
    ids = payload.notification_ids
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return None  # the job itself says what is wrong
    outgoing, ended = _outgoing(ctx, uow, ids)
    return None if ended else outgoing


@free_job(JobKind.SEND_NOTIFICATIONS, payload=NotificationsJob, read_ahead=_read_ahead)
def send_notifications(ctx: Context, job: Job, payload: NotificationsJob) -> None:
    """Job handler (outside a transaction): send the job's notifications, all at once, and
    record each attempt on its own notification."""
    ids = payload.notification_ids
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise BadJobPayload(job.kind, job.id, "notification_ids", "must be a list of integers")
    send_all(ctx, job, ids)


@free_job(JobKind.SEND_NOTIFICATION, payload=NotificationJob)
def send_notification(ctx: Context, job: Job, payload: NotificationJob) -> None:
    """Job handler for one notification (jobs written before `send_notifications`)."""
    send_all(ctx, job, [payload.notification_id])


@dataclass(frozen=True)
class _Outgoing:
    notification_id: int
    url: str
    message: OutgoingMessage


@dataclass(frozen=True)
class _Sent:
    notification_id: int
    url: str
    result: DeliveryResult
    at: datetime  # when the answer came: a delivery is timed to it


def send_all(ctx: Context, job: Job, notification_ids: list[int]) -> None:
    """Read the notifications still to send in one transaction, send them (several at once on
    `ctx.send_pool`), and record the results: deliveries as soon as they are in (a slow
    endpoint does not hold up "police notified" or the other units' records), everything
    else, the retries and the job's completion once every send has answered. A notification
    already delivered or failed (a re-run after a crash) is not sent again."""
    if ctx.channels is None:
        raise DomainError("no notification channels are configured")
    channels = ctx.channels
    ended: list[Notification] = []
    read = read_ahead_for(job, READ_AHEAD_SECONDS)
    if isinstance(read, list):
        outgoing: list[_Outgoing] = read
    else:
        with ctx.uow(readonly=True) as uow:
            outgoing, ended = _outgoing(ctx, uow, notification_ids)
    if ended:
        _withdraw(ctx, job, ended, complete=not outgoing)
    elif not outgoing:
        with ctx.uow() as uow:
            uow.jobs.complete(job, ctx.clock.now())
            uow.commit()
    if not outgoing:
        return

    def deliver(item: _Outgoing) -> _Sent:
        problem = channels.check(item.url)
        if problem is not None:
            result = DeliveryResult(False, problem, retryable=False)
        else:
            result = channels.send(item.url, item.message, timeout=ctx.config.channel_timeout)
        return _Sent(item.notification_id, item.url, result, ctx.clock.now())

    pool = ctx.send_pool
    later: list[Future[_Sent]] = []
    answered: list[_Sent] = []
    if pool is not None and len(outgoing) > 1:
        # all on the pool, this thread records: a slow first endpoint holds up nobody
        later = [pool.submit(deliver, item) for item in outgoing]
        wait(later, return_when=FIRST_COMPLETED)
        # answers close together are recorded in one transaction (each keeps its own time)
        wait(later, timeout=RECORD_TOGETHER_SECONDS)
    else:
        answered = [deliver(item) for item in outgoing]
    while True:
        pending: list[Future[_Sent]] = []
        for future in later:  # each looked at once: one that ends meanwhile waits its turn
            if future.done():
                answered.append(future.result())
            else:
                pending.append(future)
        later = pending
        if not later:
            record_attempts(ctx, job, answered, complete=True)
            return
        delivered = [s for s in answered if s.result.delivered]
        if delivered:
            record_attempts(ctx, job, delivered, complete=False)
            answered = [s for s in answered if not s.result.delivered]
        wait(later, return_when=FIRST_COMPLETED)


def _outgoing(
    ctx: Context, uow: UnitOfWork, notification_ids: list[int]
) -> tuple[list[_Outgoing], list[Notification]]:
    """The messages to send, composed, and the notifications to withdraw (see `_to_send`)."""
    wanted, ended = _to_send(uow, uow.dispatches.notifications(notification_ids))
    outgoing = [
        _Outgoing(n.id, n.channels[n.channel_index], compose(ctx, uow, n))
        for n in wanted
        if n.id is not None
    ]
    return outgoing, ended


def _to_send(
    uow: UnitOfWork, found: list[Notification]
) -> tuple[list[Notification], list[Notification]]:
    """The notifications still to send (queued, with a channel, their dispatch running), and
    those queued whose dispatch has ended (to withdraw)."""
    states: dict[int, DispatchState] = {}
    wanted: list[Notification] = []
    ended: list[Notification] = []
    for n in found:
        if n.state is not NotificationState.QUEUED or not n.channels:
            continue
        if n.dispatch_id is not None:
            if n.dispatch_id not in states:
                # one read for every dispatch of the case (the messages of a job share one)
                for d in uow.dispatches.for_case(n.case_id):
                    assert d.id is not None
                    states[d.id] = d.state
            state = states.get(n.dispatch_id)
            if state is not DispatchState.ACTIVE:
                if state is not None:
                    ended.append(n)
                continue
        wanted.append(n)
    return wanted, ended


def _withdraw(ctx: Context, job: Job, ended: list[Notification], *, complete: bool) -> None:
    """Record as withdrawn, each with a timeline entry, the messages whose dispatch ended
    (acknowledged, stopped as the case moved on, run out) before they went out: otherwise
    they would stay `queued`, shown as "sending" for ever. One transaction, which also
    completes the job when nothing else is to send."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        # locked in the order every writer takes them: case, dispatch, notification
        case_ids = sorted({n.case_id for n in ended})
        for case_id in case_ids:
            uow.cases.get(case_id, for_update=True)
        states = {
            d.id: d.state
            for case_id in case_ids
            for d in uow.dispatches.for_case(case_id, for_update=True)
        }
        ids = [n.id for n in ended if n.id is not None]
        changed: list[Notification] = []
        for n in uow.dispatches.notifications(ids, for_update=True):
            state = states.get(n.dispatch_id) if n.dispatch_id is not None else None
            if n.state is not NotificationState.QUEUED or state in (None, DispatchState.ACTIVE):
                continue  # recorded meanwhile by another run of the job
            assert state is not None
            n.withdraw()
            changed.append(n)
            note(
                uow,
                n.case_id,
                now,
                "notification_withdrawn",
                f"Not sent to {contact_label(n.contact_role)} ({n.unit_id}): the dispatch "
                f"ended first ({state.value}) / संदेश नहीं भेजा गया: डिस्पैच पहले ही समाप्त",
                notification_id=n.id,
                dispatch_state=state.value,
            )
        uow.dispatches.save_notifications(changed)
        if complete:
            uow.jobs.complete(job, now)
        uow.commit()


def record_attempts(ctx: Context, job: Job, sent: list[_Sent], *, complete: bool) -> None:
    """Record the attempts in one transaction, in the order their answers came; with
    `complete`, also finish the job (after writing any retry it needs)."""
    assert ctx.channels is not None
    now = ctx.clock.now()
    sent = sorted(sent, key=lambda s: s.at)
    with ctx.uow() as uow:
        # The case first, as every writer locks them (case, dispatch, notification): two
        # messages of one case delivered at once are recorded one after the other, so exactly
        # one of them counts as the case's first delivery.
        cases = {
            case_id: uow.cases.get(case_id, for_update=True)
            for case_id in sorted({job.case_id} if job.case_id is not None else set())
        }
        repo = uow.dispatches
        locked = {
            n.id: n for n in repo.notifications([s.notification_id for s in sent], for_update=True)
        }
        retries: dict[float, list[int]] = {}
        changed: list[Notification] = []
        for s in sent:
            n = locked.get(s.notification_id)
            if n is None or n.state is not NotificationState.QUEUED:
                continue  # gone, or recorded by another run of this job meanwhile
            delay = _record_one(ctx, uow, n, s, cases.get(n.case_id))
            changed.append(n)
            if delay is not None:
                assert n.id is not None
                retries.setdefault(delay, []).append(n.id)
        repo.save_notifications(changed)
        for n in changed:  # once all are saved: two contacts of a unit failing together alarm
            if n.state is NotificationState.FAILED:
                _alarm_if_nobody_left(ctx, uow, n, now)
        for delay, ids in sorted(retries.items()):
            enqueue(
                uow.jobs,
                JobKind.SEND_NOTIFICATIONS,
                NotificationsJob(ids),
                now=now,
                case_id=job.case_id,
                run_at=now + timedelta(seconds=delay),
                max_attempts=3,
            )
        if complete:
            uow.jobs.complete(job, now)
        uow.commit()


def _record_one(
    ctx: Context, uow: UnitOfWork, n: Notification, s: _Sent, case: Case | None
) -> float | None:
    """Record one attempt on `n` (the caller saves it); the seconds until its retry, None if
    none."""
    assert ctx.channels is not None
    via = ctx.channels.describe(s.url)
    result, at = s.result, s.at
    attempt = n.attempts + 1
    action = n.record_attempt(
        at,
        result.delivered,
        result.detail,
        result.retryable,
        via,
        ctx.config.channel_attempts,
    )
    # the contact by role: their name stays in the notification, never in a summary
    who = f"{contact_label(n.contact_role)} ({n.unit_id})"
    if action == "done":
        note(
            uow,
            n.case_id,
            at,
            "notification_delivered",
            f"Delivered to {who} via {via} / संदेश पहुँचा",
            notification_id=n.id,
            via=via,
        )
        _measure_first_delivery(ctx, uow, n, at, case)
        return None
    if action in ("retry", "next"):
        delay = RETRY_BACKOFF[min(attempt - 1, len(RETRY_BACKOFF) - 1)]
        if action == "next":
            delay, then = 0.0, "trying the next channel"
        else:
            then = f"retrying in {delay:g} s"
        note(
            uow,
            n.case_id,
            at,
            "notification_retry",
            f"Sending to {who} via {via} failed ({without_recipients(result.detail)}); " + then,
            notification_id=n.id,
            via=via,
            error=result.detail,
        )
        return delay
    note(
        uow,
        n.case_id,
        at,
        "notification_failed",
        f"Could not reach {who}: every channel failed (last: {via}: "
        f"{without_recipients(result.detail)}) / संपर्क नहीं हो सका",
        notification_id=n.id,
        via=via,
        error=result.detail,
    )
    return None


def _alarm_if_nobody_left(ctx: Context, uow: UnitOfWork, n: Notification, now: datetime) -> None:
    """Every message to a unit has failed and none is still being tried: alarm the SMC."""
    if n.purpose is Purpose.ALARM:
        return
    others = [
        o
        for o in uow.dispatches.notifications_for_case(n.case_id)
        if o.dispatch_id == n.dispatch_id
    ]
    if any(o.state is not NotificationState.FAILED for o in others):
        return
    raise_alarm(
        ctx,
        uow,
        n.case_id,
        n.dispatch_id,
        AlarmKind.DELIVERY_FAILED,
        {"unit": n.unit_id, "units": 1},
        now,
    )


def _measure_first_delivery(
    ctx: Context, uow: UnitOfWork, n: Notification, now: datetime, case: Case | None
) -> None:
    """The case's first delivered message of a dispatch (an alarm to the SMC tells no unit):
    its `first_delivered` milestone, which "alert → police notified" is measured to."""
    if n.purpose is Purpose.ALARM or n.dispatch_id is None:
        return
    assert n.id is not None
    if case is None:
        case = uow.cases.get(n.case_id, for_update=True)
    if not case.reach(Milestone.FIRST_DELIVERED, now):
        return
    uow.cases.save(case)
    if ctx.measure is not None and not case.drill:
        ctx.measure("alert_to_first_delivered", (now - case.opened_at).total_seconds())
