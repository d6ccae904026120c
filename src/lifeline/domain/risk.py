"""Risk: the levels of suicide risk (DESIGN.md §2), what the triage model says about a post, and
the assessments stored on a case (by the model or by an operator).

Every level comparison in Lifeline goes through `RiskLevel` (its order is the order of the
members); stored values, JSON and templates carry `RiskLevel.value`, the same strings as ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class RiskLevel(StrEnum):
    """Ordered: a later member is more urgent."""

    NONE = "none"
    DISCUSSION = "discussion"
    DISTRESS = "distress"
    IDEATION = "ideation"
    INTENT = "intent"
    IMMINENT = "imminent"

    @property
    def rank(self) -> int:
        return LEVELS.index(self)

    @property
    def at_risk(self) -> bool:
        """The author is at risk: ideation or above (what `score` is the probability of)."""
        return self.rank >= RiskLevel.IDEATION.rank


#: the levels in order, least urgent first (the one ordered list: routing, queues, maps)
LEVELS: tuple[RiskLevel, ...] = tuple(RiskLevel)


def level_at_risk(level: RiskLevel | None) -> bool:
    """Whether a case's level (None: not yet assessed) is ideation or above."""
    return level is not None and level.at_risk


def known_level(value: str | None) -> RiskLevel | None:
    """The level a stored or reported string names (None: none, or not a level)."""
    return RiskLevel(value) if value in LEVELS else None


@dataclass(frozen=True)
class LevelDurations:
    """A duration that depends on a case's risk level (a dispatch deadline, an alarm delay):
    one per listed level, `default` for the others and for a case not yet assessed.

    Written in settings as seconds, `"300"`, or per level with a default last,
    `"imminent=120,intent=120,300"`.
    """

    default: timedelta
    by_level: tuple[tuple[RiskLevel, timedelta], ...] = ()

    def for_level(self, level: RiskLevel | None) -> timedelta:
        for known, duration in self.by_level:
            if known is level:
                return duration
        return self.default

    @property
    def shortest(self) -> timedelta:
        """The soonest any case may be due (when a timer must first look)."""
        return min([self.default, *(duration for _, duration in self.by_level)])

    @classmethod
    def parse(cls, text: str | int, *, minimum: int = 1) -> LevelDurations:
        """`"300"` or `"imminent=120,intent=120,300"`; a ValueError names what is wrong."""
        default: timedelta | None = None
        by_level: dict[RiskLevel, timedelta] = {}
        for part in str(text).split(","):
            name, _, value = part.strip().rpartition("=")
            name = name.strip().lower()
            if not (value.strip().isascii() and value.strip().isdigit()):
                raise ValueError(
                    f"{part.strip()!r}: expected seconds (e.g. 300) or level=seconds "
                    "(e.g. imminent=120), with the default seconds last"
                )
            seconds = int(value)
            if seconds < minimum:
                raise ValueError(f"{part.strip()!r}: at least {minimum} seconds")
            if not name:
                if default is not None:
                    raise ValueError(f"{text!r}: more than one default (seconds without a level)")
                default = timedelta(seconds=seconds)
            elif name in LEVELS:
                by_level[RiskLevel(name)] = timedelta(seconds=seconds)
            else:
                raise ValueError(f"{name!r} is not a risk level (one of {', '.join(LEVELS)})")
        if default is None:
            raise ValueError(f"{text!r}: no default (seconds without a level, e.g. ...,300)")
        return cls(default, tuple(sorted(by_level.items(), key=lambda item: item[0].rank)))

    def __str__(self) -> str:
        parts = [f"{level}={int(d.total_seconds())}" for level, d in self.by_level]
        return ",".join([*parts, str(int(self.default.total_seconds()))])


class RiskSubject(StrEnum):
    """Whose risk a level describes (docs/triage-guide.md, *Subject*; `subject` in JSON, named
    apart from domain.alert.Subject, the person a case is about): the author, a particular
    other person the author knows or answers, or nobody in particular (news, memorials, lyrics,
    advice to readers, idioms)."""

    SELF = "self"
    OTHER = "other"
    GENERAL = "general"


def known_risk_subject(value: str | None) -> RiskSubject | None:
    """The subject a stored or reported string names (None: not assessed, or not a subject)."""
    return RiskSubject(value) if value in ("self", "other", "general") else None


class AssessmentSource(StrEnum):
    """Who assessed: the triage model (of one alert's post) or an operator."""

    MODEL = "model"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Cue:
    """A span of the post that drove the result; offsets index the text as received."""

    tag: str
    text: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"tag": self.tag, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class RiskResult:
    """What the classifier says about one text."""

    level: RiskLevel
    score: float
    language: str
    cues: tuple[Cue, ...]
    model_version: str
    #: why the model could not read the post ("video", "emoji only"…; domain/readability.py);
    #: None when it could. An unreadable result has no level of its own (`level` is `none`
    #: only as a placeholder and is shown as null)
    unreadable: str | None = None
    #: whose risk `level` describes; None from a model that does not tell (older files)
    subject: RiskSubject | None = None
    #: the spans that decided the subject ("mera bhai", "RIP", "I've been there")
    subject_cues: tuple[Cue, ...] = ()

    @property
    def readable(self) -> bool:
        return self.unreadable is None

    @property
    def first_person_at_risk(self) -> bool:
        """The author is at risk: ideation or above about themself (an unknown subject counts
        as the author, as every model did before subjects)."""
        return self.readable and self.level.at_risk and self.subject in (RiskSubject.SELF, None)

    @classmethod
    def could_not_read(cls, reason: str, model_version: str) -> RiskResult:
        return cls(RiskLevel.NONE, 0.0, "und", (), model_version, reason)

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level.value if self.readable else None,
            "score": round(self.score, 4) if self.readable else None,
            "language": self.language,
            "cues": [c.as_dict() for c in self.cues],
            "model_version": self.model_version,
            "readable": self.readable,
            "unreadable": self.unreadable,
            "subject": self.subject.value if self.readable and self.subject else None,
            "subject_cues": [c.as_dict() for c in self.subject_cues],
        }


@dataclass
class RiskAssessment:
    """One assessment of a case: by the model (of one alert's post) or by an operator."""

    case_id: int
    level: RiskLevel
    assessed_by: str
    at: datetime
    source: AssessmentSource
    alert_id: int | None = None
    score: float | None = None
    language: str | None = None
    cues: tuple[Cue, ...] = ()
    model_version: str | None = None
    note: str | None = None
    id: int | None = None
    #: the model could not read the post, and why (see RiskResult.unreadable)
    unreadable: str | None = None
    #: whose risk the level describes (RiskResult.subject); None when not told
    subject: RiskSubject | None = None
    subject_cues: tuple[Cue, ...] = ()

    @property
    def readable(self) -> bool:
        return self.unreadable is None


@dataclass(frozen=True)
class LabelledExample:
    """An operator's level for a post: training data for `model train --with-feedback`. From
    an operator's assessment (`assessment_id`), or from the dismissal of a monitoring case
    (`assessment_id` None; `alert_id` names the post)."""

    text: str
    level: RiskLevel
    assessment_id: int | None
    #: whose risk the level is, where the operator's decision says (None: it does not)
    subject: RiskSubject | None = None
    alert_id: int | None = None

    @property
    def key(self) -> str:
        """A stable id for the training set: one per decision and post."""
        if self.assessment_id is not None:
            return f"feedback:{self.assessment_id}"
        return f"feedback:review:{self.alert_id}"
