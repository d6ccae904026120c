"""The DKIM and trusted-relay checks on real signed messages (dkimpy, keys generated here,
looked up in a local table instead of DNS), judged as the intake judges them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dkim_support import FakeDns, other_key, partner_key, sign
from lifeline.adapters.intake.authenticity import (
    DkimAuthenticator,
    dkim_public_key,
    parse_trusted_relays,
)
from lifeline.domain.email_trust import SenderVerification, judge
from lifeline.simulate import Scenario, make_email

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
FACEBOOK = ("facebook.com",)


def message(sender: str = "alerts@facebook.com") -> bytes:
    person, _, _ = Scenario(seed=14).next()
    return make_email(person, "plain_hi", NOW, sender=sender)


def no_pins(domain: str, selector: str) -> str | None:
    return None


def pins(domain: str, selector: str, key: str | None = None) -> dict[tuple[str, str], str]:
    return {(domain, selector): key or dkim_public_key(partner_key().public_pem)}


def check(
    raw: bytes,
    *,
    pinned: dict[tuple[str, str], str] | None = None,
    dns: FakeDns | None = None,
    relays: str = "",
    peer: str | None = "127.0.0.1",
    channel: str = "smtp",
) -> SenderVerification:
    auth = DkimAuthenticator(
        parse_trusted_relays(relays), use_dns=dns is not None, dns=dns or FakeDns()
    )
    table = pinned or {}
    evidence = auth.verify(raw, peer=peer, channel=channel, pinned=lambda d, s: table.get((d, s)))
    return judge(evidence, FACEBOOK)


def test_a_message_signed_by_the_partner_with_a_pinned_key_is_verified_without_dns() -> None:
    dns = FakeDns()
    auth = DkimAuthenticator(use_dns=False, dns=dns)
    table = pins("facebook.com", "s1")
    evidence = auth.verify(
        sign(message()), peer=None, channel="smtp", pinned=lambda d, s: table.get((d, s))
    )
    assert judge(evidence, FACEBOOK) == SenderVerification(True, "dkim:facebook.com")
    assert dns.asked == []


def test_a_key_published_in_dns_verifies_when_dns_is_on() -> None:
    dns = FakeDns()
    dns.publish("facebook.com", partner_key())
    assert check(sign(message()), dns=dns) == SenderVerification(True, "dkim:facebook.com")
    assert dns.asked == ["s1._domainkey.facebook.com."]


def test_a_pinned_key_wins_over_dns() -> None:
    raw = sign(message())
    dns = FakeDns()
    dns.publish("facebook.com", other_key())  # DNS answers with a key that did not sign
    assert check(raw, pinned=pins("facebook.com", "s1"), dns=dns).verified
    assert dns.asked == []
    dns.publish("facebook.com", partner_key())  # DNS right, but the pinned key is wrong
    wrong = pins("facebook.com", "s1", dkim_public_key(other_key().public_pem))
    verdict = check(raw, pinned=wrong, dns=dns)
    assert verdict == SenderVerification(False, "dkim: signature by d=facebook.com does not verify")


def test_no_key_anywhere_says_so() -> None:
    verdict = check(sign(message()), dns=None)
    assert verdict == SenderVerification(
        False, "dkim: no pinned key for selector s1 of facebook.com (DNS off)"
    )
    verdict = check(sign(message()), dns=FakeDns())
    assert verdict.how == "dkim: no key published for selector s1 of facebook.com"


def test_an_unsigned_message_from_a_registered_domain_is_not_verified() -> None:
    assert check(message(), dns=FakeDns()) == SenderVerification(False, "dkim: no signature")


def test_a_changed_body_breaks_the_signature() -> None:
    person, _, _ = Scenario(seed=14).next()
    raw = sign(make_email(person, "plain_en", NOW, sender="alerts@facebook.com"))
    tampered = raw.replace(b"Post Text:", b"Post Text: Madeyganj, Lucknow.")
    assert tampered != raw
    verdict = check(tampered, pinned=pins("facebook.com", "s1"))
    assert verdict == SenderVerification(False, "dkim: body hash mismatch")


def test_a_signature_by_another_domain_does_not_vouch_for_the_from_domain() -> None:
    dns = FakeDns()
    dns.publish("evil.example", other_key())
    raw = sign(message(), domain="evil.example", key=other_key())
    verdict = check(raw, dns=dns)
    assert verdict == SenderVerification(
        False, "dkim: d=evil.example does not align with From facebook.com"
    )


def test_a_signature_aligned_with_from_but_not_registered_does_not_count() -> None:
    dns = FakeDns()
    dns.publish("evil.example", other_key())
    raw = sign(message(sender="alerts@evil.example"), domain="evil.example", key=other_key())
    verdict = check(raw, dns=dns)
    assert not verdict.verified and "not a registered domain" in verdict.how


def test_a_subdomain_signature_aligns_relaxed() -> None:
    dns = FakeDns()
    dns.publish("mail.facebook.com", partner_key())
    raw = sign(message(sender="alerts@facebook.com"), domain="mail.facebook.com")
    assert check(raw, dns=dns) == SenderVerification(True, "dkim:mail.facebook.com")


def test_a_signature_with_a_body_length_limit_does_not_count() -> None:
    raw = sign(message(), length=True)
    verdict = check(raw, pinned=pins("facebook.com", "s1"))
    assert verdict == SenderVerification(
        False, "dkim: d=facebook.com signed only part of the body (l=)"
    )


def test_a_second_from_header_makes_the_message_unverifiable() -> None:
    raw = sign(message())
    doubled = b"From: someone@evil.example\r\n" + raw
    verdict = check(doubled, pinned=pins("facebook.com", "s1"))
    assert not verdict.verified and verdict.how.startswith("from:")


RELAY_AR = (
    b"Authentication-Results: mx.smc.example; dkim=pass header.d=facebook.com "
    b"header.s=s1; dmarc=pass header.from=facebook.com\r\n"
)


def test_a_trusted_relay_vouches_only_for_mail_from_its_own_address() -> None:
    raw = RELAY_AR + message()  # a forwarder broke the signature; the relay checked it
    relays = "127.0.0.0/8=mx.smc.example"
    assert check(raw, relays=relays, peer="127.0.0.1") == SenderVerification(
        True, "relay:mx.smc.example"
    )
    assert check(raw, relays=relays, peer="::ffff:127.0.0.1").verified
    assert not check(raw, relays="10.9.0.0/16=mx.smc.example", peer="127.0.0.1").verified
    assert not check(raw, relays=relays, peer="127.0.0.1", channel="imap").verified


def test_only_the_topmost_authentication_results_of_the_relay_are_believed() -> None:
    forged_below = b"Authentication-Results: mx.smc.example; dkim=none\r\n" + RELAY_AR + message()
    assert not check(forged_below, relays="127.0.0.1/32=mx.smc.example").verified
    other_on_top = (
        b"Authentication-Results: other.example; spf=pass smtp.mailfrom=x@y.example\r\n"
        + RELAY_AR
        + message()
    )
    assert not check(other_on_top, relays="127.0.0.1/32=mx.smc.example").verified


def test_a_relay_result_for_another_domain_does_not_align() -> None:
    raw = b"Authentication-Results: mx.smc.example; dkim=pass header.d=evil.example\r\n" + message()
    verdict = check(raw, relays="127.0.0.1/32=mx.smc.example")
    assert verdict == SenderVerification(
        False, "relay: mx.smc.example evil.example does not align with From facebook.com"
    )


def test_pinned_keys_are_read_from_pem_dns_records_or_the_p_value() -> None:
    key = partner_key()
    stored = f"k=rsa; p={key.p}"
    assert dkim_public_key(key.public_pem) == stored
    assert dkim_public_key(key.record().decode()) == stored
    assert dkim_public_key(f'"v=DKIM1; k=rsa; " "p={key.p}"') == stored
    assert dkim_public_key(key.p[:40] + "\n" + key.p[40:]) == stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a key", "not a DKIM public key"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "not a PEM public key"),
        ("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "only RSA"),
    ],
)
def test_a_bad_key_file_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dkim_public_key(text)


@pytest.mark.parametrize(
    ("value", "problem"),
    [("10.0.0.0/8", "CIDR=authserv-id"), ("10.0.0.300/8=mx", "is not a CIDR")],
)
def test_trusted_relays_that_cannot_be_read_are_refused(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_trusted_relays(value)


PLAIN = message()
SIGNED = sign(PLAIN)


@settings(max_examples=300)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda at, junk: SIGNED[:at] + junk + SIGNED[at:],
            st.integers(0, len(SIGNED)),
            st.binary(min_size=1, max_size=40),
        ),
        st.builds(
            lambda cut: SIGNED[:cut],
            st.integers(0, len(SIGNED)),
        ),
        st.builds(
            lambda value: b"DKIM-Signature: " + value + b"\r\n" + PLAIN,
            st.binary(max_size=300),
        ),
        st.builds(
            lambda value: b"Authentication-Results: " + value + b"\r\n" + PLAIN,
            st.binary(max_size=300),
        ),
    )
)
def test_no_message_makes_the_checks_raise(raw: bytes) -> None:
    """A raise would answer 451 for ever (the sender retries a message that never passes)."""
    auth = DkimAuthenticator(parse_trusted_relays("127.0.0.1/32=mx.smc.example"), use_dns=False)
    table = pins("facebook.com", "s1")
    evidence = auth.verify(
        raw, peer="127.0.0.1", channel="smtp", pinned=lambda d, s: table.get((d, s))
    )
    auth.author(raw)
    judge(evidence, FACEBOOK)
