"""The figures of a report, section by section, each with the case ids behind it, and the
percentile arithmetic (nearest rank, so each percentile names a real case). Pure functions over
the facts a `ReportSource` gives; reports/report.py gathers the facts and builds the report."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from lifeline.domain.alert import AlertSource
from lifeline.domain.labels import OUTCOMES, SOURCES
from lifeline.domain.labels import label as labelled
from lifeline.domain.model import ALIVE_OUTCOMES, OutcomeKind
from lifeline.services.reports.ports import AlertFacts, CaseFacts, CheckInFacts

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Figure:
    """One number of a report and the cases behind it. `ref` (F1, F2, ...) is how the PDF's
    appendix names it."""

    key: str
    label: str
    label_hi: str
    value: float | int | None
    unit: str
    case_ids: tuple[int, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    ref: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    title_hi: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class District:
    lgd: str  # "" for the unknown district
    name: str
    name_hi: str = ""


# -- sections --------------------------------------------------------------------------------


def _fig(
    key: str,
    label: str,
    label_hi: str,
    value: float | None,
    unit: str,
    ids: Iterable[int],
    **x: Any,
) -> Figure:
    return Figure(key, label, label_hi, value, unit, tuple(sorted(set(ids))), x)


def _rate(part: Sequence[int], whole: Sequence[int]) -> float | None:
    return round(100.0 * len(part) / len(whole), 1) if whole else None


def summary(
    cases: list[CaseFacts],
    alerts: Sequence[AlertFacts],
    check_ins: list[CheckInFacts],
    now: datetime,
) -> Section:
    ids = [c.id for c in cases]
    alive = [c.id for c in cases if c.outcome in ALIVE_OUTCOMES]
    dead = [c.id for c in cases if c.outcome == OutcomeKind.DECEASED]
    false = [c.id for c in cases if c.outcome == OutcomeKind.FALSE_ALARM]
    judged = [c.id for c in cases if c.outcome and c.outcome != OutcomeKind.DUPLICATE]
    pending = [c.id for c in cases if not c.outcome]
    due = [c for c in check_ins if not c.cancelled and c.due_at <= now]
    done = [c for c in due if c.result]
    return Section(
        "summary",
        "Summary",
        "सारांश",
        (
            _fig("cases", "Cases opened", "खोले गए मामले", len(ids), "cases", ids),
            _fig(
                "alerts",
                "Alerts received",
                "प्राप्त अलर्ट",
                len(alerts),
                "alerts",
                (a.case_id for a in alerts),
                alert_ids=[a.id for a in alerts],
            ),
            _fig("lives_reached", "Lives reached", "बचाई गई ज़िंदगियाँ", len(alive), "cases", alive),
            _fig("deceased", "Deceased", "मृत्यु", len(dead), "cases", dead),
            _fig(
                "false_alarm_rate",
                "False-alarm rate",
                "झूठे अलार्म की दर",
                _rate(false, judged),
                "%",
                false,
                denominator_case_ids=sorted(judged),
            ),
            _fig("no_outcome", "No outcome yet", "परिणाम बाकी", len(pending), "cases", pending),
            _fig(
                "follow_ups_done",
                "Follow-ups done of due",
                "फ़ॉलो-अप पूरे / देय",
                len(done),
                "check-ins",
                (c.case_id for c in done),
                due=len(due),
                check_in_ids=[c.id for c in done],
                due_check_in_ids=[c.id for c in due],
                due_case_ids=sorted({c.case_id for c in due}),
            ),
        ),
    )


def by_attribute(
    alerts: Sequence[AlertFacts], attr: str, key: str, title: str, title_hi: str
) -> Section:
    groups: dict[str, list[AlertFacts]] = defaultdict(list)
    for alert in alerts:
        groups[getattr(alert, attr)].append(alert)
    if attr == "source":  # every source, so a zero is visible
        for source in AlertSource:
            groups.setdefault(source.value, [])
    figures = tuple(
        _fig(
            f"{attr}.{name}",
            *_named(attr, name),
            len(found),
            "alerts",
            (a.case_id for a in found),
            alert_ids=[a.id for a in found],
        )
        for name, found in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    return Section(key, title, title_hi, figures)


def _named(attr: str, name: str) -> tuple[str, str]:
    """A source in words (one table with the console); a platform as its name."""
    if attr == "source":
        return labelled(SOURCES, name)
    return (name.capitalize(), name.capitalize()) if name else ("Unknown", "अज्ञात")


def outcomes(cases: list[CaseFacts]) -> Section:
    figures = [
        _fig(
            f"outcome.{kind.value}",
            *labelled(OUTCOMES, kind.value),
            len(ids),
            "cases",
            ids,
        )
        for kind in OutcomeKind
        for ids in [[c.id for c in cases if c.outcome == kind.value]]
    ]
    pending = [c.id for c in cases if not c.outcome]
    figures.append(
        _fig("outcome.none", "No outcome yet", "परिणाम बाकी", len(pending), "cases", pending)
    )
    return Section("outcomes", "Outcomes", "परिणाम", tuple(figures))


#: (key, from milestone, to milestone, label, Hindi label). "Police notified" is the first
#: message of a dispatch *delivered* (the `first_delivered` milestone), not the decision to
#: dispatch: a unit without contacts, or whose every message failed, was never notified.
STEPS = (
    ("alert_to_triaged", "received", "triaged", "Alert → risk assessed", "अलर्ट → जोखिम आकलन"),
    ("alert_to_located", "received", "located", "Alert → located", "अलर्ट → स्थान ज्ञात"),
    (
        "alert_to_dispatched",
        "received",
        "dispatched",
        "Alert → dispatch decided",
        "अलर्ट → भेजने का निर्णय",
    ),
    (
        "alert_to_first_delivered",
        "received",
        "first_delivered",
        "Alert → police notified",
        "अलर्ट → पुलिस को सूचना पहुँची",
    ),
    (
        "alert_to_acknowledged",
        "received",
        "acknowledged",
        "Alert → acknowledged",
        "अलर्ट → स्वीकृति",
    ),
    (
        "notified_to_acknowledged",
        "first_delivered",
        "acknowledged",
        "Notified → acknowledged",
        "सूचना → स्वीकृति",
    ),
    (
        "notified_to_on_scene",
        "first_delivered",
        "on_scene",
        "Notified → at the door",
        "सूचना → मौके पर",
    ),
    ("alert_to_on_scene", "received", "on_scene", "Alert → at the door", "अलर्ट → मौके पर"),
    ("alert_to_outcome", "received", "resolved", "Alert → outcome", "अलर्ट → परिणाम"),
)
#: the steps given for each district
DISTRICT_STEPS = ("alert_to_dispatched", "alert_to_first_delivered", "alert_to_on_scene")


def minutes_between(cases: Iterable[CaseFacts], start: str, end: str) -> list[tuple[float, int]]:
    """(minutes, case id) for each case that reached both milestones, end not before start."""
    found = []
    for case in cases:
        a, b = case.milestones.get(start), case.milestones.get(end)
        if a is not None and b is not None and b >= a:
            found.append(((b - a).total_seconds() / 60.0, case.id))
    return found


def nearest_rank(samples: Sequence[tuple[float, int]], p: int) -> tuple[float, int] | None:
    """The sample at rank ceil(p/100 n) of the sorted samples (its value and case id)."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1]


