"""The console's dashboard: today's and this month's alerts, outcomes and response times, per
district.

The counting rules are the reports' (services/reports/report.py, report_figures.py), so the
dashboard and a report for the same days agree: cases *opened* in the period (IST days), their
alerts, their outcomes, minutes between the first times milestones were reached, percentiles by
nearest rank, a case's district from the jurisdiction index (exactly one, else "unknown").
What is added here: the steps an SMC watches all day (alert → located, → dispatch decided,
→ police notified (first message delivered), → acknowledged, → at the door) for every
district, and their distribution in time bands.

Nothing is written: unlike a report, looking at the dashboard is not audited (it shows counts,
no personal data, and refreshes itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.model import Actor
from lifeline.services.access.authorisation import require, visible_case_ids
from lifeline.services.context import Context
from lifeline.services.reports.disagreements import platform_model
from lifeline.services.reports.figures import (
    STEPS,
    District,
    Section,
    by_attribute,
    district_named,
    minutes_between,
    nearest_rank,
    outcomes,
    summary,
)
from lifeline.services.reports.ports import AlertFacts, CaseFacts
from lifeline.services.reports.report import IST, Period, districts_of

_STEP = {step[0]: step for step in STEPS}
#: (key, from milestone, to milestone, label, Hindi label): the reports' steps an SMC watches
WATCHED: tuple[tuple[str, str, str, str, str], ...] = tuple(
    _STEP[key]
    for key in (
        "alert_to_located",
        "alert_to_dispatched",
        "alert_to_first_delivered",
        "alert_to_acknowledged",
        "alert_to_on_scene",
    )
)
#: upper bounds (minutes) of the time bands; the last band is everything above
BANDS = (5, 10, 15, 30, 60)
BAND_LABELS = ("≤ 5", "5–10", "10–15", "15–30", "30–60", "> 60")
SUMMARY_KEYS = ("cases", "alerts", "lives_reached", "deceased", "false_alarm_rate", "no_outcome")


@dataclass(frozen=True)
class StepTimes:
    """One step's minutes in one period (and district): sample size, p50 and p90 (each the
    time of a real case, named), and how many cases fell in each time band."""

    key: str
    label: str
    label_hi: str
    n: int
    p50: float | None
    p90: float | None
    p50_case: int | None
    p90_case: int | None
    bands: tuple[int, ...]


@dataclass(frozen=True)
class DistrictFigures:
    district: District
    cases: int
    steps: tuple[StepTimes, ...]


@dataclass(frozen=True)
class PeriodFigures:
    key: str  # "today" | "month"
    period: Period
    summary: Section
    outcomes: Section
    sources: Section
    steps: tuple[StepTimes, ...]
    districts: tuple[DistrictFigures, ...]

    def figure(self, key: str) -> float | int | None:
        return next(f.value for f in self.summary.figures if f.key == key)

    def outcome_counts(self) -> dict[str, int]:
        """Outcome kind ("" for none yet) -> cases."""
        found = {f.key.removeprefix("outcome."): int(f.value or 0) for f in self.outcomes.figures}
        found[""] = found.pop("none", 0)
        return found


@dataclass(frozen=True)
class Dashboard:
    as_of: datetime
    today: PeriodFigures
    month: PeriodFigures
    scoped: bool  # only the person's jurisdiction
    #: "today" / "month" -> the platform's flag against the model's reading (disagreements.py)
    platform_model: dict[str, Section] = field(default_factory=dict)

    def period(self, key: str) -> PeriodFigures:
        return self.month if key == "month" else self.today


def dashboard(ctx: Context, actor: Actor) -> Dashboard:
    """Today's and this month's (IST) figures over the cases the actor may see."""
    require(actor, Permission.DASHBOARD_READ)
    now = ctx.clock.now()
    today = now.astimezone(IST).date()
    day = Period.of(today, today, now)
    month = Period.of(today.replace(day=1), today, now)
    with ctx.uow(readonly=True) as uow:
        visible = visible_case_ids(uow, actor)
        cases = uow.reports.cases_opened(month.start, month.end)
        if visible is not None:
            cases = [c for c in cases if c.id in visible]
        alerts = uow.reports.alerts_of([c.id for c in cases])
        readings = uow.reports.model_readings([c.id for c in cases])
        where = districts_of(uow, [c.id for c in cases])
        names = {code: District(code, en, hi) for code, en, hi in uow.jurisdictions.districts()}
    todays = [c for c in cases if c.opened_at >= day.start]
    todays_ids = {c.id for c in todays}
    todays_alerts = [a for a in alerts if a.case_id in todays_ids]
    return Dashboard(
        as_of=now,
        today=_figures("today", day, todays, todays_alerts, where, names, now),
        month=_figures("month", month, cases, alerts, where, names, now),
        scoped=visible is not None,
        platform_model={
            "today": platform_model(
                todays_alerts, [r for r in readings if r.case_id in todays_ids]
            ),
            "month": platform_model(alerts, readings),
        },
    )


def _figures(
    key: str,
    period: Period,
    cases: list[CaseFacts],
    alerts: Sequence[AlertFacts],
    where: dict[int, str],
    names: dict[str, District],
    now: datetime,
) -> PeriodFigures:
    brief = summary(cases, alerts, [], now)
    kept = tuple(f for f in brief.figures if f.key in SUMMARY_KEYS)
    groups: dict[str, list[CaseFacts]] = {}
    for case in cases:
        groups.setdefault(where.get(case.id, ""), []).append(case)
    order = sorted(groups, key=lambda c: (c == "", district_named(c, names).name))
    return PeriodFigures(
        key=key,
        period=period,
        summary=Section(brief.key, brief.title, brief.title_hi, kept),
        outcomes=outcomes(cases),
        sources=by_attribute(alerts, "source", "alerts_by_source", "Alerts by source", "स्रोत"),
        steps=step_times(cases),
        districts=tuple(
            DistrictFigures(district_named(c, names), len(groups[c]), step_times(groups[c]))
            for c in order
        ),
    )


def step_times(cases: Sequence[CaseFacts]) -> tuple[StepTimes, ...]:
    found = []
    for key, start, end, label, label_hi in WATCHED:
        samples = minutes_between(cases, start, end)
        p50, p90 = nearest_rank(samples, 50), nearest_rank(samples, 90)
        found.append(
            StepTimes(
                key=key,
                label=label,
                label_hi=label_hi,
                n=len(samples),
                p50=None if p50 is None else round(p50[0], 1),
                p90=None if p90 is None else round(p90[0], 1),
                p50_case=None if p50 is None else p50[1],
                p90_case=None if p90 is None else p90[1],
                bands=banded(minutes for minutes, _ in samples),
            )
        )
    return tuple(found)


def banded(minutes: Iterable[float]) -> tuple[int, ...]:
    """How many of `minutes` fall in each band (≤ 5, 5–10, …, > 60; a bound is in the lower
    band)."""
    counts = [0] * (len(BANDS) + 1)
    for value in minutes:
        counts[next((i for i, bound in enumerate(BANDS) if value <= bound), len(BANDS))] += 1
    return tuple(counts)
