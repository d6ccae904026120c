"""What text and times the system can take in and store, on every door.

A NUL byte cannot be stored in a PostgreSQL text column, an unpaired surrogate cannot be
encoded, and a datetime near year 1 or 9999 overflows when it is moved to UTC. Input like that
was accepted and then failed with a server error that no retry could fix. These rules refuse
it up front, naming the field, so the sender can correct it:

- one-line text (names, references, identifiers): no control characters at all but tab;
- free text (post text, notes, addresses, reasons): tab, newline and carriage return only;
- any text: no unpaired surrogates;
- times: with a timezone, between 1970-01-01 and 2100-12-31 (UTC).

The web schemas (`web/inputs.py`) and the console forms apply the same functions, so the API
answers 422 naming the field and the services refuse with `InvalidInput` whatever the door.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from lifeline.domain.alert import Alert
from lifeline.domain.errors import DomainError

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
#: free text may hold these control characters; one-line text only the tab
MULTILINE_ALLOWED = frozenset("\t\n\r")
LINE_ALLOWED = frozenset("\t")


UNSAFE_TEXT = "unsafe_text"
DATE_OUT_OF_RANGE = "date_out_of_range"


class InvalidInput(DomainError):
    """A field holds something that cannot be stored or used: control characters, invalid
    Unicode (`kind` unsafe_text), or a time out of range (date_out_of_range). `field` names it
    (dotted, as in the JSON body)."""

    code = "invalid_input"

    def __init__(self, field: str, problem: str, kind: str = UNSAFE_TEXT) -> None:
        self.field, self.problem, self.kind = field, problem, kind
        super().__init__(f"{field}: {problem}")

    @property
    def details(self) -> list[dict[str, str]]:
        return [{"field": self.field, "problem": self.problem, "type": self.kind}]


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be taken as text, or None if it can."""
    allowed = MULTILINE_ALLOWED if multiline else LINE_ALLOWED
    for position, char in enumerate(value):
        code = ord(char)
        if code == 0:
            return f"contains a NUL byte (\\x00) at position {position}; remove it"
        if code < 0x20 and char not in allowed:
            kind = "free text" if multiline else "one-line text"
            return (
                f"contains the control character U+{code:04X} at position {position}, "
                f"which {kind} may not hold; remove it"
            )
        if 0xD800 <= code <= 0xDFFF:
            return (
                f"contains an unpaired surrogate (U+{code:04X}) at position {position}; "
                "send valid Unicode"
            )
    return None


def moment_problem(value: datetime) -> str | None:
    """Why `value` cannot be taken as a point in time, or None if it can."""
    if value.tzinfo is None or value.utcoffset() is None:
        return "needs a timezone (e.g. 2022-09-06T21:41:09Z or +05:30)"
    # Checked on the local year first: moving year 1 or 9999 to UTC is what overflows.
    if not EARLIEST.year <= value.year <= LATEST.year or not (
        EARLIEST <= value.astimezone(UTC) <= LATEST
    ):
        return f"{value.isoformat()} is outside the years 1970 to 2100"
    return None


def check_text(field: str, value: str | None, *, multiline: bool = False) -> str | None:
    """`value` unchanged, or InvalidInput naming `field`."""
    if value is not None:
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise InvalidInput(field, problem)
    return value


def check_moment(field: str, value: datetime | None) -> datetime | None:
    """`value` unchanged, or InvalidInput naming `field`."""
    if value is not None:
        problem = moment_problem(value)
        if problem:
            raise InvalidInput(field, problem, DATE_OUT_OF_RANGE)
    return value


def json_problems(value: Any, path: str) -> Iterator[InvalidInput]:
    """The refusal of every key or string in a JSON value that cannot be stored."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item, multiline=True)
            if problem:
                yield InvalidInput(where, problem)
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = str(key)
                problem = text_problem(name, multiline=False)
                if problem:
                    label = f"{where}.{name!r}" if where else repr(name)
                    yield InvalidInput(label, f"field name {problem}")
                stack.append((inner, f"{where}.{name}" if where else name))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{i}]") for i, inner in enumerate(item))


def alert_problems(alert: Alert) -> list[InvalidInput]:
    """The refusal of each field of an alert that cannot be stored, named as in the
    JSON alert body (`reference`, `post.posted_at`, `caller.notes`, ...)."""
    s, p, loc, c = alert.subject, alert.post, alert.location, alert.caller
    lines: list[tuple[str, str | None]] = [
        ("platform", alert.platform),
        ("reference", alert.reference),
        ("received_via", alert.received_via),
        ("subject.name", s.name),
        ("subject.handle", s.handle),
        ("subject.profile_url", s.profile_url),
        ("subject.phone", s.phone),
        ("subject.email", s.email),
        ("post.url", p.url),
        ("location.pin", loc.pin),
        ("location.ip_city", loc.ip_city),
    ]
    texts: list[tuple[str, str | None]] = [("post.text", p.text), ("location.text", loc.text)]
    moments: list[tuple[str, datetime | None]] = [("post.posted_at", p.posted_at)]
    if c is not None:
        lines += [
            ("caller.name", c.name),
            ("caller.organisation", c.organisation),
            ("caller.callback_number", c.callback_number),
        ]
        texts.append(("caller.notes", c.notes))
        moments.append(("caller.call_received_at", c.call_received_at))
    found: list[InvalidInput] = []
    for multiline, fields in ((False, lines), (True, texts)):
        for name, value in fields:
            problem = None if value is None else text_problem(value, multiline=multiline)
            if problem:
                found.append(InvalidInput(name, problem))
    for name, moment in moments:
        problem = None if moment is None else moment_problem(moment)
        if problem:
            found.append(InvalidInput(name, problem, DATE_OUT_OF_RANGE))
    found.extend(json_problems(alert.extra, ""))
    return found


def check_alert(alert: Alert) -> Alert:
    """`alert` unchanged, or InvalidInput naming the first field that cannot be stored."""
    problems = alert_problems(alert)
    if problems:
        raise problems[0]
    return alert
