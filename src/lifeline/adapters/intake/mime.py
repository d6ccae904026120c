"""Reading what is in an email: headers (RFC 2047), text parts in any transfer encoding and
charset, HTML tables turned into "label: value" lines, attachments, and forwarded messages.
Never raises on a malformed message: problems are collected for the operator instead."""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from lifeline.adapters.intake.fields import extract_fields

MAX_PARTS = 200


@dataclass
class MailContent:
    subject: str = ""
    sender: str = ""
    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    date: datetime | None = None
    texts: list[str] = field(default_factory=list)  # newest first: body, then forwarded bodies
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    forwarded_senders: list[str] = field(default_factory=list)  # From of attached messages
    problems: list[str] = field(default_factory=list)


class _HtmlText(HTMLParser):
    """HTML to text. Table rows of two or more cells become "first: rest" lines, because
    platform and district emails put their fields in two-column tables."""

    BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "tr",
            "table",
            "section",
            "hr",
            "blockquote",
            "dl",
            "dd",
            "pre",
            "ul",
            "ol",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.skip = 0
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        elif tag == "tr":
            self._flush()
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")
        elif tag == "dt":  # a definition list is "term: definition"
            self._flush()
        elif tag == "dd":
            pass
        elif tag in self.BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag == "a":
            self._link_target()
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            cells = [c for c in self.row if c]
            if len(cells) >= 2:
                self.lines.append(f"{cells[0].rstrip(':：')}: {' '.join(cells[1:])}")
            elif cells:
                self.lines.append(cells[0])
            self.row = None
        elif tag == "dt":
            self.current.append(": ")
        elif tag in self.BLOCK:
            self._flush()

    def _link_target(self) -> None:
        """A link whose text is not its address ("@kritika" to threads.net/@kritika) keeps the
        address after the text, because the address is part of what the mail says."""
        href, self.href = (self.href or "").strip(), None
        shown = "".join(self.link_text)
        bare = re.sub(r"^https?://(www\.)?", "", href, flags=re.I).rstrip("/")
        if not re.match(r"https?://", href, re.I) or not bare or bare in shown:
            return
        self.handle_data(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.href is not None:
            self.link_text.append(data)
        if self.cell is not None:
            self.cell.append(data)
        elif self.row is None:
            self.current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []

    def text(self) -> str:
        self._flush()
        return "\n".join(self.lines)


def html_to_text(markup: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # a broken document still yields whatever text was read
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return parser.text()


def _decode_part(part: Message, problems: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or ""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    problems.append(
        f"text part declared charset {charset or 'none'!r} but is not valid in it; "
        "decoded with replacement characters"
    )
    return payload.decode("utf-8", errors="replace")


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value or "")


def _header(msg: Message, name: str, problems: list[str]) -> str:
    try:
        value = msg.get(name)
    except Exception as exc:  # malformed encoded-words and the like
        problems.append(f"header {name} could not be decoded: {exc}")
        return ""
    text = str(value or "")
    # header injection: a decoded header must stay one line
    return " ".join(text.split())


def read_mail(raw: bytes) -> MailContent:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    content = MailContent()
    problems = content.problems
    for defect in getattr(msg, "defects", []):
        problems.append(f"malformed message: {type(defect).__name__}")
    content.subject = _header(msg, "Subject", problems)
    senders = getaddresses([_header(msg, "From", problems)])
    content.sender = senders[0][1].lower() if senders else ""
    ids = _ids(_header(msg, "Message-ID", problems))
    content.message_id = ids[0] if ids else None
    content.in_reply_to = _ids(_header(msg, "In-Reply-To", problems)) + _ids(
        _header(msg, "References", problems)
    )
    date = _header(msg, "Date", problems)
    if date:
        try:
            content.date = parsedate_to_datetime(date)
        except (TypeError, ValueError, OverflowError, IndexError):
            problems.append(f"Date header {date[:60]!r} is not a valid date")
    _walk(msg, content, depth=0)
    if not any(t.strip() for t in content.texts):
        problems.append("the message has no readable text part")
    return content


def _walk(msg: Message, content: MailContent, depth: int) -> None:
    texts: list[str] = []
    _collect(msg, content, texts, depth, [0])
    body = "\n".join(t for t in texts if t.strip())
    if body.strip():
        content.texts.append(body)


def _collect(
    part: Message, content: MailContent, texts: list[str], depth: int, seen: list[int]
) -> None:
    seen[0] += 1
    if seen[0] > MAX_PARTS:
        if seen[0] == MAX_PARTS + 1:
            content.problems.append(f"more than {MAX_PARTS} MIME parts; the rest were skipped")
        return
    ctype = part.get_content_type()
    if part.is_multipart():
        children = [p for p in part.get_payload() if isinstance(p, Message)]
        if ctype == "message/rfc822" or ctype.startswith("message/"):
            if depth < 4:  # a forwarded message: its text follows the forwarder's
                for inner in children:
                    sender = getaddresses([_header(inner, "From", content.problems)])
                    if sender and sender[0][1]:
                        content.forwarded_senders.append(sender[0][1].lower())
                    _collect(inner, content, texts, depth + 1, seen)
            return
        if ctype == "multipart/alternative":
            _alternative(children, content, texts, depth, seen)
            return
        for child in children:
            _collect(child, content, texts, depth, seen)
        return
    disposition = (part.get_content_disposition() or "").lower()
    filename = part.get_filename()
    if disposition == "attachment" or filename or not ctype.startswith("text/"):
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            content.attachments.append((filename or f"part-{seen[0]}", ctype, data))
        return
    text = _decode_part(part, content.problems)
    texts.append(html_to_text(text) if ctype == "text/html" else text)


def _alternative(
    children: list[Message], content: MailContent, texts: list[str], depth: int, seen: list[int]
) -> None:
    """Every alternative is read and the richest kept: the one with the most labelled fields,
    then the most text. A text/plain part that is only a stub ("view this email in HTML")
    loses to the HTML part; on a tie the plain part, the sender's own words, wins."""
    best: tuple[int, int, int] | None = None
    chosen: list[str] = []
    for order, child in enumerate(children):
        found: list[str] = []
        _collect(child, content, found, depth, seen)
        body = "\n".join(t for t in found if t.strip())
        if not body.strip():
            continue
        plain = 1 if child.get_content_type() == "text/plain" else 0
        score = (len(extract_fields(body).values), len(body.split()) // 40, plain - order)
        if best is None or score > best:
            best, chosen = score, found
    texts.extend(chosen)
