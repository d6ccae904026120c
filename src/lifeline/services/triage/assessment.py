"""Risk triage: every alert's post is scored by the model, and an operator confirms or corrects.

The model never sends police by itself (DESIGN.md, principle 3): its assessment orders the
queue and shows the operator why (cues). An operator's decision is stored beside the model's,
sets the case's level, and becomes a labelled example for `lifeline model train --with-feedback`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.alert import Alert, AlertSource, PostKind
from lifeline.domain.errors import DomainError, NotFound, PermissionDenied
from lifeline.domain.floor import floor_applies, highest, platform_floor
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor, TimelineEntry
from lifeline.domain.readability import unreadable_reason
from lifeline.domain.review import ReviewState
from lifeline.domain.risk import (
    LEVELS,
    AssessmentSource,
    LabelledExample,
    RiskAssessment,
    RiskLevel,
    RiskResult,
)
from lifeline.services.access.authorisation import may
from lifeline.services.context import Context
from lifeline.services.job_spec import job
from lifeline.services.job_types import AlertJob, JobKind
from lifeline.services.ports import UnitOfWork
from lifeline.services.triage.ports import RiskClassifier


class InvalidTriage(DomainError):
    """A triage request or job that can never succeed as given."""

    code = "invalid_triage"


_MODEL_ACTOR = Actor("system", "triage-model")


def parse_level(value: object) -> RiskLevel:
    try:
        return RiskLevel(str(value).strip().casefold())
    except ValueError:
        raise InvalidTriage(f"unknown risk level {value!r}; levels: {', '.join(LEVELS)}") from None


def live_escalation(result: RiskResult, alert: Alert) -> RiskResult:
    """A post shown on live video with ideation or worse is happening now: imminent."""
    if alert.post.kind is not PostKind.LIVE or not result.level.at_risk:
        return result
    if result.level is RiskLevel.IMMINENT:
        return result
    return replace(result, level=RiskLevel.IMMINENT)


@job(JobKind.ASSESS_RISK, payload=AlertJob)
def assess_risk(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None:
    """Job handler: score the alert's post, store the assessment, and mark the case triaged.

    The case's level is the riskiest of its alerts', where a platform's alert counts as at
    least its floor (domain/floor.py) and a post the model cannot read gives no level of its
    own. An operator's decision stands against this alert's reading and floor once it was
    made after the alert came in; a riskier new alert still raises it."""
    alert_id, case_id = job.alert_id, job.case_id
    if ctx.classifier is None:
        raise InvalidTriage("no triage model is configured")
    alerts = uow.alerts.for_case(case_id)
    # Take intake's locks on the case's merge keys before the case row: an alert merging
    # into this case meanwhile then waits for us (or we for it) instead of failing on a
    # stale case version.
    uow.lock_keys(sorted({key for a in alerts for key in a.merge_keys()}))
    alert = next((a for a in alerts if a.id == alert_id), None)
    if alert is None:
        raise NotFound(f"alert {alert_id} of case {case_id} not found")
    earlier = uow.assessments.for_case(case_id)
    if any(a.alert_id == alert_id and a.source is AssessmentSource.MODEL for a in earlier):
        return  # already assessed (a retried job whose first run committed)
    now = ctx.clock.now()
    result = read_post(ctx.classifier, alert)
    assessment = uow.assessments.add(
        RiskAssessment(
            case_id=case_id,
            level=result.level,
            assessed_by=f"model:{result.model_version}",
            at=now,
            source=AssessmentSource.MODEL,
            alert_id=alert_id,
            score=result.score if result.readable else None,
            language=result.language,
            cues=result.cues,
            model_version=result.model_version,
            note=None
            if result.readable
            else f"the model could not read this post ({result.unreadable})",
            unreadable=result.unreadable,
            subject=result.subject if result.readable else None,
            subject_cues=result.subject_cues,
        )
    )
    case = uow.cases.get(case_id, for_update=True)
    if case.status is CaseStatus.CLOSED:
        return
    read = result.level if result.readable else None
    floor = platform_floor(alert) if floor_applies(alert, earlier) else None
    level = highest(read, floor)
    current = case.risk_level
    operator_decided = any(a.source is AssessmentSource.OPERATOR for a in earlier)
    if level is not None and (
        current is None
        or level.rank > current.rank
        or (not operator_decided and level.rank >= current.rank)
    ):
        why = ""
        if read is not level:
            reading = read.value if read else f"could not read the post ({result.unreadable})"
            why = (
                f"model: {reading}; platform's flag: at least {level.value} / मॉडल: "
                f"{reading}; प्लेटफ़ॉर्म की सूचना: कम से कम {level.value}"
            )
        case.mark_triaged(now, level, _MODEL_ACTOR, why)
    else:
        reading = result.level.value if result.readable else f"unreadable ({result.unreadable})"
        stays = current.value if current is not None else "unassessed"
        uow.cases.note(
            case_id,
            TimelineEntry(
                now,
                "risk_assessed",
                f"Alert {alert_id} assessed {reading}; case stays {stays} "
                f"/ अलर्ट {alert_id} का आकलन {reading}; केस {stays} पर",
                str(_MODEL_ACTOR),
                {"alert_id": alert_id, "level": read.value if read else None},
            ),
        )
    uow.cases.save(case)
    uow.audit.append(
        at=now,
        actor=str(_MODEL_ACTOR),
        action="case.risk_assessed",
        case_id=case_id,
        details={
            "assessment_id": assessment.id,
            "alert_id": alert_id,
            "level": read.value if read else None,
            "readable": result.readable,
            "floor": floor.value if floor else None,
            "score": round(result.score, 4) if result.readable else None,
            "model_version": result.model_version,
        },
    )


def read_post(classifier: RiskClassifier, alert: Alert) -> RiskResult:
    """The model's reading of an alert's post, or why it could not read it (a video, a
    photo, "[video]", only a link or emoji: domain/readability.py)."""
    reason = unreadable_reason(alert.post.text, alert.post.kind.value)
    if reason is not None:
        return RiskResult.could_not_read(reason, classifier.version)
    return live_escalation(classifier.classify((alert.post.text or "").strip()), alert)


def record_operator_assessment(
    ctx: Context,
    actor: Actor,
    case_id: int,
    level: str,
    *,
    note: str | None = None,
    alert_id: int | None = None,
) -> RiskAssessment:
    """An operator confirms or corrects the level of a case. The decision is the case's level
    from now on and a labelled example of the alert's post (the latest alert unless named)."""
    if not may(actor, Permission.CASE_MANAGE):
        raise PermissionDenied(f"role {actor.role or actor.kind!r} may not triage a case")
    decided = parse_level(level)
    with ctx.uow() as uow:
        case = uow.cases.get(case_id, for_update=True)
        alerts = uow.alerts.for_case(case_id)
        if alert_id is not None and all(a.id != alert_id for a in alerts):
            raise NotFound(f"alert {alert_id} is not part of case {case_id}")
        target = alert_id if alert_id is not None else _latest_alert_id(alerts)
        model_level = model_level_for(uow, case_id, target)
        verdict = "confirmed" if model_level is decided else "corrected"
        now = ctx.clock.now()
        assessment = uow.assessments.add(
            RiskAssessment(
                case_id=case_id,
                level=decided,
                assessed_by=str(actor),
                at=now,
                source=AssessmentSource.OPERATOR,
                alert_id=target,
                note=(note or "").strip() or None,
            )
        )
        case.mark_triaged(now, decided, actor)
        uow.cases.save(case)
        uow.audit.append(
            at=now,
            actor=str(actor),
            action=f"case.risk_{verdict}",
            case_id=case_id,
            details={
                "assessment_id": assessment.id,
                "level": decided.value,
                "model_level": model_level.value if model_level else None,
            },
        )
        uow.commit()
        return assessment


