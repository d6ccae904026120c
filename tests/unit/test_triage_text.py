"""Normalisation, language detection, cue spans and windows of the triage model (no model)."""

from __future__ import annotations

import itertools
import unicodedata

import pytest

from lifeline.adapters.classifier.cues import CueDetector, match_view, visible
from lifeline.adapters.classifier.features import CUE_FEATURES, WINDOW_WORDS, cue_row, windows
from lifeline.adapters.classifier.language import detect_language
from lifeline.adapters.classifier.normalise import delete_schwa, transliterate_word, views

DETECTOR = CueDetector()


def tags(text: str) -> set[str]:
    return {s.tag for s in visible(DETECTOR.find(text))}


def test_hindi_and_hinglish_share_one_skeleton() -> None:
    assert views("मुझे जीना नहीं है").skeleton == views("muje jeena nhi h").skeleton
    assert views("आज मैं आत्महत्या कर रहा हूं").skeleton.startswith("aj mai")


def test_schwa_is_deleted_at_the_end_and_between_syllables() -> None:
    assert transliterate_word("कर") == "kar"
    assert transliterate_word("करना") == "karna"
    assert transliterate_word("मजबूरी") == "majburi"
    assert delete_schwa("न") == "न"  # a one-letter word keeps its vowel


def test_elongation_emoji_digits_and_links_are_normalised() -> None:
    v = views("I wanna dieeee 😭😭 call 14416 https://x.co/a @friend")
    assert "die" in v.skeleton.split()
    assert "emosad" in v.plain and "14416" not in v.plain
    assert "url" in v.plain and "atuser" in v.plain


def test_non_nfc_input_is_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "ज़हर")
    assert views(decomposed).skeleton == views("ज़हर").skeleton


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("मुझे अब जीना नहीं है", "hi"),
        ("मैं बहुत depressed हूं sorry mummy", "hi"),
        ("mar gaya hasi se", "hi-Latn"),
        ("bas ab aur nahi hota mujhse, i am done", "hi-Latn"),
        ("this exam is killing me", "en"),
        ("missing my maa today", "en"),
        ("😭😭💔", "en"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_cue_spans_index_the_text_as_received() -> None:
    text = "Goodbye everyone. I have taken all the pills, sorry mom"
    spans = visible(DETECTOR.find(text))
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert {"farewell", "attempt", "method"} <= {s.tag for s in spans}


def test_an_elongated_word_is_one_span_covering_the_run() -> None:
    text = "marrrr jaungaaa aaj raat pankhe se"
    (method,) = [s for s in DETECTOR.find(text) if s.tag == "method"]
    assert method.text == "pankhe"
    (intent,) = [s for s in DETECTOR.find(text) if s.tag == "intent"]
    assert intent.text == "marrrr jaungaaa"


def test_spans_map_back_through_nfc_normalisation() -> None:
    text = "x " + unicodedata.normalize("NFD", "ज़हर") + " खा लिया"
    (method,) = [s for s in DETECTOR.find(text) if s.tag == "method"]
    assert text[method.start : method.end] == method.text
    assert unicodedata.normalize("NFC", method.text) == "ज़हर"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("आज मैं आत्महत्या कर रहा हूं", {"time", "suicide", "intent"}),
        ("mar gaya hasi se 😂", {"idiom"}),
        ("this exam is killing me lol", {"idiom"}),
        ("tujhe jaan se maar dunga", {"threat"}),
        ("Tele-MANAS 14416 pe call karein", {"support"}),
        ("mera dost bol raha hai wo suicide kar lega", {"third_party", "suicide"}),
        ("i'm not suicidal, don't worry", {"negation"}),  # "suicidal" is inside the negation
        ("going live now, watch me", {"live", "time"}),
        ("मैं नदी के पुल पर खड़ी हूँ, अलविदा", {"method", "attempt", "farewell"}),
    ],
)
def test_cues_are_found_in_all_three_registers(text: str, expected: set[str]) -> None:
    assert expected <= tags(text)


def test_match_view_squeezes_case_punctuation_and_repeats() -> None:
    view = match_view("I'm   SOOOO  tired!!!")
    assert view.text == "im so tired "
    assert len(view.starts) == len(view.text)


def test_short_text_is_one_window_and_long_text_overlapping_windows() -> None:
    assert len(windows("one two three")) == 1
    text = " ".join(f"w{i}" for i in range(WINDOW_WORDS * 3))
    wins = windows(text)
    assert len(wins) > 3
    assert wins[0].start == 0 and wins[-1].end == len(text)
    assert all(b.start < a.end for a, b in itertools.pairwise(wins))


def test_cue_row_has_conjunctions() -> None:
    row = dict(zip(CUE_FEATURES, cue_row({"time", "method"}), strict=True))
    on = {name for name, value in row.items() if value}
    assert on == {"time", "method", "time+risk", "method-only", "risk>=1"}
