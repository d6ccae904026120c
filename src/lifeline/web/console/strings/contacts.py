"""Console strings for registry contacts, test messages, drills and the demo inbox:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {}
