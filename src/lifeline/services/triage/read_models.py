"""Reads of risk assessments: the model's or an operator's, with the cues that drove them."""

from typing import Annotated, Self

from pydantic import MISSING, Field

from lifeline.domain.risk import RiskAssessment
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
        str, Field(description="none, discussion, distress, ideation, intent or imminent")
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
