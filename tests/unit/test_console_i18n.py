"""Every string the console shows exists in English and Hindi."""

from __future__ import annotations

import re
from pathlib import Path

from lifeline.web.console import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
DEVANAGARI = re.compile("[\u0900-\u097f]")


def test_every_key_a_template_uses_is_translated() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\.([a-z_]+)", template.read_text()))
    assert used - set(i18n.STRINGS) == set()


def test_every_string_has_an_english_and_a_hindi_text() -> None:
    tables = [i18n.STRINGS, i18n.LEVELS, i18n.STATUSES, i18n.SLA, i18n.SOURCES, i18n.OUTCOMES]
    for table in tables:
        for key, (english, hindi) in table.items():
            assert english and hindi, key
            if key != "language":  # the switch names the other language
                assert DEVANAGARI.search(hindi), key
    assert any("14416" in e and "14416" in h for e, h in i18n.REPLIES)
    assert any("112" in e and "112" in h for e, h in i18n.REPLIES)
