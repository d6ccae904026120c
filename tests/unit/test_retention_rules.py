"""Retention's rules that need no database: the periods (which cutoff applies to what), legal
holds, and how a person's phone or handle becomes the keys intake hashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fakes import make_context

from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import DomainError
from lifeline.domain.model import Actor
from lifeline.domain.retention import Policy, RetentionPeriods
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.retention import erasure

NOW = datetime(2026, 12, 6, tzinfo=UTC)
CLI = Actor("cli", "test", "admin")


def test_the_post_never_outlives_the_rest_of_a_closed_case() -> None:
    periods = RetentionPeriods(closed=timedelta(days=10), post_text=timedelta(days=30))
    cutoff = periods.ended_cutoff(Policy.POST_TEXT, NOW, dismissed=False)
    assert cutoff == NOW - timedelta(days=10)
    assert periods.ended_cutoff(Policy.LINK, NOW, dismissed=False) == NOW - timedelta(days=365)


def test_a_dismissed_false_alarm_goes_whole_after_its_own_period() -> None:
    periods = RetentionPeriods(dismissed=timedelta(days=3))
    for policy in (Policy.POST_TEXT, Policy.CASE, Policy.LINK):
        assert periods.ended_cutoff(policy, NOW, dismissed=True) == NOW - timedelta(days=3)


def test_a_negative_period_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="quarantine is negative"):
        RetentionPeriods(quarantine=timedelta(days=-1))


def test_rows_with_their_own_expiry_go_when_it_passes() -> None:
    assert RetentionPeriods().own_cutoff(Policy.EXPIRED, NOW) == NOW
    assert RetentionPeriods().own_cutoff(Policy.LOG, NOW) == NOW - timedelta(days=180)


def test_a_phone_in_any_format_gives_the_key_intake_hashed() -> None:
    for phone in ("+91 98765 43210", "098765-43210", "9876543210"):
        assert erasure.person_keys([], phone=phone, handle=None) == ["phone:9876543210"]
    with pytest.raises(DomainError, match="fewer than 10 digits"):
        erasure.person_keys([], phone="43210", handle=None)


def test_a_handle_is_looked_for_on_every_platform_and_in_the_monitoring_window() -> None:
    keys = erasure.person_keys(["facebook", "x"], phone=None, handle="@Ravi_K")
    assert "account:facebook:ravi_k" in keys and "account:x:ravi_k" in keys
    assert "author:x:ravi_k" in keys
    assert keys == sorted(set(keys))


def test_a_hold_needs_a_reason_is_not_taken_twice_and_is_lifted_once() -> None:
    ctx, factory, _ = make_context()
    alert = Alert(
        AlertSource.PLATFORM_API,
        ctx.clock.now(),
        b"{}",
        "application/json",
        platform="facebook",
        subject=Subject(handle="ravi"),
        post=Post(text="..."),
    )
    case_id = receive_alert(ctx, ReceiveAlert(alert, CLI)).case_id
    with pytest.raises(DomainError, match="needs a reason"):
        erasure.hold_case(ctx, case_id, "  ", CLI)
    hold = erasure.hold_case(ctx, case_id, "order 9", CLI)
    assert hold.by == "cli:test" and erasure.case_retention(ctx, case_id).hold == hold
    with pytest.raises(DomainError, match="already under legal hold"):
        erasure.hold_case(ctx, case_id, "again", CLI)
    erasure.unhold_case(ctx, case_id, CLI)
    with pytest.raises(DomainError, match="not under legal hold"):
        erasure.unhold_case(ctx, case_id, CLI)
    actions = [r.action for r in factory.store.audit if r.action.startswith("case.")]
    assert actions[-2:] == ["case.hold", "case.unhold"]


def test_erasure_needs_exactly_one_of_phone_or_handle() -> None:
    ctx, _, _ = make_context()
    with pytest.raises(DomainError, match="exactly one"):
        erasure.erase_person(ctx, actor=CLI)
    with pytest.raises(DomainError, match="exactly one"):
        erasure.erase_person(ctx, phone="9876543210", handle="x", actor=CLI)
