"""Reports: the programme's numbers for a period, each traceable to the cases behind it.

A report covers the cases *opened* in the period (days in IST, both ends included): their
alerts by source and platform, their outcomes, lives reached, the false-alarm rate, and
response-time percentiles computed from the milestone timestamps of the case lifecycle (the first
time each step was reached). Follow-up figures cover the check-ins *due* in the period. Every
figure carries the ids of the cases it counts (rates also their denominator), and percentiles
name the case at their rank. Districts come from the jurisdiction index (confident location
resolution, or an operator's choice); a case without one is in "unknown district".

The state export is different: k-anonymous counts by district and month, for sharing outside
the SMC, with no case ids (see `export_counts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Protocol

from lifeline.domain.access import Permission, Scope, scope_of
from lifeline.domain.errors import DomainError, PermissionDenied
from lifeline.domain.labels import OUTCOMES
from lifeline.domain.model import ALIVE_OUTCOMES, Actor, OutcomeKind
from lifeline.services.access.authorisation import TRUSTED_KINDS, may, user_districts
from lifeline.services.context import Context
from lifeline.services.ports import UnitOfWork
from lifeline.services.reports.disagreements import platform_model
from lifeline.services.reports.figures import (
    UNKNOWN,
    District,
    Figure,
    Section,
    by_attribute,
    district_named,
    districts,
    follow_ups,
    numbered,
    outcomes,
    response_times,
    summary,
)

#: India Standard Time (no daylight saving): report days and months are IST days and months
IST = timezone(timedelta(hours=5, minutes=30), "IST")
FORMATS = ("json", "csv", "pdf")
#: no report reaches before this (the programme began in 2022; the margin is for imports)
EARLIEST = date(2000, 1, 1)


class InvalidReport(DomainError):
    """A report request that cannot be answered: bad dates, unknown district or format."""

    code = "invalid_report"


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    start: datetime  # UTC, included
    end: datetime  # UTC, excluded
    as_of: datetime

    @classmethod
    def of(cls, first_day: date, last_day: date, now: datetime) -> Period:
        today = now.astimezone(IST).date()
        if first_day > last_day:
            raise InvalidReport(
                f"--from {first_day.isoformat()} is after --to {last_day.isoformat()}"
            )
        if first_day > today:
            raise InvalidReport(f"--from {first_day.isoformat()} is in the future (today: {today})")
        if first_day < EARLIEST or last_day > today + timedelta(days=366):
            raise InvalidReport(
                f"give a period from {EARLIEST.isoformat()} to at most a year from today"
            )
        try:  # at the ends of the calendar (0001-01-01, 9999-12-31) the UTC bounds overflow
            start = datetime.combine(first_day, time(), IST).astimezone(UTC)
            end = datetime.combine(last_day + timedelta(days=1), time(), IST).astimezone(UTC)
        except OverflowError:
            raise InvalidReport(
                f"the period {first_day.isoformat()} to {last_day.isoformat()} is out of range"
            ) from None
        return cls(first_day, last_day, start, end, now)


@dataclass(frozen=True)
class Report:
    period: Period
    district: District | None
    generated_at: datetime
    generated_by: str
    sections: tuple[Section, ...]
    method: tuple[str, ...]

    def figures(self) -> Iterable[Figure]:
        for section in self.sections:
            yield from section.figures

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


class ReportWriter(Protocol):
    """Renders a report as a file (CSV, PDF, JSON)."""

    media_type: str

    def write(self, report: Report) -> bytes: ...


# -- the use cases ---------------------------------------------------------------------------


def build_report(
    ctx: Context, actor: Actor, first_day: date, last_day: date, *, district: str | None = None
) -> Report:
    """The report for cases opened from `first_day` to `last_day` (IST, inclusive), optionally
    for one district (LGD code or name, or "unknown"). Generating it is audited."""
    _require_reporter(actor)
    now = ctx.clock.now()
    period = Period.of(first_day, last_day, now)
    with ctx.uow(readonly=True) as uow:
        chosen = _district(uow, district) if district is not None else None
        own = _own_districts(uow, actor)
        if own is not None:
            chosen = _within(ctx, uow, actor, own, chosen)
        cases = uow.reports.cases_opened(period.start, period.end)
        check_ins = uow.reports.check_ins_due(period.start, period.end)
        names = {code: District(code, en, hi) for code, en, hi in uow.jurisdictions.districts()}
        where = districts_of(uow, {c.id for c in cases} | {c.case_id for c in check_ins})
        if chosen is not None:
            cases = [c for c in cases if where.get(c.id, "") == chosen.lgd]
            check_ins = [c for c in check_ins if where.get(c.case_id, "") == chosen.lgd]
        alerts = uow.reports.alerts_of([c.id for c in cases])
        readings = uow.reports.model_readings([c.id for c in cases])
    sections = [
        summary(cases, alerts, check_ins, now),
        by_attribute(alerts, "source", "alerts_by_source", "Alerts by source", "स्रोत अनुसार"),
        by_attribute(alerts, "platform", "alerts_by_platform", "Alerts by platform", "प्लेटफ़ॉर्म"),
        outcomes(cases),
        response_times(cases),
        districts(cases, where, names),
        follow_ups(check_ins, now),
        platform_model(alerts, readings),
    ]
    report = Report(period, chosen, now, str(actor), numbered(sections), METHOD)
    _audit(
        ctx,
        actor,
        "report.generated",
        report.period,
        {"district": district if chosen is None else chosen.lgd or UNKNOWN},
    )
    return report


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidReport(f"{option} {value!r} is not a date like 2026-11-01") from None


def require_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidReport(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    return fmt


#: lives reached, in the order the outcomes are listed
ALIVE_OUTCOMES_ORDERED = tuple(k for k in OutcomeKind if k in ALIVE_OUTCOMES)


def _said(*kinds: OutcomeKind) -> str:
    return ", ".join(f"'{OUTCOMES[k.value][0]}'" for k in kinds)


METHOD = (
    "Cases: those opened in the period (days in India Standard Time, both ends included), "
    "drills and monitoring finds dismissed at review left out. Alerts: every alert of those "
    "cases, merged ones included.",
    f"Lives reached: outcomes {_said(*ALIVE_OUTCOMES_ORDERED)}. A case reopened after a "
    "follow-up counts under 'no outcome yet' until its new outcome is recorded.",
    f"False-alarm rate: {_said(OutcomeKind.FALSE_ALARM)} outcomes among cases with an outcome "
    f"other than {_said(OutcomeKind.DUPLICATE)}.",
    "Response times: minutes between the first time each milestone was reached (the case "
    "timestamps). 'Dispatch decided' is when the case was sent to a unit; 'police notified' is "
    "when the first message of a dispatch was delivered to a unit's contact (alarms to the SMC "
    "not counted): a case whose units nobody could reach is not in that sample. Percentiles by "
    "nearest rank: p50 is the value of the case at rank ceil(0.5 n) of the sorted times, p90 "
    "at ceil(0.9 n); that case is named. Cases that never reached both milestones are not in "
    "the sample.",
    "Districts: from the jurisdiction index (a confident location resolution or an operator's "
    "choice); cases without exactly one district are under 'unknown district'.",
    "Follow-ups: check-ins due in the period (cancelled ones left out); done means a result "
    "was recorded; overdue means due by the time of the report and not yet recorded.",
    "Platform flag and model: cases with a platform's alert (API, email or phone call) whose "
    "model readings were all below intent, or none of which the model could read (a video, "
    "an image, only a link or emoji). Such cases counted as at least intent (the floor).",
)


# -- districts and access --------------------------------------------------------------------


def districts_of(uow: UnitOfWork, case_ids: Iterable[int]) -> dict[int, str]:
    """Case id -> district LGD code, for cases with exactly one district."""
    return {
        case_id: next(iter(codes))
        for case_id, codes in uow.jurisdictions.for_cases(case_ids).items()
        if len(codes) == 1
    }


def _district(uow: UnitOfWork, value: str) -> District:
    names = {code: District(code, en, hi) for code, en, hi in uow.jurisdictions.districts()}
    if value.strip().casefold() in (UNKNOWN, "unknown district"):
        return district_named("", names)
    code = uow.jurisdictions.district_code(value)
    if code is None:
        raise InvalidReport(
            f"unknown district {value!r}; give an LGD code or a name (e.g. 157 or Lucknow), "
            "or 'unknown' for cases without a district"
        )
    return district_named(code, names)


def _own_districts(uow: UnitOfWork, actor: Actor) -> set[str] | None:
    """The districts a district-scoped person reports on (None: the whole SMC)."""
    if actor.kind in TRUSTED_KINDS or scope_of(actor.role) is Scope.EVERY_CASE:
        return None
    if scope_of(actor.role) is Scope.DISTRICT:
        return user_districts(uow, uow.users.by_username(actor.id))
    return set()


def _within(
    ctx: Context, uow: UnitOfWork, actor: Actor, own: set[str], chosen: District | None
) -> District:
    """The district a district officer's report covers: theirs (the one asked for, or their
    only one); another district, the unknown district or none at all is refused and audited,
    so nothing of another district reaches their totals."""
    names = {code: District(code, en, hi) for code, en, hi in uow.jurisdictions.districts()}
    if chosen is None and len(own) == 1:
        return district_named(next(iter(own)), names)
    if chosen is not None and chosen.lgd and chosen.lgd in own:
        return chosen
    asked = "no district" if chosen is None else (chosen.lgd or UNKNOWN)
    uow.rollback()
    _deny(ctx, actor, {"district": asked})
    if chosen is None:
        raise PermissionDenied("your account has no district to report on")
    raise PermissionDenied(f"you may report on your own district only, not {chosen.name}")


def _deny(ctx: Context, actor: Actor, details: dict[str, Any]) -> None:
    """Audit a report refused for its reach (committed before the refusal is raised)."""
    with ctx.uow() as uow:
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="access.denied",
            case_id=None,
            details={
                "permission": Permission.REPORT_READ.value,
                "role": actor.role,
                "reason": "jurisdiction",
                **details,
            },
        )
        uow.commit()


def _require_reporter(actor: Actor) -> None:
    if not may(actor, Permission.REPORT_READ):
        raise PermissionDenied(f"role {actor.role or actor.kind!r} may not produce reports")


def _audit(
    ctx: Context, actor: Actor, action: str, period: Period, details: dict[str, Any]
) -> None:
    with ctx.uow() as uow:
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action=action,
            case_id=None,
            details={
                "from": period.first_day.isoformat(),
                "to": period.last_day.isoformat(),
                **details,
            },
        )
        uow.commit()


# -- the state export: k-anonymous counts ----------------------------------------------------

#: columns of the state export; they partition the cases of a district and month (duplicates,
#: which are not people, are left out)
EXPORT_COLUMNS: tuple[tuple[str, frozenset[str]], ...] = (
    ("lives_reached", frozenset(k.value for k in ALIVE_OUTCOMES)),
    ("deceased", frozenset({OutcomeKind.DECEASED.value})),
    ("false_alarm", frozenset({OutcomeKind.FALSE_ALARM.value})),
    ("not_located", frozenset({OutcomeKind.NOT_LOCATED.value})),
    ("handed_over_out_of_state", frozenset({OutcomeKind.HANDED_OVER_OUT_OF_STATE.value})),
    ("no_outcome_yet", frozenset({""})),
)


@dataclass(frozen=True)
class ExportRow:
    """One district and month. None marks a suppressed count."""

    month: str
    district_lgd: str
    district: str
    cases: int | None
    cells: dict[str, int | None]


@dataclass(frozen=True)
class StateExport:
    period: Period
    k: int
    rows: tuple[ExportRow, ...]

    @property
    def suppressed(self) -> int:
        return sum((r.cases is None) + sum(v is None for v in r.cells.values()) for r in self.rows)


def suppress(total: int, cells: dict[str, int], k: int) -> tuple[int | None, dict[str, int | None]]:
    """Small-cell suppression for one row whose cells sum to `total`. A row of fewer than `k`
    cases is withheld whole. Otherwise every count from 1 to k-1 is withheld (primary), and
    more cells, smallest first, until the withheld cells of the row are at least two and add
    up to at least k (secondary: the smallest cell that reaches k, else the largest), so no
    withheld count can be worked out from the total."""
    if total < k:
        return None, dict.fromkeys(cells)
    hidden = {name for name, value in cells.items() if 0 < value < k}
    while hidden and (len(hidden) < 2 or sum(cells[n] for n in hidden) < k):
        rest = sorted((value, name) for name, value in cells.items() if name not in hidden)
        if not rest:
            break
        need = k - sum(cells[n] for n in hidden)
        enough = [cell for cell in rest if cell[0] >= need]  # the smallest that suffices
        hidden.add((enough[0] if enough else rest[-1])[1])
    return total, {name: None if name in hidden else value for name, value in cells.items()}


def export_counts(
    ctx: Context, actor: Actor, first_day: date, last_day: date, *, k: int, min_k: int
) -> StateExport:
    """Counts of cases by district and month (IST) with small cells suppressed, for sharing
    outside the SMC: no ids, no personal data. `k` may raise the configured minimum, never
    lower it."""
    _require_reporter(actor)
    if actor.kind not in TRUSTED_KINDS and scope_of(actor.role) is not Scope.EVERY_CASE:
        # state-wide counts: for the SMC, not for one district's officer
        _deny(ctx, actor, {"export": "state"})
        raise PermissionDenied(f"role {actor.role!r} may not export the state's counts")
    if k < min_k:
        raise InvalidReport(f"k={k} is below the minimum {min_k} (LIFELINE_REPORT_MIN_CELL)")
    period = Period.of(first_day, last_day, ctx.clock.now())
    with ctx.uow(readonly=True) as uow:
        opened = uow.reports.cases_opened(period.start, period.end)
        cases = [c for c in opened if c.outcome != OutcomeKind.DUPLICATE.value]
        names = {code: District(code, en, hi) for code, en, hi in uow.jurisdictions.districts()}
        where = districts_of(uow, [c.id for c in cases])
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for case in cases:
        month = case.opened_at.astimezone(IST).strftime("%Y-%m")
        row = counts.setdefault((month, where.get(case.id, "")), dict.fromkeys(_COLUMNS, 0))
        column = next(n for n, kinds in EXPORT_COLUMNS if (case.outcome or "") in kinds)
        row[column] += 1
    rows = []
    for (month, code), cells in sorted(
        counts.items(), key=lambda kv: (kv[0][0], kv[0][1] == "", kv[0][1])
    ):
        total, shown = suppress(sum(cells.values()), cells, k)
        place = district_named(code, names)
        rows.append(ExportRow(month, code, place.name, total, shown))
    export = StateExport(period, k, tuple(rows))
    _audit(ctx, actor, "report.exported", period, {"k": k, "rows": len(rows)})
    return export


_COLUMNS = tuple(name for name, _ in EXPORT_COLUMNS)
