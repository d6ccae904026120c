"""Required literals of a regular expression: strings one of which every match contains.

The cue detector (cues.py) runs a tag's pattern only over a post that holds a literal of one
of the tag's alternatives; one Aho-Corasick pass (pyahocorasick) finds the literals of every
tag at once. Most posts hold no cue of most tags, and a pattern of a hundred alternatives costs
time at every word of a post even when it matches nothing.

Hand-written: no library extracts literals from Python's regular expressions (RE2 and
Hyperscan do it for their own syntax, which lacks the lookarounds the lexicon uses). It reads
a pattern with the standard library's own parser and is conservative: anything it does not
know (a category such as `\\w`, a back-reference, a repeat that may match nothing, a case-
insensitive flag) gives no literal, and a pattern with an alternative that has none always
runs. A wrong answer here could only cost speed, never a cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

#: the most strings an exact set may hold before it is given up
MAX_STRINGS = 64

Strings = frozenset[str]
#: (every string the piece can match, or None; literals one of which every match contains,
#: or None)
Info = tuple[Strings | None, Strings | None]
_EMPTY: Strings = frozenset({""})
_NOTHING_KNOWN: Info = (None, None)


@lru_cache(maxsize=4096)
def required_literals(pattern: str) -> Strings | None:
    """Non-empty strings one of which every match of `pattern` contains, or None. Cached: a
    line naming both scripts is read for each, and every CueDetector reads the lexicon."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    exact, need = _sequence(parsed)
    return _better(need, _literals(exact))


def _literals(strings: Strings | None) -> Strings | None:
    """`strings` as a required set: useless when one of them is empty."""
    return strings if strings and "" not in strings else None


def _better(a: Strings | None, b: Strings | None) -> Strings | None:
    """The more selective of two required sets: the longer shortest string, then fewer."""
    if a is None or b is None:
        return a if b is None else b
    rank_a = (min(map(len, a)), -len(a))
    rank_b = (min(map(len, b)), -len(b))
    return a if rank_a >= rank_b else b


def _product(a: Strings, b: Strings | None) -> Strings | None:
    if b is None or len(a) * len(b) > MAX_STRINGS:
        return None
    return frozenset(x + y for x in a for y in b)


def _sequence(items: Iterable[tuple[Any, Any]]) -> Info:
    """A concatenation: its exact strings, and the best required set of any item or of any run
    of consecutive items whose exact strings are known."""
    exact: Strings | None = _EMPTY
    need: Strings | None = None
    run = _EMPTY
    for op, av in items:
        item_exact, item_need = _item(op, av)
        need = _better(need, item_need)
        exact = None if exact is None else _product(exact, item_exact)
        longer = _product(run, item_exact)
        if longer is None:
            need = _better(need, _literals(run))
            run = item_exact if item_exact is not None else _EMPTY
        else:
            run = longer
    return exact, _better(need, _literals(run))


def _item(op: Any, av: Any) -> Info:
    if op is sre.LITERAL:
        return frozenset({chr(av)}), None
    if op is sre.IN:
        return _char_class(av), None
    if op is sre.SUBPATTERN:
        _, add_flags, _, body = av
        return _NOTHING_KNOWN if add_flags & re.IGNORECASE else _sequence(body)
    if op is sre.BRANCH:
        return _branch(av[1])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, body = av
        exact, need = _sequence(body)
        if low == 0:  # may match nothing: requires nothing
            return (exact | _EMPTY if high == 1 and exact is not None else None), None
        if low == high == 1:
            return exact, need
        return None, _better(need, _literals(exact))
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _EMPTY, None  # zero-width
    return _NOTHING_KNOWN


def _char_class(items: list[tuple[Any, Any]]) -> Strings | None:
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < MAX_STRINGS:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:  # a negation or a category
            return None
    return frozenset(chars) if len(chars) <= MAX_STRINGS else None


def _branch(alternatives: list[Any]) -> Info:
    infos = [_sequence(alt) for alt in alternatives]
    exacts = [exact for exact, _ in infos]
    needs = [_better(need, _literals(exact)) for exact, need in infos]
    known_exacts = [e for e in exacts if e is not None]
    exact = None
    if len(known_exacts) == len(exacts):
        union = frozenset().union(*known_exacts)
        exact = union if len(union) <= MAX_STRINGS else None
    known_needs = [n for n in needs if n is not None]
    need = frozenset().union(*known_needs) if len(known_needs) == len(needs) else None
    return exact, need
