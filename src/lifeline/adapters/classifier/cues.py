"""Cue detection: the tagged spans of a post that the operator sees highlighted.

Matching runs on a squeezed view of the text (see lexicon.py) in which every character
remembers the range of the original text it came from, so each span's `start`/`end` index the
text exactly as it was received (Python string offsets, i.e. code points), also when the input
was not in NFC or had elongated words ("marrrr jaunga").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lifeline.adapters.classifier.lexicon import INTERNAL_TAGS, LEXICON

_NUKTA = "\u093c"
#: precomposed nukta letters (U+0958..U+095F) and their bases
_NUKTA_BASES = {
    chr(0x0958 + i): base
    for i, base in enumerate("\u0915\u0916\u0917\u091c\u0921\u0922\u092b\u092f")
}
_APOSTROPHES = frozenset("'’`")
_IGNORED = frozenset("\u200c\u200d\ufe0f\ufe0e\u20e3" + _NUKTA)
_WORD = r"[\w\u0900-\u0963\u0966-\u097F]"
_SQUEEZE = re.compile(r"([a-z])\1+")


@dataclass(frozen=True)
class Span:
    tag: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class MatchView:
    """The squeezed text and, per character, the [start, end) range of the original it covers."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def _segments(text: str) -> list[tuple[str, int, int]]:
    """(NFC characters, original start, original end) pieces; identity for NFC input."""
    if unicodedata.is_normalized("NFC", text):
        return [(ch, i, i + 1) for i, ch in enumerate(text)]
    pieces: list[tuple[str, int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or unicodedata.combining(text[i]) == 0:
            for ch in unicodedata.normalize("NFC", text[start:i]):
                pieces.append((ch, start, i))
            start = i
    return pieces


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ("\u0900" <= ch <= "\u097f" and ch not in "\u0964\u0965")


def match_view(text: str) -> MatchView:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for ch, start, end in _segments(text):
        if ch in _APOSTROPHES or ch in _IGNORED:
            continue
        ch = _NUKTA_BASES.get(ch, ch)
        if ch == "\u0901":  # chandrabindu reads as anusvara
            ch = "\u0902"
        if _is_word_char(ch) or unicodedata.category(ch) == "So":
            for low in ch.casefold():
                if out and low == out[-1] and "a" <= low <= "z" and ends[-1] == start:
                    ends[-1] = end  # an elongated letter: one letter covering the whole run
                    continue
                out.append(low)
                starts.append(start)
                ends.append(end)
        elif out and out[-1] != " ":
            out.append(" ")
            starts.append(start)
            ends.append(end)
    return MatchView("".join(out), tuple(starts), tuple(ends))


def squeeze_pattern(pattern: str) -> str:
    """Write a pattern in the squeezed spelling the view uses ("kill" → "kil", ज़हर → जहर)."""
    pattern = "".join(_NUKTA_BASES.get(ch, ch) for ch in unicodedata.normalize("NFC", pattern))
    pattern = pattern.replace(_NUKTA, "").replace("\u0901", "\u0902")
    return _SQUEEZE.sub(r"\1", pattern)


def compile_lexicon(lexicon: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    compiled: dict[str, re.Pattern[str]] = {}
    for tag, alternatives in lexicon.items():
        body = "|".join(f"(?:{squeeze_pattern(alt)})" for alt in alternatives)
        compiled[tag] = re.compile(f"(?<!{_WORD})(?:{body})(?!{_WORD})")
    return compiled


class CueDetector:
    """Finds every lexicon cue in a text; compiled once, then thread-safe."""

    def __init__(self, lexicon: dict[str, list[str]] | None = None) -> None:
        self.patterns = compile_lexicon(lexicon or LEXICON)
        self.tags = tuple(self.patterns)

    def find(self, text: str, view: MatchView | None = None) -> list[Span]:
        """All cue spans, internal ones included, ordered by position."""
        view = view or match_view(text)
        spans: list[Span] = []
        for tag, pattern in self.patterns.items():
            for m in pattern.finditer(view.text):
                s, e = m.span()
                if e <= s:
                    continue
                start, end = view.starts[s], view.ends[e - 1]
                spans.append(Span(tag, text[start:end], start, end))
        spans.sort(key=lambda sp: (sp.start, sp.end, sp.tag))
        return spans


def visible(spans: list[Span]) -> list[Span]:
    return [s for s in spans if s.tag not in INTERNAL_TAGS]