def _percentiles(
    key: str, label: str, label_hi: str, samples: list[tuple[float, int]]
) -> list[Figure]:
    ids = [case_id for _, case_id in samples]
    figures = []
    for p in (50, 90):
        at = nearest_rank(samples, p)
        figures.append(
            _fig(
                f"{key}.p{p}",
                f"{label} p{p}",
                f"{label_hi} p{p}",
                None if at is None else round(at[0], 1),
                "minutes",
                ids,
                n=len(samples),
                at_rank_case_id=None if at is None else at[1],
            )
        )
    return figures


def response_times(cases: list[CaseFacts]) -> Section:
    figures: list[Figure] = []
    for key, start, end, label, label_hi in STEPS:
        figures += _percentiles(key, label, label_hi, minutes_between(cases, start, end))
    return Section(
        "response_times", "Response times (minutes)", "प्रतिक्रिया समय (मिनट)", tuple(figures)
    )


def districts(cases: list[CaseFacts], where: dict[int, str], names: dict[str, District]) -> Section:
    groups: dict[str, list[CaseFacts]] = defaultdict(list)
    for case in cases:
        groups[where.get(case.id, "")].append(case)
    figures: list[Figure] = []
    for code in sorted(groups, key=lambda c: (c == "", names.get(c, District(c, c)).name)):
        members = groups[code]
        place = district_named(code, names)
        ids = [c.id for c in members]
        alive = [c.id for c in members if c.outcome in ALIVE_OUTCOMES]
        tag = code or UNKNOWN
        figures.append(
            _fig(
                f"district.{tag}.cases",
                f"{place.name}: cases",
                f"{place.name_hi or place.name}: मामले",
                len(ids),
                "cases",
                ids,
                district_lgd=code or None,
            )
        )
        figures.append(
            _fig(
                f"district.{tag}.lives_reached",
                f"{place.name}: lives reached",
                f"{place.name_hi or place.name}: बचाई गई ज़िंदगियाँ",
                len(alive),
                "cases",
                alive,
                district_lgd=code or None,
            )
        )
        for key, start, end, label, label_hi in STEPS:
            if key in DISTRICT_STEPS:
                figures += _percentiles(
                    f"district.{tag}.{key}",
                    f"{place.name}: {label}",
                    f"{place.name_hi or place.name}: {label_hi}",
                    minutes_between(members, start, end),
                )
    return Section("districts", "By district", "ज़िला अनुसार", tuple(figures))


