"""Text normalisation for risk triage: one post, two views for the features.

- `plain`: Unicode NFC, case-folded, digits to 0, emoji to named tokens, URLs and mentions
  masked, elongation ("plzzzz") cut to two letters, punctuation to spaces. Devanagari stays.
- `skeleton`: the plain view with Devanagari transliterated to Latin (indic-transliteration's
  ITRANS after Hindi schwa deletion) and both scripts folded to one rough phonetic spelling
  (ph→f, z→j, ee→i, doubled letters single) with common romanisation variants merged
  (nahi/nhi/nai, hai/h, main/mai, hu/hoon), so "मुझे जीना नहीं है", "mujhe jeena nahi hai" and
  "muje jina nhi h" share their n-grams.

Hand-written where no library does the job: Hindi schwa deletion (so कर reads "kar", not
"kara") and the Hinglish variant table are specific to how people romanise Hindi on social
media; the transliteration itself is the library's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from indic_transliteration import sanscript

_DEVA_RUN = re.compile(r"[\u0900-\u0963\u0966-\u097F]+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")
_DIGIT = re.compile(r"\d")
_ELONGATED = re.compile(r"(.)\1{2,}")
_REPEAT = re.compile(r"([a-z])\1+")
_NON_WORD = re.compile(r"[^\w\u0900-\u0963\u0966-\u097F]+")
_SPACES = re.compile(r"\s+")

_CONSONANTS = frozenset(chr(c) for c in [*range(0x0915, 0x093A), *range(0x0958, 0x0960)])
_MATRAS = frozenset(
    chr(c) for c in [*range(0x093E, 0x094D), 0x0955, 0x0956, 0x0957, 0x0962, 0x0963]
)
_NASALS = frozenset("\u0901\u0902\u0903")
_VIRAMA, _NUKTA = "\u094d", "\u093c"
#: candra vowels (ऑफिस, डॉक्टर) that ITRANS leaves untransliterated
_DEVA_FIXES = str.maketrans(
    {"\u0949": "\u094b", "\u0911": "\u0913", "\u0945": "\u0947", "\u090d": "\u090f"}
)

#: emoji grouped by what they say in these posts; other emoji become their Unicode name
EMOJI_GROUPS: dict[str, str] = {
    **dict.fromkeys("😭😢😞😔😿🥺😩😫☹🙁😥😓💧", "sad"),
    **dict.fromkeys("💔🥀🖤", "heartbreak"),
    **dict.fromkeys("😂🤣😆😅😹💀😜🤪😝", "laugh"),
    **dict.fromkeys("🙏🕯🌹💐", "pray"),
    **dict.fromkeys("😡🤬😠👊🔪🔫", "anger"),
    **dict.fromkeys("💊🪢⛓🩸", "method"),
    **dict.fromkeys("👋🫡", "wave"),
    **dict.fromkeys("❤💕💖💗💙💚💛🧡💜🤍😍🥰😘", "love"),
    **dict.fromkeys("😊🙂😀😃😄😁🥳🎉🔥💯👍✨🤩😎", "happy"),
    **dict.fromkeys("😐😶🫥😑", "blank"),
}
_SKIP_CHARS = frozenset("\u200d\ufe0f\ufe0e\u20e3")

#: romanisation variants, keyed by skeleton spelling
VARIANTS: dict[str, str] = {
    **dict.fromkeys(["nhi", "nahin", "nai", "nahee", "ni", "nhin", "nahii"], "nahi"),
    **dict.fromkeys(["h", "hain", "hae", "hay", "hei"], "hai"),
    **dict.fromkeys(["mai", "main", "mein", "mei", "mey"], "mai"),
    **dict.fromkeys(["hun", "hon", "hoon", "hoo"], "hu"),
    **dict.fromkeys(["kia", "kiya"], "kya"),
    **dict.fromkeys(["kyun", "kyon", "kyo", "kiu", "q"], "kyu"),
    **dict.fromkeys(["muje", "mjhe", "mujhey", "mujhse", "mjhse"], "mujhe"),
    **dict.fromkeys(["rha"], "raha"),
    **dict.fromkeys(["rhi"], "rahi"),
    **dict.fromkeys(["gya", "gaye"], "gaya"),
    **dict.fromkeys(["gyi", "gai", "gayi", "gae"], "gayi"),
    **dict.fromkeys(["bhut", "bohot", "bahot", "bht", "bohut", "bhot"], "bahut"),
    **dict.fromkeys(["kr"], "kar"),
    **dict.fromkeys(["krna"], "karna"),
    **dict.fromkeys(["sb"], "sab"),
    **dict.fromkeys(["kuchh", "kch", "kuh"], "kuch"),
    **dict.fromkeys(["yr", "yaar", "yar"], "yar"),
    **dict.fromkeys(["plz", "pls", "plj", "pleas", "plis"], "please"),
    **dict.fromkeys(["sry", "sori", "sorry"], "sori"),
    **dict.fromkeys(["u"], "you"),
    **dict.fromkeys(["ur", "yor"], "your"),
    **dict.fromkeys(["wanna"], "want to"),
    **dict.fromkeys(["gona", "gonna"], "going to"),
    **dict.fromkeys(["tmrw", "tmr", "tomoro", "tommorow"], "tomorrow"),
    **dict.fromkeys(["tonite", "2nite"], "tonight"),
    **dict.fromkeys(["im"], "i am"),
    **dict.fromkeys(["ive"], "i have"),
    **dict.fromkeys(["ill"], "i will"),
    **dict.fromkeys(["cant"], "can not"),
    **dict.fromkeys(["dont"], "do not"),
    **dict.fromkeys(["wont"], "will not"),
    **dict.fromkeys(["jindgi", "jindagi", "jndgi"], "jindagi"),
    **dict.fromkeys(["ab", "abb"], "ab"),
    **dict.fromkeys(["abi", "abhie"], "abhi"),
    **dict.fromkeys(["aj"], "aj"),
    **dict.fromkeys(["mummy", "mumy", "mumma", "mama", "mom", "mum", "maa", "ma"], "ma"),
    **dict.fromkeys(["papa", "pappa", "dad", "daddy", "pitaji"], "papa"),
}


@dataclass(frozen=True)
class Views:
    plain: str
    skeleton: str


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=8192)
def emoji_token(char: str) -> str | None:
    """A word for an emoji or pictographic symbol, or None for any other character. Cached:
    it is asked of every character of a post not in ASCII, and posts reuse few characters."""
    group = EMOJI_GROUPS.get(char)
    if group is not None:
        return f" emo{group} "
    if unicodedata.category(char) != "So":
        return None
    name = unicodedata.name(char, "")
    if not name:
        return " emoother "
    return " emo" + re.sub(r"[^a-z]", "", name.casefold())[:20] + " "


class _EmojiTable(dict[int, str]):
    """For str.translate: an emoji's word, nothing for a joiner or variation selector, any
    other character itself. Filled as characters are met; bounded."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        token = "" if char in _SKIP_CHARS else emoji_token(char)
        if len(self) > 8192:
            self.clear()
        self[code] = out = char if token is None else token
        return out


