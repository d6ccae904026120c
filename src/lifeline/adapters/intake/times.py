"""Reading the time a post was made, as platforms and district cells write it: ISO, day-first
and month-first dates, Twitter's "Thu Dec 03 18:22:05 +0000 2026", "9:41 PM IST on December 2,
2026", Hindi months and "रात 10:40 बजे (भारतीय समय)", named zones (IST, UTC, GMT, PST, ET …)
and offsets (+0000, GMT+05:30, UTC+5:30). A time without a zone is read in the zone given."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

IST = timezone(timedelta(hours=5, minutes=30))
ZONES: dict[str, tzinfo] = {
    "ist": IST,
    "भारतीय समय": IST,
    "india standard time": IST,
    "indian standard time": IST,
    "coordinated universal time": UTC,
    "pacific time": ZoneInfo("America/Los_Angeles"),
    "pacific standard time": ZoneInfo("America/Los_Angeles"),
    "utc": UTC,
    "gmt": UTC,
    "z": UTC,
    "pt": ZoneInfo("America/Los_Angeles"),
    "pst": ZoneInfo("America/Los_Angeles"),
    "pdt": ZoneInfo("America/Los_Angeles"),
    "et": ZoneInfo("America/New_York"),
    "est": ZoneInfo("America/New_York"),
    "edt": ZoneInfo("America/New_York"),
}
MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            start=1,
        )
    },
    "sept": 9,
    "जनवरी": 1,
    "फरवरी": 2,
    "फ़रवरी": 2,
    "मार्च": 3,
    "अप्रैल": 4,
    "मई": 5,
    "जून": 6,
    "जुलाई": 7,
    "अगस्त": 8,
    "सितंबर": 9,
    "सितम्बर": 9,
    "अक्टूबर": 10,
    "अक्तूबर": 10,
    "नवंबर": 11,
    "नवम्बर": 11,
    "दिसंबर": 12,
    "दिसम्बर": 12,
}
_MONTH = r"(?P<mon>[a-z]{3,9}\.?|[\u0900-\u097f]{2,8})"
_DATES = [
    re.compile(r"(?P<y>20\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>20\d\d)"),
    re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s/-]+{_MONTH}[,\s/-]+(?P<y>20\d\d)", re.I
    ),
    re.compile(
        rf"{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?:[\d:]+\s+\S+\s+)?(?P<y>20\d\d)", re.I
    ),
]
_TIME = re.compile(
    r"(?<![\d.])(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\.\d+)?"
    r"(?:\s*(?P<ampm>[ap]\.?m\.?)(?![a-z]))?",
    re.I,
)
_OFFSET = re.compile(
    r"(?:\b(?:UTC|GMT)\s*)?(?<![\d:])(?P<sign>[+-])(?P<oh>\d{1,2}):?(?P<om>\d{2})\b"
)
_NAMED = re.compile(
    r"\b(IST|UTC|GMT|PST|PDT|PT|EST|EDT|ET|Z)\b|भारतीय समय|indian? standard time|"
    r"coordinated universal time|pacific(?: standard)? time",
    re.I,
)
_EVENING = re.compile(r"रात|शाम|दोपहर बाद")


def parse_time(value: str | None, default_zone: tzinfo = IST) -> datetime | None:
    """The instant a written date and time names, or None when it names no full date+time."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_zone)
    except ValueError:
        pass
    date = _date(text)
    if date is None:
        return None
    y, m, d, taken = date
    time = next(
        (
            t
            for t in _TIME.finditer(text)
            if not any(a < t.end() and t.start() < b for a, b in taken)
        ),
        None,
    )
    if time is None:
        return None
    rest = text
    hour, minute = int(time["h"]), int(time["mi"])
    second = int(time["s"] or 0)
    ampm = (time["ampm"] or "").replace(".", "").casefold()
    if (ampm == "pm" and hour < 12) or (not ampm and hour < 12 and _EVENING.search(text)):
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    zone = _zone(rest[time.end() :]) or _zone(rest) or default_zone
    try:
        return datetime(y, m, d, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def _date(text: str) -> tuple[int, int, int, list[tuple[int, int]]] | None:
    for pattern in _DATES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            if groups.get("mon") is not None:
                month = MONTHS.get(groups["mon"].casefold().rstrip(".")[:3]) or MONTHS.get(
                    groups["mon"]
                )
                if month is None:
                    month = MONTHS.get(groups["mon"].casefold().rstrip("."))
            else:
                month = int(groups["m"])
            if month and 1 <= month <= 12 and 1 <= int(groups["d"]) <= 31:
                spans = [match.span(g) for g in ("y", "m", "d", "mon") if groups.get(g)]
                return int(groups["y"]), month, int(groups["d"]), spans
    return None


def _zone(text: str) -> tzinfo | None:
    offset = _OFFSET.search(text)
    named = _NAMED.search(text)
    if offset and (named is None or offset.start() <= named.end() + 1):
        sign = -1 if offset["sign"] == "-" else 1
        delta = timedelta(hours=int(offset["oh"]), minutes=int(offset["om"]))
        if delta <= timedelta(hours=14):
            return timezone(sign * delta)
    if named:
        return ZONES.get(" ".join(named.group(0).casefold().split()))
    return None
