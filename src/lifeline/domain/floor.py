"""The platform's flag is the floor.

A platform's emergency escalation (a signed API call, an email from the partner, a call an
operator took) is a trained reviewer's judgement of imminent risk. For ordering, alarms and the
dispatch rules such an alert counts as at least `intent` (`imminent` for a live broadcast),
whatever the model reads in the post: the model may raise the level, never lower it. An
operator's assessment stays authoritative (confirming or lowering is a human judgement), and
posts the SMC found itself (monitoring, manual entry) have no floor. The floor is never a
label for the post's text: only an operator's level trains the model.

An unverified email gets the floor too (it is ordered as urgently); the dispatch rules still
hold it for an operator, because its sender is not proven (domain/email_trust.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lifeline.domain.alert import Alert, AlertSource, PostKind
from lifeline.domain.risk import AssessmentSource, RiskAssessment, RiskLevel
from lifeline.domain.routing import PLATFORM_SOURCES

#: the least level a platform's escalation counts as
PLATFORM_FLOOR = RiskLevel.INTENT
#: sources that are a platform's escalation (the SMC's own finds are not)
FLAGGING_SOURCES: frozenset[AlertSource] = PLATFORM_SOURCES
#: what the case's timeline says when the floor raises its level
FLOOR_REASON = "the platform escalated it (a reviewer's judgement), whatever the model reads"


def platform_floor(alert: Alert) -> RiskLevel | None:
    """The least level this alert stands for by its source alone (None: no floor). A
    platform's escalation of a live broadcast is happening now: imminent, as the triage rule
    for live posts at ideation or above says (services/triage/assessment.py)."""
    if alert.source not in FLAGGING_SOURCES:
        return None
    return RiskLevel.IMMINENT if alert.post.kind is PostKind.LIVE else PLATFORM_FLOOR


def highest(*levels: RiskLevel | None) -> RiskLevel | None:
    """The most urgent of the levels given (None when none is given)."""
    known = [level for level in levels if level is not None]
    return max(known, key=lambda level: level.rank) if known else None


def floor_applies(alert: Alert, assessments: Iterable[RiskAssessment]) -> bool:
    """Whether the alert's floor still counts: it has one, and no operator judged the case
    after the alert came in (that judgement, even a lower one, is the case's level)."""
    if platform_floor(alert) is None:
        return False
    return not any(
        a.source is AssessmentSource.OPERATOR and a.at >= alert.received_at for a in assessments
    )


@dataclass(frozen=True)
class PlatformFlag:
    """What the case's platform alerts say, beside what the model read."""

    flagged: bool
    #: the first flagging alert's source and platform
    source: AlertSource | None = None
    platform: str | None = None
    alert_ids: tuple[int, ...] = ()
    floor: RiskLevel | None = None
    #: whether any flagging alert's sender is proven (an unverified email waits for a person)
    sender_verified: bool = False


def platform_flag(alerts: Sequence[Alert]) -> PlatformFlag:
    flagging = [a for a in alerts if platform_floor(a) is not None]
    if not flagging:
        return PlatformFlag(False)
    first = flagging[0]
    return PlatformFlag(
        True,
        first.source,
        first.platform,
        tuple(a.id for a in flagging if a.id is not None),
        highest(*(platform_floor(a) for a in flagging)),
        any(bool(a.sender_verified) for a in flagging),
    )


def model_reading(assessments: Sequence[RiskAssessment]) -> RiskAssessment | None:
    """The model's most urgent reading of the case's posts (the latest among equals); an
    unreadable post counts only when nothing was readable."""
    model = [a for a in assessments if a.source is AssessmentSource.MODEL]
    readable = [a for a in model if a.readable]
    pool = readable or model
    if not pool:
        return None
    return max(pool, key=lambda a: (a.level.rank if a.readable else -1, a.at, a.id or 0))


def disagrees(flag: PlatformFlag, reading: RiskAssessment | None) -> bool:
    """The platform flagged the case and the model read it below the floor (or could not
    read it): a figure worth watching, not an error."""
    if not flag.flagged or reading is None:
        return False
    return not reading.readable or reading.level.rank < PLATFORM_FLOOR.rank


#: the bands of the model's calibrated score shown beside its level (upper bounds)
SCORE_BANDS: tuple[tuple[float, str], ...] = ((0.25, "low"), (0.5, "moderate"), (0.75, "elevated"))


def score_band(score: float | None) -> str | None:
    """The band of a calibrated probability of ideation or worse: low (< 0.25), moderate
    (< 0.5), elevated (< 0.75) or high."""
    if score is None:
        return None
    return next((name for bound, name in SCORE_BANDS if score < bound), "high")


def level_basis(
    level: RiskLevel | None,
    flag: PlatformFlag,
    reading: RiskAssessment | None,
    assessments: Sequence[RiskAssessment],
) -> str | None:
    """What set the case's level: "operator" (a person's latest word), "platform_floor" (the
    platform's flag, above what the model read) or "model"; None while unassessed."""
    if level is None:
        return None
    operator = [a for a in assessments if a.source is AssessmentSource.OPERATOR]
    if operator and operator[-1].level is level:
        return "operator"
    model_level = reading.level if reading is not None and reading.readable else None
    if (
        flag.flagged
        and flag.floor is level
        and (model_level is None or model_level.rank < level.rank)
    ):
        return "platform_floor"
    return "model"