def follow_ups(check_ins: list[CheckInFacts], now: datetime) -> Section:
    live = [c for c in check_ins if not c.cancelled]
    due = [c for c in live if c.due_at <= now]
    rows = [
        ("due", "Check-ins due", "देय फ़ॉलो-अप", due),
        ("done", "Done", "पूरे", [c for c in due if c.result]),
        ("reached", "Reached", "संपर्क हुआ", [c for c in live if c.result == "reached"]),
        ("not_reached", "Not reached", "संपर्क नहीं", [c for c in live if c.result == "not_reached"]),
        (
            "needs_escalation",
            "Needs escalation (case reopened)",
            "पुनः खोला गया",
            [c for c in live if c.result == "needs_escalation"],
        ),
        ("overdue", "Overdue", "विलंबित", [c for c in due if not c.result]),
        (
            "scheduled",
            "Not yet due",
            "अभी देय नहीं",
            [c for c in live if c.due_at > now and not c.result],
        ),
    ]
    figures = tuple(
        _fig(
            f"follow_ups.{key}",
            label,
            label_hi,
            len(found),
            "check-ins",
            (c.case_id for c in found),
            check_in_ids=[c.id for c in found],
        )
        for key, label, label_hi, found in rows
    )
    return Section("follow_ups", "Follow-ups", "फ़ॉलो-अप", figures)


def numbered(sections: list[Section]) -> tuple[Section, ...]:
    numbered, n = [], 0
    for section in sections:
        figures = []
        for figure in section.figures:
            n += 1
            figures.append(replace(figure, ref=f"F{n}"))
        numbered.append(Section(section.key, section.title, section.title_hi, tuple(figures)))
    return tuple(numbered)


def district_named(code: str, names: dict[str, District]) -> District:
    if not code:
        return District("", "unknown district", "अज्ञात ज़िला")
    return names.get(code, District(code, f"LGD {code} (outside the directory)"))
