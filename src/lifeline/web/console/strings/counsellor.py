"""Console strings for the counsellor's console and the case page's follow-up panel:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {}
