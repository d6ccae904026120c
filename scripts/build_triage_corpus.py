"""Build Lifeline's triage corpus from the hand-written seed posts in scripts/triage_corpus/.

    .venv/bin/python scripts/build_triage_corpus.py   # writes src/lifeline/data/triage/corpus.jsonl

Every seed line in `scripts/triage_corpus/{en,hi-Latn,hi}.txt` is a post written for this
corpus under a `[level LEVEL]` heading (see docs/triage-guide.md). The script keeps each seed
as written and adds a few variants of it the way such posts appear on social media: a line of
context before it (a situation from the `[pool stress]` list, an everyday line from
`[pool daily]`...), emoji, hashtags, romanisation variants (nahi/nhi/nai, hai/h, main/mai),
misspellings, elongated words, no punctuation, Devanagari with and without nukta.

A seed and all its variants form one `group`. Many seeds were written as the same thought in
the three registers, and a Devanagari post and its Hinglish twin look alike once
transliterated; such seeds are joined into one `family` (an English seed with the Hinglish seed
at the same level and position; a Devanagari seed with any Hinglish seed of its level whose
transliterated skeleton shares half its trigrams), and whole families go to
`train` or `test` (about one in five is held out, by a hash of the family id), so no variant or
translation of a held-out post is ever trained on. Same seeds, same corpus.

Seeds under `[more LEVEL]` and `[paired LEVEL]` headings (later batches) get MORE_VARIANTS
variants each from their own random stream, after all the `[level LEVEL]` seeds, so the first
batch's posts, families and splits stay exactly as they were. `[paired]` seeds of the English
and Hinglish files were written as the same posts in the same order and are joined by position;
`[more]` seeds are not. Both also join any seed of their level (Hindi or Hinglish for those two,
English for English) whose skeleton shares JOIN_SIMILARITY_MORE of its trigrams, a looser bar
because a rewrite, unlike a transliteration, changes words. Joins only ever hang a later family
under a first-batch one, so a paraphrase of a held-out first-batch post is held out with it; a
later seed that would tie two first-batch families together, one held out and one not, is
reported and left out.

Seeds under `[varied LEVEL]` headings (the fourth batch, group ids v###) and then under
`[fifth LEVEL]`, `[sixth LEVEL]` and `[seventh LEVEL]` headings (f###, s###, e###: batches
written by other hands from the annotation guide alone, the sixth through imagined personas, the
seventh in long posts, replies and regional registers) come after all of those, each batch
from its own random stream (LATE_BATCHES), and never change an older family; from the fifth
batch on, a seed that paraphrases a post of the fresh evaluation sets
(tests/data/triage_unseen*.jsonl) is left out. A batch's seeds are joined to each other (Hindi
with Hinglish, English with English, at JOIN_SIMILARITY_MORE) and the joined cluster is hung
under the older family it paraphrases; one that paraphrases older families held out on one
side and trained on the other is reported and left out. So every older post keeps its text,
family and split. The eighth batch (h###) is written by other hands from the guide with a
subject for every post and brought in by scripts/import_triage_batch.py, which writes
scripts/triage_corpus/eighth/{en,hi-Latn,hi}.txt (read after the seed files, `read_language`);
it is guarded against fresh sets 1-6, where the fifth to seventh stay guarded by the five that
existed when they were written: each batch by the sets that existed when it was written, so a
fresh set written later never changes an older batch (scripts/fresh_overlap.py checks a new
set against the whole corpus instead). Before it, the threats
batch (t###, scripts/triage_corpus/threats/) holds anger, abuse and threats at others written
for the project (`none`, `general`): a first-person threat is not intent to die. After it, the
everyday batch (y###, scripts/triage_corpus/everyday/: results day, sites and shops shut, dead
phone batteries and curses at others, written for the project, with a few of the author's own
risk in the same frames) and the ninth (n###, other hands, scripts/import_triage_batch.py from
two folders) are guarded against fresh sets 1-7, and the tenth (x###, other hands, four
folders: ordinary first-person chatter, rants, abuse, helpers, news and memorials beside at-risk
posts in the same registers) against fresh sets 1-8. The eleventh batch (other hands: calm
plain at-risk posts and their look-alikes, abuse at others, long English forum posts) is
imported in scripts/triage_corpus/eleventh/ (guarded by fresh sets 1-8) but not built: the model
trained with it (1.0+f0deb74b) was not better on the held-out split (docs/model-card.md); to
build it, add `("eleventh", "k", 20270801, FRESH_1_TO_8)` to LATE_BATCHES.

Every record has a `subject` (docs/triage-guide.md, *Subject*): `self`, `other` or `general`.
A heading may name one for all its seeds (`[eighth discussion other]`); a seed may end in a mark,
`{SUBJECT}` or `{SUBJECT LEVEL}`, that gives its subject and, when the post is about a person
whose level is not the heading's, that level (`mera dost bol raha hai wo suicide kar lega
{other intent}` under `[level discussion]`, written before subjects existed). An unmarked seed
is `self` from distress up and `general` below (`default_subject`). A mark changes the record's
level and subject only: the group id keeps the heading's level, and families, joins, variants
and splits are made as before, so relabelling never moves a post between train and test.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lifeline.adapters.classifier.normalise import views

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "triage_corpus"
OUTPUT = ROOT / "src" / "lifeline" / "data" / "triage" / "corpus.jsonl"
LANGUAGES = ("en", "hi-Latn", "hi")
LEVELS = ("none", "discussion", "distress", "ideation", "intent", "imminent")
AT_RISK = ("ideation", "intent", "imminent")
TARGET_PER_CELL = 240
MAX_VARIANTS = 6
TEST_SHARE = 5  # one family in five is held out
JOIN_SIMILARITY = 0.5  # Jaccard similarity of trigram sets that joins a Hindi and a Hinglish seed
JOIN_SIMILARITY_MORE = 0.3  # the same for a second-batch seed and any seed of its level
MORE_VARIANTS = 3  # a second-batch seed and two variants
MORE_SEED = 20261201
#: the batches that come after all older posts and never change them, in order: heading,
#: group-id letter, random stream of their variants, and whether seeds that paraphrase a fresh
#: post (FRESH) are left out (from the fifth batch on: its writers and a fresh set's worked apart
#: but alike, and a fresh set measures the model only while nothing like it is trained on)
#: (the fifth to seventh batches are guarded by the five fresh sets that existed when they were
#: written, so a later fresh set never changes them; the eighth by every fresh set)
FRESH_1_TO_5 = tuple(f"triage_unseen{n}.jsonl" for n in ("", "_2", "_3", "_4", "_5"))
FRESH_1_TO_6 = (*FRESH_1_TO_5, "triage_unseen_6.jsonl")
FRESH_1_TO_7 = (*FRESH_1_TO_6, "triage_unseen_7.jsonl")
FRESH_1_TO_8 = (*FRESH_1_TO_7, "triage_unseen_8.jsonl")
LATE_BATCHES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("varied", "v", 20270115, ()),
    ("fifth", "f", 20270301, FRESH_1_TO_5),
    ("sixth", "s", 20270401, FRESH_1_TO_5),
    ("seventh", "e", 20270501, FRESH_1_TO_5),
    ("threats", "t", 20270515, FRESH_1_TO_6),
    ("eighth", "h", 20270601, FRESH_1_TO_6),
    ("everyday", "y", 20270615, FRESH_1_TO_7),
    ("ninth", "n", 20270701, FRESH_1_TO_7),
    ("tenth", "x", 20270715, FRESH_1_TO_8),
)
LATE_HEADINGS = "|".join(b[0] for b in LATE_BATCHES)
FRESH = ROOT / "tests" / "data"
SEPARATORS = (" ", ". ", " ... ", "\n", ", ")

EMOJI = {
    "none": ["😂", "🤣", "😅", "🔥", "💯", "😍", "🙌", "😎", "🤦", "💀", "😭😂", "👍", "🎉"],
    "discussion": ["🙏", "🕯️", "💔", "😢", "🥺", "🙏🙏", "💐", "📞", "💙"],
    "distress": ["😔", "😞", "😭", "💔", "🥀", "😶", "😩", "😢😢", "🖤", "😪"],
    "ideation": ["😭", "💔", "🥀", "😔", "🖤", "😞", "😭😭", "🙏", "😶"],
    "intent": ["💔", "🙏", "😭", "🥀", "👋", "🖤", "😔", "💔💔"],
    "imminent": ["💔", "🙏", "😭", "👋", "🥀", "😭😭😭", "🖤"],
}
HASHTAGS = {
    "en": [
        "#depression",
        "#mentalhealth",
        "#NEET",
        "#Kota",
        "#exams",
        "#loanapp",
        "#life",
        "#alone",
        "#sad",
        "#news",
        "#trending",
        "#India",
        "#UPPolice",
        "#farmers",
    ],
    "hi-Latn": [
        "#NEET",
        "#Kota",
        "#depression",
        "#zindagi",
        "#sad",
        "#loanapp",
        "#dukh",
        "#dard",
        "#kisan",
        "#news",
        "#UP",
        "#Lucknow",
        "#life",
    ],
    "hi": ["#डिप्रेशन", "#ज़िंदगी", "#दुख", "#NEET", "#किसान", "#खबर", "#यूपी", "#लखनऊ", "#sad"],
}
#: romanisation variants people really type, applied word by word to Hinglish seeds
HINGLISH_VARIANTS = {
    "hai": ["h", "he", "hai", "hai", "hain"],
    "hain": ["h", "hai", "hai"],
    "nahi": ["nhi", "nai", "nahin", "nahi", "ni"],
    "nhi": ["nahi", "nai", "nhi"],
    "main": ["mai", "me", "main", "mein"],
    "mai": ["main", "me", "mai"],
    "mujhe": ["muje", "mjhe", "mujhe", "mujhko"],
    "kya": ["kia", "kyaa", "kya"],
    "kyun": ["kyu", "kyon", "q", "kyun"],
    "hoon": ["hu", "hun", "hoon", "hu"],
    "hu": ["hoon", "hun", "hu"],
    "raha": ["rha", "raha"],
    "rahi": ["rhi", "rahi"],
    "gaya": ["gya", "gaya"],
    "gayi": ["gyi", "gai", "gayi"],
    "bahut": ["bhut", "bohot", "bahot", "bht"],
    "kar": ["kr", "kar"],
    "karna": ["krna", "karna"],
    "sab": ["sb", "sab"],
    "kuch": ["kuchh", "kch", "kuch"],
    "yaar": ["yr", "yar", "yaarr", "yaar"],
    "please": ["plz", "pls", "plss", "please"],
    "sorry": ["sry", "sorry", "sorryy"],
    "zindagi": ["jindagi", "zindgi", "zindagi"],
    "bhi": ["bhe", "bhi"],
    "aur": ["or", "aur"],
    "toh": ["to", "toh"],
    "mummy": ["mumma", "mummy", "maa", "mumy"],
    "ab": ["abb", "ab"],
    "abhi": ["abi", "abhi"],
    "aaj": ["aj", "aaj"],
    "raat": ["rat", "raat"],
    "karunga": ["krunga", "karunga", "karoonga"],
    "jaunga": ["jaunga", "jaaunga", "jaoonga"],
    "hoga": ["hga", "hoga"],
    "mera": ["mra", "mera"],
    "meri": ["mri", "meri"],
    "mere": ["mre", "mere"],
    "kabhi": ["kbhi", "kabhi"],
    "dost": ["dost", "dosto"],
}
ENGLISH_VARIANTS = {
    "you": ["u", "you"],
    "your": ["ur", "your"],
    "please": ["pls", "plz", "please"],
    "don't": ["dont", "don't", "do not"],
    "i'm": ["im", "i'm", "Im"],
    "can't": ["cant", "can't"],
    "won't": ["wont", "won't"],
    "i've": ["ive", "i've"],
    "tonight": ["tonite", "tonight"],
    "tomorrow": ["tmrw", "tomorrow"],
    "because": ["bcoz", "cuz", "because", "bc"],
    "going to": ["gonna", "going to"],
    "want to": ["wanna", "want to"],
    "people": ["ppl", "people"],
    "really": ["rly", "really"],
    "right now": ["rn", "right now"],
    "okay": ["ok", "okay", "k"],
    "i'll": ["ill", "i'll"],
    "that's": ["thats", "that's"],
    "it's": ["its", "it's"],
}
HINDI_VARIANTS = {
    "नहीं": ["नही", "नहीं", "नहि"],
    "मैं": ["मै", "मैं"],
    "हूँ": ["हूं", "हू", "हूँ"],
    "हूं": ["हूँ", "हू", "हूं"],
    "ज़िंदगी": ["जिंदगी", "ज़िन्दगी", "जिन्दगी"],
    "ज़हर": ["जहर", "ज़हर"],
    "क्यों": ["क्यूं", "क्यो", "क्यों"],
    "बहुत": ["बोहोत", "बहोत", "बहुत"],
    "है": ["हैं", "है"],
    "मुझे": ["मुझको", "मुझे"],
    "सॉरी": ["sorry", "सॉरी", "सोरी"],
}


def parse_sources(path: Path) -> dict[str, list[str]]:
    """`[level X]` and `[pool Y]` sections; blank lines and lines starting with # are skipped.
    A seed's subject mark (see `parse_marks`) is not part of its text."""
    return _parse(path)[0]


