"""Reads of a case, one model per audience: SMC staff (`CaseRead`, everything), a district
officer (`OfficerCaseRead`, what they need to act), a platform partner (`PartnerCaseRead`,
progress only), and the list's `CaseSummaryRead`. What an audience may not see is not a field
of its model. `cases show ID --json` prints the `CaseRead` that `GET /api/v1/cases/{id}`
sends SMC staff."""

from typing import Annotated, Any, Self

from pydantic import Field

from lifeline.domain.alert import Alert, AlertSource, PostKind, Subject
from lifeline.domain.email_trust import case_sender
from lifeline.domain.floor import disagrees, model_reading, platform_flag
from lifeline.domain.lifecycle import CaseStatus, Milestone
from lifeline.domain.model import Case, Outcome, OutcomeKind
from lifeline.domain.review import DismissReason, Review, ReviewState
from lifeline.domain.risk import RiskSubject
from lifeline.services.aftercare.read_models import EarlierCaseRead, FollowUpPlanRead
from lifeline.services.cases.service import CaseDetail
from lifeline.services.dispatch.read_models import (
    AlarmRead,
    DispatchRead,
    NotificationRead,
    OfficerNotificationRead,
)
from lifeline.services.location.read_models import CaseLocationRead
from lifeline.services.read_model import ReadModel, Timestamp
from lifeline.services.triage.read_models import (
    AssessmentRead,
    CaseAssessmentRead,
    RiskBasisRead,
)

#: when each step of the lifecycle was first reached
Milestones = dict[Milestone, Timestamp]


def _milestones(case: Case) -> Milestones:
    return dict(sorted(case.milestones.items(), key=lambda kv: kv[1]))


class CaseSummaryRead(ReadModel):
    """A row of the case list."""

    id: int
    status: str
    platform: str
    risk_level: str | None
    opened_at: Timestamp
    last_alert_at: Timestamp | None
    alert_count: int
    outcome: str | None


class SubjectRead(ReadModel):
    """The person at risk, as the alerts name them."""

    id: int | None
    platform: str
    name: str | None
    handle: str | None
    profile_url: str | None
    phone: str | None
    email: str | None


class PostRead(ReadModel):
    """The content that triggered the alert."""

    text: str | None
    url: str | None
    posted_at: Timestamp | None
    kind: PostKind


class LocationHintRead(ReadModel):
    """What the alert says about place."""

    text: str | None
    lat: float | None
    lon: float | None
    pin: str | None
    ip_city: str | None


class CallerRead(ReadModel):
    """Who phoned the alert in."""

    name: str | None
    organisation: str | None
    callback_number: str | None
    call_received_at: Timestamp | None
    notes: str | None


class AlertRead(ReadModel):
    """One inbound report, with its raw payload kept verbatim."""

    id: int
    source: AlertSource
    sender_verified: bool
    sender_verification: Annotated[
        str, Field(description="how the sender was proven (signed-api, dkim, ...), or why not")
    ]
    platform: str
    reference: str | None
    received_via: str | None
    received_at: Timestamp
    partner_id: int | None
    subject: SubjectRead
    post: PostRead
    location: LocationHintRead
    caller: CallerRead | None
    extra: Annotated[
        dict[str, Any], Field(description="fields the sender added beyond the schema, as sent")
    ]
    raw_content_type: str
    raw_payload: str

    @classmethod
    def of(cls, a: Alert) -> Self:
        assert a.id is not None, "a read alert is stored"
        return cls(
            id=a.id,
            source=a.source,
            sender_verified=bool(a.sender_verified),
            sender_verification=a.sender_verification,
            platform=a.platform,
            reference=a.reference,
            received_via=a.received_via,
            received_at=a.received_at,
            partner_id=a.partner_id,
            subject=a.subject,
            post=a.post,
            location=a.location,
            caller=a.caller,
            extra=a.extra,
            raw_content_type=a.raw_content_type,
            raw_payload=a.raw_payload.decode("utf-8", errors="replace"),
        )


class TimelineEntryRead(ReadModel):
    at: Timestamp
    kind: str
    actor: str
    summary: str
    details: dict[str, Any]


class OutcomeRead(ReadModel):
    outcome: OutcomeKind
    reason: str | None
    recorded_by: str
    recorded_at: Timestamp

    @classmethod
    def of(cls, o: Outcome | None) -> Self | None:
        if o is None:
            return None
        return cls(
            outcome=o.kind, reason=o.reason, recorded_by=o.recorded_by, recorded_at=o.recorded_at
        )


