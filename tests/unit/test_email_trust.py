"""Judging a message's sender from what its signatures prove (domain/email_trust.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifeline.domain.alert import Alert, AlertSource, Post
from lifeline.domain.email_trust import (
    AuthPass,
    MailEvidence,
    SenderVerification,
    aligned,
    case_sender,
    judge,
    registered_domains,
)

NOW = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ("facebook.com", "facebook.com", True),
        ("mail.facebook.com", "facebook.com", True),
        ("facebook.com", "support.facebook.com", True),
        ("FACEBOOK.COM.", "facebook.com", True),
        ("a.facebook.com", "b.facebook.com", False),
        ("notfacebook.com", "facebook.com", False),
        ("evil.com", "facebook.com", False),
        ("com", "facebook.com", False),
        ("", "facebook.com", False),
    ],
)
def test_domains_align_when_equal_or_one_is_a_subdomain_of_the_other(
    a: str, b: str, ok: bool
) -> None:
    assert aligned(a, b) is ok


def test_registered_domains_come_from_domains_and_addresses() -> None:
    assert registered_domains(["facebook.com", "alerts@Instagram.com", "@x.com"]) == (
        "facebook.com",
        "instagram.com",
        "x.com",
    )


@pytest.mark.parametrize(
    ("evidence", "verdict"),
    [
        (
            MailEvidence("facebook.com", (AuthPass("dkim", "facebook.com"),)),
            SenderVerification(True, "dkim:facebook.com"),
        ),
        (
            MailEvidence(
                "facebook.com",
                (AuthPass("dkim", "evil.com"), AuthPass("relay", "facebook.com", "mx.smc.in")),
            ),
            SenderVerification(True, "relay:mx.smc.in"),
        ),
        (
            MailEvidence("facebook.com", (AuthPass("dkim", "evil.com"),)),
            SenderVerification(False, "dkim: d=evil.com does not align with From facebook.com"),
        ),
        (
            MailEvidence("evil.com", (AuthPass("dkim", "evil.com"),)),
            SenderVerification(
                False, "dkim: d=evil.com is not a registered domain of the sender (facebook.com)"
            ),
        ),
        (
            MailEvidence("facebook.com", (), ("dkim: body hash mismatch",)),
            SenderVerification(False, "dkim: body hash mismatch"),
        ),
        (MailEvidence("facebook.com"), SenderVerification(False, "dkim: no signature")),
        (
            MailEvidence(None, (AuthPass("dkim", "facebook.com"),)),
            SenderVerification(False, "from: no single From header to check the signature"),
        ),
    ],
)
def test_a_sender_is_verified_only_by_a_proof_aligned_with_from_and_the_partner(
    evidence: MailEvidence, verdict: SenderVerification
) -> None:
    assert judge(evidence, ("facebook.com",)) == verdict


def _alert(source: AlertSource, verified: bool | None = None, how: str = "") -> Alert:
    return Alert(
        source,
        NOW,
        b"{}",
        "application/json",
        post=Post("x"),
        sender_verified=verified,
        sender_verification=how,
    )


def test_alerts_not_taken_by_email_are_verified_by_how_they_came() -> None:
    assert (_alert(AlertSource.PLATFORM_API).sender_verification) == "signed-api"
    assert _alert(AlertSource.PHONE_CALL).sender_verified is True
    assert _alert(AlertSource.MANUAL).sender_verification == "operator"
    email = _alert(AlertSource.PLATFORM_EMAIL)
    assert email.sender_verified is False and email.sender_verification == "not checked"


def test_a_case_is_verified_when_any_of_its_alerts_is() -> None:
    forged = _alert(AlertSource.PLATFORM_EMAIL, False, "dkim: no signature")
    call = _alert(AlertSource.PHONE_CALL)
    assert case_sender([forged]) == SenderVerification(False, "dkim: no signature")
    assert case_sender([forged, call]) == SenderVerification(True, "operator")