def parse_marks(path: Path) -> dict[str, list[Mark]]:
    """For each section, per seed, the subject and level it was marked with (None: unmarked).

    A heading may name a subject for all its seeds, `[eighth discussion other]`; a seed line may
    end in a mark, `{other intent}` or `{self}`, that names its subject and, optionally, the level
    of the person it is about when that is not the heading's level (a report about a friend in
    danger written under `discussion` before subjects existed). The mark relabels a seed; its
    group id, family and split stay those of its heading (see `seed_labels`)."""
    return _parse(path)[1]


Mark = tuple[str | None, str | None]  # (subject, level) a seed was marked with
SUBJECTS = ("self", "other", "general")
_MARK = re.compile(rf"\s*\{{({'|'.join(SUBJECTS)})(?: ({'|'.join(LEVELS)}))?\}}$")


def _parse(path: Path) -> tuple[dict[str, list[str]], dict[str, list[Mark]]]:
    sections: dict[str, list[str]] = {}
    marks: dict[str, list[Mark]] = {}
    current: list[str] | None = None
    current_marks: list[Mark] = []
    heading_subject: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        header = re.fullmatch(
            rf"\[(level|pool|more|paired|{LATE_HEADINGS}) ([\w-]+)(?: (\w+))?\]", line
        )
        if header:
            if header[3] is not None and header[3] not in SUBJECTS:
                raise SystemExit(f"{path}:{number}: {header[3]!r} is not a subject {SUBJECTS}")
            key = f"{header[1]}:{header[2]}"
            current = sections.setdefault(key, [])
            current_marks = marks.setdefault(key, [])
            heading_subject = header[3]
            continue
        if current is None:
            raise SystemExit(f"{path}: text before the first [level]/[pool] heading: {line!r}")
        mark = _MARK.search(line)
        if mark is None and re.search(r"\{\w+(?: \w+)?\}$", line):
            raise SystemExit(
                f"{path}:{number}: a mark is {{SUBJECT}} or {{SUBJECT LEVEL}} with a subject of "
                f"{SUBJECTS} and a level of {LEVELS}: {line!r}"
            )
        if mark:
            line = line[: mark.start()]
            current_marks.append((mark[1], mark[2]))
        else:
            current_marks.append((heading_subject, None))
        current.append(line)
    return sections, marks


