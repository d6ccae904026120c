"""Hashed n-gram counts of a batch of texts, the same as scikit-learn's HashingVectorizer makes
them, with what repeats from post to post remembered; and the sparse rows the model multiplies.

Hand-written around scikit-learn's own hashing, for speed (the arithmetic is scikit-learn's and
scipy's, in the same order; tests compare the two on the corpus):

- Generating and hashing every character n-gram of every post was most of the cost of scoring a
  short post. A `char_wb` n-gram never crosses a space, so a word's n-grams are the same in any
  post: each word's columns are remembered (`WordGrams`), and each word or pair of words of the
  word block (`FeatureIndex`). New words are hashed by the vectorizer in one call, or, when
  there are only a few, one by one with scikit-learn's murmurhash as FeatureHasher does (its
  call costs more than hashing a few strings).
- scipy.sparse's constructors and checks cost about 40 µs a matrix, and scoring one post made
  six: a third of its time. `SparseRows` holds the entries in canonical order (by row, then
  column, duplicates summed) and multiplies them as scipy's csr product does.

Caches hold at most CACHE_WORDS or CACHE_ENTRIES entries and are emptied when full: memory
stays flat over any number of posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

#: at most this many features (words and pairs of words; about 100 bytes each)
CACHE_ENTRIES = 100_000
#: at most this many words' n-gram columns (about 200 bytes each)
CACHE_WORDS = 50_000
#: fewer new strings than this are hashed one by one, more in one call of the vectorizer
FEW = 32
_WORDS = r"\S+"  # a token pattern (a regex, not a password)


@dataclass(frozen=True)
class SparseRows:
    """A sparse matrix as its entries in canonical order: by row, then by column, one entry per
    position (what scipy calls canonical format)."""

    rows: np.ndarray
    cols: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        """self @ weights (dense), each row's terms added in column order from zero, as
        scipy's csr product adds them."""
        terms = weights[self.cols] * self.data[:, None]
        out = np.empty((self.shape[0], weights.shape[1]))
        for k in range(weights.shape[1]):
            out[:, k] = np.bincount(self.rows, weights=terms[:, k], minlength=self.shape[0])
        return out

    def tocsr(self) -> sp.csr_matrix:
        indptr = np.zeros(self.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.rows, minlength=self.shape[0]), out=indptr[1:])
        return sp.csr_matrix((self.data, self.cols, indptr), shape=self.shape)

    @classmethod
    def of(cls, matrix: sp.csr_matrix) -> SparseRows:
        matrix = sp.csr_matrix(matrix)
        matrix.sum_duplicates()
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        data = matrix.data.astype(np.float64)
        return cls(rows, matrix.indices.astype(np.int64), data, matrix.shape)


