"""Turning a platform alert email into an Alert: fields from labelled lines and HTML tables,
then the rest found by pattern (URLs, phone numbers, e-mail addresses, PINs, coordinates).
Whatever cannot be found is listed in alert.extra["extraction"] for the operator; an email in an
unknown format still becomes an alert with its whole text kept."""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo

import phonenumbers

from lifeline.adapters.intake.cleaning import (
    CONTROL,
    FREE_TEXT_LIMITS,
    Cleaning,
    storable,
    storable_text,
    without_controls,
)
from lifeline.adapters.intake.fields import Fields, extract_fields
from lifeline.adapters.intake.mime import MailContent, read_mail
from lifeline.adapters.intake.prose import (
    Prose,
    about_the_person,
    find_coords,
    read_prose,
    without_coords,
)
from lifeline.adapters.intake.times import IST, parse_time
from lifeline.domain.alert import (
    Alert,
    AlertSource,
    Attachment,
    LocationHint,
    Post,
    PostKind,
    Subject,
)
from lifeline.domain.errors import InvalidAlert
from lifeline.domain.mail import ParsedMessage

PLATFORM_WORDS = {
    "facebook": "facebook",
    "fb": "facebook",
    "meta": "facebook",
    "फेसबुक": "facebook",
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "इंस्टाग्राम": "instagram",
    "twitter": "x",
    "x": "x",
    "x (twitter)": "x",
    "ट्विटर": "x",
    "youtube": "youtube",
    "yt": "youtube",
    "यूट्यूब": "youtube",
    "whatsapp": "whatsapp",
    "व्हाट्सएप": "whatsapp",
    "threads": "threads",
    "telegram": "telegram",
    "sharechat": "sharechat",
    "moj": "moj",
    "मोज": "moj",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "स्नैपचैट": "snapchat",
    "शेयरचैट": "sharechat",
    "koo": "koo",
    "कू": "koo",
    "josh": "josh",
    "जोश": "josh",
    "थ्रेड्स": "threads",
}
HOSTS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "facebookmail.com": "facebook",
    "meta.com": "facebook",
    "instagram.com": "instagram",
    "twitter.com": "x",
    "x.com": "x",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "whatsapp.com": "whatsapp",
    "threads.net": "threads",
    "t.me": "telegram",
    "sharechat.com": "sharechat",
    "sharechat.co": "sharechat",
    "snapchat.com": "snapchat",
    "snap.com": "snapchat",
    "kooapp.com": "koo",
    "koo.in": "koo",
    "mojapp.in": "moj",
    "myjosh.in": "josh",
    "joshapp.in": "josh",
    "threads.com": "threads",
}
POST_PATH = re.compile(
    r"/(posts?|p|reel|reels|status|statuses|watch|videos?|shorts|story\.php|permalink|live)\b"
    r"|[?&](v|story_fbid|fbid)=",
    re.I,
)
URL = re.compile(
    r"https?://[^\s<>\"')\]]+|(?<![\w@])(?:www\.)?(?:facebook|instagram|twitter|x|"
    r"youtube)\.com/[^\s<>\"')\]]+",
    re.I,
)
#: platform pages that are not anyone's profile (help centre, policies, law-enforcement portals)
NOT_PROFILE = re.compile(
    r"://[^/]+/(?:help|legal|policies|policy|privacy|terms|about|safety|settings|records|"
    r"transparency|support|community|hc|lers|law|records)\b",
    re.I,
)
LINK = re.compile(r"\s*<(https?://[^\s<>]+)>")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PIN = re.compile(r"(?<!\d)([1-9]\d{2})\s?(\d{3})(?!\d)")
COORDS = re.compile(r"(-?\d{1,2}\.\d{2,})\s*[,;/ ]\s*(-?\d{1,3}\.\d{2,})")
REFERENCE = re.compile(
    r"(?:ref(?:erence)?|case|report|ticket|incident|escalation|complaint)\s*(?:id|no\.?|number|#)?"
    r"(?:\s+(?:for this case|for this matter|number))?(?:\s+(?:is|was))?"
    r"\s*[:#-]?\s*((?:[A-Z]{1,6}-){0,3}\d[\w-]{3,})",
    re.I,
)
PLATFORM_ID = re.compile(r"\b((?:FB|IG|X|TW|YT|WA|META)-\d{5,})\b", re.I)
#: a "Content:" value that names the kind of post, not its text ("Live video", "Photo")
KIND_ONLY = re.compile(
    r"^\s*(?:a\s+)?(?:live|facebook live|instagram live)?\s*"
    r"(?:video|photo|image|picture|reel|story|status(?: update)?|text|comment|short|broadcast|"
    r"stream|snap)?s?\s*(?:\([^)]*\))?\s*$",
    re.I,
)
KINDS = [
    ("live", re.compile(r"\blive\b|लाइव|livestream", re.I)),
    ("video", re.compile(r"\bvideo\b|\breel\b|वीडियो|रील", re.I)),
    ("image", re.compile(r"\b(image|photo|picture|story)\b|फोटो|तस्वीर", re.I)),
    ("text", re.compile(r"\btext\b|status|टेक्स्ट", re.I)),
]


