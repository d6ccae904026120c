"""Fuzzing the email parser: arbitrary bytes and arbitrary MIME trees (random headers, charsets,
transfer encodings, NUL bytes, lone surrogates, extreme dates). The parser never raises, and
whatever it returns can be stored on either database: no NUL or other control character and
no lone surrogate in any text, values within their columns, dates within 1970–2100."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from email_strategies import HEADER_DATES, UNSTORABLE, body_text, mime_messages
from lifeline.adapters.intake.email_alert import parse_alert_email
from lifeline.domain.alert import Alert
from lifeline.domain.mail import ParsedMessage

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings_in(v)]
    return []


def assert_storable(parsed: ParsedMessage) -> None:
    assert (parsed.alert is None) == bool(parsed.reason)
    alert = parsed.alert
    if alert is None:
        assert not UNSTORABLE.search(parsed.reason or "")
        return
    assert isinstance(alert, Alert)
    texts = [
        alert.platform,
        alert.reference,
        alert.received_via,
        alert.raw_content_type,
        *vars(alert.subject).values(),
        alert.post.text,
        alert.post.url,
        alert.location.text,
        alert.location.pin,
        alert.location.ip_city,
        *alert.thread_keys,
        *(a.filename for a in alert.attachments),
        *(a.content_type for a in alert.attachments),
        *strings_in(alert.extra),
    ]
    for text in texts:
        if isinstance(text, str):
            assert not UNSTORABLE.search(text), repr(text)
            text.encode("utf-8")  # no lone surrogate
    assert len(alert.reference or "") <= 200 and len(alert.platform) <= 32
    assert all(len(a.content_type) <= 120 for a in alert.attachments)
    json.dumps(alert.extra, ensure_ascii=False).encode("utf-8")
    if alert.post.posted_at is not None:
        assert 1970 <= alert.post.posted_at.astimezone(UTC).year <= 2100
    alert.merge_keys()
    alert.subject.identity_keys()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mime_messages)
def test_any_mime_tree_parses_to_something_storable(raw: bytes) -> None:
    assert_storable(parse_alert_email(raw, received_at=NOW, mail_from="a@facebook.com"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
@example(b"Subject: \x00\r\n\r\nReference ID: FB-1\x002\r\nPost Text: \x00")
@example(b"Subject: \xff\xfe\r\n\r\nPosted at: 9999-12-31T23:59:59+05:30\r\nPost Text: x")
def test_any_bytes_parse_to_something_storable(raw: bytes) -> None:
    assert_storable(parse_alert_email(raw, received_at=NOW, mail_from=""))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body_text(), st.sampled_from(HEADER_DATES))
def test_any_labelled_body_parses_to_something_storable(body: str, date: str) -> None:
    raw = (
        "From: records@support.facebook.com\r\nSubject: alert\r\n"
        f"Date: {date}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode("utf-8", "surrogatepass")
    assert_storable(parse_alert_email(raw, received_at=NOW, mail_from=""))


# -- what fuzzing found on the parser before the fix, each as its own test ---------------------


def parse(raw: bytes) -> ParsedMessage:
    return parse_alert_email(raw, received_at=NOW, mail_from="a@facebook.com")


def test_a_posted_time_in_year_one_west_of_utc_is_dropped_not_an_overflow_at_storage() -> None:
    parsed = parse(
        b"Subject: x\r\n\r\nReference ID: FB-12345\r\nPosted at: 0001-01-01T00:00:00-05:00\r\n"
    )
    assert parsed.alert is not None and parsed.alert.post.posted_at is None
    assert [d["field"] for d in parsed.alert.extra["extraction"]["dropped"]] == ["posted_at"]


def test_a_backspace_in_a_field_is_dropped_like_a_nul() -> None:
    parsed = parse(b"Subject: x\r\n\r\nReference ID: FB-12345\r\nUsername: @ab\x08cd\r\n")
    assert parsed.alert is not None and parsed.alert.subject.handle is None
    assert parsed.alert.reference == "FB-12345"


def test_an_unreadable_posted_time_is_dropped_with_a_warning() -> None:
    parsed = parse(b"Subject: x\r\n\r\nReference ID: FB-12345\r\nPosted at: 31/02/2022 10:00\r\n")
    assert parsed.alert is not None and parsed.alert.post.posted_at is None
    (dropped,) = parsed.alert.extra["extraction"]["dropped"]
    assert dropped == {"field": "posted_at", "reason": "not a date and time that can be read"}


def test_a_subject_of_control_characters_alone_leaves_nothing_and_is_quarantined() -> None:
    parsed = parse(b"Subject: \x00\x01\r\n\r\n\x00\x02\r\n")
    assert parsed.alert is None and parsed.reason and "nothing could be extracted" in parsed.reason


def test_a_long_post_is_kept_whole_up_to_its_limit() -> None:
    post = "आज रात सब खत्म " * 2000
    parsed = parse(f"Subject: x\r\n\r\nPost Text: {post}\r\n".encode())
    assert parsed.alert is not None and parsed.alert.post.text == post.strip()
    assert parsed.alert.extra["extraction"]["dropped"] == []
