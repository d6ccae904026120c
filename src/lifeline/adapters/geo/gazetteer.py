"""Place names found in free text, in any of Devanagari, romanised Hindi and English.

Each name is indexed three ways: its romanised surface form, its sound string and its consonant
skeleton (see phonetic.py). A text's word n-grams (longest first) are looked up exactly, then by
sound, then by skeleton checked with rapidfuzz; district and city names also by rapidfuzz alone
(typos). Once the text names a district, names inside that district are searched more
leniently ("a district named in the text narrows the localities searched"), and villages
(branch post offices) count only there when the text is a post rather than an address.

Evidence, not echoes: the loose look-ups (sound, skeleton, typos, nearby) are only for words
that look like a name, never for everyday words (`common`, from common_words.tsv); the same
name in another script or transliteration counts as exact. In a post, names count only in a
locative phrase (locatives.py), or spelt exactly when they are well-known places of the home
state, the SMC's own (weighed as a mention in passing). How the names of one text are read
together is in narrowing.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from lifeline.adapters.geo.locatives import locative_slots
from lifeline.adapters.geo.mentions import Mention, Place
from lifeline.adapters.geo.narrowing import anchors_of, narrow
from lifeline.adapters.geo.phonetic import flap_variant, romanise, skeleton, sound, spelling

#: how much a name of each kind says about the district, before match quality
KIND_WEIGHT = {
    "district": 0.85,
    "old_name": 0.85,
    "city": 0.8,
    "locality": 0.8,
    "area": 0.7,
    "head_office": 0.65,
    "sub_office": 0.6,
    "branch_office": 0.45,
    "state": 0.0,
}
#: kinds that are well-known enough to match on spelling mistakes anywhere
MAJOR = frozenset({"district", "old_name", "city", "area", "locality", "state"})
#: kinds that a post (not an address) must anchor with a district name
LOCAL = frozenset({"locality", "sub_office", "branch_office"})
#: for choosing between overlapping mentions, a state name counts like a district name
RANK_WEIGHT = {"state": 0.85}
#: kinds a post may name anywhere (not only in a locative phrase), spelt exactly
WELL_KNOWN = frozenset({"district", "old_name", "city", "state"})
MAX_WORDS = 5
MAX_TEXT_WORDS = 800
#: a name of a village (branch office) shared by this many districts says nothing by itself
COMMON_VILLAGE = 3

# Words never taken as place names on their own or at the edge of one: Hindi (both scripts),
# Hinglish and English function words, address words, and words common in distress posts.
_STOP_WORDS = """
main mein me mai mai hu hoon hun ho hai hain ka ke ki ko se par pe aur ya ye yeh wo woh vo
tha thi the mera meri mere mujhe muje hum ham tum aap ab abhi aaj kal raha rahi rahe rehta
rehti rahta rahti rehte karna karunga karungi kar nahi nhi na bhi to toh sab ghar gaon gao
village vill post po ps thana thane district distt dist zila jila tehsil block near
house flat floor pin pincode code state the a an of in at on and or is am are i my to from
live lives living stay staying
behind opp opposite side wala wale wali yaha yahan waha wahan idhar udhar pass paas mere
marna mar jaan jan zindagi life die dying suicide khudkushi atmahatya maa papa bhai didi
sorry bye goodbye alvida kill myself help please plz sir madam ji police india bharat
akela akeli khatam khatm maut mout dard dukh pareshan tension depression rona ro dil pyar
pyaar dhoka dhokha breakup chhod chod jeena jina jeene marunga marungi zehar jahar phansi
fansi rassi neend goli dawai pills hostel room college school exam result fail naukri job
paisa karz loan family parivar baap pita mata beta beti pati patni biwi sasural subah shaam
raat din bas kuch koi log duniya bhagwan khuda allah ram rab maaf kuchh kabhi hamesha liye
chahta chahti sakta sakti gaya gayi jaa ja raha sorry love hate alone end tonight today
मैं में मे हूँ हूं हो है हैं का के की को से पर और या ये यह वो वह था थी थे मेरा मेरी मेरे
मुझे हम तुम आप अब अभी आज कल रहा रही रहे रहता रहती करना कर नहीं ना भी तो सब घर गांव
गाँव गली मोहल्ला जिला ज़िला थाना तहसील पास मरना जान ज़िंदगी जिंदगी आत्महत्या माँ मां पापा
भाई दीदी पुलिस भारत
"""
#: words that are part of names but never a name alone
_ALONE_WORDS = """
nagar pur ganj bazar bazaar market east west north south new old road rd street lane colony
sector city town area kalan khurd mandi नगर पुर गंज बाजार बाज़ार मंडी कॉलोनी
"""
STOP = frozenset(romanise(w) for w in _STOP_WORDS.split())
#: words after a name that make it a part of a district ("Fatehpur tehsil, Barabanki")
SUBDIVISION = frozenset(
    romanise(w)
    for w in [
        "tehsil",
        "tahsil",
        "tehseel",
        "thana",
        "block",
        "ps",
        "kshetra",
        "तहसील",
        "थाना",
        "ब्लॉक",
    ]
)
ALONE_WORDS = frozenset(romanise(w) for w in _ALONE_WORDS.split())
STOP_ALONE = STOP | ALONE_WORDS
_DIGIT = re.compile(r"[0-9]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"[\w\u0900-\u0dff\u200c\u200d]+")


class NameIndex:
    """Names -> places, by surface form, sound and skeleton."""

    def __init__(self, entries: Iterable[tuple[str, Place]]) -> None:
        self.surface: dict[str, list[Place]] = defaultdict(list)
        self.sound: dict[str, list[Place]] = defaultdict(list)
        self.skeleton: dict[str, set[str]] = defaultdict(set)
        self.by_district: dict[str, dict[str, list[Place]]] = defaultdict(lambda: defaultdict(list))
        major: set[str] = set()
        #: surface forms of names that are a whole district (never treated as stop words)
        self.district_names: set[str] = set()
        for name, place in entries:
            # most names are plain ASCII: skip the transliterator for them (start-up time)
            words = _ASCII_WORD.findall(name.lower()) if name.isascii() else romanise(name).split()
            if not words:
                continue
            surf = "".join(words)
            key = "".join(sound(w) for w in words)
            if not key:
                continue
            self.surface[surf].append(place)
            if place.kind in ("district", "old_name"):
                self.district_names.add(surf)
            self.sound[key].append(place)
            self.skeleton[skeleton(key)].add(key)
            for lgd in place.districts:
                self.by_district[lgd][key].append(place)
            if place.kind in MAJOR and len(key) >= 4:
                major.add(key)
        self.major = sorted(major)


def _dedupe(places: Iterable[Place]) -> tuple[Place, ...]:
    seen: dict[tuple[str, tuple[str, ...], str | None], Place] = {}
    for p in places:
        seen.setdefault((p.kind, p.districts, p.unit_id), p)
    return tuple(seen.values())


class Gazetteer:
    """`common`: romanised everyday words, never matched by sound or spelling (only exactly);
    `home_state`: the SMC's own state, whose names a post may name anywhere, loosely spelt."""

    def __init__(
        self,
        base: NameIndex,
        registry: NameIndex | None = None,
        common: frozenset[str] = frozenset(),
        *,
        home_state: str,
    ) -> None:
        self.base = base
        self.registry = registry or NameIndex([])
        self.common = common
        self.home_state = home_state

    def with_registry(self, entries: Iterable[tuple[str, Place]]) -> Gazetteer:
        return Gazetteer(self.base, NameIndex(entries), self.common, home_state=self.home_state)

    def namelike(self, rom: list[str]) -> bool:
        """May these romanised words be matched loosely (by sound or spelling)? Only when they
        look like a name: no everyday word in them (the generic "nagar", "ganj" aside) and one
        of at least four letters ("kisi" is a word, not a misspelt Kashi)."""
        core = [w for w in rom if w not in ALONE_WORDS]
        return (
            bool(core)
            and all(w not in self.common and not w.isdigit() for w in core)
            and any(len(w) >= 4 for w in core)
        )

    def _indexes(self) -> tuple[NameIndex, NameIndex]:
        return (self.registry, self.base)

    def _lookup(
        self, surf: str, key: str, n_words: int, loose: bool, variant: bool = True
    ) -> tuple[list[Place], float, str]:
        """`loose`: the words may be matched by sound and spelling; `variant`: at least by
        another transliteration of the same spelling ("पलवल" is "palval", "Palwal")."""
        found = [p for ix in self._indexes() for p in ix.surface.get(surf, ())]
        if found:
            return found, 1.0, "exact"
        if len(key) < 4 or not (loose or variant):
            return [], 0.0, ""
        found = [p for ix in self._indexes() for p in ix.sound.get(key, ())]
        same = spelling(surf)
        variants = [p for p in found if spelling(romanise(p.name)) == same]
        if variants:  # the same name in another script or transliteration: as good as exact
            return variants, 1.0, "exact"
        if not loose:
            return [], 0.0, ""
        if found:
            return found, 0.95, "sound"
        skel = skeleton(key)
        if n_words > 3 or len(skel) < 3 or _DIGIT.search(key):
            return [], 0.0, ""
        best: list[Place] = []
        best_score = 0.0
        for ix in self._indexes():
            for other in ix.skeleton.get(skel, ()):
                score = fuzz.ratio(key, other)
                if score >= 80 and score > best_score:
                    best, best_score = list(ix.sound[other]), score
        if best:
            return best, 0.85 * best_score / 100, "spelling"
        return [], 0.0, ""

    def find(self, text: str, *, strict: bool, fuzzy: bool = True) -> list[Mention]:
        """Non-overlapping mentions of places in `text`, longest first. `strict` (a post rather
        than an address): names count only in a locative phrase, or anywhere when they are a
        well-known place spelt exactly; villages only inside a district the text also names."""
        words = _TOKEN.findall(text)[:MAX_TEXT_WORDS]
        rom = [romanise(w).replace(" ", "") for w in words]
        snd = [sound(r) for r in rom]
        alt = [flap_variant(w) for w in words]
        # in an address, a district's own name is never a stop word ("Gaya, Bihar")
        stop = STOP if strict else STOP - self.base.district_names
        alone = STOP_ALONE if strict else STOP_ALONE - self.base.district_names
        ends, starts = locative_slots(rom) if strict else (set(), set())
        found: list[Mention] = []
        for i in range(len(words)):
            if not rom[i] or rom[i] in stop or rom[i].isdigit():
                continue
            for length in range(min(MAX_WORDS, len(words) - i), 0, -1):
                j = i + length
                if rom[j - 1] in stop or not rom[j - 1] or rom[j - 1].isdigit():
                    continue
                locative = not strict or j in ends or i in starts
                loose = locative and self.namelike(rom[i:j])
                # another transliteration of a name: always in an address, in a post only for
                # words that look like a name (मुट्ठी is "mutthi", a fist, not Muthi in J&K)
                variant = loose if strict else locative
                places, quality, method = self._lookup(
                    "".join(rom[i:j]), "".join(snd[i:j]), length, loose, variant
                )
                if method != "exact" and any(alt[i:j]):
                    other = [a or r for a, r in zip(alt[i:j], rom[i:j], strict=True)]
                    found_alt = self._lookup(
                        "".join(other), "".join(sound(w) for w in other), length, loose, variant
                    )
                    if found_alt[0] and (not places or found_alt[2] == "exact"):
                        places, quality, method = found_alt
                if length == 1 and (rom[i] in alone or (len(snd[i]) < 3 and method != "exact")):
                    continue
                if not locative:
                    # named in passing: only a well-known place of the home state, the SMC's own
                    # ("Surat", "Kota", "Puri" in a post are more often words than places)
                    places = [
                        p
                        for p in places
                        if p.kind in WELL_KNOWN and p.state in (self.home_state, None)
                    ]
                if places:
                    found.append(
                        Mention(
                            i,
                            j,
                            " ".join(words[i:j]),
                            _dedupe(places),
                            quality,
                            method,
                            locative,
                            method == "exact" and length == 1 and len(snd[i]) < 4,
                            j < len(rom) and rom[j] in SUBDIVISION,
                        )
                    )
        if fuzzy:
            found += self._typos(words, rom, snd, found)
        chosen = _non_overlapping(found)
        return self._narrow(chosen, words, rom, snd, strict, (ends, starts))

    def _typos(
        self, words: list[str], rom: list[str], snd: list[str], found: list[Mention]
    ) -> list[Mention]:
        covered = {k for m in found for k in range(m.start, m.end)}
        out = []
        for i, key in enumerate(snd):
            if i in covered or len(key) < 4 or rom[i] in STOP_ALONE or _DIGIT.search(key):
                continue
            if not self.namelike([rom[i]]):
                continue
            for ix in self._indexes():
                hit = process.extractOne(key, ix.major, scorer=fuzz.ratio, score_cutoff=80)
                if hit is not None:
                    places = [p for p in ix.sound[hit[0]] if p.kind in MAJOR]
                    out.append(
                        Mention(i, i + 1, words[i], _dedupe(places), 0.8 * hit[1] / 100, "typo")
                    )
                    break
        return out

    def _narrow(
        self,
        mentions: list[Mention],
        words: list[str],
        rom: list[str],
        snd: list[str],
        strict: bool,
        slots: tuple[set[int], set[int]],
    ) -> list[Mention]:
        named = set().union(*(anchors_of(m) for m in mentions)) if mentions else set()
        kept: list[Mention] = []
        for m in mentions:
            places = m.places
            villages = [p for p in places if p.kind == "branch_office"]
            if villages and not (named & {d for p in villages for d in p.districts}):
                districts = {d for p in villages for d in p.districts}
                if strict or len(districts) >= COMMON_VILLAGE:
                    places = tuple(p for p in places if p.kind != "branch_office")
            if strict:
                # in a post, a name from outside the home state counts only spelt exactly:
                # folded sounds of everyday words hit districts all over India ("khatam")
                places = tuple(
                    p for p in places if m.method == "exact" or p.state in (self.home_state, None)
                )
            if strict and not named:
                # a post names a locality or small town alone only in a locative phrase, and
                # only one that few districts share ("para", "naka", "mal" are words too)
                local = {d for p in places if p.kind in LOCAL for d in p.districts}
                if not m.locative or len(local) > 2:
                    places = tuple(p for p in places if p.kind not in LOCAL)
            if places:
                kept.append(m.but(places))
        out = narrow(kept, strict)
        anchors = set().union(*(anchors_of(m) for m in out)) if out else set()
        if anchors:
            out += self._within(anchors, words, rom, snd, out, strict, slots)
        return sorted(out, key=lambda m: m.start)

    def _within(
        self,
        anchors: set[str],
        words: list[str],
        rom: list[str],
        snd: list[str],
        mentions: list[Mention],
        strict: bool,
        slots: tuple[set[int], set[int]],
    ) -> list[Mention]:
        """Words not yet placed, matched leniently against the names in the named districts."""
        covered = {k for m in mentions if not m.ignored for k in range(m.start, m.end)}
        ends, starts = slots
        out: list[Mention] = []
        for i in range(len(words)):
            if i in covered or not rom[i] or rom[i] in STOP:
                continue
            for length in (2, 1):
                j = i + length
                if j > len(words) or covered & set(range(i, j)) or rom[j - 1] in STOP:
                    continue
                if length == 1 and rom[i] in STOP_ALONE:
                    continue
                if strict and j not in ends and i not in starts:
                    continue
                if not self.namelike(rom[i:j]):
                    continue
                key = "".join(snd[i:j])
                if len(key) < 4 or _DIGIT.search(key):
                    continue
                hit = self._near(key, anchors)
                if hit is not None:
                    places, score = hit
                    out.append(
                        Mention(i, j, " ".join(words[i:j]), places, 0.8 * score / 100, "nearby")
                    )
                    covered |= set(range(i, j))
                    break
        return out

    def _near(self, key: str, anchors: set[str]) -> tuple[tuple[Place, ...], float] | None:
        best: tuple[tuple[Place, ...], float] | None = None
        for ix in self._indexes():
            for lgd in anchors:
                names = ix.by_district.get(lgd)
                if not names:
                    continue
                choices = [k for k in names if not _DIGIT.search(k)]
                hit = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=82)
                if hit is not None and (best is None or hit[1] > best[1]):
                    best = (_dedupe(names[hit[0]]), hit[1])
        return best


def _rank(m: Mention) -> float:
    """Strong names beat long weak ones: "Patna, Bihar" is Patna and Bihar, not a village
    whose name sounds like "Patna Bihar"."""
    best = max(RANK_WEIGHT.get(p.kind, KIND_WEIGHT[p.kind]) for p in m.places)
    return best * m.quality + 0.05 * (m.end - m.start - 1)


def _non_overlapping(mentions: list[Mention]) -> list[Mention]:
    chosen: list[Mention] = []
    taken: set[int] = set()
    for m in sorted(mentions, key=_rank, reverse=True):
        span = set(range(m.start, m.end))
        if span & taken:
            continue
        chosen.append(m)
        taken |= span
    return sorted(chosen, key=lambda m: m.start)