def parse_alert_email(raw: bytes, *, received_at: datetime, mail_from: str = "") -> ParsedMessage:
    """Implements services.email_intake.EmailParser. Never raises on what a message contains:
    fields that cannot be used are dropped and listed in alert.extra["extraction"]["dropped"]
    (see cleaning.py), and a message with nothing usable left gives a reason instead."""
    cleaning = Cleaning()
    content = read_mail(raw)
    content.subject = cleaning.free_text("subject", content.subject, 1000).strip()
    text = "\n\n".join(content.texts)
    # patterns (URLs, phones) are searched in text whose control characters are marked, so a
    # NUL between digits never joins two halves into a number nobody wrote
    searched = CONTROL.sub("\ufffd", text)
    found = _usable(extract_fields(text), cleaning)
    prose = read_prose(searched)
    subject = _subject(found, searched, content, prose)
    platform = _platform(found, searched, content, mail_from)
    reference = found.first("reference") or _reference(content.subject, cleaning)
    reference = reference or _reference(searched, cleaning)
    post_text = next(
        (
            t
            for t in found.values.get("post_text", [])
            if not _only_url(t) and not KIND_ONLY.match(t)
        ),
        None,
    )
    post_text = post_text or cleaning.value("post_text", prose.post_text or "")
    missing = [
        name
        for name, value in (
            ("platform reference", reference),
            ("account", subject.handle or subject.profile_url),
            ("post text", post_text),
        )
        if not value
    ]
    if not found.values and not post_text:
        post_text = cleaning.free_text("post_text", text.strip(), FREE_TEXT_LIMITS["post_text"])
        post_text = post_text.strip() or None
        content.problems.append("format not recognised: the whole text is kept as the post")
    location = _location(found, prose)
    if location.is_empty():
        missing.append("location")
    if not post_text and not reference and subject.is_empty():
        post_text = content.subject or None
    if not post_text and not reference and subject.is_empty() and content.attachments:
        names = ", ".join(without_controls(name) for name, _, _ in content.attachments[:5])
        post_text = f"(no text; see the attachment(s): {names})"
    if not post_text and not reference and subject.is_empty() and not content.attachments:
        return ParsedMessage(
            None,
            missing,
            _nothing(cleaning),
            storable_text(content.message_id),
        )
    posted_at, posted = _posted(found, prose, content.date)
    thread = [
        storable_text(f"email:{i}") or "" for i in [content.message_id, *content.in_reply_to] if i
    ]
    try:
        alert = Alert(
            source=AlertSource.PLATFORM_EMAIL,
            received_at=received_at,
            raw_payload=raw,
            raw_content_type="message/rfc822",
            platform=platform,
            reference=reference,
            received_via="platform_email",
            subject=subject,
            post=Post(
                post_text,
                found.first("post_url") or _post_url(searched, found),
                cleaning.when("posted_at", posted, posted_at),
                _kind(found, searched, post_text, content.subject),
            ),
            location=location,
            thread_keys=thread,
            attachments=[
                Attachment(without_controls(n), storable_text(t, 120) or "", d)
                for n, t, d in content.attachments
            ],
            extra={
                "email": {
                    "subject": content.subject,
                    "from": content.sender or mail_from,
                    "message_id": content.message_id,
                },
                "extraction": {
                    "missing": missing,
                    "dropped": cleaning.dropped,
                    "problems": content.problems + cleaning.problems,
                    "unknown_labels": found.unknown_labels[:20],
                },
                **_more(found, subject),
            },
        )
    except InvalidAlert as exc:  # nothing identifying left once unusable fields were dropped
        return ParsedMessage(
            None, missing, f"{_nothing(cleaning)} ({exc})", storable_text(content.message_id)
        )
    _make_storable(alert)
    return ParsedMessage(alert, missing, None, storable_text(content.message_id))


def _nothing(cleaning: Cleaning) -> str:
    reason = "nothing could be extracted: no text, fields or attachments"
    if cleaning.dropped:
        reason += "; dropped as unusable: " + ", ".join(
            dict.fromkeys(d["field"] for d in cleaning.dropped)
        )
    return reason


