"""Finding "Label: value" fields in alert emails, with labels looked up in a table of aliases in
English and Hindi (src/lifeline/data/intake/email_labels.csv), not a chain of if-statements."""

from __future__ import annotations

import csv
import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LABELS_FILE = Path(__file__).resolve().parents[2] / "data" / "intake" / "email_labels.csv"
#: fields whose value may run over several lines
MULTILINE = frozenset({"post_text", "address"})
_LINE = re.compile(r"^\s*[-*•>]*\s*([^:：\n]{1,48}?)\s*[:：]\s?(.*)$")
_NOT_LABEL = re.compile(r"https?$|^\d+$")


def normalise_label(label: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(label)).casefold().replace("&", " and ")
    text = re.sub(r"[\s._#*()\[\]/\\-]+", " ", text).strip()
    return re.sub(r"\s+(no|number|नं|संख्या)$", lambda m: f" {m.group(1)}", text)


@cache
def label_table() -> dict[str, str]:
    """label (normalised) -> field name."""
    with LABELS_FILE.open(encoding="utf-8") as fh:
        return {normalise_label(row["label"]): row["field"] for row in csv.DictReader(fh)}


@dataclass
class Fields:
    values: dict[str, list[str]] = field(default_factory=dict)
    unknown_labels: list[str] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def add(self, name: str, value: str) -> None:
        value = value.strip()
        if value and value not in self.values.setdefault(name, []):
            self.values[name].append(value)


def _unquote(lines: list[str]) -> tuple[list[str], list[str]]:
    own, quoted = [], []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(">"):
            quoted.append(stripped.lstrip("> "))
        else:
            own.append(line)
    return own, quoted


def extract_fields(text: str) -> Fields:
    """Fields from the sender's own lines first, then from quoted (replied-to) lines."""
    table = label_table()
    result = Fields()
    own, quoted = _unquote(text.splitlines())
    for lines in (own, quoted):
        _scan(lines, table, result)
    return result


#: labels about someone other than the person at risk (the platform, the police cell, the
#: reporter): their phone numbers, addresses and ids must never become the person's
_OTHERS = re.compile(
    r"\b(police|cell|officer|agency|helpline|support|our|reporter|reported by|sender|"
    r"team|office|company|contact us|emergency|nodal|sho|sp|dcp)\b|पुलिस|थानाध्यक्ष|प्रभारी|"
    r"हेल्पलाइन|अधिकारी",
)
#: a label that says its place is only approximate (IP, "near", "last known")
_APPROXIMATE = re.compile(r"\b(approximate|approx|near|nearby|estimated|last known)\b|अनुमानित|लगभग")
_IP = re.compile(r"\bip\b|आईपी")
#: a label ending in one of these names something about the field, not the field itself
#: ("Post ID", "Account created", "Followers count")
_NOT_THE_VALUE = frozenset(
    {"id", "created", "joined", "since", "count", "followers", "age", "details", "info", "type"}
)
_PREPOSITION = re.compile(
    r" (?:on|of|for|by|at|in|from|to|with|associated|linked|shared|entered|provided|as) "
)
_ZONE_IN_LABEL = re.compile(r"\((UTC|GMT|IST|PST|PDT|PT|ET|EST|EDT)([+-]\d{1,2}:?\d{2})?\)", re.I)


