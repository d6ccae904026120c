"""Console strings for reports, clocks and the district report:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {}
