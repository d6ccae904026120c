"""Cross-script spelling keys for Indian place names.

Hand-written because no maintained library does this job: indic-transliteration turns Devanagari
(and the other Brahmic scripts) into a Sanskrit-style romanisation, but Hindi drops most inherent
vowels ("लखनऊ" is *lakhnau*, not *lakhanau*) and English spellings of the same places are loose
("Lucknow", "Lakhnau", "Ghaziabad", "Gajiyabad", "Shrawasti", "Shravasti"). English phonetic
codes (Soundex, Metaphone, as in jellyfish) know neither. So:

* `romanise` deletes the Hindi schwa on the Devanagari side (a virama is inserted where Hindi
  does not pronounce the inherent vowel), resolves nuktas and then transliterates with
  indic-transliteration's ITRANS scheme, lower-cased;
* `sound` folds a Latin word to a coarse sound string: aspiration and sibilant variants merge,
  every run of vowels becomes one ``a``, doubled consonants collapse;
* `skeleton` keeps the consonants only (and a leading vowel), the key for candidate look-up.

Look-ups are by `sound`/`skeleton`; candidates are then checked with rapidfuzz on the sound
strings, so the keys only need to be generous, not exact.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indic_transliteration import sanscript

# -- Devanagari --------------------------------------------------------------------------------
_NUKTA = "\u093c"
_VIRAMA = "\u094d"
_NASALS = {"\u0901", "\u0902"}  # chandrabindu, anusvara
_VISARGA = "\u0903"
#: nukta letters folded to the plain letter Hindi spellings alternate with (ड़ sounds like r)
_NUKTA_FOLD = {
    "\u095c": "\u0930",  # ड़ -> र
    "\u095d": "\u0930",  # ढ़ -> र
    "\u0958": "\u0915",  # क़
    "\u0959": "\u0916",  # ख़
    "\u095a": "\u0917",  # ग़
    "\u095b": "\u091c",  # ज़
    "\u095e": "\u092b",  # फ़
    "\u095f": "\u092f",  # य़
    "\u0911": "\u0913",  # ऑ -> ओ
    "\u0949": "\u094b",  # ॉ -> ो
    "\u0945": "\u0947",  # ॅ -> े
    "\u090d": "\u090f",  # ऍ -> ए
}
_NUKTA_PAIRS = {"\u0921": "\u0930", "\u0922": "\u0930"}  # ड/ढ + nukta -> र


def _is_consonant(ch: str) -> bool:
    return "\u0915" <= ch <= "\u0939"


def _is_matra(ch: str) -> bool:
    return "\u093e" <= ch <= "\u094c" or ch in ("\u0962", "\u0963")


def _is_vowel_letter(ch: str) -> bool:
    return "\u0904" <= ch <= "\u0914" or ch in ("\u0960", "\u0961")


def _fold_nukta(word: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", word):
        if ch == _NUKTA:
            if out and out[-1] in _NUKTA_PAIRS:
                out[-1] = _NUKTA_PAIRS[out[-1]]
            continue
        out.append(_NUKTA_FOLD.get(ch, ch))
    return "".join(out)


def delete_schwa(word: str) -> str:
    """Insert a virama after each consonant whose inherent vowel Hindi does not pronounce.

    The usual rule, right to left: the last consonant of a word loses it; a consonant between
    a voiced syllable and a consonant that keeps its vowel loses it (VC_CV). Good enough for
    place names, which is all it is used for.
    """
    word = _fold_nukta(word)
    # units: [consonant, vowel sign or "" (inherent) or virama, nasal]
    units: list[list[str]] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if _is_consonant(ch):
            sign = ""
            if i + 1 < len(word) and (_is_matra(word[i + 1]) or word[i + 1] == _VIRAMA):
                sign = word[i + 1]
                i += 1
            nasal = ""
            if i + 1 < len(word) and word[i + 1] in _NASALS | {_VISARGA}:
                nasal = word[i + 1]
                i += 1
            units.append([ch, sign, nasal])
        else:
            units.append([ch, "V" if _is_vowel_letter(ch) else "", ""])
        i += 1

    def voiced(unit: list[str]) -> bool:
        if not _is_consonant(unit[0]):
            return unit[1] == "V"
        return unit[1] != _VIRAMA

    consonants = sum(1 for u in units if _is_consonant(u[0]))
    for k in range(len(units) - 1, -1, -1):
        unit = units[k]
        if not _is_consonant(unit[0]) or unit[1] != "" or unit[2]:
            continue
        last = k == len(units) - 1
        if (last and consonants > 1) or (
            0 < k < len(units) - 1
            and voiced(units[k - 1])
            and _is_consonant(units[k + 1][0])
            and voiced(units[k + 1])
        ):
            unit[1] = _VIRAMA
    return "".join(c + (s if s != "V" else "") + n for c, s, n in units)


_BRAHMIC_SCRIPTS = {
    "DEVANAGARI": sanscript.DEVANAGARI,
    "GURMUKHI": sanscript.GURMUKHI,
    "BENGALI": sanscript.BENGALI,
    "GUJARATI": sanscript.GUJARATI,
    "ORIYA": sanscript.ORIYA,
    "TAMIL": sanscript.TAMIL,
    "TELUGU": sanscript.TELUGU,
    "KANNADA": sanscript.KANNADA,
    "MALAYALAM": sanscript.MALAYALAM,
}
_ITRANS_FIXES = (
    (".N", "n"),
    ("~N", "n"),
    ("~n", "n"),
    ("M", "n"),
    ("RRi", "ri"),
    ("RRI", "ri"),
    ("LLi", "li"),
    (".h", ""),
    (".a", ""),
    ("H", "h"),
    ("|", " "),
)
_WORD = re.compile(r"[\w\u0900-\u0dff\u200c\u200d]+")


def script_of(ch: str) -> str:
    """The Unicode script of a letter, as its name's first word ("DEVANAGARI", "LATIN")."""
    try:
        return unicodedata.name(ch).split(" ")[0]
    except ValueError:
        return ""