def lookup_label(label: str, table: dict[str, str]) -> str:
    """The field a label names: an exact alias; else, with (qualifiers) dropped, the longest
    alias found as whole words inside it ("Time posted", "Phone number on account",
    "Current city"). Labels about the platform or police ("Police cell contact") name none."""
    exact = normalise_label(label)
    if exact in table:
        return table[exact]
    bare = normalise_label(re.sub(r"\([^)]*\)", " ", label))
    if _OTHERS.search(bare):
        return ""
    if bare in table:
        return table[bare]
    for side in re.split(r"[/|]", label):  # bilingual labels: "नाम / Name"
        if name := table.get(normalise_label(re.sub(r"\([^)]*\)", " ", side)), ""):
            return name
    # "Phone number on account", "Location shared by user": the head is before the preposition
    words = _PREPOSITION.split(f" {bare} ", maxsplit=1)[0].split()
    if not words or len(words) > 4 or len(bare.split()) > 6 or words[-1] in _NOT_THE_VALUE:
        return ""
    best = ""
    # English labels end in their head noun ("Profile location" is a location, "Last login
    # IP geolocation" an IP place): the alias ending last wins, the longest of those
    for end in range(len(words), 0, -1):
        for start in range(max(0, end - 4), end):
            name = table.get(" ".join(words[start:end]), "")
            if name:
                best = name
                break
        if best:
            break
    if best in ("address", "locality", "coordinates"):
        qualified = normalise_label(label)  # with its (qualifiers): "Location (IP-based)"
        if _IP.search(qualified):
            return "ip_city"
        if _APPROXIMATE.search(qualified):
            return "approximate_location"
    return best


def _label_of(line: str, table: dict[str, str]) -> tuple[str, str, str] | None:
    match = _LINE.match(line)
    if not match:
        return None
    label, value = match.group(1), match.group(2)
    if _NOT_LABEL.search(label.strip().casefold()):
        return None
    name = lookup_label(label, table)
    if name == "posted_at" and (zone := _ZONE_IN_LABEL.search(label)):
        value = f"{value.strip()} {zone.group(1)}{zone.group(2) or ''}"
    return label, name, value


_HEADER = re.compile(r"^\s*\*?(from|to|cc|date|sent|subject|reply-to)\*?\s*:", re.I)


def _header_block(lines: list[str], i: int) -> bool:
    """A line of a forwarded message's header block ("From: … / Date: … / Subject: …"): its
    date is when the mail was forwarded, not when the post was made."""
    if not _HEADER.match(lines[i]):
        return False
    near = lines[max(0, i - 2) : i] + lines[i + 1 : i + 3]
    return sum(1 for line in near if _HEADER.match(line)) >= 1


#: the end of an email's own text: a value never runs on into these
_SIGN_OFF = re.compile(
    r"^\s*(regards|thanks|thank you|sincerely|best|warm regards|kind regards|note|please|"
    r"सादर|धन्यवाद|भवदीय)\b",
    re.I,
)


def _looks_labelled(found: tuple[str, str, str]) -> bool:
    """An unknown "Label: value" line after a value given on its own line: a new field, not
    more of the value (a post's own text rarely has a short title-cased label and a colon)."""
    label, _, value = found
    words = label.split()
    return bool(value.strip()) and 1 <= len(words) <= 4 and label.strip()[:1].isupper()


def _scan(lines: list[str], table: dict[str, str], result: Fields) -> None:
    i = 0
    while i < len(lines):
        if _header_block(lines, i):
            i += 1
            continue
        found = _label_of(lines[i], table)
        i += 1
        if found is None:
            continue
        label, name, value = found
        if not name:
            if len(label.split()) <= 4 and value.strip():
                result.unknown_labels.append(label.strip())
            continue
        parts = [value.strip()] if value.strip() else []
        if name in MULTILINE or not parts:
            while i < len(lines) and lines[i].strip():
                nxt = _label_of(lines[i], table)
                if nxt is not None and (nxt[1] or (parts and _looks_labelled(nxt))):
                    break
                if parts and _SIGN_OFF.match(lines[i]):
                    break
                if parts and name != "post_text" and len(lines[i].split()) > 12:
                    break  # a sentence of the mail's own is not more of an address
                if re.fullmatch(r"\s*[-=_*~]{3,}\s*", lines[i]):  # a rule around the value
                    i += 1
                    continue
                parts.append(lines[i].strip())
                i += 1
                if name not in MULTILINE:
                    break
        result.add(name, " ".join(parts) if name != "post_text" else "\n".join(parts))
