"""Console strings for the alarm banner, alarm kinds and their acknowledgement, the queue order:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {}
