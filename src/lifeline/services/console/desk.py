"""The operator console's use cases: the live queue, the case page, notes, the district a case
belongs to, and phone alerts. Each is scoped by `authorisation` in its own transaction.

The model's cues are shown by highlighting; the queue is ordered by urgency: breached clocks
first, then risk level, then age (oldest first), the score only breaking ties (urgency.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lifeline.domain.access import Permission, minimal_view
from lifeline.domain.alert import (
    Alert,
    AlertSource,
    Attachment,
    Caller,
    LocationHint,
    Post,
    PostKind,
    Subject,
)
from lifeline.domain.email_trust import case_sender
from lifeline.domain.errors import InvalidAlert, InvalidOutcome, NotFound
from lifeline.domain.floor import (
    PlatformFlag,
    level_basis,
    model_reading,
    platform_flag,
    score_band,
)
from lifeline.domain.inputs import check_moment
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor, TimelineEntry
from lifeline.domain.place import StoredResolution
from lifeline.domain.retention import LegalHold
from lifeline.domain.risk import AssessmentSource, Cue, RiskAssessment
from lifeline.services.access.authorisation import (
    enforce_case,
    may,
    require,
    traces_only,
    visible_case_ids,
)
from lifeline.services.console.ports import QueueItem
from lifeline.services.console.urgency import Breach, Clocks, breaches, urgency
from lifeline.services.context import Context
from lifeline.services.dispatch.escalations import stop_traces
from lifeline.services.dispatch.relocation import track_place
from lifeline.services.dispatch.views import alarmed_cases, unit_states
from lifeline.services.intake.alerts import Receipt, ReceiveAlert, receive_alert
from lifeline.services.location.case_place import CasePlace, case_place


@dataclass(frozen=True)
class Segment:
    """A run of post text; `cue` names the model's tag when the run is a cue."""

    text: str
    cue: str | None = None


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    level: str | None
    score: float | None
    sla: str  # "acknowledged" | "ok" | "due" | "breached"
    segments: tuple[Segment, ...]
    #: (unit name, dispatch state) of each unit the case was sent to through Lifeline
    dispatches: tuple[tuple[str, str], ...] = ()
    #: an SMC alarm is open: nobody reached, or nobody acknowledged
    alarmed: bool = False
    #: the case's clocks that ran out, and by how long (urgency.py)
    breaches: tuple[Breach, ...] = ()

    @property
    def band(self) -> str | None:
        """The model score's band (high / medium / low), as the queue shows it."""
        return score_band(self.score)

    @property
    def case_id(self) -> int:
        return self.item.case_id

    @property
    def phoned(self) -> tuple[str, ...]:
        """Units the timeline names as told of the case other than by a Lifeline dispatch."""
        if not self.item.units:
            return ()
        sent = {name for name, _ in self.dispatches}
        return tuple(unit for unit in self.item.units if unit not in sent)


def highlight(text: str | None, cues: tuple[Cue, ...]) -> tuple[Segment, ...]:
    """Split `text` into runs, marking the model's cues. Cue offsets index the text the model
    read; if they do not fit this text, the cue's words are looked for instead."""
    if not text:
        return ()
    if not cues:
        return (Segment(text),)
    spans: list[tuple[int, int, str]] = []
    for cue in cues:
        start, end = cue.start, cue.end
        if not (0 <= start < end <= len(text) and text[start:end] == cue.text):
            start = text.casefold().find(cue.text.casefold()) if cue.text else -1
            end = start + len(cue.text)
        if start >= 0 and all(end <= s or start >= e for s, e, _ in spans):
            spans.append((start, end, cue.tag))
    out: list[Segment] = []
    at = 0
    for start, end, tag in sorted(spans):
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], tag))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return tuple(out)


def sla_state(item: QueueItem, now: datetime, ack_sla: timedelta) -> str:
    if item.acknowledged_at is not None:
        return "acknowledged"
    age = now - item.opened_at
    if age >= ack_sla:
        return "breached"
    return "due" if age >= ack_sla / 2 else "ok"


def _model_view(found: list[RiskAssessment]) -> tuple[float | None, tuple[Cue, ...]]:
    model = [a for a in found if a.source is AssessmentSource.MODEL]
    if not model:
        return None, ()
    riskiest = max(model, key=lambda a: (a.level.rank if a.readable else -1, a.score or 0.0))
    return riskiest.score, riskiest.cues


