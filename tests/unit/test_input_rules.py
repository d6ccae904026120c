"""What text and times every door takes: the domain's rules, and the services refusing what
breaks them with `InvalidInput` naming the field (the API, the console and the CLI all reach
the database through these services)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fakes import make_context
from hypothesis import given
from hypothesis import strategies as st

from lifeline.domain.alert import Alert, AlertSource, Caller, LocationHint, Post, Subject
from lifeline.domain.inputs import (
    DATE_OUT_OF_RANGE,
    EARLIEST,
    LATEST,
    InvalidInput,
    alert_problems,
    check_moment,
    moment_problem,
    text_problem,
)
from lifeline.domain.model import Actor
from lifeline.services.access import accounts as access
from lifeline.services.access.accounts import (
    AuthenticationFailed,
    authenticate_partner,
    create_partner,
)
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from support import FakeClock

OP = Actor("user", "op", "smc_operator")
IST = timezone(timedelta(hours=5, minutes=30))


def alert(clock: FakeClock, **changes: object) -> Alert:
    fields: dict[str, object] = {
        "source": AlertSource.PHONE_CALL,
        "received_at": clock.now(),
        "raw_payload": b"{}",
        "raw_content_type": "application/json",
        "platform": "facebook",
        "reference": "FB-1",
        "subject": Subject(name="Ravi", handle="ravi.k"),
        "post": Post("jeena nahi hai"),
    }
    fields.update(changes)
    return Alert(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, tzinfo=IST),  # moving it to UTC overflowed: a 500 before issue 14
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2101, 1, 1, tzinfo=UTC),
        datetime(1970, 1, 1, 5, 29, tzinfo=IST),  # 1969 in UTC
    ],
)
def test_times_outside_1970_to_2100_are_refused_without_overflowing(value: datetime) -> None:
    problem = moment_problem(value)
    assert problem and "1970 to 2100" in problem
    with pytest.raises(InvalidInput) as refused:
        check_moment("post.posted_at", value)
    assert refused.value.field == "post.posted_at" and refused.value.kind == DATE_OUT_OF_RANGE


def test_times_at_the_edges_and_with_any_offset_are_taken() -> None:
    for value in (
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2022, 9, 6, 21, 41, 9, tzinfo=IST),
    ):
        assert moment_problem(value) is None
    assert "timezone" in (moment_problem(datetime(2022, 9, 6)) or "")


@given(st.datetimes(timezones=st.timezones() | st.just(UTC)))
def test_no_time_makes_the_check_raise_anything_but_a_verdict(value: datetime) -> None:
    problem = moment_problem(value)
    assert problem is None or isinstance(problem, str)
    if problem is None:
        assert EARLIEST <= value.astimezone(UTC) <= LATEST


def test_control_characters_are_refused_and_tab_newline_are_kept_where_text_allows() -> None:
    assert "NUL" in (text_problem("FB-\x00-1") or "")
    assert "U+0001" in (text_problem("Ravi\x01") or "")
    assert "surrogate" in (text_problem("\ud800") or "")
    assert text_problem("a\tb") is None
    assert "U+000A" in (text_problem("line\nbreak") or "")
    assert text_problem("line\r\nbreak\tand तब", multiline=True) is None
    assert "NUL" in (text_problem("x\x00", multiline=True) or "")
    assert text_problem("आज मैं आत्महत्या कर रहा हूं") is None


def test_every_field_of_an_alert_that_cannot_be_stored_is_named() -> None:
    clock = FakeClock()
    bad = alert(
        clock,
        reference="FB-\x00",
        subject=Subject(name="Ravi\x07", handle="ravi"),
        post=Post("ok\nfine", None, datetime(9999, 1, 1, tzinfo=IST)),
        location=LocationHint("Madeyganj\x00"),
        caller=Caller("Meta", None, "+1\x00", datetime(1, 1, 1, tzinfo=IST), "notes\x00"),
        extra={"case": {"ids": ["a", "b\x00"]}, "k\x00": 1},
    )
    named = {p.field for p in alert_problems(bad)}
    assert named == {
        "reference",
        "subject.name",
        "post.posted_at",
        "location.text",
        "caller.callback_number",
        "caller.call_received_at",
        "caller.notes",
        "case.ids[1]",
        "'k\\x00'",
    }


def test_receiving_an_alert_with_a_nul_byte_is_refused_naming_the_field_and_stores_nothing() -> (
    None
):
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    with pytest.raises(InvalidInput) as refused:
        receive_alert(ctx, ReceiveAlert(alert(clock, reference="FB-\x00-77"), OP))
    assert refused.value.field == "reference" and refused.value.code == "invalid_input"
    assert "NUL" in str(refused.value)
    assert not factory.store.alerts and not factory.store.cases


def test_receiving_an_alert_posted_in_year_9999_is_refused_naming_the_field() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    late = Post("x", None, datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=5))))
    with pytest.raises(InvalidInput) as refused:
        receive_alert(ctx, ReceiveAlert(alert(clock, post=late), OP))
    assert refused.value.field == "post.posted_at"
    assert not factory.store.alerts


def test_people_and_partners_with_control_characters_are_refused_naming_the_field() -> None:
    ctx, factory, _ = make_context()
    with pytest.raises(InvalidInput, match="username"):
        access.create_user(ctx, "ravi\x00", "smc_operator")
    with pytest.raises(InvalidInput, match="jurisdiction"):
        access.create_user(ctx, "ravi", "district_officer", jurisdiction="157\x00")
    with pytest.raises(InvalidInput, match="name"):
        create_partner(ctx, "Meta\x00")
    with pytest.raises(InvalidInput, match="username"):
        access.authenticate_user(ctx, "admin\x00", "pw", "123456")
    assert not factory.store.partners and not factory.store.audit


def test_a_partner_key_with_a_control_character_is_an_authentication_failure() -> None:
    ctx, _, _ = make_context()
    with pytest.raises(AuthenticationFailed):
        authenticate_partner(ctx, "pk_\x00", "1", "ab", b"{}")
    assert access.check_partner_login(ctx, "pk_\x00", "secret") is None
