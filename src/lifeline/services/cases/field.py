"""The field officer's steps from the acknowledgement link: on scene, then an outcome.

The link's signed token is the credential, exactly as for the acknowledgement: whoever holds the
link of a unit that acknowledged may record the unit's next steps, and the case moves through
the same lifecycle steps as an operator's (domain/lifecycle.py), with the actor being a contact
of the unit (`contact:<role>@<unit id>`; the name typed on the page is kept only in the
encrypted timeline details).

A link can be forwarded, so what its holder reports counts at once only when it does not send
help away from the person: "on scene" and the outcomes in which the person was reached alive
(ALIVE_OUTCOMES) stop the escalation as an operator's would. Every other outcome (not located,
false alarm, handed over, deceased, duplicate) ends the response without anyone helping the
person, so it is recorded as *reported by the field, awaiting SMC confirmation* (a timeline
entry; the case page shows it with Confirm and Reject) and escalation runs on until an operator
confirms it. Pending reports are timeline entries (`field_outcome_reported`) not yet answered by
a `field_outcome_confirmed` or `field_outcome_rejected` entry naming them: the timeline is the
case's append-only record, so no table of its own is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.dispatch import AcknowledgementRefused, AckTokenError, Dispatch, DispatchState
from lifeline.domain.errors import DomainError, InvalidOutcome, NotFound
from lifeline.domain.lifecycle import TRANSITIONS, CaseStatus, Milestone, Step
from lifeline.domain.model import (
    ALIVE_OUTCOMES,
    OUTCOMES_NEEDING_REASON,
    Actor,
    Case,
    OutcomeKind,
    TimelineEntry,
)
from lifeline.services.access.authorisation import enforce_case
from lifeline.services.aftercare.followups import propose_plan
from lifeline.services.context import Context
from lifeline.services.dispatch.escalations import SETTLED, note, stop_escalations
from lifeline.services.ports import UnitOfWork

#: outcomes a link records at once (someone reached the person alive); the rest wait
AT_ONCE = ALIVE_OUTCOMES
#: a short note, as a phone keyboard gives it; longer is refused with the text kept
NOTE_MAX = 500
NAME_MAX = 60
REPORTED = "field_outcome_reported"
CONFIRMED = "field_outcome_confirmed"
REJECTED = "field_outcome_rejected"


class FieldStepRefused(DomainError):
    """A step from the link that cannot be taken; `state` names why for the page (acknowledge
    first, already on scene, outcome already recorded, awaiting confirmation, settled, ended,
    alarm)."""

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state


@dataclass(frozen=True)
class FieldLinkView:
    """What the link's page may show once the unit acknowledged: the case number, the unit and
    where the steps stand, nothing about the person. `state`: steps (on scene and outcome
    open), on_scene (outcome open), pending (an outcome awaits the SMC), resolved (an outcome
    is recorded), or the acknowledgement page's own states (open, ended, settled, alarm,
    expired, invalid)."""

    state: str
    case_id: int | None = None
    unit_name: str | None = None
    acknowledged_at: datetime | None = None
    on_scene_at: datetime | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class FieldReport:
    """An outcome reported from a link, awaiting an operator's Confirm or Reject."""

    id: int
    at: datetime
    outcome: str
    note: str
    unit_name: str
    given_as: str
    actor: str


# -- reading the link -----------------------------------------------------------------------


def field_link_view(ctx: Context, token: str) -> FieldLinkView:
    """Read the link without writing anything (not even the audit log): chat apps fetch every
    link they see."""
    if ctx.ack_tokens is None:
        return FieldLinkView("invalid")
    try:
        notification_id = ctx.ack_tokens.read(token, ctx.config.ack_link_max_age_seconds)
    except AckTokenError as exc:
        return FieldLinkView("expired" if exc.expired else "invalid")
    with ctx.uow(readonly=True) as uow:
        try:
            notification = uow.dispatches.notification(notification_id)
            if notification.dispatch_id is None:
                return FieldLinkView("alarm", notification.case_id)
            dispatch = uow.dispatches.get(notification.dispatch_id)
            case = uow.cases.get(notification.case_id)
        except NotFound:
            return FieldLinkView("invalid")
        pending = pending_reports(uow, case)
    return FieldLinkView(
        _state(case, dispatch, bool(pending)),
        case.id,
        dispatch.unit_name,
        dispatch.acknowledged_at,
        case.milestones.get(Milestone.ON_SCENE),
        case.outcome.kind.value if case.outcome else (pending[0].outcome if pending else None),
    )