class ReviewRead(ReadModel):
    """A monitoring case's review: pending until an operator escalates or dismisses it."""

    state: ReviewState
    by: str | None
    at: Timestamp | None
    reason: DismissReason | None
    note: str | None
    subject: RiskSubject | None

    @classmethod
    def of(cls, r: Review | None) -> Self | None:
        if r is None:
            return None
        return cls(state=r.state, by=r.by, at=r.at, reason=r.reason, note=r.note, subject=r.subject)


def _location(detail: CaseDetail) -> CaseLocationRead | None:
    located = [t for t in detail.timeline if t.kind == "located"]
    if detail.place.resolution is None and not located:
        return None
    return CaseLocationRead.of(
        detail.place,
        detail.case.milestones.get(Milestone.LOCATED),
        None if not located else (located[-1].details.get("place"), located[-1].actor),
    )


def _risk_basis(detail: CaseDetail) -> RiskBasisRead:
    flag = platform_flag(detail.alerts)
    reading = model_reading(detail.assessments)
    return RiskBasisRead.of(
        detail.case.risk_level, flag, reading, detail.assessments, disagrees(flag, reading)
    )


def _assessment(detail: CaseDetail) -> CaseAssessmentRead | None:
    level = detail.case.risk_level
    return None if level is None else CaseAssessmentRead.of(level, detail.assessments)


class CaseRead(ReadModel):
    """A case as SMC staff see it: alerts, assessment, location, dispatch, timeline, outcome,
    follow-ups and the person's earlier cases."""

    id: int
    status: CaseStatus
    platform: str
    sender_verified: Annotated[
        bool, Field(description="whether any alert of the case comes from a proven sender")
    ]
    sender_verification: str
    opened_at: Timestamp
    last_alert_at: Timestamp | None
    alert_count: int
    milestones: Milestones
    allowed_steps: Annotated[
        list[str], Field(description="the lifecycle steps that may be taken now")
    ]
    subject: SubjectRead | None
    alerts: list[AlertRead]
    assessment: CaseAssessmentRead | None
    risk_basis: Annotated[
        RiskBasisRead,
        Field(description="the platform's flag and the model's reading side by side"),
    ]
    assessments: list[AssessmentRead]
    location: CaseLocationRead | None
    trace_requested_at: Timestamp | None
    notifications: list[NotificationRead]
    dispatches: list[DispatchRead]
    alarms: list[AlarmRead]
    timeline: list[TimelineEntryRead]
    outcome: OutcomeRead | None
    review: Annotated[
        ReviewRead | None,
        Field(description="a monitoring find's review (null for other sources)"),
    ]
    follow_ups: list[FollowUpPlanRead]
    history: list[EarlierCaseRead]

    @classmethod
    def of(cls, detail: CaseDetail) -> Self:
        case = detail.case
        assert case.id is not None, "a read case is stored"
        sender = case_sender(detail.alerts)
        return cls(
            id=case.id,
            status=case.status,
            platform=case.platform,
            sender_verified=sender.verified,
            sender_verification=sender.how,
            opened_at=case.opened_at,
            last_alert_at=case.last_alert_at,
            alert_count=case.alert_count,
            milestones=_milestones(case),
            allowed_steps=detail.allowed_steps,
            subject=detail.subject,
            alerts=[AlertRead.of(a) for a in detail.alerts],
            assessment=_assessment(detail),
            risk_basis=_risk_basis(detail),
            assessments=detail.assessments,
            location=_location(detail),
            trace_requested_at=case.trace_requested_at,
            notifications=[NotificationRead.of(n) for n in detail.notifications],
            dispatches=[DispatchRead.of(d, detail.notifications) for d in detail.dispatches],
            alarms=detail.alarms,
            timeline=detail.timeline,
            outcome=OutcomeRead.of(case.outcome),
            review=ReviewRead.of(case.review),
            follow_ups=[FollowUpPlanRead.of(p) for p in detail.follow_ups],
            history=detail.history,
        )


# -- a district officer ------------------------------------------------------------------------


class OfficerSubjectRead(ReadModel):
    """Who to look for: no e-mail address, no platform ids."""

    name: str | None
    handle: str | None
    profile_url: str | None
    phone: str | None

    @classmethod
    def of(cls, s: Subject | None) -> Self:
        if s is None:
            return cls(name=None, handle=None, profile_url=None, phone=None)
        return cls.model_validate(s)


