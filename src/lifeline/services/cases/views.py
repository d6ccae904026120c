"""Read models: cases as plain JSON-ready dicts, for the API, the CLI and (later) the console.
One shape everywhere: `cases show ID --json` prints what `GET /api/v1/cases/{id}` returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lifeline.domain.email_trust import case_sender
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Alert, Case, Subject
from lifeline.domain.risk import AssessmentSource, RiskAssessment
from lifeline.services.aftercare.followups import history_dict, plan_dict
from lifeline.services.cases.service import CaseDetail
from lifeline.services.dispatch.views import alarm_dict, dispatch_dict, notification_dict
from lifeline.services.ports import CaseSummary


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def summary_dict(s: CaseSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "status": s.status,
        "platform": s.platform,
        "risk_level": s.risk_level,
        "opened_at": iso(s.opened_at),
        "last_alert_at": iso(s.last_alert_at),
        "alert_count": s.alert_count,
        "outcome": s.outcome,
    }


def _milestones(case: Case) -> dict[str, str | None]:
    return {m.value: iso(at) for m, at in sorted(case.milestones.items(), key=lambda kv: kv[1])}


def _subject(subject: Subject | None) -> dict[str, Any] | None:
    if subject is None:
        return None
    return {
        "id": subject.id,
        "platform": subject.platform,
        "name": subject.name,
        "handle": subject.handle,
        "profile_url": subject.profile_url,
        "phone": subject.phone,
        "email": subject.email,
    }


def _alert(alert: Alert) -> dict[str, Any]:
    caller = alert.caller
    return {
        "id": alert.id,
        "source": alert.source.value,
        "sender_verified": bool(alert.sender_verified),
        "sender_verification": alert.sender_verification,
        "platform": alert.platform,
        "reference": alert.reference,
        "received_via": alert.received_via,
        "received_at": iso(alert.received_at),
        "partner_id": alert.partner_id,
        "subject": _subject(alert.subject),
        "post": {
            "text": alert.post.text,
            "url": alert.post.url,
            "posted_at": iso(alert.post.posted_at),
            "kind": alert.post.kind.value,
        },
        "location": {
            "text": alert.location.text,
            "lat": alert.location.lat,
            "lon": alert.location.lon,
            "pin": alert.location.pin,
            "ip_city": alert.location.ip_city,
        },
        "caller": None
        if caller is None
        else {
            "name": caller.name,
            "organisation": caller.organisation,
            "callback_number": caller.callback_number,
            "call_received_at": iso(caller.call_received_at),
            "notes": caller.notes,
        },
        "extra": alert.extra,
        "raw_content_type": alert.raw_content_type,
        "raw_payload": alert.raw_payload.decode("utf-8", errors="replace"),
    }


def _location(detail: CaseDetail) -> dict[str, Any] | None:
    """Where the person is: the case's one place (location/case_place.py), in the DESIGN.md §3
    shape of the answer chosen, with whose answer it is, whether it is confirmed, any conflict
    between alerts, and the place an operator or the resolver recorded when it was located."""
    place = detail.place
    located = [t for t in detail.timeline if t.kind == "located"]
    if place.resolution is None and not located:
        return None
    found: dict[str, Any] = {}
    if place.resolution is not None:
        found.update(place.resolution.as_dict())
        found.update(resolved_at=iso(place.at), alert_id=place.alert_id)
        found["needs_review"] = place.resolution.needs_review or bool(place.conflict)
    found.update(place.as_dict())
    if located:
        found.update(place=located[-1].details.get("place"), recorded_by=located[-1].actor)
    found["located_at"] = iso(detail.case.milestones.get(Milestone.LOCATED))
    return found


def _assessment_dict(a: RiskAssessment) -> dict[str, Any]:
    return {
        "level": a.level.value,
        "score": a.score,
        "language": a.language,
        "cues": [c.as_dict() for c in a.cues],
        "model_version": a.model_version,
        "source": a.source.value,
        "assessed_by": a.assessed_by,
        "alert_id": a.alert_id,
        "at": iso(a.at),
        "note": a.note,
    }


def _assessment(detail: CaseDetail) -> dict[str, Any] | None:
    """The case's level (the riskiest alert, or the operator's word) and the assessment behind
    it: the operator's latest if any, else the model's riskiest."""
    if detail.case.risk_level is None:
        return None
    operator = [a for a in detail.assessments if a.source is AssessmentSource.OPERATOR]
    model = sorted(
        (a for a in detail.assessments if a.source is AssessmentSource.MODEL),
        key=lambda a: a.score or 0.0,
    )
    basis = operator[-1] if operator else (model[-1] if model else None)
    found = {"level": detail.case.risk_level.value}
    if basis is not None:
        found.update(_assessment_dict(basis), level=detail.case.risk_level.value)
    return found


def case_dict(detail: CaseDetail) -> dict[str, Any]:
    """Full case for SMC staff: alerts, assessment, location, notifications, timeline, outcome."""
    case = detail.case
    outcome = case.outcome
    sender = case_sender(detail.alerts)
    return {
        "id": case.id,
        "status": case.status.value,
        "platform": case.platform,
        "sender_verified": sender.verified,
        "sender_verification": sender.how,
        "opened_at": iso(case.opened_at),
        "last_alert_at": iso(case.last_alert_at),
        "alert_count": case.alert_count,
        "milestones": _milestones(case),
        "allowed_steps": detail.allowed_steps,
        "subject": _subject(detail.subject),
        "alerts": [_alert(a) for a in detail.alerts],
        "assessment": _assessment(detail),
        "assessments": [_assessment_dict(a) for a in detail.assessments],
        "location": _location(detail),
        "trace_requested_at": iso(case.trace_requested_at),
        "notifications": [notification_dict(n) for n in detail.notifications],
        "dispatches": [dispatch_dict(d) for d in detail.dispatches],
        "alarms": [alarm_dict(a) for a in detail.alarms],
        "timeline": [
            {
                "at": iso(t.at),
                "kind": t.kind,
                "actor": t.actor,
                "summary": t.summary,
                "details": t.details,
            }
            for t in detail.timeline
        ],
        "outcome": None
        if outcome is None
        else {
            "outcome": outcome.kind.value,
            "reason": outcome.reason,
            "recorded_by": outcome.recorded_by,
            "recorded_at": iso(outcome.recorded_at),
        },
        "follow_ups": [plan_dict(p) for p in detail.follow_ups],
        "history": [history_dict(e) for e in detail.history],
    }


#: what a district officer needs to act on a case, and nothing more (least data)
OFFICER_ALERT_FIELDS = (
    "id",
    "source",
    "sender_verified",
    "platform",
    "received_at",
    "post",
    "location",
)
OFFICER_SUBJECT_FIELDS = ("name", "handle", "profile_url", "phone")


def officer_case_dict(detail: CaseDetail) -> dict[str, Any]:
    """A case as a district officer sees it: who, where, what was posted, the risk and its
    cues, the callback numbers, the progress; not raw payloads, e-mail addresses, partner data,
    extraction notes or the person's history."""
    full = case_dict(detail)
    subject = full["subject"] or {}
    return {
        "id": full["id"],
        "status": full["status"],
        "platform": full["platform"],
        "sender_verified": full["sender_verified"],
        "opened_at": full["opened_at"],
        "milestones": full["milestones"],
        "allowed_steps": full["allowed_steps"],
        "subject": {k: subject.get(k) for k in OFFICER_SUBJECT_FIELDS},
        "alerts": [
            {
                **{k: a[k] for k in OFFICER_ALERT_FIELDS},
                "callback_number": (a["caller"] or {}).get("callback_number"),
            }
            for a in full["alerts"]
        ],
        "assessment": full["assessment"],
        "location": full["location"],
        # who has been sent the case and whether they took it (not delivery errors' details)
        "dispatches": full["dispatches"],
        "notifications": [
            {k: v for k, v in n.items() if k != "detail"} for n in full["notifications"]
        ],
        "alarms": full["alarms"],
        "timeline": full["timeline"],
        "outcome": full["outcome"],
    }


def partner_case_dict(detail: CaseDetail, partner_id: int) -> dict[str, Any]:
    """What a platform partner may see: progress of the case, no personal data of anyone."""
    case = detail.case
    return {
        "id": case.id,
        "status": case.status.value,
        "milestones": _milestones(case),
        "outcome": case.outcome.kind.value if case.outcome else None,
        "alerts": [
            {"id": a.id, "reference": a.reference, "received_at": iso(a.received_at)}
            for a in detail.alerts
            if a.partner_id == partner_id
        ],
    }
