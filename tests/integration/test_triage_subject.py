"""Who the post is about (issue 19; docs/triage-guide.md, *Subject*): the shipped model says
`subject` beside the level, a report about someone else is routed as such, a recovery story or a
threat is not the author's risk, and a level and its score never disagree."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lifeline.adapters.classifier.datasets import load_corpus
from lifeline.adapters.classifier.evaluation import evaluate
from lifeline.adapters.classifier.lazy import shared_classifier
from lifeline.adapters.classifier.model import SklearnRiskClassifier
from lifeline.adapters.classifier.subject import about_nobody, subject_metrics
from lifeline.domain.risk import RiskLevel, RiskSubject

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model() -> SklearnRiskClassifier:
    return shared_classifier()


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("mera dost bol raha hai wo suicide kar lega, kya karu", {"intent", "imminent"}),
        (
            "my brother posted goodbye on his story and isn't answering, please help",
            {"intent", "imminent"},
        ),
        (
            "मेरी बहन ने स्टेटस पर अलविदा लिखा है और अब फोन नहीं उठा रही, प्लीज़ मदद करो",
            {"intent", "imminent"},
        ),
    ],
)
def test_a_report_about_someone_in_danger_is_about_someone_else_and_urgent(
    model: SklearnRiskClassifier, text: str, levels: set[str]
) -> None:
    result = model.classify(text)
    assert result.subject is RiskSubject.OTHER, result
    assert result.level.value in levels and result.score >= 0.5, result
    assert not result.first_person_at_risk
    assert {c.tag for c in result.subject_cues} & {"person", "third_party"}


@pytest.mark.parametrize(
    "text",
    [
        "RIP bhai, tumne aisa kyun kiya 🙏",
        "According to NCRB, more than 1.7 lakh people died by suicide in 2022",
        "Please talk to someone, Tele-MANAS 14416 is free. DM me if you need to talk, "
        "I've been there",
    ],
)
def test_news_memorials_and_helpers_are_about_nobody_in_particular(
    model: SklearnRiskClassifier, text: str
) -> None:
    result = model.classify(text)
    assert result.subject is RiskSubject.GENERAL, result
    assert not result.level.at_risk and result.score < 0.5, result


def test_a_recovery_story_is_the_authors_and_not_a_risk_now(model: SklearnRiskClassifier) -> None:
    result = model.classify(
        "Two years ago I was suicidal and had the pills lined up, therapy saved my life. "
        "Today I'm a nurse in Lucknow, it gets better"
    )
    assert result.level is RiskLevel.DISCUSSION and result.subject is RiskSubject.SELF, result
    assert result.score < 0.5
    assert "recovery" in {c.tag for c in result.subject_cues}


@pytest.mark.parametrize(
    "text",
    ["मैं तुम सबको यहीं मार डालूँगा", "tujhe to main zinda nahi chhodunga, maar dalunga"],
)
def test_a_threat_at_others_is_not_intent_to_die(model: SklearnRiskClassifier, text: str) -> None:
    result = model.classify(text)
    assert result.level is RiskLevel.NONE and result.score < 0.5, result


@pytest.mark.parametrize(
    "text",
    [
        "tu mar ja kamine, pehle mera charger wapas kar",
        "तुम सब मर जाओ, एक ने भी नोट्स नहीं भेजे",
        "go die in a ditch, whoever keeps calling me about credit cards",
    ],
)
def test_a_curse_at_others_is_not_the_authors_risk(model: SklearnRiskClassifier, text: str) -> None:
    result = model.classify(text)
    assert not result.level.at_risk and result.score < 0.5, result
    assert "curse" in {c.tag for c in result.cues}


@pytest.mark.parametrize(
    "text",
    ["aaj result ki site phir se band hai", "result aaj aayega", "रिजल्ट की साइट फिर से बंद है"],
)
def test_results_day_is_an_ordinary_day(model: SklearnRiskClassifier, text: str) -> None:
    result = model.classify(text)
    assert not result.level.at_risk, result


@pytest.mark.parametrize(
    "text", ["main mar jaunga", "mujhe mar jana chahiye", "मैं मर जाऊंगा", "I should just die"]
)
def test_the_authors_own_death_words_stay_at_risk(model: SklearnRiskClassifier, text: str) -> None:
    result = model.classify(text)
    assert result.level.at_risk and result.subject is RiskSubject.SELF, result


def test_the_subject_is_read_off_the_whole_post(model: SklearnRiskClassifier) -> None:
    # the brother is named in the first window, his goodbye decides the level in the last
    text = (
        "mera chhota bhai Kota mein hai, do saal se taiyari kar raha hai, ghar pe sab usse "
        "bahut umeed rakhte hain, papa roz phone karke marks puchte hain aur wo kabhi kuch "
        "nahi bolta, bas haan haan karta hai, pichhle mahine ghar aaya tha tab bhi chup chup "
        "tha, mummy ne socha thakan hai, main bhi kaam mein busy tha. "
        + "kal raat uski story pe likha tha sab ko alvida, ab koi nahi rokega, "
        "subah se phone band hai, hostel wale bol rahe kamra andar se band hai, please "
        "koi Kota mein ho to madad karo"
    )
    result = model.classify(text)
    assert len(model.featurizer.text_windows(text)[0]) > 1
    assert result.level.at_risk and result.subject is RiskSubject.OTHER, result


@pytest.mark.parametrize(
    "text",
    [
        "ab jeene ka mann nahi karta, sab mere bina khush rahenge",
        "मैंने सल्फास खरीद के रख लिया है, बस सही वक्त का इंतज़ार है",
        "I bought a rope and hid it in my room",
    ],
)
def test_the_authors_own_risk_is_self(model: SklearnRiskClassifier, text: str) -> None:
    result = model.classify(text)
    assert result.level.at_risk and result.subject is RiskSubject.SELF, result
    assert result.first_person_at_risk


def test_the_author_and_someone_else_in_one_post_is_still_found_at_risk(
    model: SklearnRiskClassifier,
) -> None:
    # the guide says `self` here (the author first); the model may read `other` (model card,
    # failure modes), but the post is never read as nobody's risk
    result = model.classify("meri dost ne suicide kiya, ab mera bhi jeene ka mann nahi")
    assert result.level.at_risk and result.subject is not RiskSubject.GENERAL, result


def test_a_level_and_its_score_never_disagree(model: SklearnRiskClassifier) -> None:
    texts = [e.text for e in load_corpus() if e.split == "test"][:600]
    texts.append(" ".join(["I want to die tonight, I bought the pills."] * 60))
    for text, result in zip(texts, model.classify_many(texts), strict=True):
        assert result.level.at_risk == (result.score >= 0.5), (text, result)
        assert result.subject is not None
        if result.level is RiskLevel.NONE:
            assert result.subject is RiskSubject.GENERAL


def test_the_json_result_names_the_subject(model: SklearnRiskClassifier) -> None:
    data = model.classify("kal se mera bhai phone nahi utha raha, uski last story mein alvida tha")
    shown = json.loads(json.dumps(data.as_dict()))
    assert shown["subject"] == "other"
    assert all(set(c) == {"tag", "text", "start", "end"} for c in shown["subject_cues"])


def test_a_particular_persons_farewell_is_never_taken_for_a_post_about_nobody() -> None:
    general = np.array([0.05, 0.05, 0.9])  # self, other, general
    assert about_nobody(general, {"farewell", "third_party"})  # a quote's or a news farewell
    assert not about_nobody(general, {"farewell", "person", "third_party"})  # my brother's
    assert about_nobody(general, {"farewell", "person", "memorial"})  # RIP, alvida dost
    assert not about_nobody(general, {"intent"})  # an act keeps its level whoever it is about
    assert not about_nobody(np.array([0.5, 0.1, 0.4]), {"farewell"})  # general not likely


def test_subject_figures_count_what_they_say() -> None:
    metrics = subject_metrics(
        ["self", "other", "general", "general", None],
        ["self", "self", "general", "self", "general"],
        [True, True, False, True, False],
        ["en", "hi", "hi", "en", "en"],
    )
    assert metrics["n"] == 4 and metrics["accuracy"] == 0.5
    assert metrics["confusion"]["matrix"] == [[1, 0, 0], [1, 0, 0], [1, 0, 1]]
    assert metrics["not_self"] == 3
    assert metrics["not_self_called_first_person_at_risk"] == pytest.approx(2 / 3)
    assert metrics["accuracy_by_language"] == {"en": 0.5, "hi": 0.5}


def test_the_held_out_subject_figures_are_what_the_card_reports(
    model: SklearnRiskClassifier,
) -> None:
    held_out = [e for e in load_corpus() if e.split == "test"]
    metrics = evaluate(model, held_out).subjects
    assert metrics is not None
    assert metrics["accuracy"] >= 0.9
    assert metrics["not_self_called_first_person_at_risk"] <= 0.15
