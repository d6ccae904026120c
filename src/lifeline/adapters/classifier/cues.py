"""Cue detection: the tagged spans of a post that the operator sees highlighted.

Matching runs on a squeezed view of the text (see lexicon.py) in which every character
remembers the range of the original text it came from, so each span's `start`/`end` index the
text exactly as it was received (Python string offsets, i.e. code points), also when the input
was not in NFC or had elongated words ("marrrr jaunga").

Devanagari is folded the way people's spelling varies on social media: nukta, anusvara and
candrabindu are dropped, long ī/ū read as short i/u and a letter written three or more times
counts once, so नहीं/नही/नहि, हूं/हूँ/हू and गयी/गई all meet one pattern. Patterns are folded
the same way when compiled.

A cue inside a negation span ("main suicide *nahi karunga*") is dropped: the negation is what
the post says (NEGATABLE lists the tags it cancels). So is a cue of the author's own death inside
a threat or curse at someone else ("bhagwan kare tu *mar jaye*", "*I will kill* you"; THREATENED).

Speed (every result the same; bench/triage_equivalence.py checks the corpus and fresh sets):
a tag's pattern runs only on a view that holds one of its required literals (literals.py),
all found by one Aho-Corasick pass, since most posts hold no cue of most tags; and the view of
NFC text is copied a stretch at a time between the few places it differs from the folded text
(_view_of_folded), with the character-by-character builder kept for everything else.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import ahocorasick

from lifeline.adapters.classifier.lexicon import DERIVED_TAGS, INTERNAL_TAGS, LEXICON
from lifeline.adapters.classifier.literals import required_literals

#: bumped whenever the matching view changes, so the model version changes with it
VIEW_VERSION = 3
_NUKTA = "\u093c"
#: precomposed nukta letters (U+0958..U+095F) and their bases
_NUKTA_BASES = {
    chr(0x0958 + i): base
    for i, base in enumerate("\u0915\u0916\u0917\u091c\u0921\u0922\u092b\u092f")
}
_APOSTROPHES = frozenset("'’`")
#: zero-width joiners, variation selectors, nukta, anusvara and candrabindu
_IGNORED = frozenset("\u200c\u200d\ufe0f\ufe0e\u20e3" + _NUKTA + "\u0901\u0902")
#: long vowels (signs and letters) and candra o read as short i/u and o
_DEVA_FOLD = str.maketrans(
    {
        "\u0940": "\u093f",
        "\u0942": "\u0941",
        "\u0908": "\u0907",
        "\u090a": "\u0909",
        "\u0949": "\u094b",
        "\u0911": "\u0913",
    }
)
_MARKS = frozenset(_NUKTA + "\u0901\u0902")
_WORD = r"[\w\u0900-\u0963\u0966-\u097F]"
_SQUEEZE = re.compile(r"([a-z])\1+")


class Span(NamedTuple):
    """A cue: its tag and where it is in the text. A named tuple, not a dataclass: a post can
    hold thousands, and a frozen dataclass costs several times as much to make."""

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


_DEVA_TRIPLE = re.compile(r"([\u0900-\u097f])\1\1")


def _squeeze_devanagari(pieces: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """A Devanagari letter written three or more times running ("मौतततत") counts once."""
    if not _DEVA_TRIPLE.search("".join(p[0] for p in pieces)):
        return pieces
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(pieces):
        j = i
        while j + 1 < len(pieces) and pieces[j + 1][0] == pieces[i][0]:
            j += 1
        ch = pieces[i][0]
        if j - i >= 2 and "\u0900" <= ch <= "\u097f":
            out.append((ch, pieces[i][1], pieces[j][2]))
        else:
            out.extend(pieces[i : j + 1])
        i = j + 1
    return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ("\u0900" <= ch <= "\u097f" and ch not in "\u0964\u0965")


_DROP, _MARK, _LETTERS, _SEPARATOR = range(4)


@lru_cache(maxsize=8192)
def _kind(ch: str) -> tuple[int, str]:
    """What one (NFC) character becomes in the view: dropped, a dropped sign that belongs to
    the letter before it, folded letters, or a separator. Cached: posts reuse few characters."""
    if ch in _MARKS:
        return _MARK, ""
    if ch in _APOSTROPHES or ch in _IGNORED:
        return _DROP, ""
    ch = _NUKTA_BASES.get(ch, ch).translate(_DEVA_FOLD)
    if _is_word_char(ch) or unicodedata.category(ch) == "So":
        return _LETTERS, ch.casefold()
    return _SEPARATOR, " "


def _pieces(text: str) -> Iterable[tuple[str, int, int]]:
    if unicodedata.is_normalized("NFC", text) and not _DEVA_TRIPLE.search(text):
        return ((ch, i, i + 1) for i, ch in enumerate(text))
    return _squeeze_devanagari(_segments(text))


def match_view(text: str) -> MatchView:
    """The squeezed view of `text` (see the module's docstring)."""
    if unicodedata.is_normalized("NFC", text) and not _DEVA_TRIPLE.search(text):
        folded = text.translate(_FOLD)
        if len(folded) == len(text) and not _MARK_AFTER_LATIN.search(folded):
            return _view_of_folded(folded)
    return _match_view_by_character(text)


class _FoldTable(dict[int, str]):
    """What each character becomes, one character for one (for str.translate): its folded
    letter, " " for a separator, _DROPPED, or _SIGN for a dropped sign that belongs to the
    letter before it. A letter that folds to several ("ß") gives them all, and the caller
    then takes the slower path. Filled as characters are met; bounded."""

    def __missing__(self, code: int) -> str:
        kind, letters = _kind(chr(code))
        folded = {_DROP: _DROPPED, _MARK: _SIGN, _SEPARATOR: " "}.get(kind, letters)
        if len(self) > 8192:
            self.clear()
        self[code] = folded
        return folded


_DROPPED, _SIGN = "\x00", "\x01"
_FOLD = _FoldTable()
#: a dropped sign after a Latin letter: it may join that letter to the next (see
#: _match_view_by_character), which the fast path does not follow
_MARK_AFTER_LATIN = re.compile("[a-z]\x00*\x01")
#: where the view is not the folded text one for one: separators and dropped characters at the
#: start, a separator followed by more (or by dropped characters), dropped characters, and an
#: elongated Latin letter
_IRREGULAR = re.compile("^[ \x00\x01]+| [ \x00\x01]+|[\x00\x01]+|([a-z])\\1+")


def _view_of_folded(folded: str) -> MatchView:
    """match_view of NFC text, from its characters folded one for one: the same view as
    _match_view_by_character, copied a stretch at a time between the places where they differ
    (a few per post) instead of a character at a time."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    for m in _IRREGULAR.finditer(folded):
        start, end = m.span()
        if at < start:  # one for one
            out.append(folded[at:start])
            starts.extend(range(at, start))
            ends.extend(range(at + 1, start + 1))
        at = end
        first = folded[start]
        if start == 0 and first in _LEADING:
            continue  # nothing before: separators are not kept, signs have no letter
        if first == " ":  # one separator for the run
            out.append(" ")
            starts.append(start)
            ends.append(start + 1)
        elif first in _DROPS:  # after a letter: its signs belong to its span
            if _SIGN in m.group():
                ends[-1] = start + m.group().rindex(_SIGN) + 1
        else:  # an elongated letter: one letter covering the whole run
            out.append(first)
            starts.append(start)
            ends.append(end)
    if at < len(folded):
        out.append(folded[at:])
        starts.extend(range(at, len(folded)))
        ends.extend(range(at + 1, len(folded) + 1))
    return MatchView("".join(out), tuple(starts), tuple(ends))


_DROPS = _DROPPED + _SIGN
_LEADING = " " + _DROPS


def _match_view_by_character(text: str) -> MatchView:
    """match_view for any text: non-NFC input, Devanagari letters written three times or more,
    letters that fold to several."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for ch, start, end in _pieces(text):
        kind, letters = _kind(ch)
        if kind == _LETTERS:
            for low in letters:
                if out and low == out[-1] and "a" <= low <= "z" and ends[-1] == start:
                    ends[-1] = end  # an elongated letter: one letter covering the whole run
                    continue
                out.append(low)
                starts.append(start)
                ends.append(end)
        elif kind == _SEPARATOR:
            if out and out[-1] != " ":
                out.append(" ")
                starts.append(start)
                ends.append(end)
        elif kind == _MARK and out and out[-1] != " " and ends[-1] <= start:
            ends[-1] = end  # a dropped sign still belongs to its letter's span
    return MatchView("".join(out), tuple(starts), tuple(ends))


def squeeze_pattern(pattern: str) -> str:
    """Write a pattern in the squeezed spelling the view uses ("kill" → "kil", ज़हर → जहर)."""
    pattern = "".join(_NUKTA_BASES.get(ch, ch) for ch in unicodedata.normalize("NFC", pattern))
    pattern = "".join(ch for ch in pattern if ch not in _IGNORED).translate(_DEVA_FOLD)
    # `\w` in Python does not cover Devanagari vowel signs: "मर\w*" must match "मरना"
    pattern = pattern.replace(r"\w", _WORD)
    return _SQUEEZE.sub(r"\1", pattern)


_DEVA_CHAR = re.compile("[\u0900-\u097f]")
_NOT_DEVA = re.compile("[^\u0900-\u097f ]")


def _compile(alternatives: list[str]) -> re.Pattern[str]:
    body = "|".join(f"(?:{squeeze_pattern(alt)})" for alt in alternatives)
    return re.compile(f"(?<!{_WORD})(?:{body})(?!{_WORD})")


def _by_script(lexicon: dict[str, list[str]], devanagari: bool) -> dict[str, list[str]]:
    """The lexicon's patterns that can match text in one script (a line naming both scripts is
    in both): a post in one script is searched with fewer alternatives."""
    return {
        tag: kept
        for tag, alts in lexicon.items()
        if (kept := [a for a in alts if bool(_DEVA_CHAR.search(a)) == devanagari or _mixed(a)])
    }


def _mixed(pattern: str) -> bool:
    return bool(_DEVA_CHAR.search(pattern)) and bool(re.search("[a-z]", pattern))


@dataclass(frozen=True)
class _Pattern:
    """One tag's patterns for one script, and its bit in the prefilter's answer."""

    tag: str
    regex: re.Pattern[str]
    bit: int


class _Prefilter:
    """Which patterns can match a view: those with an alternative whose required literal
    (literals.py) is in it, found for all at once by one Aho-Corasick pass; a pattern with an
    alternative without a literal always runs."""

    def __init__(self, patterns: dict[int, list[str]]) -> None:
        self.always = 0
        literal_bits: dict[str, int] = {}
        for bit, alternatives in patterns.items():
            for alt in alternatives:
                literals = required_literals(squeeze_pattern(alt))
                if literals is None:
                    self.always |= bit
                    break
                for literal in literals:
                    literal_bits[literal] = literal_bits.get(literal, 0) | bit
        self.automaton = ahocorasick.Automaton()
        for literal, bits in literal_bits.items():
            self.automaton.add_word(literal, bits)
        self.empty = not literal_bits
        if not self.empty:
            self.automaton.make_automaton()

    def bits(self, text: str) -> int:
        found = self.always
        if not self.empty:
            for _, bits in self.automaton.iter(text):
                found |= bits
        return found


def _leftmost(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Matches as one alternation would report them: leftmost first, ties to the lower rank,
    none inside another."""
    kept: list[tuple[int, int]] = []
    for start, _, end in sorted(ranges):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


class CueDetector:
    """Finds every lexicon cue in a text; compiled once, then thread-safe."""

    def __init__(self, lexicon: dict[str, list[str]] | None = None) -> None:
        lexicon = lexicon or LEXICON
        self.tags = tuple(lexicon)
        # a tag whose patterns are exactly those of others (time = now + later) is not matched
        # again: its spans are theirs, retagged
        self.derived = {
            tag: parts
            for tag, parts in DERIVED_TAGS.items()
            if all(p in lexicon for p in parts)
            and lexicon.get(tag) == [alt for p in parts for alt in lexicon[p]]
        }
        own = {k: v for k, v in lexicon.items() if k not in self.derived}
        scripts = (_by_script(own, devanagari=False), _by_script(own, devanagari=True))
        bits = iter(1 << i for i in range(len(scripts[0]) + len(scripts[1])))
        self.latin, self.devanagari = (
            [_Pattern(tag, _compile(alts), next(bits)) for tag, alts in script.items()]
            for script in scripts
        )
        self.prefilter = _Prefilter(
            {
                p.bit: script[p.tag]
                for script, patterns in zip(scripts, (self.latin, self.devanagari), strict=True)
                for p in patterns
            }
        )

    def find(self, text: str, view: MatchView | None = None) -> list[Span]:
        """All cue spans, internal ones included, ordered by position."""
        view = view or match_view(text)
        scripts = []
        if _NOT_DEVA.search(view.text):
            scripts.append(self.latin)
        if _DEVA_CHAR.search(view.text):
            scripts.append(self.devanagari)
        found: dict[str, list[tuple[int, int]]] = {}
        candidates = self.prefilter.bits(view.text)
        if not candidates:
            return []
        for patterns in scripts:
            for p in patterns:
                if not candidates & p.bit:
                    continue  # none of its literals is in the text: it cannot match
                for m in p.regex.finditer(view.text):
                    s, e = m.span()
                    if e > s:
                        found.setdefault(p.tag, []).append((view.starts[s], view.ends[e - 1]))
        if len(scripts) > 1:  # both scripts' matches, merged as one pattern would have found them
            found = {tag: _leftmost([(a, 0, b) for a, b in set(r)]) for tag, r in found.items()}
        for tag, parts in self.derived.items():
            ranked = [(r[0], i, r[1]) for i, p in enumerate(parts) for r in found.get(p, ())]
            if ranked:
                found[tag] = _leftmost(ranked)
        ordered = sorted(
            (start, end, tag) for tag, ranges in found.items() for start, end in ranges
        )
        return _outside_negation(
            [Span(tag, text[start:end], start, end) for start, end, tag in ordered]
        )


#: cues that a negation around them cancels ("main suicide *nahi karunga*")
NEGATABLE = frozenset({"intent", "future", "suicide", "ideation", "attempt"})
#: cues of the author's own death or act that a threat or curse at someone else around them
#: cancels: "bhagwan kare tu *mar jaye*" wishes death on another, "*I will kill* you" is a threat
THREATENED = frozenset({"intent", "future", "suicide", "ideation", "attempt", "death", "method"})


def _outside_negation(spans: list[Span]) -> list[Span]:
    """`spans` without the cues a negation (NEGATABLE), a threat or a curse (THREATENED)
    holds."""
    for cancel, cancelled in (
        ("negation", NEGATABLE),
        ("threat", THREATENED),
        ("curse", THREATENED),
    ):
        spans = _outside(spans, cancel, cancelled)
    return spans


def _outside(spans: list[Span], cancel: str, cancelled: frozenset[str]) -> list[Span]:
    holders = [s for s in spans if s.tag == cancel]  # ordered by start, like `spans`
    if not holders:
        return spans
    starts = [n.start for n in holders]
    longest = max(n.end - n.start for n in holders)

    def held(s: Span) -> bool:
        last = bisect_right(starts, s.start)
        first = bisect_left(starts, s.start - longest)
        return any(s.end <= n.end for n in holders[first:last])

    return [s for s in spans if s.tag not in cancelled or not held(s)]


def visible(spans: list[Span]) -> list[Span]:
    return [s for s in spans if s.tag not in INTERNAL_TAGS]
