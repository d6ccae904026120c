"""Fields written in sentences rather than labelled lines: the post quoted inside a sentence
("posted a photo with the caption '…'", "said: "…"", "ने लिखा: "…""), the account named in
prose ("Facebook user Shabnam Parveen", "(@rahul_v_92)", "display name "Tanu""), the time the
post was made ("at 9:41 PM IST on December 2, 2026"), coordinates and places in sentences
("latitude 26.79, longitude 82.19 (Faizabad)", "lives in Saharanpur", "approximate location
is near Gomti Nagar, Lucknow"). Used only for what labelled fields did not give."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERB = (
    r"caption|captioned|said|says|saying|wrote|writes|written|posted|tweeted|titled|"
    r"status update|the following|text|reads|reading|message|comment(?:ed)?|"
    r"लिखा|कहा|कैप्शन|पोस्ट किया|संदेश"
)
#: a quotation introduced by a verb of saying, in any of the usual quote marks
_QUOTED = re.compile(
    rf"(?:{_VERB})[^\"“‘'\n.]{{0,80}}?[:,]?\s*"
    r"(?:\"(?P<a>[^\"]{3,1500}?)\"|“(?P<b>[^”]{3,1500}?)”|‘(?P<c>[^’]{3,1500}?)’"
    r"|'(?P<d>.{3,1500}?)'(?=[\s.,;:)!?]|$))",
    re.I | re.S,
)
#: "… posted the following on Threads on 3 Dec 2026:" then the post as its own paragraph
_FOLLOWING = re.compile(rf"(?:{_VERB}|following)[^\n]{{0,120}}:[ \t]*\n+\s*(?P<post>[^\n]+)", re.I)
_HANDLE = re.compile(r"(?<![\w/.@])@([A-Za-z0-9_][\w.]{1,29}[\w])")
_USER = re.compile(
    r"\b(?:user|account|channel|creator|handle)\s*:?\s+(?P<h>(?=[\w.]*[a-z])[a-z0-9_.]*[0-9_.][a-z0-9_.]*)\b"
)
_NAMED = re.compile(
    r"(?:\b(?:user|belongs to|account of|channel|display name|named)\s*[,:]?\s*)"
    r"(?:\"(?P<q>[^\"\n]{2,60})\"|“(?P<r>[^”\n]{2,60})”|"
    r"(?P<n>[A-Z][a-z]+(?: [A-Z][a-z]+){1,3}))"
    # "Sandeep Kumar (facebook.com/…)", "Shreya Tripathi (@shreya.tripathi.lko, …)"
    r"|(?P<m>[A-Z][a-z]+(?: [A-Z][a-z]+){1,3})\s+\((?:@|https?://|www\.|[a-z]+\.(?:com|net|in)/)"
)
_POSTED = re.compile(
    r"posted|uploaded|shared|tweeted|published|went live|wrote|said|created|at \d|on \d|"
    r"पोस्ट|डाला|लिखा",
    re.I,
)
_COORDS = [
    # "latitude 26.79, longitude 82.19", "Lat 26.88 / Lng 80.99"
    re.compile(
        r"lat(?:itude)?\.?\s*[:=]?\s*(?P<lat>-?\d{1,2}\.\d{2,})\s*°?\s*[,;/]?\s*(?:and\s+)?"
        r"(?:lon|lng|long)(?:gitude)?\.?\s*[:=]?\s*(?P<lon>-?\d{1,3}\.\d{2,})",
        re.I,
    ),
    # "26.8560° N, 81.0060° E"
    re.compile(
        r"(?P<lat>\d{1,2}\.\d{2,})\s*°?\s*(?P<ns>[NS])\b\s*[,;/]?\s*"
        r"(?P<lon>\d{1,3}\.\d{2,})\s*°?\s*(?P<ew>[EW])\b"
    ),
    # "25.3176, 82.9739"
    re.compile(
        r"(?<![\d.])(?P<lat>-?\d{1,2}\.\d{3,})\s*[,;/]\s*(?P<lon>-?\d{1,3}\.\d{3,})(?![\d.])"
    ),
]


def find_coords(text: str) -> tuple[float, float, int, int] | None:
    """Latitude, longitude and where they were written, in the usual written forms."""
    for pattern in _COORDS:
        for match in pattern.finditer(text):
            lat, lon = float(match["lat"]), float(match["lon"])
            groups = match.groupdict()
            lat = -lat if groups.get("ns") == "S" else lat
            lon = -lon if groups.get("ew") == "W" else lon
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                return lat, lon, match.start(), match.end()
    return None


def without_coords(text: str) -> str:
    """The place words of a value that also gives coordinates."""
    while found := find_coords(text):
        text = text[: found[2]] + " " + text[found[3] :]
    text = re.sub(r"\(\s*\)|\s[—–-]\s*$|^\s*[—–-]\s", " ", " ".join(text.split()))
    return " ".join(text.split()).strip(" ,;:/—–-")


_AFTER_COORDS = re.compile(r"\s*\(([^()\n]{3,80})\)")
_PLACE = re.compile(
    r"(?:lives in|living in|located in|resides in|based in|location as|is from|"
    r"(?:location|address|city|hometown)\b[^\n.]{0,40}?\bis|लोकेशन|निवासी)\s+"
    r"(?P<place>[A-Z\u0900-\u097f][^\n.;()]{2,80}?)(?=\.\s|\.$|\n|;|$| and )",
)
_APPROXIMATE = re.compile(
    r"(?:approximate(?:ly)?|approx\.?|last known|estimated|ip[- ]based|ip geolocation)"
    r"[^\n.]{0,60}?\b(?:is|was|:)?\s*(?:near|around|in)?\s+"
    r"(?P<place>[A-Z\u0900-\u097f][^\n.;()]{2,60}?)(?=\.\s|\.$|\n|;|$| \()"
    r"|\b(?:IP|आईपी)\b(?:[^\n.]|\.(?=\d)){0,80}?\b(?:geolocates?|resolves?|traced|traces|located|points?|maps?)"
    r"\s+(?:to|in|at)\s+(?P<ip>[A-Z\u0900-\u097f][^\n.;()]{2,60}?)(?=\.\s|\.$|\n|;|$| \()"
    r"|\bnear\s+(?P<near>[A-Z\u0900-\u097f][^\n.;()]{2,60}?)(?=\.\s|\.$|\n|;|$| \()",
)


#: a sentence about someone other than the person: the platform's or police cell's own
#: numbers and addresses ("call our emergency line at …", "contact our Nodal Officer at …")
_ABOUT_OTHERS = re.compile(
    r"\b(police|cell|officer|agency|helpline|help line|support|our|call|contact|nodal|"
    r"emergency line|toll|fax|office|headquarters|reply|reach)\b|पुलिस|थाना|साइबर|प्रभारी|"
    r"हेल्पलाइन|अधिकारी|कार्यालय|संपर्क करें",
    re.I,
)
_SIGN_OFF = re.compile(
    r"^\s*(regards|thanks|thank you|sincerely|warm regards|kind regards|yours|सादर|धन्यवाद|"
    r"भवदीय)\b[^\n]{0,30}$",
    re.I,
)
_FORWARD = re.compile(r"forwarded message|original message|^\s*-{4,}|^\s*from:\s", re.I)


def about_the_person(text: str) -> str:
    """The text without sentences about others and without signature blocks (a cell's
    "मो0 9454402871" under "सादर,"), for finding unlabelled phone numbers and addresses."""
    kept: list[str] = []
    signature = False
    for line in text.splitlines():
        if _FORWARD.search(line):
            signature = False
        elif _SIGN_OFF.match(line):
            signature = True
        if signature:
            continue
        sentences = re.split(r"(?<=[.!?।])\s+", line)
        kept.append(" ".join(s for s in sentences if not _ABOUT_OTHERS.search(s)))
    return "\n".join(kept)


_COMPANY = re.compile(
    r"\b(meta|facebook|instagram|google|youtube|snap|snapchat|sharechat|koo|threads|twitter|"
    r"corp|inc|ltd|team|platforms?|safety|support|operations)\b",
    re.I,
)


@dataclass
class Prose:
    post_text: str | None = None
    handle: str | None = None
    name: str | None = None
    posted_sentence: str | None = None
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    approximate: str | None = None
    ip_city: str | None = None


def _flowed(text: str) -> str:
    """Lines wrapped inside a paragraph joined, so a sentence is on one line."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def read_prose(text: str) -> Prose:
    found = Prose()
    flowed = _flowed(text)
    for match in _QUOTED.finditer(flowed):
        quote = next(g for g in match.group("a", "b", "c", "d") if g)
        if len(quote.split()) >= 2:
            found.post_text = quote.strip()
            break
    if found.post_text is None and (following := _FOLLOWING.search(text)):
        found.post_text = " ".join(following.group("post").split())
    if handle := _HANDLE.search(flowed):
        found.handle = handle.group(1)
    elif user := _USER.search(flowed):
        found.handle = user.group("h")
    for named in _NAMED.finditer(flowed):
        name = next(g for g in named.group("q", "r", "n", "m") if g).strip()
        if not _COMPANY.search(name):  # "Meta Platforms (https://…)" is not the person
            found.name = name
            break
    for sentence in re.split(r"(?<=[.!?।])\s+|\n", flowed):
        if _POSTED.search(sentence) and re.search(r"\d{1,2}[:.]\d{2}", sentence):
            found.posted_sentence = sentence
            break
    if coords := find_coords(flowed):
        found.lat, found.lon = coords[0], coords[1]
        if after := _AFTER_COORDS.match(flowed, coords[3]):
            found.place = after.group(1).strip()
    if found.place is None and (place := _PLACE.search(flowed)):
        found.place = place.group("place").strip(" ,")
    for approx in _APPROXIMATE.finditer(flowed):
        if approx.group("ip") and not found.ip_city:
            found.ip_city = approx.group("ip").strip(" ,")
        elif not approx.group("ip") and not found.approximate:
            found.approximate = (approx.group("place") or approx.group("near") or "").strip(" ,")
    return found