def queue(
    ctx: Context,
    actor: Actor,
    *,
    ack_sla: timedelta,
    on_scene_due: timedelta = timedelta(minutes=30),
    limit: int = 1000,
) -> list[QueueRow]:
    """Open cases the actor may see, what needs a person now first (urgency.py)."""
    require(actor, Permission.QUEUE_READ)
    now = ctx.clock.now()
    clocks = Clocks(
        ctx.config.dispatch_deadline, ctx.config.unreached_alarm_after, ack_sla, on_scene_due
    )
    with ctx.uow(readonly=True) as uow:
        visible = visible_case_ids(uow, actor)
        items = uow.console.open_queue(case_ids=visible, trace_only=traces_only(actor), limit=limit)
        sent = unit_states(uow, [i.case_id for i in items])
        alarmed = alarmed_cases(uow, [i.case_id for i in items])
        rows = [
            QueueRow(
                item,
                item.risk_level,
                item.score,
                sla_state(item, now, ack_sla),
                highlight(item.post_text, tuple(Cue(*c) for c in item.cues)),
                tuple(sent.get(item.case_id, ())),
                item.case_id in alarmed,
                breaches(item, now, clocks),
            )
            for item in items
        ]
    return sorted(rows, key=_urgency)


def _urgency(row: QueueRow) -> tuple[int, int, datetime, float]:
    # an open SMC alarm is a breached clock too (raised by a timer the queue cannot see)
    return urgency(bool(row.breaches) or row.alarmed, row.level, row.item.opened_at, row.score)


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class CaseView:
    """What the case page shows; personal data already reduced for minimal roles."""

    case_id: int
    status: str
    platform: str
    opened_at: datetime
    risk_level: str | None
    milestones: dict[str, datetime]
    subject: Subject | None
    alerts: list[AlertView]
    timeline: list[TimelineEntry]
    notes: list[TimelineEntry]
    assessments: list[RiskAssessment]
    resolutions: list[StoredResolution]
    districts: set[str]
    steps: list[str]
    outcome: str | None
    trace_requested: bool
    can: dict[str, bool] = field(default_factory=dict)
    minimal: bool = False
    #: False when no alert comes from a proven sender: dispatch waits for a person's click
    sender_verified: bool = True
    sender_verification: str = ""
    #: the case's one place (what every message says), with any conflict between alerts
    place: CasePlace = field(default_factory=CasePlace)
    #: a drill (`lifeline drill`): shown with a DRILL badge
    drill: bool = False
    #: the platform's flag and the model's reading, side by side (domain/floor.py)
    flag: PlatformFlag = field(default_factory=lambda: PlatformFlag(False))
    reading: RiskAssessment | None = None
    #: what set the case's level: operator, platform_floor or model
    level_basis: str | None = None
    score_band: str | None = None
    #: a monitoring find waiting for review: dispatched only after a person escalates it
    review_pending: bool = False
    #: the case's legal hold (reason, who, when); None when there is none or for minimal roles
    hold: LegalHold | None = None


def _minimise(alert: Alert) -> Alert:
    alert.raw_payload = b""
    alert.extra = {}
    alert.subject.email = None
    alert.subject.profile_url = None
    return alert


