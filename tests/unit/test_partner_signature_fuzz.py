"""Fuzzing the partner signature check (`access/accounts.py:authenticate_partner`): whatever
headers and body arrive, it either names the partner (the signature is right) or raises
AuthenticationFailed; it never raises anything else and never accepts a wrong signature."""

from __future__ import annotations

import hashlib
import hmac

from fakes import make_context
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lifeline.domain.model import Actor
from lifeline.services.access.accounts import (
    AuthenticationFailed,
    authenticate_partner,
    create_partner,
)
from support import FakeClock

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
CLOCK = FakeClock()
NOW = int(CLOCK.now().timestamp())
CTX, _, _ = make_context(CLOCK)
PARTNER = create_partner(CTX, "fuzzed partner")
OTHER = create_partner(CTX, "another partner")
HEADER = st.none() | st.text(max_size=80) | st.text(st.characters(codec="latin-1"), max_size=80)
TIMESTAMPS = (
    HEADER
    | st.integers(NOW - 10**12, NOW + 10**12).map(str)
    | st.sampled_from(
        [str(NOW), f" {NOW} ", f"+{NOW}", f"{NOW}.0", "1e9", "-0", "9" * 400, "٣٣٣", "１２３"]
    )
)
KEYS = HEADER | st.sampled_from([PARTNER.key_id, OTHER.key_id, PARTNER.key_id.upper()])


def right(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def check(key: str | None, timestamp: str | None, signature: str | None, body: bytes) -> None:
    try:
        actor = authenticate_partner(CTX, key, timestamp, signature, body)
    except AuthenticationFailed as refused:
        assert str(refused)  # says why
        return
    # Accepted: only with the signature of this partner's secret over exactly these bytes.
    assert isinstance(actor, Actor) and actor.kind == "partner"
    assert key == PARTNER.key_id or key == OTHER.key_id
    secret = PARTNER.secret if key == PARTNER.key_id else OTHER.secret
    assert timestamp is not None and signature is not None
    assert hmac.compare_digest(signature.strip().lower(), right(secret, timestamp, body))


@FUZZ
@given(key=KEYS, timestamp=TIMESTAMPS, signature=HEADER, body=st.binary(max_size=300))
@example(key=PARTNER.key_id, timestamp=str(NOW), signature="", body=b"")
@example(key=PARTNER.key_id, timestamp="\x00", signature="00", body=b"{}")
@example(key="pk_\x00", timestamp=str(NOW), signature="00", body=b"{}")
# found by this test: a non-ASCII signature made hmac.compare_digest raise TypeError (a 500)
@example(key=PARTNER.key_id, timestamp=str(NOW), signature="é" * 64, body=b"{}")
@example(key=PARTNER.key_id, timestamp=str(NOW), signature="\ud800", body=b"{}")
@example(key=PARTNER.key_id, timestamp=f"{NOW}\ud800", signature="00", body=b"{}")
def test_arbitrary_headers_and_bodies_are_refused_or_correctly_signed(
    key: str | None, timestamp: str | None, signature: str | None, body: bytes
) -> None:
    check(key, timestamp, signature, body)


@FUZZ
@given(
    body=st.binary(max_size=300),
    skew=st.integers(-200, 200),
    flip=st.integers(0, 63),
    other_body=st.binary(max_size=300),
    case=st.sampled_from(["flip", "other-body", "other-secret", "other-key", "truncated"]),
)
def test_a_signature_changed_in_any_way_is_never_accepted(
    body: bytes, skew: int, flip: int, other_body: bytes, case: str
) -> None:
    timestamp = str(NOW + skew)
    good = right(PARTNER.secret, timestamp, body)
    assert authenticate_partner(CTX, PARTNER.key_id, timestamp, good, body).id == str(
        PARTNER.partner.id
    )
    key, sent_body, signature = PARTNER.key_id, body, good
    if case == "flip":
        digit = "0123456789abcdef"[(int(good[flip], 16) + 1) % 16]
        signature = good[:flip] + digit + good[flip + 1 :]
    elif case == "other-body":
        if other_body == body:
            other_body += b" "
        sent_body = other_body
    elif case == "other-secret":
        signature = right(OTHER.secret, timestamp, body)
    elif case == "other-key":
        key = OTHER.key_id
    else:
        signature = good[: flip % 63]
    try:
        authenticate_partner(CTX, key, timestamp, signature, sent_body)
    except AuthenticationFailed:
        return
    raise AssertionError(f"accepted a wrong signature ({case})")
