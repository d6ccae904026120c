"""The report as JSON (`GET /api/v1/reports`, `lifeline report --format json`): every figure
with the case ids behind it."""

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import MISSING, Field

from lifeline.services.read_model import ReadModel, Timestamp
from lifeline.services.reports.figures import Figure, Section
from lifeline.services.reports.report import Period, Report


class PeriodRead(ReadModel):
    """Days in IST, both ends included, and the UTC bounds they make."""

    first_day: Annotated[date, Field(alias="from")]
    last_day: Annotated[date, Field(alias="to")]
    timezone: Literal["Asia/Kolkata"]
    start: Annotated[Timestamp, Field(description="included")]
    end: Annotated[Timestamp, Field(description="excluded")]
    as_of: Timestamp

    @classmethod
    def of(cls, p: Period) -> Self:
        return cls.model_validate(
            {
                "from": p.first_day,
                "to": p.last_day,
                "timezone": "Asia/Kolkata",
                "start": p.start,
                "end": p.end,
                "as_of": p.as_of,
            }
        )


class ReportDistrictRead(ReadModel):
    lgd: Annotated[str | None, Field(description="null for the unknown district")]
    name: str


class FigureRead(ReadModel):
    """One number and the cases behind it; some figures name more (alerts, check-ins, a rate's
    denominator, the case at a percentile's rank)."""

    ref: Annotated[str, Field(description="how the PDF's appendix names it: F1, F2, ...")]
    key: str
    label: str
    label_hi: str
    value: int | float | None
    unit: str
    case_ids: list[int]
    alert_ids: list[int] | MISSING = MISSING
    denominator_case_ids: Annotated[
        list[int] | MISSING, Field(description="a rate's denominator")
    ] = MISSING
    due: int | MISSING = MISSING
    check_in_ids: list[int] | MISSING = MISSING
    due_check_in_ids: list[int] | MISSING = MISSING
    due_case_ids: list[int] | MISSING = MISSING
    n: Annotated[int | MISSING, Field(description="a percentile's sample size")] = MISSING
    at_rank_case_id: Annotated[
        int | MISSING | None, Field(description="the case at a percentile's rank")
    ] = MISSING
    district_lgd: str | MISSING | None = MISSING
    # platform_model_disagreements (services/reports/disagreements.py)
    flagged_case_ids: Annotated[
        list[int] | MISSING, Field(description="cases a platform flagged that the model read")
    ] = MISSING
    below_intent_case_ids: list[int] | MISSING = MISSING
    unreadable_case_ids: list[int] | MISSING = MISSING

    @classmethod
    def of(cls, f: Figure) -> Self:
        return cls.model_validate(
            {
                "ref": f.ref,
                "key": f.key,
                "label": f.label,
                "label_hi": f.label_hi,
                "value": f.value,
                "unit": f.unit,
                "case_ids": list(f.case_ids),
                **f.extra,
            }
        )


class SectionRead(ReadModel):
    key: str
    title: str
    title_hi: str
    figures: list[FigureRead]

    @classmethod
    def of(cls, s: Section) -> Self:
        return cls(
            key=s.key,
            title=s.title,
            title_hi=s.title_hi,
            figures=[FigureRead.of(f) for f in s.figures],
        )


class ReportRead(ReadModel):
    """The programme's numbers for a period, each traceable to the cases behind it."""

    title: Literal["Lifeline report"]
    title_hi: Literal["लाइफ़लाइन रिपोर्ट"]
    period: PeriodRead
    district: Annotated[
        ReportDistrictRead | None,
        Field(description="the district reported on (null: all districts)"),
    ]
    generated_at: Timestamp
    generated_by: str
    sections: list[SectionRead]
    method: Annotated[list[str], Field(description="how each figure is counted, in words")]

    @classmethod
    def of(cls, report: Report) -> Self:
        d = report.district
        return cls(
            title="Lifeline report",
            title_hi="लाइफ़लाइन रिपोर्ट",
            period=PeriodRead.of(report.period),
            district=None if d is None else ReportDistrictRead(lgd=d.lgd or None, name=d.name),
            generated_at=report.generated_at,
            generated_by=report.generated_by,
            sections=[SectionRead.of(s) for s in report.sections],
            method=list(report.method),
        )