def case_view(ctx: Context, actor: Actor, case_id: int) -> CaseView:
    """A case for its page. The read is audited; a refusal is audited too."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        case = uow.cases.get(case_id)
        # only the fields needed to act (no raw payloads, e-mail or profile links)
        minimal = actor.kind == "user" and minimal_view(actor.role)
        subject = uow.subjects.get(case.subject_id) if case.subject_id is not None else None
        if subject is not None and minimal:
            subject.email = subject.profile_url = None
        found = uow.assessments.for_case(case_id)
        _, cues = _model_view(found)
        alerts = uow.alerts.for_case(case_id)
        sender = case_sender(alerts)
        flag, reading = platform_flag(alerts), model_reading(found)
        if minimal:
            alerts = [_minimise(a) for a in alerts]
        timeline = uow.cases.timeline(case_id)
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="case.read",
            case_id=case_id,
            details={"purpose": "console"},
        )
        view = CaseView(
            case_id=case_id,
            status=case.status.value,
            platform=case.platform,
            opened_at=case.opened_at,
            risk_level=case.risk_level,
            milestones={m.value: at for m, at in case.milestones.items()},
            subject=subject,
            alerts=[AlertView(a, highlight(a.post.text, cues)) for a in alerts],
            timeline=[t for t in timeline if t.kind != "note"],
            notes=[t for t in timeline if t.kind == "note"],
            assessments=found,
            resolutions=uow.locations.for_case(case_id),
            districts=uow.jurisdictions.for_case(case_id),
            steps=[s.name.lower() for s in case.steps()],
            outcome=case.outcome.kind.value if case.outcome else None,
            trace_requested=case.trace_requested_at is not None,
            can={p.name.lower(): actor.kind == "user" and may(actor, p) for p in Permission}
            | {"triage": True},
            minimal=minimal,
            sender_verified=sender.verified,
            sender_verification=sender.how,
            place=case_place(uow, case_id, ctx.config.home_state),
            drill=case.drill,
            flag=flag,
            reading=reading,
            level_basis=level_basis(case.risk_level, flag, reading, found),
            score_band=score_band(reading.score) if reading and reading.readable else None,
            review_pending=case.review is not None and case.review.pending,
            hold=None if minimal else uow.retention.get(case_id).hold,
        )
        uow.commit()
        return view


def add_note(ctx: Context, actor: Actor, case_id: int, text: str) -> None:
    text = text.strip()
    if not text:
        raise InvalidOutcome("a note needs some text")
    if len(text) > 5000:
        raise InvalidOutcome("a note is at most 5000 characters")
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_NOTE)
        now = ctx.clock.now()
        # the text may name people: it goes in the encrypted details, not the summary
        uow.cases.note(
            case_id, TimelineEntry(now, "note", "Note / टिप्पणी", str(actor), {"text": text})
        )
        uow.audit.append(at=now, actor=str(actor), action="case.note", case_id=case_id, details={})
        uow.commit()


def record_place(
    ctx: Context, actor: Actor, case_id: int, place: str, district: str | None = None
) -> None:
    """Record where the person is and, optionally, the district responsible (which decides
    which district officers see the case)."""
    place = place.strip()
    district = (district or "").strip() or None
    if not place and not district:
        raise InvalidOutcome("give a place, a district, or both")
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_MANAGE)
        now = ctx.clock.now()
        before = case_place(uow, case_id, ctx.config.home_state)
        code = None
        if district is not None:
            code = uow.jurisdictions.district_code(district)
            if code is None:
                raise InvalidOutcome(f"unknown district {district!r}")
            uow.jurisdictions.assign(case_id, code, str(actor), now)
        names = {d[0]: d[1] for d in uow.jurisdictions.districts()}
        label = ", ".join(p for p in (place, names.get(code or "", "")) if p)
        case = uow.cases.get(case_id, for_update=True)
        case.mark_located(now, label, actor)
        uow.cases.save(case)
        stop_traces(uow, case_id, "the SMC recorded where the person is", now)
        # a change of district after dispatch is told to the units already notified
        track_place(ctx, uow, case_id, before, actor)
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="case.locate",
            case_id=case_id,
            details={"district_lgd": code},
        )
        uow.commit()


@dataclass(frozen=True)
class PhoneAlert:
    """What an SMC operator writes down from a platform's phone call."""

    call_received_at: datetime
    platform: str
    caller_name: str = ""
    caller_organisation: str = ""
    callback_number: str = ""
    notes: str = ""
    reference: str = ""
    subject_name: str = ""
    subject_handle: str = ""
    subject_phone: str = ""
    post_text: str = ""
    location_text: str = ""
    pin: str = ""


def _clean(value: str) -> str | None:
    return value.strip() or None


def enter_phone_alert(ctx: Context, actor: Actor, form: PhoneAlert) -> Receipt:
    """Store a phone alert; the clock starts at the call time (when the SMC learnt of it)."""
    require(actor, Permission.ALERT_ENTER)
    now = ctx.clock.now()
    called = form.call_received_at
    if called.tzinfo is None:
        raise InvalidAlert("the call time needs a timezone")
    check_moment("call_received_at", called)
    if called > now + timedelta(minutes=1):
        raise InvalidAlert("the call time is in the future")
    pin = form.pin.strip()
    if pin and not (len(pin) == 6 and pin.isdigit()):
        raise InvalidAlert("a PIN code has six digits")
    raw = repr(form).encode("utf-8")
    alert = Alert(
        source=AlertSource.PHONE_CALL,
        received_at=min(now, called.astimezone(UTC)),
        raw_payload=raw,
        raw_content_type="text/x-console-form",
        platform=form.platform or "other",
        reference=_clean(form.reference),
        received_via="phone_call",
        subject=Subject(
            name=_clean(form.subject_name),
            handle=_clean(form.subject_handle),
            phone=_clean(form.subject_phone),
        ),
        post=Post(_clean(form.post_text), None, None, PostKind.TEXT),
        location=LocationHint(_clean(form.location_text), None, None, pin or None, None),
        caller=Caller(
            _clean(form.caller_name),
            _clean(form.caller_organisation),
            _clean(form.callback_number),
            called,
            _clean(form.notes),
        ),
    )
    return receive_alert(ctx, ReceiveAlert(alert, actor))


def milestone_minutes(view: CaseView) -> dict[str, float]:
    """Minutes from the alert to each milestone reached (the response-time figures)."""
    start = view.milestones.get(Milestone.RECEIVED.value, view.opened_at)
    return {
        name: round((at - start).total_seconds() / 60, 1)
        for name, at in view.milestones.items()
        if name != Milestone.RECEIVED.value
    }


def attachment(ctx: Context, actor: Actor, case_id: int, attachment_id: int) -> Attachment:
    """A file that came with one of the case's alerts (the download is audited)."""
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_READ)
        alert_id, found = uow.alerts.attachment(attachment_id)
        if alert_id not in {a.id for a in uow.alerts.for_case(case_id)}:
            raise NotFound(f"attachment {attachment_id} is not part of case {case_id}")
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="case.attachment_read",
            case_id=case_id,
            details={"attachment_id": attachment_id},
        )
        uow.commit()
        return found