def read_language(language: str) -> tuple[dict[str, list[str]], dict[str, list[Mark]]]:
    """The sections and marks of a language: scripts/triage_corpus/LANGUAGE.txt, then the files
    of imported batches, scripts/triage_corpus/HEADING/LANGUAGE.txt (import_triage_batch.py)."""
    sections, marks = _parse(SOURCES / f"{language}.txt")
    for heading, *_ in LATE_BATCHES:
        path = SOURCES / heading / f"{language}.txt"
        if path.is_file():
            more, more_marks = _parse(path)
            for key, lines in more.items():
                sections.setdefault(key, []).extend(lines)
                marks.setdefault(key, []).extend(more_marks[key])
    return sections, marks


def default_subject(level: str) -> str:
    """The subject of an unmarked seed: the author from distress up, nobody in particular below
    (the rule every seed was written under before subjects: discussion was "not the author")."""
    return "self" if LEVELS.index(level) >= LEVELS.index("distress") else "general"


def seed_labels(marks: dict[str, dict[str, list[Mark]]]) -> dict[str, tuple[str, str]]:
    """Group id -> (level, subject) of every seed: the mark's, or the heading's level and the
    default subject. The group id keeps the heading's level (so families never move)."""
    kinds = [("level", ""), ("more", "m"), ("paired", "p"), *((b[0], b[1]) for b in LATE_BATCHES)]
    out = {}
    for language, sections in marks.items():
        for kind, letter in kinds:
            for level in LEVELS:
                for i, (subject, marked) in enumerate(sections.get(f"{kind}:{level}", [])):
                    final = marked or level
                    out[f"{language}:{level}:{letter}{i:03d}"] = (
                        final,
                        subject or default_subject(final),
                    )
    return out