@lru_cache(maxsize=65536)
def _romanise_word(word: str) -> str:
    first = next((c for c in word if c.isalpha()), "")
    if not first or script_of(first) == "LATIN":
        return word.casefold()
    script = script_of(first)
    scheme = _BRAHMIC_SCRIPTS.get(script)
    if scheme is None:
        return ""  # a script we cannot read (Arabic, Cyrillic, Han ...): no place names from it
    if scheme == sanscript.DEVANAGARI:
        word = delete_schwa(word)
    text = sanscript.transliterate(word, scheme, sanscript.ITRANS)
    for old, new in _ITRANS_FIXES:
        text = text.replace(old, new)
    text = re.sub(r"[^a-z0-9 ]", "", text.lower())
    # a final "-ांव" is written "-aon" in Latin (गांव gaon, मड़ियांव Madiyaon), not "-anv"
    return text[:-3] + "aon" if text.endswith("anv") and len(text) > 3 else text


_FLAPS: tuple[tuple[str, str], ...] = (
    ("\u095c", "\u0921"),  # ड़ -> ड
    ("\u095d", "\u0922"),  # ढ़ -> ढ
    ("\u0921\u093c", "\u0921"),
    ("\u0922\u093c", "\u0922"),
)


def flap_variant(word: str) -> str | None:
    """The romanisation of a Devanagari word with ड़/ढ़ read as d/dh, or None without them.

    Latin spellings write these flaps both ways: "Madiyaon" (मड़ियांव), "Garhmukteshwar"
    (गढ़मुक्तेश्वर). `romanise` reads them as r; the gazetteer tries this variant too."""
    nfc = unicodedata.normalize("NFC", word)
    if not any(flap in nfc for flap, _ in _FLAPS):
        return None
    for flap, plain in _FLAPS:
        nfc = nfc.replace(flap, plain)
    return _romanise_word(nfc)


def romanise(text: str) -> str:
    """Lower-case Latin words for any text: Latin is case-folded, Brahmic scripts transliterated
    (Hindi schwa deleted), unreadable scripts dropped. Punctuation becomes spaces."""
    words = (_romanise_word(w) for w in _WORD.findall(text.replace("_", " ")))
    return " ".join(w for w in words if w)


_REPLACEMENTS = (
    ("ksh", "ks"),
    ("x", "ks"),
    ("ck", "k"),
    ("q", "k"),
    ("ph", "f"),
    ("chh", "c"),
    ("ch", "c"),
    ("sh", "s"),
    ("z", "j"),
    ("w", "v"),
)
_SOFT_C = re.compile(r"c(?=[eiy])")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1+")


@lru_cache(maxsize=131072)
def sound(word: str) -> str:
    """Fold one lower-case Latin word (or several, spaces are dropped) to a sound string."""
    w = re.sub(r"[^a-z0-9]", "", word)
    if not w:
        return ""
    for old, new in _REPLACEMENTS:
        w = w.replace(old, new)
    w = _SOFT_C.sub("s", w)
    if w.isdigit():
        return w
    head, tail = w[0], w[1:]
    tail = tail.replace("h", "")
    if head == "y" and tail[:1] in ("", "a", "e", "i", "o", "u"):
        head = "j"  # initial y is a consonant (Yamuna / Jamuna alternate)
    w = head + tail
    w = w.replace("mb", "nb").replace("mp", "np")
    if len(w) > 2 and w.endswith("v") and w[-2] in "aeiou":
        w = w[:-1]  # Lucknow / lakhnau, Unnao / unnav
    w = _VOWEL_RUN.sub("a", w)
    return _DOUBLE.sub(r"\1", w)


def skeleton(sounded: str) -> str:
    """The consonants of a sound string, with a leading vowel kept as ``a``."""
    if not sounded:
        return ""
    return sounded[0] + sounded[1:].replace("a", "")


def phrase_sound(words: list[str] | tuple[str, ...]) -> str:
    """The sound string of a phrase: the words' sound strings joined without spaces."""
    return "".join(sound(w) for w in words)


_SPELLING = (
    ("aa", "a"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "au"),
    ("w", "v"),
    ("z", "j"),
    ("q", "k"),
    ("ph", "f"),
    ("ck", "k"),
    ("sh", "s"),
)
_ASPIRATE = re.compile(r"(?<=[bdgjkpt])h")


@lru_cache(maxsize=131072)
def spelling(word: str) -> str:
    """A romanised word with only transliteration choices folded (w/v, z/j, sh/s, aa/a, ee/i,
    oo/u, aspiration, doubled letters), vowels otherwise kept: "palval" and "Palwal",
    "chhatarpur" and "Chhatarpur" meet; "kisi" and "Kashi" do not (unlike their sound keys)."""
    w = re.sub(r"[^a-z]", "", word.lower()).replace("chh", "ch")
    for old, new in _SPELLING:
        w = w.replace(old, new)
    w = _ASPIRATE.sub("", w)
    return _DOUBLE.sub(r"\1", w)