def _usable(found: Fields, cleaning: Cleaning) -> Fields:
    """The fields whose values can be used; each dropped one is recorded with its reason."""
    usable = Fields(unknown_labels=[without_controls(label) for label in found.unknown_labels])
    for name, values in found.values.items():
        for value in values:
            # an HTML link keeps its address after its text: "@meena <https://…/meena/>"
            links = LINK.findall(value)
            value = LINK.sub("", value) if LINK.sub("", value).strip() else value
            if name in ("handle", "account_name") and links:
                usable.add("profile_url", links[0])
            elif name == "post_text" and links:
                usable.add("post_url", links[0])
            if name == "handle" and re.fullmatch(r"\s*\d{6,}\s*", value):
                name = "platform_user_id"  # a numeric account id is not a handle
            kept = cleaning.value(name, value)
            if kept and kept.strip():
                usable.add(name, kept)
    return usable


def _make_storable(alert: Alert) -> None:
    """The last guard: no string on the alert can fail an insert on either database."""
    for holder, names in (
        (alert.subject, ("name", "handle", "profile_url", "phone", "email")),
        (alert.post, ("text", "url")),
        (alert.location, ("text", "pin", "ip_city")),
    ):
        for name in names:
            setattr(holder, name, storable_text(getattr(holder, name)))
    alert.reference = storable_text(alert.reference, 200)
    extra = storable(alert.extra)
    assert isinstance(extra, dict)
    alert.extra = extra


def _subject(found: Fields, text: str, content: MailContent, prose: Prose) -> Subject:
    handle = found.first("handle") or prose.handle
    profile = found.first("profile_url")
    if handle and URL.match(handle):
        profile, handle = profile or handle, None
    if not profile:
        profile = next(
            (
                u
                for u in _urls(text)
                if not POST_PATH.search(u) and not NOT_PROFILE.search(u) and _host(u)
            ),
            None,
        )
    theirs = about_the_person(text)
    phones = _phones(found, theirs)
    emails = [
        e
        for e in [*found.values.get("email", []), *EMAIL.findall(theirs)]
        if _theirs(e, content.sender)
    ]
    return Subject(
        name=found.first("account_name") or prose.name,
        handle=handle.lstrip("@") if handle else None,
        profile_url=profile,
        phone=phones[0] if phones else None,
        email=emails[0] if emails else None,
    )


def _more(found: Fields, subject: Subject) -> dict[str, object]:
    more: dict[str, object] = {}
    if ip := found.first("ip_address"):
        more["ip_address"] = ip
    if user_id := found.first("platform_user_id"):
        more["platform_user_id"] = user_id
    return more


def _platform(found: Fields, text: str, content: MailContent, mail_from: str) -> str:
    named = (found.first("platform") or "").strip().casefold()
    for word, platform in PLATFORM_WORDS.items():
        if named == word or named.startswith(word + " "):
            return platform
    for url in _urls(text):
        if host := _host(url):
            return HOSTS[host]
    # the sender, then whoever sent a forwarded message (attached, or "From:" lines inline)
    inline = re.findall(r"^\s*\*?from\*?:[^\n]*?([\w.+-]+@[\w.-]+)", text, re.I | re.M)
    for address in [content.sender or mail_from, *content.forwarded_senders, *inline]:
        domain = address.rpartition("@")[2].casefold()
        for host, platform in HOSTS.items():
            if domain == host or domain.endswith("." + host):
                return platform
    words = set(re.findall(r"\w+", f"{content.subject} {text[:500]}".casefold()))
    for word, platform in PLATFORM_WORDS.items():
        if len(word) >= 3 and word in words:
            return platform
    return "other"


def _urls(text: str) -> list[str]:
    return [u.rstrip(".,;") for u in URL.findall(text)]


def _host(url: str) -> str | None:
    host = re.sub(r"^https?://", "", url, flags=re.I).split("/")[0].casefold()
    host = host.removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    return host if host in HOSTS else None


def _post_url(text: str, found: Fields) -> str | None:
    """A URL given where the post text belongs ("Post: https://…") is the post's address."""
    labelled = [t for t in found.values.get("post_text", []) if _only_url(t)]
    return next(iter(labelled), None) or next(
        (u for u in _urls(text) if POST_PATH.search(u) and _host(u)), None
    )


def _only_url(value: str) -> bool:
    return bool(re.fullmatch(r"\s*https?://\S+\s*", value))


