"""Console strings for the field officer's phone page (on scene, outcome):
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {}
