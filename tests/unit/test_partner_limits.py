"""The per-partner window of the monitoring stream (domain/partner_limits.py): what fits, when
a refused request may come back, and one audit record a minute for a flood."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifeline.domain.partner_limits import PostWindow, requests_refusal

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_refused_request_may_come_back_when_enough_old_posts_leave_the_minute() -> None:
    window = PostWindow()
    assert window.take(1, 4, 10, at(0)) is None
    assert window.take(1, 4, 10, at(10)) is None
    refused = window.take(1, 6, 10, at(20))
    # 8 used; 6 more fit once the first 4 (sent at 0 s) have left the minute, at 60 s
    assert refused is not None and refused.retry_after == 40 and refused.used == 8
    assert window.take(1, 6, 10, at(59)) is not None
    assert window.take(1, 6, 10, at(60)) is None
    assert window.take(2, 10, 10, at(70)) is None  # another key has its own minute


def test_a_limit_of_zero_is_no_limit() -> None:
    assert PostWindow().take(1, 10_000, 0, at(0)) is None
    assert requests_refusal(0, 10_000, at(0), at(1)) is None


def test_the_requests_limit_waits_for_the_oldest_request() -> None:
    assert requests_refusal(3, 2, at(0), at(30)) is None
    refused = requests_refusal(3, 3, at(0), at(30))
    assert refused is not None and refused.retry_after == 30
    assert "LIFELINE_MONITORING_PARTNER_REQUESTS_PER_MINUTE" in str(refused)


def test_a_flood_is_one_audit_record_a_minute_with_the_count() -> None:
    window = PostWindow()
    assert window.refused(1, at(0)) == 1
    assert [window.refused(1, at(s)) for s in range(1, 30)] == [None] * 29
    assert window.refused(1, at(60)) == 30  # the 29 held back and this one
    assert window.refused(2, at(61)) == 1
