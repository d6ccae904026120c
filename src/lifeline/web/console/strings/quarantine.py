"""Console strings for the quarantine page and its badge:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {}
