"""Reads of risk assessments: the model's or an operator's, with the cues that drove them."""

from typing import Annotated, Any, Self

from pydantic import MISSING, Field, model_validator

from lifeline.domain.floor import PlatformFlag, level_basis, score_band
from lifeline.domain.risk import RiskAssessment, RiskLevel
from lifeline.services.read_model import ReadModel, Timestamp


class CueRead(ReadModel):
    """A span of the post that drove the result; offsets index the text as received."""

    tag: str
    text: str
    start: int
    end: int


class AssessmentRead(ReadModel):
    """One assessment: by the model (of one alert's post) or by an operator."""

    level: Annotated[
        str | None,
        Field(
            description="none, discussion, distress, ideation, intent or imminent; null when "
            "the model could not read the post (see readable)"
        ),
    ]
    score: Annotated[
        float | None,
        Field(
            description="the model's probability that the author is at risk (null for an operator)"
        ),
    ]
    language: str | None
    cues: list[CueRead]
    model_version: str | None
    source: Annotated[str, Field(description="model or operator")]
    assessed_by: str
    alert_id: int | None
    at: Timestamp
    note: str | None
    readable: Annotated[
        bool,
        Field(
            description="false when the model could not read the post (a video, a photo, "
            "'[video]', only a link or emoji): it has no level then, not 'none'"
        ),
    ]
    unreadable: Annotated[
        str | None, Field(description="what the post was instead: video, image, emoji only...")
    ]
    subject: Annotated[
        str | None,
        Field(
            description="whose risk the level describes: self (the author), other (a "
            "particular other person: the person to find is not the author) or general "
            "(nobody in particular); null when not told"
        ),
    ]
    subject_cues: Annotated[list[CueRead], Field(description="the spans that decided the subject")]

    @model_validator(mode="before")
    @classmethod
    def _no_level_when_unreadable(cls, data: Any) -> Any:
        if isinstance(data, RiskAssessment) and not data.readable:
            return {name: getattr(data, name) for name in cls.model_fields} | {"level": None}
        return data


class CaseAssessmentRead(ReadModel):
    """The case's level (its riskiest alert's, or an operator's word) and, when there is one,
    the assessment behind it: the operator's latest, else the model's riskiest."""

    level: str
    score: float | MISSING | None = MISSING
    language: str | MISSING | None = MISSING
    cues: list[CueRead] | MISSING = MISSING
    model_version: str | MISSING | None = MISSING
    source: str | MISSING = MISSING
    assessed_by: str | MISSING = MISSING
    alert_id: int | MISSING | None = MISSING
    at: Timestamp | MISSING = MISSING
    note: str | MISSING | None = MISSING
    readable: bool | MISSING = MISSING
    unreadable: str | MISSING | None = MISSING
    subject: str | MISSING | None = MISSING
    subject_cues: list[CueRead] | MISSING = MISSING

    @classmethod
    def of(cls, level: str, assessments: list[RiskAssessment]) -> Self:
        operator = [a for a in assessments if a.source == "operator"]
        model = sorted(
            (a for a in assessments if a.source == "model"), key=lambda a: a.score or 0.0
        )
        basis = operator[-1] if operator else (model[-1] if model else None)
        if basis is None:
            return cls(level=level)
        shown = AssessmentRead.model_validate(basis).model_dump()
        return cls.model_validate({**shown, "level": level})


class PlatformFlagRead(ReadModel):
    """The platform's escalation: a reviewer's judgement of imminent risk, which makes the
    case count as at least `floor` whatever the model reads (an operator may still lower it)."""

    label: Annotated[str, Field(description='"imminent-risk escalation"')]
    source: str
    platform: str | None
    alert_ids: list[int]
    floor: Annotated[str, Field(description="the least level the flag stands for (intent)")]
    sender_verified: Annotated[
        bool,
        Field(description="false for an unverified email: ordered as urgently, never sent alone"),
    ]

    @classmethod
    def of(cls, flag: PlatformFlag) -> Self | None:
        if not flag.flagged or flag.source is None or flag.floor is None:
            return None
        return cls(
            label="imminent-risk escalation",
            source=flag.source.value,
            platform=flag.platform,
            alert_ids=list(flag.alert_ids),
            floor=flag.floor.value,
            sender_verified=flag.sender_verified,
        )


class ModelReadingRead(ReadModel):
    """The model's most urgent reading of the case's posts, shown beside the platform's flag."""

    level: Annotated[str | None, Field(description="null when the model could not read it")]
    score: float | None
    score_band: Annotated[
        str | None, Field(description="low (< 0.25), moderate, elevated or high (>= 0.75)")
    ]
    readable: bool
    unreadable: str | None
    alert_id: int | None
    model_version: str | None
    subject: Annotated[str | None, Field(description="self, other or general (see AssessmentRead)")]

    @classmethod
    def of(cls, reading: RiskAssessment | None) -> Self | None:
        if reading is None:
            return None
        return cls(
            level=reading.level.value if reading.readable else None,
            score=reading.score if reading.readable else None,
            score_band=score_band(reading.score) if reading.readable else None,
            readable=reading.readable,
            unreadable=reading.unreadable,
            alert_id=reading.alert_id,
            model_version=reading.model_version,
            subject=reading.subject.value if reading.readable and reading.subject else None,
        )


class RiskBasisRead(ReadModel):
    """Both readings side by side, and which one set the case's level."""

    platform: PlatformFlagRead | None
    model: ModelReadingRead | None
    level_basis: Annotated[
        str | None,
        Field(description="operator, platform_floor or model: what set the case's level"),
    ]
    disagree: Annotated[
        bool,
        Field(description="the platform flagged the case and the model read it below intent"),
    ]

    @classmethod
    def of(
        cls,
        level: RiskLevel | None,
        flag: PlatformFlag,
        reading: RiskAssessment | None,
        assessments: list[RiskAssessment],
        disagree: bool,
    ) -> Self:
        return cls(
            platform=PlatformFlagRead.of(flag),
            model=ModelReadingRead.of(reading),
            level_basis=level_basis(level, flag, reading, assessments),
            disagree=disagree,
        )
