"""The triage model's fast paths give what the plain ones give: the cue prefilter's required
literals, the squeezed view built a stretch at a time, the skeleton a word at a time and the
remembered hashing (no model, no files)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction import FeatureHasher

from lifeline.adapters.classifier import cues
from lifeline.adapters.classifier.cues import CueDetector, match_view
from lifeline.adapters.classifier.features import Featurizer
from lifeline.adapters.classifier.hashing import cached_hashing, column
from lifeline.adapters.classifier.lexicon import LEXICON
from lifeline.adapters.classifier.literals import required_literals
from lifeline.adapters.classifier.normalise import skeleton, views

#: letters, marks, joiners, apostrophes, separators and emoji that the views treat differently
TRICKY = [
    *"aAbBkKlLzZ '’`.!?,\t\n_09९।॥😭🙏ßİ\u212a",
    *("\u200d", "\u200c", "\ufe0f", "\u093c", "\u0901", "\u0902", "\u0940", "\u0942"),
    *("म", "ै", "न", "ह", "ी", "ू", "र", "क़", "e\u0301", "\u0915\u093c", "ऑ", "ज़"),
    *("www.x.in/a", "https://t.co/x", "@user", "wanna", "nhi", "ll", "ooo"),
]
tricky_text = st.lists(st.sampled_from(TRICKY), max_size=24).map("".join)

POSTS = [
    "I'm   SOOOO  tired!!! of everything",
    "aaj raat pankhe se latak jaunga bas ab",
    "मैं बहुत परेशान हूं, कल सुबह तक मैं नहीं रहूंगा",
    "हर रात भगवान से मौतततत मांगती हूं",
    "mera dost bol raha tha ki wo suicide kar lega, please help 🙏",
    "main suicide nahi karunga, tension mat lo",
    "This exam is killing me 😂😂",
    "ज़हर खा लिया है, अलविदा सबको",
    "Ｉ ａｍ ｆｉｎｅ ß straße",
    "",
]


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("ceiling fan", {"ceiling fan"}),
        ("ropes?|noose", {"rope", "ropes", "noose"}),
        ("kood\\w*|kud(?:na|ne)?", {"ood", "ud", "udna", "udne"}),  # after the shared "k"
        ("(?:sleping )?(?:pils?|tablets?)", {"pil", "pils", "tablet", "tablets"}),
        ("in (?:\\d+|ten) (?:minutes|mins)", {" minutes", " mins"}),
        ("\\w+ hai", {" hai"}),
    ],
)
def test_required_literals_are_strings_every_match_contains(
    pattern: str, literals: set[str]
) -> None:
    assert required_literals(pattern) == literals


@pytest.mark.parametrize("pattern", ["\\d+", "\\w+", "(?i)rope", "x*", "[^a]+", "(?:ab)?"])
def test_a_pattern_without_a_sure_literal_gets_none_and_so_always_runs(pattern: str) -> None:
    assert required_literals(pattern) is None


def test_every_lexicon_match_contains_one_of_its_alternatives_literals() -> None:
    """Sound on the real lexicon: each alternative, matched alone over posts built from its
    own words, never matches without one of its literals."""
    for alternatives in LEXICON.values():
        for alt in alternatives:
            squeezed = cues.squeeze_pattern(alt)
            literals = required_literals(squeezed)
            if literals is None:
                continue
            regex = re.compile(squeezed)
            words = re.sub(r"[^\w\u0900-\u097f ]+", " ", alt)
            for text in (words, alt, *POSTS):
                view = match_view(text).text
                for m in regex.finditer(view):
                    if m.end() > m.start():
                        assert any(lit in m.group() for lit in literals), (alt, m.group())


def test_a_pattern_without_a_sure_literal_still_finds_its_cue() -> None:
    lexicon = {"death": ["\\d+", "mar jaunga"], "self": ["main"]}
    detector = CueDetector(lexicon)
    assert detector.prefilter.always != 0
    found = {(s.tag, s.text) for s in detector.find("main 10 baje mar jaunga")}
    assert found == {("self", "main"), ("death", "10"), ("death", "mar jaunga")}


def test_the_prefilter_never_changes_the_cues_found() -> None:
    fast, every = CueDetector(), CueDetector()
    every.prefilter.always = ~0  # every pattern runs on every post
    for text in POSTS:
        assert fast.find(text) == every.find(text)


@settings(max_examples=150, deadline=None)
@given(tricky_text)
def test_the_view_built_a_stretch_at_a_time_is_the_view_built_a_character_at_a_time(
    text: str,
) -> None:
    assert match_view(text) == cues._match_view_by_character(text)


@settings(max_examples=150, deadline=None)
@given(tricky_text)
def test_the_skeleton_a_word_at_a_time_is_the_skeleton_of_the_whole_post(text: str) -> None:
    assert skeleton(text) == views(text).skeleton


@settings(max_examples=60, deadline=None)
@given(st.lists(tricky_text, min_size=1, max_size=6))
def test_remembered_hashing_counts_what_the_vectorizer_counts(texts: list[str]) -> None:
    for vectorizer in Featurizer.vectorizers(char_bits=12, word_bits=10):
        cached = cached_hashing(vectorizer)
        assert cached is not None
        skeletons = [skeleton(t) for t in texts]
        fast, slow = cached.transform(skeletons).tocsr(), vectorizer.transform(skeletons)
        np.testing.assert_array_equal(fast.indptr, slow.indptr)
        np.testing.assert_array_equal(fast.indices, slow.indices)
        np.testing.assert_array_equal(fast.data, slow.data)


@pytest.mark.parametrize("feature", ["a", "mai", "mai mar", "मर जाऊं", "emosad", "😭", "x" * 300])
def test_one_feature_hashed_alone_gets_feature_hashers_column(feature: str) -> None:
    n = 2**17
    hasher = FeatureHasher(n_features=n, input_type="string", alternate_sign=False)
    assert column(feature, n) == hasher.transform([[feature]]).indices[0]