_EMOJI_TABLE = _EmojiTable()


def _emoji_to_words(text: str) -> str:
    if text.isascii():
        return text
    return text.translate(_EMOJI_TABLE)


def _base(text: str) -> str:
    text = nfc(text)
    text = _URL.sub(" url ", text)
    text = _MENTION.sub(" atuser ", text)
    text = _emoji_to_words(text)
    text = text.casefold().replace("'", "").replace("’", "")
    text = _DIGIT.sub("0", text)
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


def _units(word: str) -> list[list[str]]:
    """Split a Devanagari word into units [base, vowel sign or '' (virama) or 'a', tail]."""
    units: list[list[str]] = []
    i, n = 0, len(word)
    while i < n:
        char = word[i]
        i += 1
        if char in _CONSONANTS:
            base = char
            if i < n and word[i] == _NUKTA:
                base += _NUKTA
                i += 1
            if i < n and word[i] == _VIRAMA:
                units.append([base, "", ""])
                i += 1
                continue
            vowel = "a"
            if i < n and word[i] in _MATRAS:
                vowel = word[i]
                i += 1
            tail = ""
            while i < n and word[i] in _NASALS:
                tail += word[i]
                i += 1
            units.append([base, vowel, tail])
        else:
            units.append([char, "V", ""])
    return units


