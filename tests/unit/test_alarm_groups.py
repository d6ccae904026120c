"""The banner's order: one group per case, loud before acknowledged, then the riskiest level,
then the oldest; a case's line names its most urgent loud kind and counts its units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifeline.domain.dispatch import Alarm, AlarmKind
from lifeline.domain.risk import RiskLevel
from lifeline.services.dispatch.attention import group_alarms

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def alarm(
    alarm_id: int,
    case_id: int,
    kind: AlarmKind,
    minutes: int = 0,
    dispatch_id: int | None = None,
    acknowledged: bool = False,
) -> Alarm:
    return Alarm(
        alarm_id, case_id, dispatch_id, kind.value, T0 + timedelta(minutes=minutes), kind, {},
        T0 + timedelta(minutes=30) if acknowledged else None, "user:asha" if acknowledged else None,
    )  # fmt: skip


def test_a_case_with_many_alarms_is_one_line_naming_its_most_urgent_loud_kind() -> None:
    found = [
        alarm(1, 7, AlarmKind.EXHAUSTED, 0, dispatch_id=1),
        alarm(2, 7, AlarmKind.EXHAUSTED, 1, dispatch_id=2),
        alarm(3, 7, AlarmKind.NOT_DISPATCHED, 2, acknowledged=True),
        alarm(4, 7, AlarmKind.NOBODY_REACHED, 3),
    ]
    [line] = group_alarms(found, {7: RiskLevel.INTENT})
    assert line.kind is AlarmKind.NOBODY_REACHED  # the acknowledged one is not what is loud
    assert line.units == 2 and not line.quiet and line.newest_id == 4
    assert line.since == T0  # the oldest loud alarm


def test_loud_cases_come_first_then_the_riskiest_then_the_oldest() -> None:
    found = [
        alarm(1, 1, AlarmKind.EXHAUSTED, 0, acknowledged=True),  # imminent but quiet
        alarm(2, 2, AlarmKind.EXHAUSTED, 5),  # intent
        alarm(3, 3, AlarmKind.EXHAUSTED, 9),  # imminent, newer
        alarm(4, 4, AlarmKind.EXHAUSTED, 1),  # imminent, older
        alarm(5, 5, AlarmKind.EXHAUSTED, 0),  # not assessed
    ]
    levels = {1: RiskLevel.IMMINENT, 2: RiskLevel.INTENT, 3: RiskLevel.IMMINENT}
    levels |= {4: RiskLevel.IMMINENT, 5: None}
    lines = group_alarms(found, levels)
    assert [g.case_id for g in lines] == [4, 3, 2, 5, 1]
    assert lines[-1].quiet and lines[-1].acknowledged_by == "user:asha"