def counted(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> SparseRows:
    """One entry per (row, column) given, holding how many times it was given."""
    keys, counts = np.unique(rows * shape[1] + cols, return_counts=True)
    return SparseRows(keys // shape[1], keys % shape[1], counts.astype(np.float64), shape)


def tfidf(counts: SparseRows, idf: np.ndarray) -> SparseRows:
    """TfidfTransformer(sublinear_tf=True).transform with its fitted `idf`, then L2 rows
    (without scikit-learn's per-call input checks, which cost more than the arithmetic of a
    short post)."""
    data = (np.log(counts.data) + 1.0) * idf[counts.cols]
    norms = np.sqrt(np.bincount(counts.rows, weights=data * data, minlength=counts.shape[0]))
    norms[norms == 0] = 1.0
    return SparseRows(counts.rows, counts.cols, data / norms[counts.rows], counts.shape)


def column(feature: str, n_features: int) -> int:
    """FeatureHasher's column of one string feature with alternate_sign=False (scikit-learn's
    _hashing_fast.transform), without the per-call costs."""
    h = int(murmurhash3_32(feature, seed=0))
    if h == -2147483648:  # abs() of it overflows in scikit-learn's C; this is what it defines
        return (2147483647 - (n_features - 1)) % n_features
    return abs(h) % n_features


class WordGrams:
    """Counts of a `char_wb` HashingVectorizer, each word's columns remembered."""

    def __init__(self, vectorizer: HashingVectorizer) -> None:
        self.vectorizer = vectorizer
        self.analyse = vectorizer.build_analyzer()
        self.cache: dict[str, np.ndarray] = {}

    def transform(self, texts: Sequence[str]) -> SparseRows:
        if len(self.cache) > CACHE_WORDS:
            self.cache = {}
        cache = self.cache  # one dict for this call, even if another thread replaces it
        words = [t.split() for t in texts]
        new = list(dict.fromkeys(w for doc in words for w in doc if w not in cache))
        if len(new) < FEW:
            n = self.vectorizer.n_features
            for word in new:
                columns = [column(g, n) for g in self.analyse(word)]
                cache[word] = np.array(columns, dtype=np.int32)
        else:
            counts = self.vectorizer.transform(new)
            for i, word in enumerate(new):
                at = slice(counts.indptr[i], counts.indptr[i + 1])
                repeats = counts.data[at].astype(np.int64)
                cache[word] = np.repeat(counts.indices[at].astype(np.int32), repeats)
        grams: list[np.ndarray] = [cache[w] for w in chain.from_iterable(words)]
        per_word = np.array([len(g) for g in grams], dtype=np.int64)
        per_doc = np.array([len(doc) for doc in words], dtype=np.int64)
        rows = np.repeat(np.repeat(np.arange(len(texts)), per_doc), per_word)
        cols = np.concatenate(grams).astype(np.int64) if grams else np.zeros(0, dtype=np.int64)
        return counted(rows, cols, (len(texts), self.vectorizer.n_features))


class FeatureIndex:
    """Counts of a `word` HashingVectorizer, each feature's column remembered."""

    def __init__(self, vectorizer: HashingVectorizer) -> None:
        self.vectorizer = vectorizer
        plain = vectorizer.token_pattern == _WORDS and vectorizer.ngram_range == (1, 2)
        self.analyse = words_and_pairs if plain else vectorizer.build_analyzer()
        self.hasher = FeatureHasher(
            n_features=vectorizer.n_features,
            input_type="string",
            dtype=vectorizer.dtype,
            alternate_sign=vectorizer.alternate_sign,
        )
        self.cache: dict[str, int] = {}

    def transform(self, texts: Sequence[str]) -> SparseRows:
        if len(self.cache) > CACHE_ENTRIES:
            self.cache = {}
        cache = self.cache
        features = [self.analyse(t) for t in texts]
        new = list(dict.fromkeys(f for doc in features for f in doc if f not in cache))
        n = self.vectorizer.n_features
        if len(new) < FEW:
            cache.update((f, column(f, n)) for f in new)
        else:  # one feature a row: its column
            columns = self.hasher.transform([[f] for f in new]).indices.tolist()
            cache.update(zip(new, columns, strict=True))
        per_doc = np.fromiter(map(len, features), dtype=np.int64, count=len(features))
        rows = np.repeat(np.arange(len(texts)), per_doc)
        flat = map(cache.__getitem__, chain.from_iterable(features))
        cols = np.fromiter(flat, dtype=np.int64, count=len(rows))
        return counted(rows, cols, (len(texts), n))


def words_and_pairs(text: str) -> list[str]:
    """The word analyzer's features for token pattern `\\S+` and n-grams (1, 2): the words, then
    each pair of neighbours (scikit-learn's `_word_ngrams`, without its general loop)."""
    words = text.split()
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def cached_hashing(vectorizer: HashingVectorizer) -> WordGrams | FeatureIndex | None:
    """What computes `vectorizer.transform` with remembered hashing, for the configurations it
    covers (those the triage model uses); None for any other."""
    plain = (
        vectorizer.input == "content"
        and vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
        and not vectorizer.lowercase
        and vectorizer.strip_accents is None
        and not vectorizer.binary
        and vectorizer.norm is None
        and not vectorizer.alternate_sign
    )
    if plain and vectorizer.analyzer == "char_wb":
        return WordGrams(vectorizer)
    if plain and vectorizer.analyzer == "word" and vectorizer.stop_words is None:
        return FeatureIndex(vectorizer)
    return None
