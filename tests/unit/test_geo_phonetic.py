"""Cross-script spelling keys: Hindi and English spellings of a place fold together."""

from __future__ import annotations

import pytest

from lifeline.adapters.geo.phonetic import delete_schwa, phrase_sound, romanise, skeleton, sound


def key(text: str) -> str:
    return phrase_sound(romanise(text).split())


@pytest.mark.parametrize(
    ("english", "hindi"),
    [
        ("Lucknow", "लखनऊ"),
        ("Madeyganj", "मदेयगंज"),
        ("Chinhat", "चिनहट"),
        ("Hazratganj", "हज़रतगंज"),
        ("Ghaziabad", "ग़ाज़ियाबाद"),
        ("Allahabad", "इलाहाबाद"),
        ("Faizabad", "फ़ैज़ाबाद"),
        ("Shahjahanpur", "शाहजहाँपुर"),
        ("Gorakhpur", "गोरखपुर"),
        ("Kanpur Nagar", "कानपुर नगर"),
        ("Shravasti", "श्रावस्ती"),
        ("Unnao", "उन्नाव"),
    ],
)
def test_english_and_hindi_spellings_of_a_place_sound_the_same(english: str, hindi: str) -> None:
    assert key(english) == key(hindi)


def test_spelling_variants_share_a_sound() -> None:
    assert key("Shrawasti") == key("Shravasti")
    assert key("Sant Kabeer Nagar") == key("Sant Kabir Nagar")
    assert key("Bareilly") == key("बरेली")


def test_hindi_drops_the_final_and_the_medial_inherent_vowel() -> None:
    assert romanise(delete_schwa("लखनऊ")) == "lakhnau"
    assert romanise("चिनहट") == "chinhat"


def test_other_scripts_are_dropped_and_latin_is_casefolded() -> None:
    assert romanise("Москва LUCKNOW") == "lucknow"
    assert romanise("ਲੁਧਿਆਣਾ") != ""  # Gurmukhi is Brahmic: transliterated


def test_numbers_survive_so_sectors_do_not_collapse() -> None:
    assert key("Sector 62") != key("Sector 18")
    assert skeleton(sound("62")) == "62"
