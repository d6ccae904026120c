"""The shipped triage model loads and gets clear cases right in all three languages."""

from __future__ import annotations

import numpy as np
import pytest

from lifeline.adapters.classifier.lazy import shared_classifier
from lifeline.adapters.classifier.model import UnscorableText
from lifeline.adapters.classifier.normalise import views
from lifeline.domain.risk import RiskLevel

AT_RISK = {"ideation", "intent", "imminent"}


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return shared_classifier()


@pytest.mark.parametrize(
    ("text", "language", "levels"),
    [
        ("आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी", "hi", {"imminent"}),
        ("ज़हर खा लिया है, अलविदा सबको", "hi", {"imminent"}),
        ("मन करता है मर जाऊं, जीने का मन नहीं करता", "hi", {"ideation", "intent"}),
        ("aaj raat pankhe se latak jaunga bas ab", "hi-Latn", {"imminent"}),
        ("railway track pe baitha hu train aane wali hai", "hi-Latn", {"imminent"}),
        ("jeene ka mann nahi karta ab", "hi-Latn", {"ideation", "intent"}),
        ("I've taken all the pills, goodbye everyone", "en", {"imminent", "intent"}),
        (
            "I just want to die, everyone would be better off without me",
            "en",
            {"ideation", "intent"},
        ),
    ],
)
def test_clear_risk_is_found(model, text: str, language: str, levels: set[str]) -> None:  # type: ignore[no-untyped-def]
    result = model.classify(text)
    assert result.language == language
    assert result.level.value in levels, (result.level, result.score)
    assert result.score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "mar gaya hasi se 😂😂",
        "this exam is killing me lol",
        "I'd kill for a pizza right now",
        "ये गर्मी मेरी जान ले लेगी यार",
        "Kota mein ek aur NEET student ne suicide kar liya, police ne bataya",
        "A 17 year old died by suicide in Kota, police said, the sixth case this year",
        "अगर आप परेशान हैं तो टेली मानस 14416 पर कॉल करें, आप अकेले नहीं हैं",
        "tujhe jaan se maar dunga",
        "Suicide Squad was such a mess honestly",
    ],
)
def test_hard_negatives_are_not_at_risk(model, text: str) -> None:  # type: ignore[no-untyped-def]
    result = model.classify(text)
    assert not result.level.at_risk, (result.level, result.score)
    assert result.score < 0.5


def test_the_result_has_the_documented_shape(model) -> None:  # type: ignore[no-untyped-def]
    data = model.classify("abhi zeher kha liya hai").as_dict()
    assert set(data) == {
        "level", "score", "language", "cues", "model_version", "readable", "unreadable",
        "subject", "subject_cues",
    }  # fmt: skip
    assert data["readable"] is True and data["unreadable"] is None
    assert data["model_version"] == model.version
    assert all(set(c) == {"tag", "text", "start", "end"} for c in data["cues"])


def test_a_long_text_is_decided_by_its_riskiest_window(model) -> None:  # type: ignore[no-untyped-def]
    filler = "aaj college gaya tha phir dosto ke saath chai pi aur ghar aa gaya. " * 60
    text = filler + "aaj raat pankhe se latak jaunga, alvida sabko. " + filler
    result = model.classify(text)
    assert result.level in (RiskLevel.INTENT, RiskLevel.IMMINENT)
    assert all(text[c.start : c.end] == c.text for c in result.cues)
    assert any(c.tag == "method" and c.text == "pankhe" for c in result.cues)


def test_bad_input_is_refused_clearly_and_odd_input_is_scored(model) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnscorableText, match="empty"):
        model.classify("   ")
    assert model.classify("😭😭💔").language == "en"
    assert model.classify("x" * 100_000).level is not None


def test_the_fast_scoring_path_agrees_with_scikit_learn(model) -> None:  # type: ignore[no-untyped-def]
    texts = ["aaj raat pankhe se latak jaunga", "this exam is killing me", "मन करता है मर जाऊं"]
    rows = model.featurizer.rows(texts, [model.featurizer.detector.find(t) for t in texts])
    char, word = model.featurizer.raw([views(t).skeleton for t in texts])
    n_char, n_word = char.shape[1], word.shape[1]
    np.testing.assert_allclose(
        rows[:, :n_char].toarray(), model.featurizer.char_idf.transform(char).toarray(), atol=1e-6
    )
    np.testing.assert_allclose(
        rows[:, n_char : n_char + n_word].toarray(),
        model.featurizer.word_idf.transform(word).toarray(),
        atol=1e-6,
    )
    probs, score = model.probabilities(rows)
    np.testing.assert_allclose(probs, model.model.predict_proba(rows), atol=1e-9)
    raw = np.clip(probs[:, 3:].sum(axis=1), 1e-6, 1 - 1e-6)
    expected = model.calibrator.predict_proba(np.log(raw / (1 - raw)).reshape(-1, 1))[:, 1]
    np.testing.assert_allclose(score, expected, atol=1e-9)


def test_scoring_by_blocks_agrees_with_scoring_whole_rows(model) -> None:  # type: ignore[no-untyped-def]
    texts = ["aaj raat pankhe se latak jaunga", "this exam is killing me", "मन करता है मर जाऊं"]
    spans = [model.featurizer.detector.find(t) for t in texts]
    probs, score = model.probabilities(model.featurizer.rows(texts, spans))
    fast_probs, fast_score = model.block_probabilities(model.featurizer.blocks(texts, spans))
    np.testing.assert_allclose(fast_probs, probs, atol=1e-12)
    np.testing.assert_allclose(fast_score, score, atol=1e-12)