def _theirs(address: str, sender: str) -> bool:
    """An address that can be the person's: not the sender's, not a platform's or a
    government office's (the police cell, "this message was sent to …"), not a no-reply."""
    local, _, domain = address.casefold().rpartition("@")
    if address.casefold() == sender or "noreply" in local.replace("-", ""):
        return False
    if domain.endswith((".gov.in", ".nic.in", ".gov")) or domain in ("gov.in", "nic.in"):
        return False
    return not any(domain == h or domain.endswith("." + h) for h in HOSTS)


def _reference(subject: str, cleaning: Cleaning) -> str | None:
    match = REFERENCE.search(subject) or PLATFORM_ID.search(subject)
    return cleaning.value("reference", match.group(1)) if match else None


def _phones(found: Fields, text: str) -> list[str]:
    numbers: list[str] = []
    sources = [*found.values.get("phone", []), text]
    for source in sources:
        for match in phonenumbers.PhoneNumberMatcher(source, "IN"):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in numbers:
                numbers.append(e164)
    return numbers


def _location(found: Fields, prose: Prose) -> LocationHint:
    """Exact places (address, locality, PIN, coordinates) first; an approximate place (IP
    geolocation, "near …", "approximate location") is kept as evidence of its own kind, and is
    the location text only when nothing exact was given."""
    lat = _float(found.first("latitude"))
    lon = _float(found.first("longitude"))
    places: list[str] = []
    for value in [*found.values.get("address", []), *found.values.get("locality", [])]:
        lat, lon = _coords_from(value, lat, lon)
        if words := without_coords(value):
            places.append(words)
    place = ", ".join(dict.fromkeys(places)) or None
    for value in [*found.values.get("coordinates", []), *found.values.get("latitude", [])]:
        lat, lon = _coords_from(value, lat, lon)
    approximate = None
    for value in found.values.get("approximate_location", []):
        lat, lon = _coords_from(value, lat, lon)
        words = without_coords(re.sub(r"\([^)]*\)", " ", value))
        words = re.sub(r"^(near|around|approx\.?|approximately|लगभग)\s+", "", words, flags=re.I)
        approximate = approximate or words or None
    if lat is None and prose.lat is not None:
        lat, lon = prose.lat, prose.lon
    approximate = approximate or prose.approximate or None
    place = place or prose.place
    ip_city = found.first("ip_city")
    if ip_city:
        ip_city = without_coords(re.sub(r"\([^)]*\)", " ", ip_city)) or None
    ip_city = ip_city or prose.ip_city
    pin_source = " ".join([*found.values.get("pin", []), place or "", approximate or ""])
    pin_match = PIN.search(pin_source)
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        lat = lon = None
    return LocationHint(
        place or approximate,
        lat,
        lon,
        pin_match.group(1) + pin_match.group(2) if pin_match else None,
        ip_city,
        approximate or (ip_city if not place and lat is None else None),
    )


def _coords_from(
    value: str, lat: float | None, lon: float | None
) -> tuple[float | None, float | None]:
    if lat is not None and lon is not None:
        return lat, lon
    found = find_coords(value)
    return (found[0], found[1]) if found else (lat, lon)


def _posted(
    found: Fields, prose: Prose, mail_date: datetime | None
) -> tuple[str | None, datetime | None]:
    """The written post time and the instant it names: the first labelled value that reads as
    a date and time, else a sentence that says when the post was made."""
    for value in [*found.values.get("posted_at", []), prose.posted_sentence]:
        if value and (when := _time(value, mail_date)) is not None:
            return value, when
    return found.first("posted_at"), None


def _float(value: str | None) -> float | None:
    if not value:
        return None
    match = re.search(r"-?\d+(?:\.\d+)?", value)
    return float(match.group()) if match else None


def _kind(found: Fields, text: str, post_text: str | None, subject: str) -> PostKind:
    """The kind named for the post ("Content type: Story (text)": the part in brackets is the
    more precise), else the first kind word in the subject or in the mail's own words; never
    from the post's text ("photo viral karne ki dhamki" is a text post)."""
    named = found.first("content_kind") or ""
    # "(text)" names the kind; "(text on plain background)" describes the picture
    bracketed = " ".join(b for b in re.findall(r"\(([^)]*)\)", named) if len(b.split()) <= 2)
    if post_text:
        text = text.replace(post_text, " ")
    for source in (bracketed, named, subject, text[:2000]):
        for kind, pattern in KINDS:
            if pattern.search(source):
                return PostKind(kind)
    return PostKind.TEXT


def _time(value: str | None, fallback: datetime | None) -> datetime | None:
    return parse_time(value, _zone_of(fallback)) if value else None


def _zone_of(fallback: datetime | None) -> tzinfo:
    """A time without a zone is read in the email's own zone, else IST."""
    if fallback is not None and isinstance(fallback.tzinfo, timezone):
        return fallback.tzinfo
    return IST
