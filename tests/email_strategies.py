"""Hypothesis strategies for alert emails: arbitrary MIME trees (random headers, charsets,
transfer encodings, NUL bytes, lone surrogates, extreme dates), shared by the parser fuzz tests
and the storage tests on both databases."""

from __future__ import annotations

import base64
import quopri
import re

from hypothesis import strategies as st

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