class OfficerAlertRead(ReadModel):
    """An alert as an officer needs it: what was posted, where, and a number to call back;
    not the raw payload, the partner or the extraction notes."""

    id: int
    source: AlertSource
    sender_verified: bool
    platform: str
    received_at: Timestamp
    post: PostRead
    location: LocationHintRead
    callback_number: Annotated[
        str | None, Field(description="the phone caller's number, for a phoned-in alert")
    ]

    @classmethod
    def of(cls, a: Alert) -> Self:
        assert a.id is not None, "a read alert is stored"
        return cls(
            id=a.id,
            source=a.source,
            sender_verified=bool(a.sender_verified),
            platform=a.platform,
            received_at=a.received_at,
            post=a.post,
            location=a.location,
            callback_number=a.caller.callback_number if a.caller else None,
        )


class OfficerCaseRead(ReadModel):
    """A case as a district officer sees it: who, where, what was posted, the risk and its
    cues, the callback numbers, the progress; not raw payloads, e-mail addresses, partner
    data, delivery errors, extraction notes or the person's history (least data)."""

    id: int
    status: CaseStatus
    platform: str
    sender_verified: bool
    opened_at: Timestamp
    milestones: Milestones
    allowed_steps: list[str]
    subject: OfficerSubjectRead
    alerts: list[OfficerAlertRead]
    assessment: CaseAssessmentRead | None
    risk_basis: RiskBasisRead
    location: CaseLocationRead | None
    dispatches: Annotated[
        list[DispatchRead], Field(description="who has been sent the case and whether they took it")
    ]
    notifications: list[OfficerNotificationRead]
    alarms: list[AlarmRead]
    timeline: list[TimelineEntryRead]
    outcome: OutcomeRead | None

    @classmethod
    def of(cls, detail: CaseDetail) -> Self:
        case = detail.case
        assert case.id is not None, "a read case is stored"
        return cls(
            id=case.id,
            status=case.status,
            platform=case.platform,
            sender_verified=case_sender(detail.alerts).verified,
            opened_at=case.opened_at,
            milestones=_milestones(case),
            allowed_steps=detail.allowed_steps,
            subject=OfficerSubjectRead.of(detail.subject),
            alerts=[OfficerAlertRead.of(a) for a in detail.alerts],
            assessment=_assessment(detail),
            risk_basis=_risk_basis(detail),
            location=_location(detail),
            dispatches=[DispatchRead.of(d, detail.notifications) for d in detail.dispatches],
            notifications=[OfficerNotificationRead.of(n) for n in detail.notifications],
            alarms=detail.alarms,
            timeline=detail.timeline,
            outcome=OutcomeRead.of(case.outcome),
        )


# -- a platform partner ------------------------------------------------------------------------


class PartnerAlertRead(ReadModel):
    """One of the partner's own alerts merged into the case."""

    id: int
    reference: str | None
    received_at: Timestamp


class PartnerCaseRead(ReadModel):
    """What a platform partner may see: the progress of the case, and which of its own alerts
    are in it; no personal data of anyone."""

    id: int
    status: CaseStatus
    milestones: Milestones
    outcome: OutcomeKind | None
    alerts: list[PartnerAlertRead]

    @classmethod
    def of(cls, detail: CaseDetail, partner_id: int) -> Self:
        case = detail.case
        assert case.id is not None, "a read case is stored"
        return cls(
            id=case.id,
            status=case.status,
            milestones=_milestones(case),
            outcome=case.outcome.kind if case.outcome else None,
            alerts=[
                PartnerAlertRead(id=a.id, reference=a.reference, received_at=a.received_at)
                for a in detail.alerts
                if a.partner_id == partner_id and a.id is not None
            ],
        )


# -- the answer to a lifecycle step --------------------------------------------------------------


class CaseStateRead(ReadModel):
    """Where a case stands after a step: its status, milestones and outcome."""

    id: int
    status: CaseStatus
    milestones: Milestones
    outcome: OutcomeKind | None

    @classmethod
    def of(cls, case: Case) -> Self:
        assert case.id is not None, "a changed case is stored"
        return cls(
            id=case.id,
            status=case.status,
            milestones=dict(case.milestones),
            outcome=case.outcome.kind if case.outcome else None,
        )