def delete_schwa(word: str) -> str:
    """Hindi schwa deletion: drop the inherent 'a' at the end of a word and in V C _ C V
    (right to left), by writing a virama, so transliteration gives "karna", not "karana"."""
    units = _units(word)
    if len(units) < 2:
        return word
    last = units[-1]
    if last[1] == "a" and not last[2] and last[0][0] in _CONSONANTS:
        last[1] = ""
    for i in range(len(units) - 2, 0, -1):
        unit, before, after = units[i], units[i - 1], units[i + 1]
        if (
            unit[1] == "a"
            and not unit[2]
            and before[1] != ""
            and after[1] != ""
            and after[0][0] in _CONSONANTS
        ):
            unit[1] = ""
    out: list[str] = []
    for base, vowel, tail in units:
        if vowel == "V":
            out.append(base)
        elif vowel == "":
            out.append(base + _VIRAMA + tail)
        elif vowel == "a":
            out.append(base + tail)
        else:
            out.append(base + vowel + tail)
    return "".join(out)


_ITRANS_CLEAN = [
    (re.compile(r"\.n|\.N|~N|~n|M"), "n"),
    (re.compile(r"RRi|R\^i"), "ri"),
    (re.compile(r"kSh"), "ksh"),
    (re.compile(r"j~n|GY"), "gy"),
    (re.compile(r"[.^~]"), ""),
]


#: transliterations that collide with an English word: में is "mein", not "men"
_DEVA_WORDS = {"men": "mein"}


@lru_cache(maxsize=65536)
def transliterate_word(word: str) -> str:
    """One Devanagari word in rough Hinglish spelling: मजबूरी → "majburi"."""
    latin: str = sanscript.transliterate(
        delete_schwa(word.translate(_DEVA_FIXES)), sanscript.DEVANAGARI, sanscript.ITRANS
    )
    for pattern, repl in _ITRANS_CLEAN:
        latin = pattern.sub(repl, latin)
    latin = latin.casefold()
    return _DEVA_WORDS.get(latin, latin)


def to_latin(text: str) -> str:
    """Transliterate every Devanagari run in `text` to Latin, leaving the rest alone."""
    return _DEVA_RUN.sub(lambda m: transliterate_word(m.group(0)), text)


_FOLDS = [
    (re.compile(r"ph"), "f"),
    (re.compile(r"chh"), "ch"),
    (re.compile(r"w"), "v"),
    (re.compile(r"z"), "j"),
    (re.compile(r"q"), "k"),
    (re.compile(r"ee"), "i"),
    (re.compile(r"oo"), "u"),
]


def _fold(word: str) -> str:
    for pattern, repl in _FOLDS:
        word = pattern.sub(repl, word)
    return _REPEAT.sub(r"\1", word)


_FOLDED_VARIANTS = {
    _fold(key): " ".join(_fold(w) for w in value.split()) for key, value in VARIANTS.items()
}


@lru_cache(maxsize=131072)
def fold_word(word: str) -> str:
    """One Latin word in the shared phonetic spelling, with its variant merged."""
    folded = _fold(word)
    return _FOLDED_VARIANTS.get(folded, folded)


def views(text: str) -> Views:
    """Both views of a post; elongation is cut to two letters in `plain` ("sooo" → "soo") and
    to one in `skeleton`, where doubled letters are single anyway ("dieee" → "die")."""
    base = _base(text)
    plain = _ELONGATED.sub(r"\1\1", base)
    latin = to_latin(_ELONGATED.sub(r"\1", base))
    return Views(plain, " ".join(fold_word(w) for w in latin.split()))


def skeleton(text: str) -> str:
    """`views(text).skeleton`, a word at a time: after `_base` the words are apart (single
    spaces), and cutting elongation, transliteration and folding each work within a word, so
    each word's skeleton is remembered (words repeat from post to post)."""
    return " ".join(s for w in _base(text).split() if (s := skeleton_word(w)))


@lru_cache(maxsize=131072)
def skeleton_word(word: str) -> str:
    """The skeleton of one word of `_base`'s output (several for "wanna": "want to")."""
    return " ".join(fold_word(w) for w in to_latin(_ELONGATED.sub(r"\1", word)).split())
