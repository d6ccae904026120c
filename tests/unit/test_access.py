"""Partner signatures, staff sign-in with TOTP, and creating people."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fakes import make_context

from lifeline.domain.errors import Conflict, DomainError
from lifeline.services.access.accounts import (
    AuthenticationFailed,
    authenticate_partner,
    authenticate_user,
    create_partner,
    create_user,
    sign,
    verify_totp,
)
from lifeline.services.access.signin import SignInRefused
from support import FakeClock


def test_a_correctly_signed_request_identifies_the_partner() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    new = create_partner(ctx, "Meta")
    ts = str(int(clock.now().timestamp()))
    actor = authenticate_partner(ctx, new.key_id, ts, sign(new.secret, ts, b"{}"), b"{}")
    assert actor.kind == "partner" and actor.id == str(new.partner.id)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda k, ts, sig: ("pk_unknown", ts, sig), "unknown or disabled partner key"),
        (lambda k, ts, sig: (k, ts, "0" * 64), "does not match"),
        (lambda k, ts, sig: (k, str(int(ts) - 301), sig), "s away from the server's clock"),
        (lambda k, ts, sig: (k, "yesterday", sig), "must be Unix seconds"),
        (lambda k, ts, sig: (k, ts, None), "missing header.*X-Lifeline-Signature"),
    ],
    ids=["unknown-key", "bad-signature", "stale", "not-a-number", "missing"],
)
def test_a_request_that_fails_authentication_says_why(mutate, message) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    new = create_partner(ctx, "Meta")
    ts = str(int(clock.now().timestamp()))
    key, ts2, sig = mutate(new.key_id, ts, sign(new.secret, ts, b"{}"))
    with pytest.raises(AuthenticationFailed, match=message):
        authenticate_partner(ctx, key, ts2, sig, b"{}")


def test_a_signature_over_a_different_body_is_refused() -> None:
    clock = FakeClock()
    ctx, _, _ = make_context(clock)
    new = create_partner(ctx, "Meta")
    ts = str(int(clock.now().timestamp()))
    with pytest.raises(AuthenticationFailed):
        authenticate_partner(ctx, new.key_id, ts, sign(new.secret, ts, b"{}"), b'{"x":1}')


def test_totp_codes_from_an_authenticator_app_are_accepted_with_one_step_of_drift() -> None:
    clock = FakeClock()
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).at(clock.now())
    assert verify_totp(secret, code, clock.now())
    assert verify_totp(secret, code, clock.now() + timedelta(seconds=30))
    assert not verify_totp(secret, code, clock.now() + timedelta(seconds=95))
    assert not verify_totp(secret, "12345", clock.now())


def test_a_user_signs_in_with_password_and_code_and_every_attempt_is_audited() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    new = create_user(ctx, "Op.One", "smc_operator")
    code = pyotp.TOTP(new.totp_secret).at(clock.now())
    holder = authenticate_user(ctx, "op.one", new.password, code)
    assert (holder.actor.id, holder.actor.role) == ("op.one", "smc_operator")
    with pytest.raises(SignInRefused):
        authenticate_user(ctx, "op.one", "wrong password!", code)
    actions = [r.action for r in factory.store.audit]
    assert actions[-2:] == ["user.sign_in", "user.sign_in_failed"]


def test_user_creation_refuses_unknown_roles_duplicates_and_officers_without_jurisdiction() -> None:
    ctx, _, _ = make_context()
    with pytest.raises(DomainError, match="unknown role 'boss'"):
        create_user(ctx, "x", "boss")
    with pytest.raises(DomainError, match="needs --jurisdiction"):
        create_user(ctx, "dsp", "district_officer")
    create_user(ctx, "op", "smc_operator")
    with pytest.raises(Conflict, match="already exists"):
        create_user(ctx, "op", "smc_operator")
