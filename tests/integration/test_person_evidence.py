"""The shipped model's window evidence (model.classify_with_evidence) and its use by person
scoring: the same results as classify_many, and the person score built from it."""

from __future__ import annotations

import pytest

from lifeline.adapters.classifier.lazy import LazyRiskClassifier
from lifeline.adapters.classifier.person import PersonScorer, self_focus
from lifeline.domain.person_risk import PersonPost

TEXTS = [
    "I can't do this anymore, I want to die tonight",
    "you can get through this, please call someone, you matter",
    "aaj mausam accha hai, chai pi rahe hain",
    "मैं अब और नहीं जीना चाहता, सब खत्म कर दूंगा " * 200,  # a long post: several windows
]


def test_evidence_comes_with_the_same_results_and_one_entry_per_window() -> None:
    model = LazyRiskClassifier()
    plain = model.classify_many(TEXTS)
    detailed = model.classify_with_evidence(TEXTS)
    assert [r for r, _ in detailed] == plain
    assert len(detailed[3][1].probability) > 1
    for _, evidence in detailed:
        assert evidence.self_probability is not None
        assert len(evidence.self_probability) == len(evidence.probability)
        assert all(0.0 <= p <= 1.0 for p in (*evidence.probability, *evidence.self_probability))


def test_the_person_score_is_the_uncompressed_probability_times_p_self_and_pronouns() -> None:
    model = LazyRiskClassifier()
    text = TEXTS[0]
    result, evidence = model.classify_with_evidence([text])[0]
    best = max(range(len(evidence.probability)), key=evidence.probability.__getitem__)
    assert evidence.self_probability is not None
    expected = evidence.probability[best] * evidence.self_probability[best] * self_focus(text)
    person = PersonScorer(model).score([PersonPost(text)])
    assert person.score == pytest.approx(expected)
    assert person.level is result.level and person.riskiest_score == result.score
