"""A held message made readable for the operator who decides on it (the console's quarantine
page and `lifeline quarantine show`): the same MIME reading as alert intake (`mime.read_mail`:
every transfer encoding and charset, RFC 2047 headers, HTML turned into text), plus what the
reviewer needs and intake does not: the From/To/Date headers as written, the HTML source as text,
the authentication results the message claims, and what could not be read.

Everything in it was written by the sender. It is returned as text only, for the page to escape:
direction-changing and control characters are taken out (they can make text read differently
than it is, e.g. an address that looks like the partner's), and long parts are cut."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message

from lifeline.adapters.intake.mime import read_mail
from lifeline.domain.mail import HeldAttachment, ReadableMail

MAX_BODY = 50_000
MAX_HTML_SOURCE = 20_000
MAX_HEADER = 500
#: C0 and C1 controls but tab and newline, DEL, and the bidirectional embeddings, overrides and
#: isolates (U+202A-U+202E, U+2066-U+2069). ZWJ/ZWNJ stay: Hindi spelling uses them.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CLAIMS = ("Authentication-Results", "Received-SPF", "ARC-Authentication-Results")


def _clean(text: str, limit: int, what: str, problems: list[str]) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _UNSAFE.sub("", text)
    if cleaned != text:
        problems.append(f"{what}: control or direction-changing characters removed")
    if len(cleaned) > limit:
        problems.append(f"{what}: cut at {limit} characters of {len(cleaned)}")
        cleaned = cleaned[:limit]
    return cleaned


def _header(msg: Message, name: str, problems: list[str]) -> str:
    try:
        value = msg.get(name)
    except Exception as exc:  # a malformed encoded-word: say so, show the rest
        problems.append(f"header {name} could not be decoded: {type(exc).__name__}")
        return ""
    return _clean(" ".join(str(value or "").split()), MAX_HEADER, f"header {name}", problems)


def _all(msg: Message, name: str, problems: list[str]) -> list[str]:
    try:
        values = msg.get_all(name) or []
    except Exception as exc:
        problems.append(f"header {name} could not be decoded: {type(exc).__name__}")
        return []
    return [
        _clean(" ".join(str(v).split()), MAX_HEADER, f"header {name}", problems) for v in values
    ]


def _html_source(msg: Message, problems: list[str]) -> str:
    sources: list[str] = []
    for part in msg.walk():
        if part.get_content_type() != "text/html" or part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            sources.append(payload.decode(charset, errors="replace"))
        except LookupError:  # an unknown charset name
            sources.append(payload.decode("utf-8", errors="replace"))
    return _clean("\n\n".join(sources), MAX_HTML_SOURCE, "HTML source", problems)


def read_held(raw: bytes) -> ReadableMail:
    """The message decoded for reading (never raises on a malformed message: what could not be
    read is listed in `problems`)."""
    problems: list[str] = []
    try:
        content = read_mail(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # a message the library cannot parse at all: show it as text
        problems.append(f"the message could not be parsed ({type(exc).__name__}); shown as text")
        body = _clean(raw.decode("utf-8", errors="replace"), MAX_BODY, "text", problems)
        return ReadableMail(body=body, problems=tuple(problems))
    problems.extend(content.problems)
    claims = [f"{name}: {v}" for name in _CLAIMS for v in _all(msg, name, problems)]
    return ReadableMail(
        from_header=_header(msg, "From", problems),
        to_header=_header(msg, "To", problems),
        date_header=_header(msg, "Date", problems),
        subject=_clean(content.subject, MAX_HEADER, "subject", problems),
        body=_clean("\n\n".join(content.texts), MAX_BODY, "text", problems),
        html_source=_html_source(msg, problems),
        attachments=tuple(
            HeldAttachment(_clean(name, 200, "attachment name", problems), ctype, len(data))
            for name, ctype, data in content.attachments
        ),
        claimed_checks=tuple(claims),
        problems=tuple(dict.fromkeys(problems)),
    )
