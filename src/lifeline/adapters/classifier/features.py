"""From text to feature rows: windows, normalised views, hashed n-grams and cue indicators.

A post is cut into windows of WINDOW_WORDS words (overlapping by half) when it is longer than
that; each window is one row. Rows are [character 2-5-grams of the skeleton view | word 1-2-grams
of the skeleton view | cue indicators and their conjunctions]. The two n-gram blocks are hashed
(no vocabulary to store), weighted by TF-IDF and L2-normalised separately.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from lifeline.adapters.classifier.cues import CueDetector, Span
from lifeline.adapters.classifier.hashing import SparseRows, cached_hashing, tfidf
from lifeline.adapters.classifier.lexicon import TAGS
from lifeline.adapters.classifier.normalise import skeleton, views

WINDOW_WORDS = 48
WINDOW_STRIDE = 24
_TOKEN = re.compile(r"\S+")

_RISK = ("method", "attempt", "intent", "farewell", "suicide", "ideation")
_ACT = ("method", "attempt", "suicide", "ideation", "farewell", "death")
#: (name, tags that must all be present, tags of which one must be present, tags absent)
CONJUNCTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("time+risk", ("time",), _RISK, ()),
    ("now+risk", ("now",), _RISK, ("third_party", "news")),
    ("later+risk", ("later",), _RISK, ("third_party", "news")),
    ("now+attempt", ("now", "attempt"), (), ()),
    ("attempt+method", ("attempt", "method"), (), ("third_party", "news")),
    ("farewell+now", ("farewell", "now"), (), ()),
    ("intent+method", ("intent", "method"), (), ("third_party", "news")),
    (
        "future+act",
        ("future",),
        ("method", "suicide", "death", "ideation"),
        ("third_party", "news", "threat", "idiom"),
    ),
    (
        "future+self+act",
        ("future", "self"),
        ("method", "suicide", "death"),
        ("third_party", "news", "threat"),
    ),
    ("intent+death", ("intent",), ("death", "suicide", "ideation"), ("third_party", "news")),
    ("intent-only", ("intent",), (), _ACT),
    ("farewell-only", ("farewell",), (), (*_ACT[:-2], "intent", "time")),
    ("method-only", ("method",), (), ("attempt", "intent", "suicide", "ideation", "farewell")),
    ("method+act", ("method",), ("intent", "attempt", "suicide", "ideation"), ()),
    ("method+self", ("method", "self"), (), ("third_party", "news")),
    ("farewell+risk", ("farewell",), ("time", "method", "attempt", "suicide", "intent"), ()),
    ("live+risk", ("live",), ("suicide", "method", "farewell", "time", "intent"), ()),
    ("negation+risk", ("negation",), ("suicide", "ideation", "intent"), ()),
    ("third+risk", ("third_party",), ("suicide", "ideation", "attempt", "intent", "method"), ()),
    ("news+suicide", ("news", "suicide"), (), ()),
    ("support+suicide", ("support", "suicide"), (), ()),
    ("idiom-only", ("idiom",), (), ("suicide", "ideation", "attempt", "intent")),
    ("threat-only", ("threat",), (), ("suicide", "ideation", "attempt")),
    ("attempt+self", ("attempt", "self"), (), ("third_party", "news")),
    ("suicide+self", ("suicide", "self"), (), ("third_party", "news", "support")),
    ("ideation+self", ("ideation", "self"), (), ("third_party", "news")),
    ("death+self", ("death", "self"), (), ("third_party", "news", "idiom", "threat")),
    ("death+third", ("death", "third_party"), (), ()),
    # an everyday shutdown or results-day logistics with nothing of risk ("result aaj
    # aayega", "aaj result ki site phir se band hai"); death wished on someone else with
    # nothing of the author's own ("tu mar ja kamine")
    ("time-only", ("time",), (), (*_RISK, "death", "hopelessness")),
    ("everyday-only", ("everyday",), (), (*_RISK, "hopelessness")),
    ("curse-only", ("curse",), (), (*_RISK, "hopelessness")),
)
#: how many distinct kinds of risk evidence a post carries (1, 2, 3 or more)
EVIDENCE_LEVELS = (1, 2, 3)
CUE_FEATURES = (
    *TAGS,
    *(c[0] for c in CONJUNCTIONS),
    *(f"risk>={n}" for n in EVIDENCE_LEVELS),
)


@dataclass(frozen=True)
class Window:
    start: int
    end: int


def windows(text: str) -> list[Window]:
    """Overlapping word windows covering `text` (one window for a short post)."""
    if len(text.split(None, WINDOW_WORDS)) <= WINDOW_WORDS:  # the words _TOKEN finds
        return [Window(0, len(text))]
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out: list[Window] = []
    i = 0
    while True:
        last = min(i + WINDOW_WORDS, len(tokens)) - 1
        out.append(Window(tokens[i][0], tokens[last][1]))
        if last == len(tokens) - 1:
            return out
        i += WINDOW_STRIDE


def cue_row(tags: set[str] | frozenset[str]) -> list[float]:
    return list(_cue_row(frozenset(tags)))


@lru_cache(maxsize=4096)
def _cue_row(tags: frozenset[str]) -> tuple[float, ...]:
    """Cached: posts share few sets of tags (most have none or one)."""
    row = [1.0 if tag in tags else 0.0 for tag in TAGS]
    for _, required, any_of, absent in CONJUNCTIONS:
        ok = (
            all(t in tags for t in required)
            and (not any_of or any(t in tags for t in any_of))
            and not any(t in tags for t in absent)
        )
        row.append(1.0 if ok else 0.0)
    evidence = sum(1 for t in (*_RISK, "now", "live") if t in tags)
    row.extend(1.0 if evidence >= n else 0.0 for n in EVIDENCE_LEVELS)
    return tuple(row)


class Featurizer:
    """Turns texts (or windows of texts) into rows; holds the fitted IDF weights."""

    def __init__(
        self,
        char: HashingVectorizer,
        word: HashingVectorizer,
        char_idf: TfidfTransformer,
        word_idf: TfidfTransformer,
        cue_weight: float,
        detector: CueDetector | None = None,
    ) -> None:
        self.char, self.word = char, word
        self.char_idf, self.word_idf = char_idf, word_idf
        self.cue_weight = cue_weight
        self.detector = detector or CueDetector()
        self._hashing = (cached_hashing(char), cached_hashing(word))

    @staticmethod
    def vectorizers(char_bits: int = 18, word_bits: int = 17) -> tuple[HashingVectorizer, ...]:
        common = {"alternate_sign": False, "norm": None, "lowercase": False, "dtype": np.float32}
        char = HashingVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), n_features=2**char_bits, **common
        )
        word = HashingVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            token_pattern=r"\S+",  # noqa: S106 (a regex, not a password)
            n_features=2**word_bits,
            **common,
        )
        return char, word

    def raw(self, skeletons: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The hashed n-gram counts, by scikit-learn alone (what `hashed` must equal)."""
        return self.char.transform(skeletons), self.word.transform(skeletons)

    def hashed(self, skeletons: Sequence[str]) -> tuple[SparseRows, SparseRows]:
        """`raw`, faster (hashing.py): the same counts, each word's or feature's hashing
        remembered."""
        char, word = (
            SparseRows.of(vectorizer.transform(skeletons))
            if cached is None
            else cached.transform(skeletons)
            for vectorizer, cached in zip((self.char, self.word), self._hashing, strict=True)
        )
        return char, word

    def blocks(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[SparseRows, SparseRows, np.ndarray]:
        """The three blocks of the rows (character n-grams, word n-grams, cues), apart: the
        model scores them block by block, which saves stacking them for every post."""
        char, word = self.hashed([skeleton(t) for t in texts])
        cues = np.array(
            [_cue_row(frozenset(s.tag for s in doc)) for doc in spans], dtype=np.float64
        )
        if not len(spans):
            cues = np.zeros((0, len(CUE_FEATURES)))
        return (
            tfidf(char, self.char_idf.idf_),
            tfidf(word, self.word_idf.idf_),
            cues * self.cue_weight,
        )

    def rows(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> sp.csr_matrix:
        """One row per text; `spans` are the cues found in each."""
        char, word, cues = self.blocks(texts, spans)
        return sp.hstack([char.tocsr(), word.tocsr(), sp.csr_matrix(cues)], format="csr")

    def text_windows(self, text: str) -> tuple[list[Window], list[list[Span]]]:
        """The windows of one text and the cues in each (rows are built for a whole batch at
        once: scikit-learn's per-call checks cost more than the features of a short post)."""
        spans = self.detector.find(text)
        wins = windows(text)
        if len(wins) == 1:
            return wins, [spans]
        starts = [s.start for s in spans]  # find() returns spans ordered by start
        per_window = []
        for w in wins:
            first, last = bisect_left(starts, w.start), bisect_right(starts, w.end)
            per_window.append([s for s in spans[first:last] if s.end <= w.end])
        return wins, per_window


def fit_featurizer(
    texts: Sequence[str],
    detector: CueDetector,
    *,
    cue_weight: float = 0.5,
    char_bits: int = 18,
    word_bits: int = 17,
) -> Featurizer:
    """Fit the IDF weights on training texts."""
    char, word = Featurizer.vectorizers(char_bits, word_bits)
    skeletons = [views(t).skeleton for t in texts]
    char_idf = TfidfTransformer(sublinear_tf=True).fit(char.transform(skeletons))
    word_idf = TfidfTransformer(sublinear_tf=True).fit(word.transform(skeletons))
    return Featurizer(char, word, char_idf, word_idf, cue_weight, detector)
