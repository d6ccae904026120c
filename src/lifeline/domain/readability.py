"""Readability: whether the triage model can read a post at all.

A platform's alert often carries no words the model can read: a live video, a photo, a
placeholder such as "[video]" or "[वीडियो]", only a link, only emoji. Scoring such a post
gives `none`, which an operator would read as "the model judged this harmless"; the truth is
"the model could not read it". `unreadable_reason` says which, so the assessment can carry
`readable: false` and the reason instead of a level.

Hand-written: no library answers "does this text hold words?" for a mix of Devanagari,
Latin, placeholders and emoji; the rule is short (a post is readable when, once placeholders
and links are taken out, a letter is left).
"""

from __future__ import annotations

import re
import unicodedata

#: what the bracketed placeholders platforms and forwarders write for media name
_PLACEHOLDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "live video",
        ("live video", "live", "live stream", "livestream", "लाइव वीडियो", "लाइव", "सीधा प्रसारण"),
    ),
    ("video", ("video", "reel", "वीडियो", "वीडिओ", "रील")),
    (
        "image",
        ("image", "photo", "picture", "img", "sticker", "gif", "तस्वीर", "फोटो", "फ़ोटो", "चित्र"),
    ),
    ("audio", ("audio", "voice note", "voice message", "ऑडियो", "आवाज़", "आवाज")),
    ("media", ("media", "media omitted", "attachment", "मीडिया")),
)
_NAMES = {name.casefold(): reason for reason, names in _PLACEHOLDERS for name in names}
#: "[video]", "(photo)", "<media omitted>", "{image}": a known media word in brackets
_BRACKETED = re.compile(r"[\[(<{]\s*([^\[\](){}<>]{1,40}?)\s*[\])>}]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|in|org|net|ly|me)/\S*")
#: symbols, modifiers, joiners and variation selectors: what an emoji is made of
_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Mn", "Me", "Cf"})
#: the post kinds the model never sees (it reads text only)
_KIND_REASONS = {"video": "video", "image": "image", "live": "live video"}


def unreadable_reason(text: str | None, kind: str = "text") -> str | None:
    """None when the model can read the post; otherwise what it is instead: "video",
    "live video", "image", "audio", "media", "link only", "emoji only" or "empty"."""
    body = text or ""
    found: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        reason = _NAMES.get(" ".join(match.group(1).split()).casefold())
        if reason is None:
            return match.group(0)  # "(sorry)" is words, not a placeholder
        found.append(reason)
        return " "

    body = _BRACKETED.sub(placeholder, body)
    links = _URL.findall(body)
    body = _URL.sub(" ", body)
    if any(unicodedata.category(ch).startswith("L") for ch in body):
        return None
    if found:
        # "[video]" on a post the platform marks live is a live video (happening now)
        return "live video" if kind == "live" and found[0] in ("video", "media") else found[0]
    if kind in _KIND_REASONS:
        return _KIND_REASONS[kind]
    if links:
        return "link only"
    left = [ch for ch in body if not ch.isspace()]
    if not left:
        return "empty"
    if all(unicodedata.category(ch) in _EMOJI_CATEGORIES for ch in left):
        return "emoji only"
    return "no words"
