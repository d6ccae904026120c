"""Acknowledgements (signed link, SMS reply code, console, API) and the STF's trace answers.

An acknowledgement stops the escalation for its unit; a refused one (forged or expired link,
code already used, case closed) is written to the audit log and the case timeline, so forgery
attempts and confused officers are both visible.
"""

from __future__ import annotations

from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.dispatch import (
    AcknowledgementRefused,
    AckTokenError,
    Dispatch,
    DispatchState,
    Purpose,
)
from lifeline.domain.errors import DomainError, PermissionDenied
from lifeline.domain.events import UnitAcknowledged
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import SYSTEM, Actor, Case
from lifeline.domain.place import LocationQuery
from lifeline.services.access.authorisation import enforce_case
from lifeline.services.context import Context
from lifeline.services.dispatch.escalations import (
    SETTLED,
    note,
    start_dispatch,
)
from lifeline.services.dispatch.routing import DispatchPlan, plan_dispatch
from lifeline.services.dispatch.sms_ack import admit_sms_code
from lifeline.services.location.resolution import store_resolution, sync_registry
from lifeline.services.ports import UnitOfWork


def acknowledge_units(
    ctx: Context, uow: UnitOfWork, case: Case, actor: Actor, unit: str, now: datetime, via: str
) -> list[Dispatch]:
    """Mark the dispatches `unit` names (its registry id or name; all running ones if empty)
    acknowledged, in the caller's transaction. The case's own acknowledgement is the
    caller's."""
    assert case.id is not None
    repo = uow.dispatches
    wanted = unit.strip().casefold()
    done: list[Dispatch] = []
    for dispatch in repo.for_case(case.id, for_update=True):
        named = wanted in (dispatch.unit_id.casefold(), dispatch.unit_name.casefold())
        if dispatch.state is DispatchState.ACKNOWLEDGED or (wanted and not named):
            continue
        if dispatch.state is DispatchState.STOPPED:
            continue
        dispatch.acknowledge(now, str(actor))
        repo.save(dispatch)
        done.append(dispatch)
        case.events.append(UnitAcknowledged(case.id, now, dispatch.unit_id, via, str(actor)))
        if ctx.measure is not None and not case.drill:
            ctx.measure("dispatch_to_acknowledged", (now - dispatch.started_at).total_seconds())
    if done:
        repo.clear_alarms(case.id, now, str(actor))
    return done


def acknowledge_link(ctx: Context, token: str, name: str = "") -> Case:
    """The confirm button of an acknowledgement link (a POST: link scanners only GET)."""
    if ctx.ack_tokens is None:
        raise DomainError("acknowledgement links are not configured")
    try:
        notification_id = ctx.ack_tokens.read(token, ctx.config.ack_link_max_age_seconds)
    except AckTokenError as exc:
        _refused(ctx, None, "link", str(exc))
        raise
    return _acknowledge_notification(ctx, notification_id, "link", name)


def acknowledge_code(ctx: Context, code: str, sender: str) -> Case:
    """An SMS reply carrying the code of a notification ("ACK 1738 4100 9257"), from `sender`
    (the number the gateway reports): taken only from a number of the unit's contacts, and
    throttled (services/dispatch/sms_ack.py)."""
    admitted = admit_sms_code(ctx, code, sender)
    return _acknowledge_notification(
        ctx, admitted.notification_id, "sms", sender, sender_hash=admitted.sender_hash
    )


#: how timeline summaries name each way a contact acknowledges
_HOW = {"sms": "SMS", "link": "link"}


def _acknowledge_notification(
    ctx: Context, notification_id: int, via: str, who: str, sender_hash: str = ""
) -> Case:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        repo = uow.dispatches
        notification = repo.notification(notification_id)
        if notification.dispatch_id is None:
            raise AcknowledgementRefused("this message was an SMC alarm: nothing to acknowledge")
        case = uow.cases.get(notification.case_id, for_update=True)
        dispatch = repo.get(notification.dispatch_id, for_update=True)
        # by role, never by name: the actor is written in clear to the timeline and audit log
        role = notification.contact_role.strip() or "contact"
        actor = Actor("contact", f"{role}@{dispatch.unit_id}"[:100])
        refusal = None
        if case.status in SETTLED:
            refusal = AcknowledgementRefused(
                f"case {case.id} is {case.status.value}: there is nothing left to acknowledge"
            )
        else:
            try:
                how = _HOW.get(via, via)
                dispatch.acknowledge(now, f"a contact of {dispatch.unit_name} ({how})")
            except AcknowledgementRefused as exc:
                refusal = exc
        if refusal is None:
            # who it was (the name typed on the link page, the SMS number) is kept only in
            # the timeline entry's details, which are stored encrypted
            by: dict[str, object] = {
                "contact": notification.contact_name,
                "notification_id": notification_id,
                "dispatch_id": dispatch.id,
            }
            if " ".join(who.split()):
                by["given_as"] = " ".join(who.split())[:60]
            if sender_hash:
                by["sender_hash"] = sender_hash
            _take(ctx, uow, case, dispatch, actor, via, notification_id, now, by, sender_hash)
            uow.commit()
            return case
    _refused(ctx, case.id, via, str(refusal))  # after the transaction above has ended
    raise refusal


