"""The queue's clocks and order (services/console/urgency.py), without IO: which clock a case
has breached at a moment, by how long, each measured for the case's own risk level."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lifeline.domain.floor import score_band
from lifeline.domain.risk import LevelDurations
from lifeline.services.console.ports import QueueItem
from lifeline.services.console.urgency import Clocks, breaches, urgency

T0 = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
CLOCKS = Clocks(
    dispatch_deadline=LevelDurations.parse("imminent=120,intent=120,300"),
    unreached_after=LevelDurations.parse("imminent=120,intent=120,180"),
    ack_sla=timedelta(minutes=10),
    on_scene_due=timedelta(minutes=30),
)
ITEM = QueueItem(1, "received", "facebook", "platform_api", "imminent", T0, T0, 1,
                 None, None, None, None, "text", None)  # fmt: skip


def clocks_at(item: QueueItem, seconds: int) -> list[tuple[str, int]]:
    return [(b.clock, b.seconds) for b in breaches(item, T0 + timedelta(seconds=seconds), CLOCKS)]


def test_not_dispatched_breaches_at_the_levels_deadline() -> None:
    assert clocks_at(ITEM, 120) == []
    assert clocks_at(ITEM, 150) == [("dispatch", 30)]
    distress = replace(ITEM, risk_level="distress")  # the default, 300 s
    assert clocks_at(distress, 250) == []
    assert clocks_at(distress, 301) == [("dispatch", 1)]


def test_dispatched_with_nobody_reached_breaches_after_the_unreached_delay() -> None:
    sent = replace(ITEM, status="dispatched", dispatched_at=T0 + timedelta(seconds=60))
    assert clocks_at(sent, 180) == []
    assert clocks_at(sent, 200) == [("unreached", 20)]
    delivered = replace(sent, first_delivered_at=T0 + timedelta(seconds=70))
    assert clocks_at(delivered, 200) == []


def test_no_acknowledgement_past_the_sla_and_no_one_on_scene_past_its_due() -> None:
    delivered = replace(ITEM, status="dispatched", dispatched_at=T0, first_delivered_at=T0)
    assert clocks_at(delivered, 11 * 60) == [("ack", 60)]
    acked = replace(delivered, status="acknowledged", acknowledged_at=T0 + timedelta(minutes=5))
    assert clocks_at(acked, 34 * 60) == []
    assert clocks_at(acked, 36 * 60) == [("on_scene", 60)]
    there = replace(acked, status="on_scene", on_scene_at=T0 + timedelta(minutes=20))
    assert clocks_at(there, 90 * 60) == []


def test_breached_first_then_level_then_oldest_and_the_score_last() -> None:
    later = T0 + timedelta(minutes=1)
    keys = {
        "overdue intent": urgency(True, "intent", later, 0.2),
        "imminent, older": urgency(False, "imminent", T0, 0.5),
        "imminent, newer, sure": urgency(False, "imminent", later, 1.0),
        "imminent, newer, unsure": urgency(False, "imminent", later, 0.99),
        "unassessed": urgency(False, None, later, None),
    }
    assert sorted(keys, key=keys.__getitem__) == [
        "overdue intent",
        "unassessed",
        "imminent, older",
        "imminent, newer, sure",
        "imminent, newer, unsure",
    ]
    # the bands of the case page (domain/floor.py): one scale everywhere
    assert [score_band(s) for s in (1.0, 0.75, 0.74, 0.5, 0.3, 0.1, None)] == [
        "high", "high", "elevated", "elevated", "moderate", "low", None,
    ]  # fmt: skip
