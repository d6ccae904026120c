"""The one sign-in policy, driven through in-memory fakes: how waits grow, whom they stop, and
what enrolment needs."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fakes import make_context

from lifeline.domain.model import Actor
from lifeline.domain.signin import SignInPolicy
from lifeline.services.access import accounts as access
from lifeline.services.access import signin, staff
from lifeline.services.access.signin import SignInRefused, SignInThrottled
from support import FakeClock

PASSWORD = "x" * 12


def _attempt(ctx, username: str, code: str, address: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        user = signin.authenticate(ctx, uow, username, password, code, address=address,
                                   channel="api")  # fmt: skip
        uow.commit()
    return user


def test_the_wait_grows_as_two_to_the_failures_and_stops_at_its_cap() -> None:
    policy = SignInPolicy()
    waits = [policy.delay(n, policy.max_delay).total_seconds() for n in range(1, 9)]
    assert waits == [0, 0, 8, 16, 32, 60, 60, 60]
    assert policy.delay(20, policy.pair_max_delay) == timedelta(minutes=15)


def test_a_strangers_address_waits_longer_than_the_owners() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    access.create_user(ctx, "op", "smc_operator", password=PASSWORD)
    for _ in range(12):
        with pytest.raises(SignInRefused):
            _attempt(ctx, "op", "000000", "stranger")
        clock.advance(minutes=1)
    with pytest.raises(SignInThrottled) as stranger:
        _attempt(ctx, "op", "000000", "stranger")
    with ctx.uow() as uow:
        owner_opens = ctx.config.signin.account_opens(
            uow.sign_ins.streak("op", clock.now() - timedelta(hours=1)), "owner"
        )
    assert owner_opens is not None and owner_opens <= clock.now()  # the owner does not wait
    assert stranger.value.retry_after > 60


def test_an_address_spraying_many_usernames_is_stopped_and_others_are_not() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    for n in range(20):
        with pytest.raises(SignInRefused):
            _attempt(ctx, f"guess{n}", "000000", "sprayer")
        clock.advance(seconds=5)
    with pytest.raises(SignInThrottled, match="from this address") as stopped:
        _attempt(ctx, "guess99", "000000", "sprayer")
    assert 0 < stopped.value.retry_after <= 15 * 60
    with pytest.raises(SignInRefused) as elsewhere:
        _attempt(ctx, "guess99", "000000", "someone else")
    assert not isinstance(elsewhere.value, SignInThrottled)


def test_unknown_and_known_usernames_are_throttled_alike() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    access.create_user(ctx, "op", "smc_operator", password=PASSWORD)
    for name in ("op", "nobody"):
        for _ in range(3):
            with pytest.raises(SignInRefused):
                _attempt(ctx, name, "000000", "a")
    for name in ("op", "nobody"):
        with pytest.raises(SignInThrottled) as throttled:
            _attempt(ctx, name, "000000", "a")
        assert (
            str(throttled.value) == "too many failed attempts for this username; try again in 8 s"
        )
    assert {r.details["reason"] for r in factory.store.audit if "reason" in r.details} == {
        "bad_code",
        "unknown_user",
    }


def test_a_throttled_attempt_is_refused_even_with_the_right_code() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    new = access.create_user(ctx, "op", "smc_operator", password=PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInRefused):
            _attempt(ctx, "op", "000000", "a")
    with pytest.raises(SignInThrottled):
        _attempt(ctx, "op", pyotp.TOTP(new.totp_secret).at(clock.now()), "a")
    clock.advance(seconds=8)
    assert _attempt(ctx, "op", pyotp.TOTP(new.totp_secret).at(clock.now()), "a").username == "op"


def test_the_enrolment_code_works_once_and_not_after_72_hours() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    late = access.create_user(ctx, "late", "smc_operator", password=PASSWORD)
    new = access.create_user(ctx, "op", "smc_operator", password=PASSWORD)
    with pytest.raises(SignInRefused, match="enrolment code"):
        signin.enrolment_secret(ctx, "op", PASSWORD, "", address="a")
    name, secret = signin.enrolment_secret(ctx, "op", PASSWORD, new.enrolment_code, address="a")
    assert (name, secret) == ("op", new.totp_secret)
    with pytest.raises(SignInRefused):
        signin.enrolment_secret(ctx, "op", PASSWORD, new.enrolment_code, address="a")
    clock.advance(hours=72, seconds=1)
    with pytest.raises(SignInRefused):
        signin.enrolment_secret(ctx, "late", PASSWORD, late.enrolment_code, address="b")


def test_enrolment_codes_are_read_out_loosely() -> None:
    assert signin.code_hash("abcde-fghij-klmno") == signin.code_hash("ABCDE FGHIJ KLMNO")


def test_staff_behind_one_address_are_not_stopped_by_their_own_typing() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    people = [
        access.create_user(ctx, f"op{n}", "smc_operator", password=PASSWORD) for n in range(12)
    ]
    for person in people:  # each mistypes twice, then signs in, from the office's one address
        for _ in range(2):
            with pytest.raises(SignInRefused):
                _attempt(ctx, person.username, "000000", "office")
        code = pyotp.TOTP(person.totp_secret).at(clock.now())
        assert _attempt(ctx, person.username, code, "office").username == person.username
    clock.advance(seconds=30)
    late = access.create_user(ctx, "late", "smc_operator", password=PASSWORD)
    code = pyotp.TOTP(late.totp_secret).at(clock.now())
    assert _attempt(ctx, "late", code, "office").username == "late"  # 24 failures, no wait


def test_an_admin_unlock_also_frees_the_address_of_that_persons_failures() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    new = access.create_user(ctx, "op", "smc_operator", password=PASSWORD)
    for name in ["op"] * 3 + [f"op{n}" for n in range(17)]:  # typos at the office
        with pytest.raises(SignInRefused):
            _attempt(ctx, name, "000000", "office")
    with pytest.raises(SignInThrottled, match="from this address"):
        _attempt(ctx, "op", "000000", "office")
    staff.unlock(ctx, Actor("cli", "admin", "admin"), "op")
    code = pyotp.TOTP(new.totp_secret).at(clock.now())
    assert _attempt(ctx, "op", code, "office").username == "op"