def _state(case: Case, dispatch: Dispatch, pending: bool) -> str:
    unacknowledged = (DispatchState.ACTIVE, DispatchState.EXHAUSTED)  # may still acknowledge
    if dispatch.state in unacknowledged and case.status not in SETTLED:
        return "open"
    if dispatch.state is not DispatchState.ACKNOWLEDGED:
        return "settled" if case.status in SETTLED else "ended"
    if case.outcome is not None:
        return "resolved"
    if case.status not in TRANSITIONS[Step.RECORD_OUTCOME][0]:
        return "settled"
    if pending:
        return "pending"
    return "on_scene" if case.status is CaseStatus.ON_SCENE else "steps"


# -- the steps ------------------------------------------------------------------------------


def field_on_scene(ctx: Context, token: str, name: str = "") -> Case:
    """The "on scene" button: the case moves on scene and every escalation stops, as the
    console's button does. A second press changes nothing and says so."""
    notification_id = _read(ctx, token, "on_scene")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        case, dispatch, actor, by = _open(uow, notification_id, name)
        refusal = _refusal(uow, case, dispatch, Step.ARRIVE)
        if refusal is None:
            assert case.id is not None
            before = case.status
            case.mark_on_scene(now, actor)
            uow.cases.save(case)
            _noted(uow, case.id, now, "On scene", dispatch, actor, by)
            _audit(uow, now, actor, "case.on_scene", case.id, dispatch, before, case.status)
            stop_escalations(uow, case, f"case is {case.status.value}", now)
            uow.commit()
            return case
    _refused(ctx, case.id, "on_scene", str(refusal))
    raise refusal


def field_outcome(ctx: Context, token: str, outcome: str, text: str = "", name: str = "") -> Case:
    """The outcome form: an outcome in which the person was reached alive is recorded at once
    (escalation stops, a follow-up plan is proposed); any other waits for the SMC."""
    notification_id = _read(ctx, token, "outcome")
    kind = _outcome(outcome)
    text = text.strip()
    if len(text) > NOTE_MAX:
        raise InvalidOutcome(f"the note is {len(text)} characters; at most {NOTE_MAX}")
    if kind in OUTCOMES_NEEDING_REASON and not text:
        raise InvalidOutcome(f"outcome {kind.value} needs a short note saying why")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        case, dispatch, actor, by = _open(uow, notification_id, name)
        refusal = _refusal(uow, case, dispatch, Step.RECORD_OUTCOME)
        if refusal is None:
            assert case.id is not None
            before = case.status
            if kind in AT_ONCE:
                case.record_outcome(kind, now, actor, text or None)
                uow.cases.save(case)
                _noted(uow, case.id, now, f"Outcome {kind.value}", dispatch, actor, by)
                _audit(
                    uow, now, actor, "case.outcome", case.id, dispatch, before, case.status,
                    outcome=kind.value,
                )  # fmt: skip
                stop_escalations(uow, case, f"case is {case.status.value}", now)
                propose_plan(ctx, uow, case, actor)
            else:
                note(
                    uow,
                    case.id,
                    now,
                    REPORTED,
                    f"Outcome {kind.value} reported by a contact of {dispatch.unit_name} "
                    "(link): awaiting SMC confirmation, escalation continues / फ़ील्ड से "
                    "परिणाम की सूचना: SMC की पुष्टि बाकी",
                    actor,
                    outcome=kind.value,
                    note=text,
                    unit_name=dispatch.unit_name,
                    **by,
                )
                _audit(
                    uow, now, actor, "case.field_outcome_reported", case.id, dispatch,
                    before, case.status, outcome=kind.value,
                )  # fmt: skip
            uow.commit()
            return case
    _refused(ctx, case.id, "outcome", str(refusal))
    raise refusal


