"""Where a post says where someone is: the word spans a locative phrase leaves for a place name.

A post is not an address. Its words are taken as a place only where the grammar puts a place:
before a postposition ("Chinhat में", "Lucknow mein", "Kanpur se", "Charbagh ke paas",
"Sitapur ka rehne wala", "Kanpur jila") or after a preposition or address word ("in Lucknow",
"near Charbagh", "from Kanpur", "जिला सीतापुर", "thana Malihabad"). Everything else in a post
can still name a well-known place of Uttar Pradesh exactly ("Bareilly ki Barfi"), which the
resolver weighs as a mention in passing, not a locative.

Hand-written because it is a dozen patterns over romanised tokens; no library parses
locatives in Hinglish and Hindi together.
"""

from __future__ import annotations

#: words after a place name, romanised (Devanagari "में" is "men", "से" "se", "के पास" "ke pas")
_AFTER: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "mein",
        "me",
        "mai",
        "mei",
        "men",
        "mien",
        "se",
        "say",
        "ke pas",
        "ke paas",
        "ke pass",
        "ke najdik",
        "ke nazdik",
        "ke nazdeek",
        "ke najdeek",
        "ke karib",
        "ke kareeb",
        "ke samne",
        "ke saamne",
        "ke andar",
        "ka rehne",
        "ki rehne",
        "ke rehne",
        "ka rahne",
        "ki rahne",
        "ke rahne",
        "ka nivasi",
        "ki nivasi",
        "ke nivasi",
        "nivasi",
        "niwasi",
        "ka hu",
        "ka hun",
        "ka hoon",
        "ki hu",
        "ki hun",
        "ki hoon",
        "wala",
        "vala",
        # address words after a name: "Kanpur jila", "Bilhaur tehsil", "Kakori thana"
        "jila",
        "zila",
        "jilla",
        "zilla",
        "district",
        "distt",
        "dist",
        "janpad",
        "tehsil",
        "tahsil",
        "thana",
        "block",
    )
)
#: words before a place name
_BEFORE: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "in",
        "near",
        "nr",
        "from",
        "frm",
        "nearby",
        "outside",
        "around",
        # address words before a name: "जिला कानपुर", "thana Malihabad", "district Sitapur"
        "jila",
        "zila",
        "janpad",
        "district",
        "distt",
        "dist",
        "tehsil",
        "tahsil",
        "thana",
        "gram",
        "gaon",
        "mohalla",
        "village",
        "vill",
    )
)


def _by_first_word(patterns: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    for pattern in patterns:
        found.setdefault(pattern[0], []).append(pattern)
    return found


# looked up by a token instead of every pattern tried at every token (same slots)
_AFTER_BY_FIRST = _by_first_word(_AFTER)
_BEFORE_BY_FIRST = _by_first_word(_BEFORE)


def locative_slots(rom: list[str]) -> tuple[set[int], set[int]]:
    """(ends, starts): a span [i, j) of the romanised tokens `rom` is in a locative slot when
    j is in `ends` (a postposition follows it) or i is in `starts` (a preposition precedes)."""
    ends: set[int] = set()
    starts: set[int] = set()
    for k, token in enumerate(rom):
        for pattern in _AFTER_BY_FIRST.get(token, ()):
            if k > 0 and tuple(rom[k : k + len(pattern)]) == pattern:
                ends.add(k)
        for pattern in _BEFORE_BY_FIRST.get(token, ()):
            if tuple(rom[k : k + len(pattern)]) == pattern:
                starts.add(k + len(pattern))
    return ends, starts
