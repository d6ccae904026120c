"""Making what an email says safe to store, without losing the alert.

An email is whatever its sender typed or their software produced: NUL bytes and other control
characters, undecodable bytes (lone surrogates after decoding), a posted time in year 9999, a
"reference" of ten thousand characters. Stored as they are, some of these break the insert
(PostgreSQL refuses NUL in text; a date far outside the range overflows; a column has a length)
and the sender is told 451 for ever: the alert is neither stored nor quarantined. So a field
that cannot be used is dropped and the drop is written on the alert for the operator; free
text keeps its words without the control characters. The raw message is kept verbatim
(encrypted bytes) either way, so nothing the sender said is lost.

Hand-written: the rules are this project's (which fields are identifiers, which are free text,
the dates an alert can carry); there is no library for them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates (from
#: undecodable bytes). Zero-width joiners and the like stay: Hindi needs them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
FIRST_YEAR, LAST_YEAR = 1970, 2100
#: longest value kept for an identifying field; longer is not a value but noise
FIELD_LIMITS = {
    "reference": 200,
    "platform": 100,
    "handle": 200,
    "account_name": 300,
    "profile_url": 2000,
    "post_url": 2000,
    "phone": 100,
    "email": 320,
    "pin": 50,
    "ip_address": 100,
    "ip_city": 200,
    "latitude": 50,
    "longitude": 50,
    "coordinates": 100,
    "posted_at": 100,
    "content_kind": 100,
}
DEFAULT_FIELD_LIMIT = 500
#: free text: kept without control characters, cut at this length (the raw message has it all)
FREE_TEXT_LIMITS = {"post_text": 50_000, "address": 2_000, "locality": 2_000}


def without_controls(text: str) -> str:
    return CONTROL.sub("", text)


def has_controls(text: str) -> bool:
    return CONTROL.search(text) is not None


@dataclass
class Cleaning:
    """What was dropped or changed while reading one message, for `alert.extra["extraction"]`."""

    dropped: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def drop(self, name: str, reason: str) -> None:
        if not any(d["field"] == name and d["reason"] == reason for d in self.dropped):
            self.dropped.append({"field": name, "reason": reason})
            self.problems.append(f"{name.replace('_', ' ')} dropped: {reason}")

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def value(self, name: str, value: str) -> str | None:
        """An identifying field's value, or None (dropped, with the reason) if unusable."""
        if name in FREE_TEXT_LIMITS:
            return self.free_text(name, value, FREE_TEXT_LIMITS[name])
        if has_controls(value):
            self.drop(name, "it contains a NUL byte or another control character")
            return None
        limit = FIELD_LIMITS.get(name, DEFAULT_FIELD_LIMIT)
        if len(value) > limit:
            self.drop(name, f"{len(value)} characters, longer than the {limit} a value can be")
            return None
        return value

    def free_text(self, name: str, value: str, limit: int) -> str:
        """Free text without its control characters, cut at `limit` characters."""
        if has_controls(value):
            value = without_controls(value)
            self.note(f"control characters removed from the {name.replace('_', ' ')}")
        if len(value) > limit:
            value = value[:limit]
            self.note(
                f"{name.replace('_', ' ')} cut to {limit} characters; the whole message is kept"
            )
        return value

    def when(self, name: str, value: datetime | None, given: str | None) -> datetime | None:
        """A time an alert can carry (1970–2100, UTC-convertible), else None and the drop."""
        if value is None:
            if given:
                self.drop(name, "not a date and time that can be read")
            return None
        try:
            in_utc = value.astimezone(UTC)
        except (OverflowError, ValueError):
            in_utc = None
        if in_utc is None or not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
            self.drop(name, f"outside the years {FIRST_YEAR}–{LAST_YEAR}")
            return None
        return value


def storable(value: object) -> object:
    """Any JSON-like value with every string freed of control characters and lone surrogates
    (the last guard: nothing the parser emits may fail an insert)."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, dict):
        return {str(storable(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def storable_text(value: str | None, limit: int | None = None) -> str | None:
    if value is None:
        return None
    text = without_controls(value)
    return text[:limit] if limit is not None else text