def _read(ctx: Context, token: str, step: str) -> int:
    if ctx.ack_tokens is None:
        raise DomainError("acknowledgement links are not configured")
    try:
        return ctx.ack_tokens.read(token, ctx.config.ack_link_max_age_seconds)
    except AckTokenError as exc:
        _refused(ctx, None, step, str(exc))
        raise


def _outcome(value: str) -> OutcomeKind:
    try:
        return OutcomeKind(value.strip().lower())
    except ValueError:
        raise InvalidOutcome(f"unknown outcome {value[:40]!r}: choose one from the list") from None


def _open(
    uow: UnitOfWork, notification_id: int, name: str
) -> tuple[Case, Dispatch, Actor, dict[str, object]]:
    notification = uow.dispatches.notification(notification_id)
    if notification.dispatch_id is None:
        raise AcknowledgementRefused("this message was an SMC alarm: it has no steps to record")
    case = uow.cases.get(notification.case_id, for_update=True)
    dispatch = uow.dispatches.get(notification.dispatch_id, for_update=True)
    # by role, never by name: the actor is written in clear to the timeline and audit log
    role = notification.contact_role.strip() or "contact"
    actor = Actor("contact", f"{role}@{dispatch.unit_id}"[:100])
    by: dict[str, object] = {
        "contact": notification.contact_name,
        "notification_id": notification_id,
        "dispatch_id": dispatch.id,
    }
    given = " ".join(name.split())[:NAME_MAX]
    if given:
        by["given_as"] = given
    return case, dispatch, actor, by


def _refusal(
    uow: UnitOfWork, case: Case, dispatch: Dispatch, step: Step
) -> FieldStepRefused | None:
    state = _state(case, dispatch, bool(pending_reports(uow, case)))
    if state == "open":
        return FieldStepRefused("unacknowledged", "acknowledge the case first")
    if state in ("ended", "settled"):
        return FieldStepRefused(state, f"case {case.id} is {case.status.value} for this link")
    if state == "resolved":
        assert case.outcome is not None
        return FieldStepRefused("resolved", f"outcome already recorded: {case.outcome.kind}")
    if step is Step.ARRIVE and case.status is CaseStatus.ON_SCENE:
        return FieldStepRefused("already_on_scene", "on scene was already recorded")
    if step is Step.ARRIVE and state == "pending":
        return FieldStepRefused("pending", "an outcome from the field awaits SMC confirmation")
    if step is Step.RECORD_OUTCOME and state == "pending":
        return FieldStepRefused("pending", "an outcome from the field awaits SMC confirmation")
    return None


def _noted(
    uow: UnitOfWork,
    case_id: int,
    now: datetime,
    what: str,
    dispatch: Dispatch,
    actor: Actor,
    by: dict[str, object],
) -> None:
    note(
        uow,
        case_id,
        now,
        "field_report",
        f"{what}: recorded by a contact of {dispatch.unit_name} (link) / "
        f"{dispatch.unit_name} द्वारा लिंक से दर्ज",
        actor,
        **by,
    )


def _audit(
    uow: UnitOfWork,
    now: datetime,
    actor: Actor,
    action: str,
    case_id: int,
    dispatch: Dispatch,
    before: CaseStatus,
    after: CaseStatus,
    **more: object,
) -> None:
    uow.audit.append(
        at=now,
        actor=str(actor),
        action=action,
        case_id=case_id,
        details={
            "from": before.value,
            "to": after.value,
            "via": "link",
            "unit": dispatch.unit_id,
            **more,
        },
    )


