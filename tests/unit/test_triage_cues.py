"""Cue detectors of the triage model: spelling folds, scoped patterns and the internal
now/later split of time (no model)."""

from __future__ import annotations

import pytest

from lifeline.adapters.classifier.cues import CueDetector, visible
from lifeline.adapters.classifier.features import CUE_FEATURES, cue_row

DETECTOR = CueDetector()


def spans(text: str, tag: str) -> list[str]:
    return [s.text for s in DETECTOR.find(text) if s.tag == tag]


def tags(text: str) -> set[str]:
    return {s.tag for s in DETECTOR.find(text)}


@pytest.mark.parametrize(
    "text",
    ["कल सुबह तक मैं नहीं रहूंगा", "कल सुबह तक मै नही रहूंगा", "कल सुबह तक मैं नहीं रहूँगा"],
)
def test_devanagari_spelling_variants_meet_one_pattern(text: str) -> None:
    assert "intent" in tags(text)


def test_a_dropped_sign_stays_inside_its_span() -> None:
    text = "मैं मरना चाहता हूं"
    assert spans(text, "self") == ["मैं"]
    assert all(text[s.start : s.end] == s.text for s in DETECTOR.find(text))


def test_a_suffix_may_carry_devanagari_vowel_signs() -> None:
    assert spans("कूदने वाला हूं", "method") == ["कूदने"]
    assert spans("लटकने जा रही हूं", "method") == ["लटकने"]
    assert "death" in tags("मरना")


def test_a_devanagari_letter_repeated_counts_once() -> None:
    text = "हर रात भगवान से मौतततत मांगती हूं"
    assert spans(text, "ideation") == ["मौतततत मांगती"]


def test_time_is_split_by_how_soon_but_shown_as_time() -> None:
    now = "abhi zeher kha liya hai"
    later = "is hafte sab khatam kar dunga"
    assert {"time", "now"} <= tags(now) and "later" not in tags(now)
    assert {"time", "later"} <= tags(later) and "now" not in tags(later)
    assert "now" not in {s.tag for s in visible(DETECTOR.find(now))}


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("I'm not going to do anything stupid, don't worry", True),
        ("main aisa kuch nahi karunga, tension mat lo", True),
        ("I've given away all my things, I won't need them", False),
        ("I won't be here tomorrow", False),
    ],
)
def test_negation_is_a_denied_act_not_any_wont(text: str, present: bool) -> None:
    assert ("negation" in tags(text)) is present


@pytest.mark.parametrize(
    ("text", "attempt"),
    [
        ("abhi zeher kha liya hai", True),
        ("saari goliyan ek saath kha li", True),
        ("नस काट ली है खून बह रहा है", True),
        ("I just took all the sleeping pills", True),
        ("gomti ke pul pe khada hu", True),
        ("aaj fasal kaat li, mandi mein acha bhaav mila", False),
        ("khana kha liya ab so raha hu", False),
        ("naukri chali gayi ghar baitha hu", False),
        ("I just took a nap", False),
    ],
)
def test_an_act_needs_its_means_or_place(text: str, attempt: bool) -> None:
    assert ("attempt" in tags(text)) is attempt


@pytest.mark.parametrize(
    "text",
    [
        "main suicide karne wala hu",
        "ab jeena nahi marna hi hai maine plan kar liya hai",
        "मैंने सब सोच समझकर फैसला लिया है अब पीछे नहीं हटूंगा",
        "neend ki goliyan jama kar rahi hu",
        "I've given away all my things",
        "how many paracetamol does it take to die",
        "koi mujhe rokne ki koshish mat karna",
    ],
)
def test_plans_and_preparations_are_intent(text: str) -> None:
    assert "intent" in tags(text)


def test_another_persons_suicide_is_tagged_with_the_third_party() -> None:
    assert {"suicide", "third_party"} <= tags("She said she would kill herself")
    assert {"suicide", "third_party"} <= tags("my brother has been talking about ending his life")