def model_level_for(uow: UnitOfWork, case_id: int, alert_id: int | None) -> RiskLevel | None:
    """The model's latest level for the case's alert (None if it never assessed it): what an
    operator's assessment confirms or corrects, for the audit trail."""
    model = [a for a in uow.assessments.for_case(case_id) if a.source is AssessmentSource.MODEL]
    return next((a.level for a in reversed(model) if a.alert_id == alert_id), None)


def _latest_alert_id(alerts: list[Alert]) -> int | None:
    if not alerts:
        return None
    return max(alerts, key=lambda a: (a.received_at, a.id or 0)).id


def assessments_of(ctx: Context, case_id: int) -> list[RiskAssessment]:
    with ctx.uow(readonly=True) as uow:
        return uow.assessments.for_case(case_id)


def feedback_examples(ctx: Context) -> list[LabelledExample]:
    """Operators' levels with the post text they judged. Only an operator's level is a
    label: a platform's flag (the floor) raises a case, never a text's label; and a post the
    model cannot read (a video, "[video]", only a link or emoji) teaches it nothing, so it is
    skipped like an alert without text.

    The review of monitoring cases adds its own: an escalation's assessment carries who it is
    about (the author or someone else); a dismissal labels every post of the case by its
    reason (domain/review.py, `DISMISSAL_LABELS`). For one post the latest decision wins."""
    found: dict[tuple[int, int], tuple[datetime, LabelledExample]] = {}
    with ctx.uow(readonly=True) as uow:
        posts: dict[int, dict[int, str]] = {}

        def texts(case_id: int) -> dict[int, str]:
            if case_id not in posts:
                posts[case_id] = {
                    a.id: (a.post.text or "").strip()
                    for a in uow.alerts.for_case(case_id)
                    if a.id is not None
                }
            return posts[case_id]

        decided = uow.reviews.decided()
        escalations = {
            (case_id, review.by, review.at): review.subject
            for case_id, review in decided
            if review.state is ReviewState.ESCALATED and review.subject is not None
        }
        for label in uow.assessments.operator_labels():
            if label.alert_id is None or label.id is None:
                continue
            text = texts(label.case_id).get(label.alert_id, "")
            if unreadable_reason(text) is not None:
                continue
            subject = label.subject or escalations.get((label.case_id, label.assessed_by, label.at))
            example = LabelledExample(text, label.level, label.id, subject, label.alert_id)
            found[(label.case_id, label.alert_id)] = (label.at, example)
        for case_id, review in decided:
            labelled = review.label()
            if labelled is None or review.at is None or not _by_a_person(review.by):
                continue
            level, subject = labelled
            for alert_id, text in texts(case_id).items():
                earlier = found.get((case_id, alert_id))
                if unreadable_reason(text) is None and (earlier is None or earlier[0] <= review.at):
                    example = LabelledExample(text, level, None, subject, alert_id)
                    found[(case_id, alert_id)] = (review.at, example)
    ordered = sorted(found.values(), key=lambda f: (f[0], f[1].assessment_id or 0))
    return [example for _, example in ordered]


def _by_a_person(actor: str | None) -> bool:
    """A decision by a signed-in person or the CLI (not the system lifting a review)."""
    return bool(actor) and not str(actor).startswith("system:")


@dataclass(frozen=True)
class QueueEntry:
    """What orders the SMC's queue: level, then score, then age (oldest first)."""

    level: RiskLevel | None
    score: float | None
    opened_at: datetime
    source: AlertSource = AlertSource.PLATFORM_API
    #: the review of a monitoring find (None: not one)
    review: ReviewState | None = None

    def sort_key(self) -> tuple[int, float, datetime]:
        rank = self.level.rank if self.level is not None else RiskLevel.IMMINENT.rank + 1
        return (-rank, -(self.score or 0.0), self.opened_at)

    @property
    def urgent(self) -> bool:
        """Posts found by the SMC's own monitoring stay out of the urgent queue until a person
        escalates them from the review queue (then they are urgent like any other case);
        platform and phone alerts are always urgent."""
        if self.source is not AlertSource.MONITORING:
            return True
        if self.review is None:  # a find from before reviews: the level decides
            return self.level is None or self.level.at_risk
        return self.review is ReviewState.ESCALATED
