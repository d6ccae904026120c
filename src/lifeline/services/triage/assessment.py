"""Risk triage: every alert's post is scored by the model, and an operator confirms or corrects.

The model never sends police by itself (DESIGN.md, principle 3): its assessment orders the
queue and shows the operator why (cues). An operator's decision is stored beside the model's,
sets the case's level, and becomes a labelled example for `lifeline model train --with-feedback`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.errors import DomainError, NotFound, PermissionDenied
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor, Alert, AlertSource, PostKind, TimelineEntry
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
    return RiskResult(
        RiskLevel.IMMINENT, result.score, result.language, result.cues, result.model_version
    )


@job(JobKind.ASSESS_RISK, payload=AlertJob)
def assess_risk(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None:
    """Job handler: score the alert's post, store the assessment, and mark the case triaged
    (its level is the riskiest alert's, unless an operator has decided; a riskier new alert
    still raises it)."""
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
    text = (alert.post.text or "").strip()
    if text:
        result = live_escalation(ctx.classifier.classify(text), alert)
    else:
        result = RiskResult(RiskLevel.NONE, 0.0, "en", (), ctx.classifier.version)
    assessment = uow.assessments.add(
        RiskAssessment(
            case_id=case_id,
            level=result.level,
            assessed_by=f"model:{result.model_version}",
            at=now,
            source=AssessmentSource.MODEL,
            alert_id=alert_id,
            score=result.score,
            language=result.language,
            cues=result.cues,
            model_version=result.model_version,
            note=None if text else "the alert has no post text",
        )
    )
    case = uow.cases.get(case_id, for_update=True)
    if case.status is CaseStatus.CLOSED:
        return
    current = case.risk_level
    operator_decided = any(a.source is AssessmentSource.OPERATOR for a in earlier)
    if (
        current is None
        or result.level.rank > current.rank
        or (not operator_decided and result.level.rank >= current.rank)
    ):
        case.mark_triaged(now, result.level, _MODEL_ACTOR)
    else:
        uow.cases.note(
            case_id,
            TimelineEntry(
                now,
                "risk_assessed",
                f"Alert {alert_id} assessed {result.level.value}; case stays {current.value} "
                f"/ अलर्ट {alert_id} का आकलन {result.level.value}; केस {current.value} पर",
                str(_MODEL_ACTOR),
                {"alert_id": alert_id, "level": result.level.value},
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
            "level": result.level.value,
            "score": round(result.score, 4),
            "model_version": result.model_version,
        },
    )


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
        model = [a for a in uow.assessments.for_case(case_id) if a.source is AssessmentSource.MODEL]
        model_level = next((a.level for a in reversed(model) if a.alert_id == target), None)
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


def _latest_alert_id(alerts: list[Alert]) -> int | None:
    if not alerts:
        return None
    return max(alerts, key=lambda a: (a.received_at, a.id or 0)).id


def assessments_of(ctx: Context, case_id: int) -> list[RiskAssessment]:
    with ctx.uow(readonly=True) as uow:
        return uow.assessments.for_case(case_id)


def feedback_examples(ctx: Context) -> list[LabelledExample]:
    """Operators' levels with the post text they judged (alerts without text are skipped)."""
    examples: list[LabelledExample] = []
    with ctx.uow(readonly=True) as uow:
        posts: dict[int, dict[int, str]] = {}
        for label in uow.assessments.operator_labels():
            if label.alert_id is None or label.id is None:
                continue
            if label.case_id not in posts:
                posts[label.case_id] = {
                    a.id: a.post.text or ""
                    for a in uow.alerts.for_case(label.case_id)
                    if a.id is not None
                }
            text = posts[label.case_id].get(label.alert_id, "").strip()
            if text:
                examples.append(LabelledExample(text, label.level, label.id))
    return examples


@dataclass(frozen=True)
class QueueEntry:
    """What orders the SMC's queue: level, then score, then age (oldest first)."""

    level: RiskLevel | None
    score: float | None
    opened_at: datetime
    source: AlertSource = AlertSource.PLATFORM_API

    def sort_key(self) -> tuple[int, float, datetime]:
        rank = self.level.rank if self.level is not None else RiskLevel.IMMINENT.rank + 1
        return (-rank, -(self.score or 0.0), self.opened_at)

    @property
    def urgent(self) -> bool:
        """Posts found by the SMC's own monitoring below ideation stay out of the urgent
        queue (still searchable); platform and phone alerts are always urgent."""
        if self.source is not AlertSource.MONITORING:
            return True
        return self.level is None or self.level.at_risk
