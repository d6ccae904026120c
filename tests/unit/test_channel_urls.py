"""What the notification channels show of a channel URL, what they refuse, and which secrets
they keep out of details and logs. No network: apprise only parses here."""

from __future__ import annotations

import logging

import pytest

from lifeline.adapters.channels.notifiers import AppriseNotificationChannels
from lifeline.adapters.channels.redaction import SEEN_SECRETS, redact
from lifeline.adapters.channels.up112 import parse_up112


@pytest.fixture(scope="module")
def channels() -> AppriseNotificationChannels:
    return AppriseNotificationChannels()


@pytest.mark.parametrize(
    ("url", "shown", "secret"),
    [
        ("tgram://123456789:ABCdefGHIjklMNOpqr/12345", "tgram://…", "ABCdefGHIjklMNOpqr"),
        ("whatsapp://EAAGsecretTOKEN1234@1234567890/919812345678", "whatsapp://…", "EAAG"),
        (
            "mailtos://smc:App-Passw0rd@gmail.com?to=thana@up.police",
            "mailtos://gmail.com",
            "Passw0rd",
        ),
        ("json://10.0.0.5:8080/hooks/XyZsecretPathToken99", "json://10.0.0.5:8080", "XyZsecret"),
        (
            "jsons://hooks.example.in/a?+Authorization=Bearer%20abcdEFGH1234",
            "jsons://hooks.example.in",
            "abcdEFGH",
        ),
        ("smseagle://tokABCD1234@10.1.2.3/+919812345678", "smseagle://10.1.2.3", "tokABCD1234"),
        (
            "up112s://user:Pa55word@erss.up.gov.in/api/incidents",
            "up112s://erss.up.gov.in",
            "Pa55word",
        ),
        (
            "up112://erss.local:8443/api?token=tok-abcdef&x=1",
            "up112://erss.local:8443",
            "tok-abcdef",
        ),
    ],
)
def test_describe_shows_scheme_and_host_only_and_the_url_is_usable(
    channels: AppriseNotificationChannels, url: str, shown: str, secret: str
) -> None:
    assert channels.describe(url) == shown
    assert channels.check(url) is None
    info_secrets = channels._inspect(url).secrets
    assert any(secret in s for s in info_secrets)
    assert secret not in redact(f"failed: {url}", info_secrets)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "empty"),
        ("Lucknow thana", "not a channel URL"),
        ("http://example.com/hook", "unsupported channel scheme http://"),
        ("up112://", "no valid host"),
        ("up112://host:99999/x", "invalid port"),
        ("json://", "apprise cannot use"),
        ("windows://", "not available on this system"),
    ],
)
def test_check_says_why_a_url_is_unusable(
    channels: AppriseNotificationChannels, url: str, why: str
) -> None:
    problem = channels.check(url)
    assert problem is not None and why in problem


def test_up112_token_goes_to_the_header_not_the_request_url() -> None:
    target = parse_up112("up112s://erss.up.gov.in:8443/v1/incidents?token=T0ken-xyz&district=LKO")
    assert target.endpoint == "https://erss.up.gov.in:8443/v1/incidents?district=LKO"
    assert target.token == "T0ken-xyz"
    assert parse_up112("up112://TokenInUser@10.0.0.9/x").token == "TokenInUser"
    assert parse_up112("up112://svc:TokenInPassword@10.0.0.9/x").token == "TokenInPassword"


def test_redaction_of_credential_shapes() -> None:
    text = redact(
        "POST https://bot:pw@h/x?access_token=abc123 {'api_key': 'k-999'} Authorization: Bearer xyz"
    )
    for leaked in ("pw@", "abc123", "k-999", "xyz"):
        assert leaked not in text


def test_apprise_debug_records_are_redacted_and_dropped_outside_a_send(
    channels: AppriseNotificationChannels, caplog: pytest.LogCaptureFixture
) -> None:
    channels.describe("smseagle://Gateway0Token99@10.1.2.3/+919812345678")
    assert SEEN_SECRETS.redact("Gateway0Token99") == "***"
    apprise_log = logging.getLogger("apprise")
    with caplog.at_level(logging.DEBUG):
        apprise_log.debug("payload %s", {"access_token": "Gateway0Token99"})
        apprise_log.warning("failed sending with Gateway0Token99")
    assert "Gateway0Token99" not in caplog.text
    assert "failed sending with ***" in caplog.text
    assert "payload" not in caplog.text  # debug outside a notify call is not even produced