def split_of(family: str) -> str:
    digest = hashlib.sha256(family.encode()).digest()
    return "test" if digest[0] % TEST_SHARE == 0 else "train"


def _trigrams(text: str) -> set[str]:
    skeleton = f" {views(text).skeleton} "
    return {skeleton[i : i + 3] for i in range(len(skeleton) - 2)}


def families(
    seeds: dict[tuple[str, str], list[str]], later: dict[str, tuple[str, str, str]] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Group id -> family id, joining translations and rewrites (see the module docstring), and
    the second-batch groups left out because they would tie two first-batch families."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for (language, level), texts in seeds.items():
        for i in range(len(texts)):
            group = f"{language}:{level}:{i:03d}"
            find(group)
            if language == "en" and i < len(seeds[("hi-Latn", level)]):
                union(group, f"hi-Latn:{level}:{i:03d}")
    for level in LEVELS:
        hindi = [_trigrams(t) for t in seeds[("hi", level)]]
        hinglish = [_trigrams(t) for t in seeds[("hi-Latn", level)]]
        for i, a in enumerate(hindi):
            for j, b in enumerate(hinglish):
                if len(a & b) >= JOIN_SIMILARITY * len(a | b):
                    union(f"hi:{level}:{i:03d}", f"hi-Latn:{level}:{j:03d}")
    left_out = _join_later(later or {}, seeds, parent, find)
    return {g: find(g) for g in parent}, left_out


def _similar(a: set[str], b: set[str]) -> bool:
    return len(a & b) >= JOIN_SIMILARITY_MORE * len(a | b)


def later_seeds(
    sources: dict[str, dict[str, list[str]]],
    kinds: tuple[tuple[str, str], ...] = (("more", "m"), ("paired", "p")),
) -> dict[str, tuple[str, str, str]]:
    """Group id -> (language, level, text) of the `[more]` (m###) and `[paired]` (p###) seeds,
    or of the batches named in `kinds` (`[varied]`: v###)."""
    out = {}
    for kind, letter in kinds:
        for language in LANGUAGES:
            for level in LEVELS:
                for i, text in enumerate(sources[language].get(f"{kind}:{level}", [])):
                    out[f"{language}:{level}:{letter}{i:03d}"] = (language, level, text)
    return out


def _kin(a: str, b: str) -> bool:
    """Languages whose seeds may paraphrase each other (Hindi in either script)."""
    return a == b or {a, b} == {"hi", "hi-Latn"}


Grams = dict[str, tuple[str, str, set[str]]]  # group id -> (language, level, trigrams)


def _join_similar(new: Grams, parent: dict[str, str], find: Callable[[str], str]) -> None:
    """Put new groups of one level that paraphrase each other in one family."""
    ids = sorted(new)
    for x, gx in enumerate(ids):
        for gy in ids[x + 1 :]:
            (la, va, ta), (lb, vb, tb) = new[gx], new[gy]
            if va == vb and _kin(la, lb) and _similar(ta, tb):
                parent[find(gx)] = find(gy)


def _anchors(
    new: Grams, old: Grams, find: Callable[[str], str], family: Callable[[str], str]
) -> dict[str, set[str]]:
    """For each new family, the families of the older groups it paraphrases."""
    found: dict[str, set[str]] = {}
    for g, (lang, level, grams) in new.items():
        for h, (lang2, level2, grams2) in old.items():
            if level2 == level and _kin(lang, lang2) and _similar(grams, grams2):
                found.setdefault(find(g), set()).add(family(h))
    return found


def _join_later(
    later: dict[str, tuple[str, str, str]],
    seeds: dict[tuple[str, str], list[str]],
    parent: dict[str, str],
    find: Callable[[str], str],
) -> list[str]:
    """Join later groups to each other and under first-batch families."""
    first_roots = {find(g) for g in list(parent)}
    new = {g: (lang, level, _trigrams(t)) for g, (lang, level, t) in later.items()}
    old = {
        f"{lang}:{level}:{i:03d}": (lang, level, _trigrams(t))
        for (lang, level), texts in seeds.items()
        for i, t in enumerate(texts)
    }

    for g in new:
        find(g)
    for g in new:
        twin = g.replace("en:", "hi-Latn:", 1)
        if g.startswith("en:") and ":p" in g and twin in new:
            parent[find(g)] = find(twin)
    _join_similar(new, parent, find)
    anchors = _anchors(new, old, find, find)
    left_out = []
    for root, olds in sorted(anchors.items()):
        if len({split_of(r) for r in olds}) > 1:
            left_out += [g for g in new if find(g) == root]
            continue
        anchor = min(olds)
        assert anchor in first_roots and root not in first_roots
        parent[root] = anchor
    return sorted(left_out)


def join_batch(
    batch: dict[str, tuple[str, str, str]],
    older: dict[str, tuple[str, str, str]],
    family_of: dict[str, str],
) -> tuple[dict[str, str], list[str]]:
    """Families of the groups of a late batch (see the module docstring): group id -> family id,
    and the groups left out because they paraphrase older families of both splits. `older`
    holds every older seed as group id -> (language, level, text); `family_of` their families,
    which are never changed."""
    parent: dict[str, str] = {g: g for g in batch}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    new = {g: (lang, level, _trigrams(t)) for g, (lang, level, t) in batch.items()}
    old = {g: (lang, level, _trigrams(t)) for g, (lang, level, t) in older.items()}
    ids = sorted(new)
    _join_similar(new, parent, find)
    anchors = _anchors(new, old, find, family_of.__getitem__)
    out: dict[str, str] = {}
    left_out: list[str] = []
    for g in ids:
        root = find(g)
        olds = anchors.get(root, set())
        if len({split_of(f) for f in olds}) > 1:
            left_out.append(g)
        else:
            out[g] = min(olds) if olds else root
    return out, left_out


def _swap_words(text: str, table: dict[str, list[str]], rng: random.Random, p: float) -> str:
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        options = table.get(word.lower())
        if options and rng.random() < p:
            return rng.choice(options)
        return word

    for phrase in [k for k in table if " " in k]:
        if phrase in text.lower() and rng.random() < p:
            text = re.sub(re.escape(phrase), rng.choice(table[phrase]), text, flags=re.IGNORECASE)
    return re.sub(r"[\w'\u0900-\u097F]+", swap, text)


def _elongate(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 3 and w[-1].isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    words[i] = words[i] + words[i][-1] * rng.randint(2, 5)
    return " ".join(words)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isascii() and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def _strip_punctuation(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[.,!?;:।\"]", " ", text)).strip()


def surface(text: str, language: str, rng: random.Random) -> str:
    if language == "hi-Latn":
        text = _swap_words(text, HINGLISH_VARIANTS, rng, 0.45)
    elif language == "en":
        text = _swap_words(text, ENGLISH_VARIANTS, rng, 0.4)
    else:
        text = _swap_words(text, HINDI_VARIANTS, rng, 0.4)
        if rng.random() < 0.3:
            text = text.replace("\u093c", "")
    if rng.random() < 0.45:
        text = _strip_punctuation(text)
    if language != "hi" and rng.random() < 0.5:
        text = text.lower()
    elif language != "hi" and rng.random() < 0.08:
        text = text.upper()
    if rng.random() < 0.25:
        text = _elongate(text, rng)
    if language != "hi" and rng.random() < 0.2:
        text = _typo(text, rng)
    return text


def compose(
    seed: str, language: str, level: str, pools: dict[str, list[str]], rng: random.Random
) -> str:
    text = seed
    if level in ("distress", *AT_RISK) and rng.random() < 0.45:
        context = rng.choice(pools["stress"])
        text = f"{context}{rng.choice(SEPARATORS)}{text}"
    elif level == "none" and rng.random() < 0.3:
        text = f"{rng.choice(pools['daily'])} {text}"
    elif level == "discussion" and rng.random() < 0.25:
        text = f"{rng.choice(pools['discussion'])} {text}"
    if level in AT_RISK and rng.random() < 0.2:
        text = f"{text} {rng.choice(pools['closing'])}"
    text = surface(text, language, rng)
    if rng.random() < 0.4:
        text = f"{text} {rng.choice(EMOJI[level])}"
    if rng.random() < 0.12:
        text = f"{text} {' '.join(rng.sample(HASHTAGS[language], rng.randint(1, 3)))}"
    return text


def build() -> list[dict[str, str]]:
    rng = random.Random(20261128)
    records: list[dict[str, str]] = []
    seen: set[str] = set()
    sources = {lang: read_language(lang)[0] for lang in LANGUAGES}
    labels = seed_labels({lang: read_language(lang)[1] for lang in LANGUAGES})
    all_seeds: dict[tuple[str, str], list[str]] = {}
    for language, sections in sources.items():
        for level in LEVELS:
            all_seeds[(language, level)] = sections.get(f"level:{level}", [])
            if not all_seeds[(language, level)]:
                raise SystemExit(f"{language}: no seeds for level {level}")
    later = later_seeds(sources)
    family_of, left_out = families(all_seeds, later)
    for group in left_out:
        print(f"left out {group}: it is like first-batch posts of both splits", file=sys.stderr)
    pools_of = {
        language: {k.split(":", 1)[1]: v for k, v in sections.items() if k.startswith("pool:")}
        for language, sections in sources.items()
    }

    def later_records(
        groups: dict[str, tuple[str, str, str]],
        skip: list[str],
        family: dict[str, str],
        rng: random.Random,
    ) -> list[dict[str, str]]:
        out = []
        for group, (language, level, seed) in groups.items():
            if group not in skip:
                texts = _variants(seed, language, level, pools_of[language], rng, MORE_VARIANTS)
                out += _records(group, texts, labels[group], language, family[group], seen)
        return out

    for language in LANGUAGES:
        pools = pools_of[language]
        for level in LEVELS:
            seeds = all_seeds[(language, level)]
            variants = min(MAX_VARIANTS, max(1, -(-TARGET_PER_CELL // len(seeds))))
            for i, seed in enumerate(seeds):
                group = f"{language}:{level}:{i:03d}"
                texts = _variants(seed, language, level, pools, rng, variants)
                records += _records(group, texts, labels[group], language, family_of[group], seen)
    records += later_records(later, left_out, family_of, random.Random(MORE_SEED))
    older = {
        f"{lang}:{level}:{i:03d}": (lang, level, t)
        for (lang, level), texts in all_seeds.items()
        for i, t in enumerate(texts)
    }
    older.update({g: v for g, v in later.items() if g not in left_out})
    for kind, letter, stream, guarded in LATE_BATCHES:
        batch = later_seeds(sources, ((kind, letter),))
        if guarded:
            fresh = fresh_posts(*guarded)
            for group, (language, _level, text) in list(batch.items()):
                post = fresh_paraphrased(language, text, fresh)
                if post:
                    print(f"left out {group}: it paraphrases fresh post {post}", file=sys.stderr)
                    del batch[group]
        batch_family, batch_left_out = join_batch(batch, older, family_of)
        for group in batch_left_out:
            print(f"left out {group}: it is like older posts of both splits", file=sys.stderr)
        records += later_records(batch, batch_left_out, batch_family, random.Random(stream))
        # the next batch is joined to this one's posts as to any older post
        family_of.update(batch_family)
        older.update({g: v for g, v in batch.items() if g not in batch_left_out})
    return records


def fresh_posts(*patterns: str) -> dict[str, tuple[str, set[str]]]:
    """The fresh evaluation posts (tests/data/triage_unseen*.jsonl, or the files named by
    `patterns`): id -> (language, trigrams)."""
    out = {}
    paths = {p for pattern in patterns or ("triage_unseen*.jsonl",) for p in FRESH.glob(pattern)}
    for path in sorted(paths):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                out[f"{path.stem}:{r['id']}"] = (r["language"], _trigrams(r["text"]))
    return out


def fresh_paraphrased(
    language: str, text: str, fresh: dict[str, tuple[str, set[str]]]
) -> str | None:
    """The fresh post (of `fresh_posts`) that `text` paraphrases, if any."""
    grams = _trigrams(text)
    for post, (lang, other) in fresh.items():
        if _kin(language, lang) and _similar(grams, other):
            return post
    return None


def _variants(
    seed: str, language: str, level: str, pools: dict[str, list[str]], rng: random.Random, n: int
) -> list[str]:
    texts = [seed]
    tries = 0
    while len(texts) < n and tries < n * 5:
        tries += 1
        candidate = compose(seed, language, level, pools, rng)
        if candidate not in texts:
            texts.append(candidate)
    return texts


def _records(
    group: str,
    texts: list[str],
    label: tuple[str, str],
    language: str,
    family: str,
    seen: set[str],
) -> list[dict[str, str]]:
    level, subject = label
    out = []
    for v, text in enumerate(texts):
        if text in seen:
            continue
        seen.add(text)
        out.append(
            {
                "id": f"{group}:{v}",
                "text": text,
                "level": level,
                "subject": subject,
                "language": language,
                "group": group,
                "family": family,
                "split": split_of(family),
                "source": "seed" if v == 0 else "variant",
            }
        )
    return out


def main() -> None:
    records = build()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    cells = Counter((r["language"], r["level"]) for r in records)
    splits = Counter((r["language"], r["split"]) for r in records)
    print(f"wrote {len(records)} posts to {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    for language in LANGUAGES:
        row = "  ".join(f"{level}={cells[(language, level)]}" for level in LEVELS)
        print(f"  {language:8} {row}  (test {splits[(language, 'test')]})", file=sys.stderr)


if __name__ == "__main__":
    main()
