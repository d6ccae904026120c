"""The triage model's fast paths change no result, on a sample of the corpus and the fresh sets
(the whole of them: bench/triage_equivalence.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from lifeline.adapters.classifier import cues
from lifeline.adapters.classifier.cues import CueDetector
from lifeline.adapters.classifier.features import WINDOW_WORDS
from lifeline.adapters.classifier.lazy import shared_classifier
from lifeline.adapters.classifier.normalise import skeleton, views

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "bench" / "results" / "triage-reference.jsonl.gz"
FRESH = sorted((ROOT / "tests" / "data").glob("triage_unseen*.jsonl"))
FILES = [ROOT / "src" / "lifeline" / "data" / "triage" / "corpus.jsonl", *FRESH]
EVERY = 37  # one post in EVERY


def _sample() -> dict[str, str]:
    posts = {}
    for path in FILES:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip() and n % EVERY == 0:
                posts[f"{path.name}:{n + 1}"] = json.loads(line)["text"]
    return posts


SAMPLE = _sample()


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return shared_classifier()


def test_the_sample_holds_every_register_and_long_posts() -> None:
    texts = list(SAMPLE.values())
    assert len(texts) > 300
    assert any(len(t.split()) > WINDOW_WORDS for t in texts)  # scored in several windows
    assert any("\u0900" <= ch <= "\u097f" for t in texts for ch in t)


def test_cues_views_and_skeletons_are_those_of_the_plain_paths() -> None:
    fast, every = CueDetector(), CueDetector()
    every.prefilter.always = ~0  # every pattern runs on every post
    for text in SAMPLE.values():
        assert cues.match_view(text) == cues._match_view_by_character(text)
        assert fast.find(text) == every.find(text)
        assert skeleton(text) == views(text).skeleton


def test_remembered_hashing_is_scikit_learns_in_batches_and_alone(model) -> None:  # type: ignore[no-untyped-def]
    skeletons = [skeleton(t) for t in SAMPLE.values()]
    batches = [skeletons[i : i + 64] for i in range(0, len(skeletons), 64)]
    for batch in batches + [[s] for s in skeletons[:40]]:
        for fast, slow in zip(
            model.featurizer.hashed(batch), model.featurizer.raw(batch), strict=True
        ):
            fast = fast.tocsr()
            np.testing.assert_array_equal(fast.indptr, slow.indptr)
            np.testing.assert_array_equal(fast.indices, slow.indices)
            np.testing.assert_array_equal(fast.data, slow.data)


def test_results_are_those_of_the_stored_reference(model) -> None:  # type: ignore[no-untyped-def]
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as f:
        reference = {row["key"]: row for row in map(json.loads, f) if row["key"] in SAMPLE}
    if next(iter(reference.values()))["model_version"] != model.version:
        pytest.skip(
            "the reference was made with another model: make it again from the revision before "
            "(bench/triage_equivalence.py --reference-from REV)"
        )
    keys = sorted(reference)
    results = model.classify_many([SAMPLE[k] for k in keys])
    for key, r in zip(keys, results, strict=True):
        ref = reference[key]
        assert (r.level.value, r.language) == (ref["level"], ref["language"]), key
        assert abs(r.score - ref["score"]) <= 1e-9, key
        assert [[c.tag, c.text, c.start, c.end] for c in r.cues] == ref["cues"], key
