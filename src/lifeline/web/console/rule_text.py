"""Routing's rule names and reasons in the reader's language (strings/desk.py's RULE_TEXT): the
dispatch panel shows them; a registry's own rule names, and anything not in the table, are
shown as written."""

from __future__ import annotations

import re

from lifeline.web.console.strings.desk import RULE_TEXT

_PATTERNS = tuple((re.compile(pattern), hindi) for pattern, hindi in RULE_TEXT)


def rule_text(text: str | None, lang: str) -> str:
    """`text` in Hindi when `lang` is "hi" and the text is one routing writes, else as is."""
    if not text or lang != "hi":
        return text or ""
    for pattern, hindi in _PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return found.expand(hindi)
    return text