def test_cue_row_has_tags_conjunctions_and_evidence_counts() -> None:
    row = dict(zip(CUE_FEATURES, cue_row({"time", "now", "method"}), strict=True))
    assert row["time"] == row["method"] == row["time+risk"] == row["now+risk"] == 1.0
    assert row["risk>=1"] == row["risk>=2"] == 1.0 and row["risk>=3"] == 0.0
    assert row["intent-only"] == 0.0
    assert dict(zip(CUE_FEATURES, cue_row({"intent"}), strict=True))["intent-only"] == 1.0


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("main suicide nahi karunga pareshan mat ho", "future"),
        ("usko bol dena main usse baat nahi karunga", "future"),
        ("I'm not going to kill myself, don't worry", "suicide"),
    ],
)
def test_a_cue_inside_a_negation_is_dropped(text: str, gone: str) -> None:
    assert "negation" in tags(text)
    assert gone not in tags(text)


def test_a_bare_future_verb_is_not_intent_but_a_means_with_it_is() -> None:
    assert "intent" not in tags("shaadi ke baad main Bangalore shift ho jaungi")
    assert "future" in tags("shaadi ke baad main Bangalore shift ho jaungi")
    assert spans("aaj raat pankhe se latak jaunga", "intent") == ["latak jaunga"]
    row = dict(zip(CUE_FEATURES, cue_row(tags("aaj raat pankhe se latak jaunga")), strict=True))
    assert row["future+act"] == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "tu mar ja kamine, pehle mera charger wapas kar",
        "bhagwan kare tu mar jaye",
        "chullu bhar paani me doob maro",
        "तुम सब मर जाओ",
        "भगवान करे वो मर जाए",
        "you should just die",
        "go die in a ditch",
        "I hope you die",
    ],
)
def test_death_wished_on_someone_else_is_a_curse_not_the_authors(text: str) -> None:
    found = tags(text)
    assert "curse" in found and "curse" in {s.tag for s in visible(DETECTOR.find(text))}
    assert not found & {"ideation", "intent", "suicide", "attempt", "death"}


def test_a_cue_of_the_authors_own_act_inside_a_threat_is_dropped() -> None:
    found = tags("I will kill you all")
    assert "threat" in found and "intent" not in found


@pytest.mark.parametrize(
    "text",
    [
        "main mar jaunga",
        "mujhe mar jana chahiye",
        "मैं मर जाऊंगा",
        "kaash main mar jaun",
        "main mar ja raha hu",
        "I should just die",
        "everyone keeps telling me to go die and I think they're right",
        "I'll go and die somewhere nobody finds me",
        "tum log pachtaoge jab main mar jaunga",
    ],
)
def test_the_authors_own_death_is_never_read_as_a_threat_or_curse(text: str) -> None:
    assert not tags(text) & {"threat", "curse"}


def test_a_threat_and_the_authors_own_death_in_one_post_keep_both() -> None:
    found = tags("main tujhe maar ke khud bhi mar jaunga")
    assert {"threat", "intent"} <= found


@pytest.mark.parametrize(
    ("text", "everyday"),
    [
        ("aaj result ki site phir se band hai", "site phir se band"),
        ("result aaj aayega", "result aaj aayega"),
        ("रिजल्ट की साइट फिर से बंद है", "साइट फिर से बंद"),
        ("the results portal keeps crashing", "portal keeps crashing"),
    ],
)
def test_everyday_shutdowns_and_results_day_are_their_own_feature(text: str, everyday: str) -> None:
    assert spans(text, "everyday") == [everyday]
    assert "everyday" not in {s.tag for s in visible(DETECTOR.find(text))}  # internal
    row = dict(zip(CUE_FEATURES, cue_row(tags(text)), strict=True))
    assert row["everyday-only"] == 1.0
    assert (
        dict(zip(CUE_FEATURES, cue_row({"everyday", "ideation"}), strict=True))["everyday-only"]
        == 0.0
    )


def test_a_persons_phone_off_is_not_everyday() -> None:
    assert "everyday" not in tags("bhai ka phone band hai kal raat goodbye likh ke gaya")
