"""Fuzzing the email parser: arbitrary bytes and arbitrary MIME trees (random headers, charsets,
transfer encodings, NUL bytes, lone surrogates, extreme dates). The parser never raises, and
whatever it returns can be stored on either database: no NUL or other control character and
no lone surrogate in any text, values within their columns, dates within 1970–2100."""

from __future__ import annotations

import base64
import json
import quopri
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lifeline.adapters.intake.email_alert import parse_alert_email
from lifeline.domain.model import Alert
from lifeline.services.email_intake import ParsedMessage

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
LABELS = [
    "Platform",
    "Reference ID",
    "Username",
    "Account Name",
    "Post URL",
    "Posted at",
    "Post Text",
    "Mobile",
    "Address",
    "PIN Code",
    "Latitude",
    "Longitude",
    "Coordinates",
    "IP City",
    "IP Address",
    "Content type",
    "Email",
    "पता",
    "मोबाइल",
]
DATES = [
    "9999-12-31T23:59:59+05:30",
    "0001-01-01T00:00:00-05:00",
    "1969-12-31 23:59",
    "2101-01-01 00:00",
    "06/09/2022 21:41 IST",
    "31/02/2022 10:00",
    "2022-09-06T21:41:09Z",
    "not a date",
    "",
]
HEADER_DATES = [
    "Mon, 1 Jan 0001 00:00:00 +0000",
    "Fri, 31 Dec 9999 23:59:59 -2359",
    "Thu, 1 Jan 1970 00:00:00 +9999",
    "Sun, 6 Dec 2026 04:00:00 +0530",
    "garbage",
]
CHARSETS = ["utf-8", "iso-8859-1", "utf-16", "koi8-r", "windows-1252", "bogus-8", "", "ascii"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "bogus", ""]
# text with what breaks storage: NUL and other controls, lone surrogates, Devanagari
nasty_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),
        st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\u200d"]),
        st.sampled_from(list("आज मैं आत्महत्या 226020 @.:/-")),
    ),
    max_size=200,
)


def encode(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset or "utf-8", "surrogatepass")
    except (LookupError, UnicodeEncodeError):
        return text.encode("utf-8", "surrogatepass")


def transfer(data: bytes, cte: str) -> bytes:
    if cte == "base64":
        return base64.encodebytes(data)
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    return data


@st.composite
def body_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        label = draw(st.sampled_from(LABELS))
        value = draw(st.one_of(nasty_text, st.sampled_from(DATES)))
        if draw(st.booleans()):
            value = value * draw(st.integers(1, 40))
        lines.append(f"{label}: {value}")
    lines.append(draw(nasty_text))
    draw(st.randoms()).shuffle(lines)
    return "\n".join(lines)


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    ctype = draw(st.sampled_from(["text/plain", "text/html", "image/png", "text/x-" + "y" * 300]))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(ENCODINGS))
    text = draw(body_text())
    if ctype == "text/html":
        text = "<table>" + "".join(
            f"<tr><td>{a}</td><td>{b}</td></tr>"
            for a, _, b in (x.partition(":") for x in text.splitlines())
        )
    head = f"Content-Type: {ctype}; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n"
    if draw(st.booleans()):
        name = draw(nasty_text).replace("\r", "").replace("\n", "")
        head += f'Content-Disposition: attachment; filename="{name}"\r\n'
    return encode(head, "utf-8") + b"\r\n" + transfer(encode(text, charset), cte)


def tree(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    @st.composite
    def multipart(draw: st.DrawFn) -> bytes:
        kind = draw(st.sampled_from(["mixed", "alternative", "related", "digest"]))
        boundary = draw(st.sampled_from(["b1", "=_x", "a" * 70, ""]))
        parts = draw(st.lists(children, max_size=4))
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts)
        if draw(st.booleans()):
            body += b"--" + boundary.encode() + b"--\r\n"
        head = f'Content-Type: multipart/{kind}; boundary="{boundary}"\r\n\r\n'.encode()
        return head + body

    @st.composite
    def forwarded(draw: st.DrawFn) -> bytes:
        return b"Content-Type: message/rfc822\r\n\r\n" + draw(headers()) + draw(children)

    return st.one_of(multipart(), forwarded())


@st.composite
def headers(draw: st.DrawFn) -> bytes:
    subject = draw(nasty_text).replace("\n", " ")
    if draw(st.booleans()):
        subject = "=?utf-8?b?" + base64.b64encode(encode(subject, "utf-8")).decode() + "?="
    lines = [
        f"From: {draw(st.sampled_from(['a@facebook.com', 'Ravi <r@x.example>', '', '<>', '@']))}",
        f"Subject: {subject}",
        f"Date: {draw(st.sampled_from(HEADER_DATES))}",
        f"Message-ID: <{draw(nasty_text).replace('>', '')}@x>",
    ]
    if draw(st.booleans()):
        lines.append(f"In-Reply-To: <{draw(nasty_text)}>")
    return encode("\r\n".join(lines) + "\r\n", "utf-8")


mime_messages = st.builds(
    lambda head, body: head + body, headers(), st.recursive(leaf(), tree, max_leaves=6)
)


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