def _refused(ctx: Context, case_id: int | None, step: str, why: str) -> None:
    """A refused step is written down (it may be a replay, a forgery or a confused officer)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.audit.append(
            at=now,
            actor="anonymous:link",
            action="case.field_step_refused",
            case_id=case_id,
            details={"step": step, "why": why[:300]},
        )
        uow.commit()


# -- the SMC's answer -----------------------------------------------------------------------


def pending_reports(uow: UnitOfWork, case: Case) -> list[FieldReport]:
    """Outcomes reported from links that no operator has confirmed or rejected, oldest first
    (none once the case has an outcome: that supersedes them)."""
    assert case.id is not None
    if case.outcome is not None or case.status not in TRANSITIONS[Step.RECORD_OUTCOME][0]:
        return []
    timeline = uow.cases.timeline(case.id)
    answered = {e.details.get("report_id") for e in timeline if e.kind in (CONFIRMED, REJECTED)}
    return [_report(e) for e in timeline if e.kind == REPORTED and e.id not in answered]


def _report(entry: TimelineEntry) -> FieldReport:
    assert entry.id is not None
    return FieldReport(
        entry.id,
        entry.at,
        str(entry.details.get("outcome", "")),
        str(entry.details.get("note", "")),
        str(entry.details.get("unit_name", "")),
        str(entry.details.get("given_as", "")),
        entry.actor,
    )


def field_reports(ctx: Context, actor: Actor, case_id: int) -> list[FieldReport]:
    """The case page's panel (the page's own read is audited)."""
    with ctx.uow(readonly=True) as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        return pending_reports(uow, uow.cases.get(case_id))


def confirm_field_report(ctx: Context, actor: Actor, case_id: int, report_id: int) -> Case:
    """An operator confirms an outcome reported from a link (after calling the unit): it is
    recorded as the field's, at the time the field reported it, and escalation stops."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_ACT)
        case = uow.cases.get(case_id, for_update=True)
        report = _pending(uow, case, report_id)
        now = ctx.clock.now()
        before = case.status
        kind, _, who = report.actor.partition(":")
        reporter = Actor(kind, who) if who else actor
        case.record_outcome(OutcomeKind(report.outcome), report.at, reporter, report.note or None)
        uow.cases.save(case)
        note(
            uow,
            case_id,
            now,
            CONFIRMED,
            f"Outcome {report.outcome} reported by a contact of {report.unit_name} confirmed "
            "by the SMC / SMC द्वारा पुष्टि",
            actor,
            report_id=report.id,
        )
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="case.field_outcome_confirmed",
            case_id=case_id,
            details={
                "from": before.value,
                "to": case.status.value,
                "outcome": report.outcome,
                "report_id": report.id,
                "reported_by": report.actor,
            },
        )
        stop_escalations(uow, case, f"case is {case.status.value}", now)
        propose_plan(ctx, uow, case, reporter)
        uow.commit()
        return case


def reject_field_report(
    ctx: Context, actor: Actor, case_id: int, report_id: int, reason: str = ""
) -> Case:
    """An operator rejects an outcome reported from a link (not the unit's, or not true): the
    case stays where it is and its escalation runs on."""
    reason = reason.strip()
    if len(reason) > NOTE_MAX:
        raise InvalidOutcome(f"the reason is {len(reason)} characters; at most {NOTE_MAX}")
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_ACT)
        case = uow.cases.get(case_id, for_update=True)
        report = _pending(uow, case, report_id)
        now = ctx.clock.now()
        note(
            uow,
            case_id,
            now,
            REJECTED,
            f"Outcome {report.outcome} reported by a contact of {report.unit_name} rejected "
            "by the SMC / SMC द्वारा अस्वीकार",
            actor,
            report_id=report.id,
            reason=reason,
        )
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="case.field_outcome_rejected",
            case_id=case_id,
            details={"outcome": report.outcome, "report_id": report.id},
        )
        uow.commit()
        return case


def _pending(uow: UnitOfWork, case: Case, report_id: int) -> FieldReport:
    for report in pending_reports(uow, case):
        if report.id == report_id:
            return report
    raise NotFound(f"no field report {report_id} awaits confirmation on case {case.id}")
