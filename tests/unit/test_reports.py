"""Reports from case timestamps, each figure traced to its cases; the k-anonymous export."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from fakes import make_context
from hypothesis import given
from hypothesis import strategies as st

from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import PermissionDenied
from lifeline.domain.model import Actor
from lifeline.services.cases import review
from lifeline.services.cases import service as cases
from lifeline.services.context import Context
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.reports import report as reports
from lifeline.services.reports.figures import minutes_between, nearest_rank
from lifeline.services.reports.ports import CaseFacts
from lifeline.services.reports.report import InvalidReport, suppress
from support import FakeClock

SUP = Actor("user", "sup", "supervisor")
OP = Actor("user", "op", "smc_operator")
DAY = date(2026, 11, 28)


def case(ctx: Context, clock: FakeClock, n: int, *, source: AlertSource, minutes: float) -> int:
    alert = Alert(
        source,
        clock.now(),
        b"{}",
        "application/json",
        platform="instagram" if n % 2 else "facebook",
        subject=Subject(handle=f"p{n}"),
        post=Post("..."),
    )
    case_id = receive_alert(ctx, ReceiveAlert(alert, OP)).case_id
    cases.record_location(ctx, OP, case_id, "Lucknow")
    if source is AlertSource.MONITORING:  # a find is dispatched once a person escalates it
        review.escalate(ctx, case_id, OP, "ideation")
    clock.advance(minutes=minutes)
    cases.dispatch_case(ctx, OP, case_id, ["PS"])
    clock.advance(minutes=2 * minutes)
    cases.mark_on_scene(ctx, OP, case_id)
    return case_id


def month(clock: FakeClock) -> tuple[Context, dict[str, list[int]], object]:
    """Ten dispatched cases 1..10 minutes to dispatch; outcomes of several kinds."""
    ctx, factory, _ = make_context(clock)
    ids: dict[str, list[int]] = {"all": []}
    for n in range(1, 11):
        source = AlertSource.PLATFORM_EMAIL if n <= 6 else AlertSource.MONITORING
        ids["all"].append(case(ctx, clock, n, source=source, minutes=n))
    outcomes = ["reached_safe"] * 6 + ["hospitalised", "deceased", "not_located"]
    for case_id, outcome in zip(ids["all"], outcomes, strict=False):
        cases.record_outcome(ctx, OP, case_id, outcome, "reason")
    factory.store.districts.update(dict.fromkeys(ids["all"][:4], "157"))
    return ctx, ids, factory


def fig(report: reports.Report, key: str) -> reports.Figure:
    return next(f for f in report.figures() if f.key == key)


def test_nearest_rank_names_the_case_at_the_rank() -> None:
    samples = [(float(m), 100 + m) for m in range(1, 11)]
    assert nearest_rank(samples, 50) == (5.0, 105)
    assert nearest_rank(samples, 90) == (9.0, 109)
    assert nearest_rank(samples[:1], 90) == (1.0, 101)
    assert nearest_rank([], 50) is None


def test_every_figure_is_traced_to_its_cases() -> None:
    clock = FakeClock()
    ctx, ids, _ = month(clock)
    report = reports.build_report(ctx, SUP, DAY, DAY)
    assert fig(report, "cases").value == 10
    assert list(fig(report, "cases").case_ids) == ids["all"]
    reached = fig(report, "lives_reached")
    assert reached.value == 7 and list(reached.case_ids) == ids["all"][:7]
    assert fig(report, "source.platform_email").case_ids == tuple(ids["all"][:6])
    assert fig(report, "source.monitoring").value == 4
    assert fig(report, "outcome.none").case_ids == (ids["all"][9],)
    dispatch = fig(report, "alert_to_dispatched.p50")
    assert dispatch.value == 5.0 and dispatch.extra["at_rank_case_id"] == ids["all"][4]
    assert fig(report, "alert_to_dispatched.p90").value == 9.0
    assert fig(report, "alert_to_on_scene.p90").value == 27.0
    assert fig(report, "false_alarm_rate").value == 0.0
    refs = [f.ref for f in report.figures()]
    assert refs == [f"F{i}" for i in range(1, len(refs) + 1)]


def test_districts_come_from_the_jurisdiction_index_and_the_rest_are_unknown() -> None:
    clock = FakeClock()
    ctx, ids, _ = month(clock)
    report = reports.build_report(ctx, SUP, DAY, DAY)
    assert fig(report, "district.157.cases").case_ids == tuple(ids["all"][:4])
    assert fig(report, "district.unknown.cases").value == 6
    lucknow = reports.build_report(ctx, SUP, DAY, DAY, district="lucknow")
    assert fig(lucknow, "cases").value == 4 and lucknow.district is not None
    assert lucknow.district.name == "Lucknow"
    unknown = reports.build_report(ctx, SUP, DAY, DAY, district="unknown")
    assert fig(unknown, "cases").value == 6


@pytest.mark.parametrize(
    ("first", "last", "district", "message"),
    [
        (DAY, DAY - timedelta(days=1), None, "is after --to"),
        (DAY + timedelta(days=2), DAY + timedelta(days=3), None, "in the future"),
        (DAY, DAY, "Gotham", "unknown district 'Gotham'"),
    ],
)
def test_bad_requests_are_refused_clearly(
    first: date, last: date, district: str | None, message: str
) -> None:
    ctx, factory, _ = make_context(FakeClock())
    with pytest.raises(InvalidReport, match=message):
        reports.build_report(ctx, SUP, first, last, district=district)
    assert factory.store.audit == []


def test_only_supervisors_and_admins_produce_reports() -> None:
    ctx, _, _ = make_context(FakeClock())
    with pytest.raises(PermissionDenied):
        reports.build_report(ctx, OP, DAY, DAY)
    with pytest.raises(InvalidReport, match="not a date"):
        reports.parse_day("28/11/2026", "--from")


def test_report_days_are_ist_days() -> None:
    clock = FakeClock(datetime(2026, 11, 27, 19, 0, tzinfo=UTC))  # 28 Nov 00:30 IST
    ctx, _, _ = make_context(clock)
    case(ctx, clock, 1, source=AlertSource.MANUAL, minutes=1)
    assert fig(reports.build_report(ctx, SUP, DAY, DAY), "cases").value == 1
    earlier = DAY - timedelta(days=1)
    assert fig(reports.build_report(ctx, SUP, earlier, earlier), "cases").value == 0


def test_cases_missing_a_milestone_or_out_of_order_are_not_in_the_sample() -> None:
    t = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    facts = [
        CaseFacts(
            1, "x", "resolved", t, None, {"received": t, "on_scene": t + timedelta(minutes=9)}
        ),
        CaseFacts(2, "x", "received", t, None, {"received": t}),
        CaseFacts(
            3, "x", "resolved", t, None, {"received": t, "on_scene": t - timedelta(minutes=1)}
        ),
    ]
    assert minutes_between(facts, "received", "on_scene") == [(9.0, 1)]


# -- the state export -------------------------------------------------------------------------


def test_the_state_export_counts_by_district_and_month_and_suppresses_small_cells() -> None:
    clock = FakeClock()
    ctx, _, _ = month(clock)
    export = reports.export_counts(ctx, SUP, DAY, DAY, k=3, min_k=3)
    by_district = {r.district: r for r in export.rows}
    unknown = by_district["unknown district"]
    assert unknown.cases == 6 and unknown.month == "2026-11"
    lucknow = by_district["Lucknow"]
    assert lucknow.cases == 4 and lucknow.cells["lives_reached"] == 4
    with pytest.raises(InvalidReport, match="below the minimum 5"):
        reports.export_counts(ctx, SUP, DAY, DAY, k=3, min_k=5)


def test_a_small_row_is_withheld_whole_and_a_lone_small_cell_takes_another_with_it() -> None:
    assert suppress(4, {"a": 4, "b": 0}, 5) == (None, {"a": None, "b": None})
    total, cells = suppress(20, {"a": 17, "b": 2, "c": 1, "d": 0}, 5)
    assert total == 20 and cells == {"a": None, "b": None, "c": None, "d": 0}
    assert suppress(20, {"a": 10, "b": 10, "c": 0}, 5) == (20, {"a": 10, "b": 10, "c": 0})
    total, cells = suppress(30, {"a": 20, "b": 6, "c": 4}, 5)
    assert cells == {"a": 20, "b": None, "c": None}


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=6), st.integers(2, 8))
def test_no_suppressed_count_can_be_worked_out(values: list[int], k: int) -> None:
    cells = {f"c{i}": v for i, v in enumerate(values)}
    total, shown = suppress(sum(values), cells, k)
    if total is None:
        assert all(v is None for v in shown.values())
        return
    assert all(v is None or not 0 < v < k for v in shown.values())
    hidden = [n for n, v in shown.items() if v is None]
    if hidden:
        assert len(hidden) >= 2 and sum(cells[n] for n in hidden) >= k
        # the shown total minus the shown cells is all one can learn: several splits fit it
        rest = total - sum(v for v in shown.values() if v is not None)
        splits = [
            s
            for s in itertools.product(range(rest + 1), repeat=len(hidden))
            if sum(s) == rest and all(x == 0 or x >= 1 for x in s)
        ]
        assert len(splits) > 1


@pytest.mark.parametrize(
    ("first", "last"), [(date(1, 1, 1), date(2000, 1, 1)), (DAY, date(9999, 12, 31))]
)
def test_periods_out_of_range_are_refused(first: date, last: date) -> None:
    ctx, _, _ = make_context(FakeClock())
    with pytest.raises(InvalidReport, match="at most a year from today"):
        reports.build_report(ctx, SUP, first, last)
    with pytest.raises(InvalidReport):
        reports.export_counts(ctx, SUP, first, last, k=5, min_k=5)
