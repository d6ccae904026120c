"""The SMTP intake's rules on whom it takes how much from, and who may send a secret."""

from __future__ import annotations

import pytest

from lifeline.adapters.intake.smtp_guard import (
    ClientRateLimit,
    auth_allowed,
    client_key,
    login_hint,
    sender_domain,
)


def test_a_limit_of_60_lets_60_through_in_any_minute_never_61() -> None:
    limit = ClientRateLimit(60)
    # one message a second: a refilling bucket would have let the 61st in at 59.5 s
    assert all(limit.allow("ip:198.51.100.7", now=float(t)) for t in range(60))
    assert not limit.allow("ip:198.51.100.7", now=59.5)
    assert limit.allow("ip:198.51.100.7", now=60.0)  # the first one left the window
    assert not limit.allow("ip:198.51.100.7", now=60.5)


def test_a_burst_of_60_then_nothing_for_the_rest_of_the_minute() -> None:
    limit = ClientRateLimit(60)
    assert [limit.allow("k", now=0.0) for _ in range(61)] == [True] * 60 + [False]
    assert not limit.allow("k", now=59.9) and limit.allow("k", now=60.0)
    assert limit.allow("another client", now=1.0)


def test_zero_means_no_limit() -> None:
    limit = ClientRateLimit(0)
    assert all(limit.allow("k", now=0.0) for _ in range(1000))


def test_the_key_is_the_partner_when_authenticated_else_the_client_address() -> None:
    assert client_key(("198.51.100.7", 40000), 3) == client_key(("203.0.113.9", 1), 3)
    assert client_key(("198.51.100.7", 40000), None) == client_key(("198.51.100.7", 1), None)
    assert client_key(("198.51.100.7", 1), None) != client_key(("198.51.100.8", 1), None)
    assert client_key(("::ffff:198.51.100.7", 1, 0, 0), None) == "ip:198.51.100.7"


def test_an_ipv6_client_rotating_addresses_in_its_64_is_one_client() -> None:
    one = client_key(("2001:db8:1:2::1", 1, 0, 0), None)
    assert one == client_key(("2001:db8:1:2:ffff:eeee:dddd:cccc", 1, 0, 0), None)
    assert one != client_key(("2001:db8:1:3::1", 1, 0, 0), None)


@pytest.mark.parametrize(
    ("local", "tls", "allowed"),
    [
        ("127.0.0.1", False, True),
        ("127.8.9.10", False, True),
        ("::1", False, True),
        ("::ffff:127.0.0.1", False, True),
        ("localhost", False, True),
        ("192.0.2.2", False, False),
        ("0.0.0.0", False, False),
        ("2001:db8::5", False, False),
        (None, False, False),
        ("192.0.2.2", True, True),
        ("2001:db8::5", True, True),
    ],
)
def test_auth_needs_tls_except_on_loopback(local: str | None, tls: bool, allowed: bool) -> None:
    assert auth_allowed(local, tls) is allowed


def test_log_fields_say_the_domain_and_a_key_prefix_at_most() -> None:
    assert sender_domain("Ravi.Kumar@Gmail.example") == "gmail.example"
    assert sender_domain("") == "(none)" and sender_domain("no-at-sign") == "(none)"
    assert login_hint("pk_0123456789abcdef") == "pk_0123"
    assert login_hint("ravi.kumar@gmail.example") == "(not a key id)"
    assert login_hint("pk_@gmail.example") == "(not a key id)"