def _take(
    ctx: Context,
    uow: UnitOfWork,
    case: Case,
    dispatch: Dispatch,
    actor: Actor,
    via: str,
    notification_id: int,
    now: datetime,
    by: dict[str, object],
    sender_hash: str,
) -> None:
    assert case.id is not None
    repo = uow.dispatches
    repo.save(dispatch)
    repo.clear_alarms(case.id, now, str(actor))
    if case.status in (CaseStatus.DISPATCHED, CaseStatus.ACKNOWLEDGED):
        case.acknowledge(now, actor, dispatch.unit_name, _HOW.get(via, via), by)
    case.events.append(UnitAcknowledged(case.id, now, dispatch.unit_id, via, str(actor)))
    if ctx.measure is not None and not case.drill:
        ctx.measure("dispatch_to_acknowledged", (now - dispatch.started_at).total_seconds())
    uow.cases.save(case)
    details: dict[str, object] = {
        "via": via,
        "unit": dispatch.unit_id,
        "notification_id": notification_id,
    }
    if sender_hash:
        details["sender_hash"] = sender_hash
    uow.audit.append(
        at=now,
        actor=str(actor),
        action="case.acknowledge",
        case_id=case.id,
        details=details,
    )


def _refused(ctx: Context, case_id: int | None, via: str, why: str) -> None:
    """A refused acknowledgement is written down (it may be a forgery or a confused officer)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.audit.append(
            at=now,
            actor=f"anonymous:{via}",
            action="case.acknowledge_refused",
            case_id=case_id,
            details={"via": via, "why": why[:300]},
        )
        if case_id is not None:
            note(
                uow,
                case_id,
                now,
                "acknowledge_refused",
                f"Acknowledgement by {via} refused: {why} / पावती अस्वीकार",
            )
        uow.commit()


# -- the STF's answer -------------------------------------------------------------------------


def record_trace_result(
    ctx: Context, actor: Actor, case_id: int, query: LocationQuery
) -> tuple[Case, DispatchPlan]:
    """The STF traced the person: resolve the place, stop the trace escalation, and route the
    case (at once for a platform alert, else for the operator to confirm)."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.TRACE_ANSWER)
        case = uow.cases.get(case_id, for_update=True)
        if case.status is CaseStatus.CLOSED:
            raise PermissionDenied(f"case {case_id} is closed")
        now = ctx.clock.now()
        locator = sync_registry(ctx, uow)
        resolution = locator.resolve(query, on=now.date())
        alert_id = uow.alerts.for_case(case_id)[0].id
        assert alert_id is not None
        store_resolution(uow, alert_id, case_id, now, resolution)
        repo = uow.dispatches
        for dispatch in repo.for_case(case_id, for_update=True):
            if dispatch.purpose is Purpose.TRACE and dispatch.state is DispatchState.ACTIVE:
                dispatch.acknowledge(now, str(actor))  # the answer is the acknowledgement
                repo.save(dispatch)
        summary = f"STF trace answered: {resolution.place()} (confidence {resolution.confidence})"
        note(
            uow,
            case_id,
            now,
            "trace_answered",
            summary + " / STF ट्रेस उत्तर",
            actor,
            district_lgd=resolution.district_lgd,
            needs_review=resolution.needs_review,
        )
        if not resolution.needs_review and resolution.district_lgd:
            case.mark_located(now, resolution.place(), actor)
        uow.cases.save(case)
        plan = plan_dispatch(ctx, uow, case, now)
        if plan.automatic and case.status in (CaseStatus.RECEIVED, CaseStatus.DISPATCHED):
            start_dispatch(ctx, uow, case, plan, SYSTEM, now)
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="case.trace_answered",
            case_id=case_id,
            details={"district_lgd": resolution.district_lgd, "routed": plan.automatic},
        )
        uow.commit()
        return case, plan
