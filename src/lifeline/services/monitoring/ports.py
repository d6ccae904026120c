"""Ports of monitoring: the classifier that scores a batch at once, and the store of posts
seen (keyed hashes only) and of flagged authors' windows of recent posts (encrypted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from lifeline.domain.monitoring import WindowPost
from lifeline.domain.risk import RiskResult


@runtime_checkable
class BatchClassifier(Protocol):
    """The triage model, asked about many texts in one call (faster per text)."""

    @property
    def version(self) -> str: ...

    def classify_many(self, texts: Sequence[str]) -> list[RiskResult]: ...


@dataclass(frozen=True)
class WindowEntry:
    """A post to keep in its author's window: `author_key` is hashed, the post encrypted."""

    author_key: str
    post: WindowPost


class MonitoringRepository(Protocol):
    def unseen(self, keys: Sequence[str]) -> set[str]:
        """Of these post keys, those not taken yet (a read: another writer may take them
        before this one does; `mark_seen` decides)."""
        ...

    def mark_seen(self, keys: Sequence[str], at: datetime) -> set[str]:
        """Record the post keys as taken; returns those this call took (INSERT .. ON
        CONFLICT DO NOTHING): a key taken earlier, or by a concurrent transaction that
        committed, is not returned."""
        ...

    def open_windows(self, author_keys: Sequence[str], now: datetime) -> dict[str, datetime]:
        """Of these authors, those with a window open at `now`, and when it closes."""
        ...

    def keep(self, entries: Sequence[WindowEntry], until: dict[str, datetime]) -> None:
        """Store the posts (encrypted) in their authors' windows, each closing at
        `until[author_key]`; the author's earlier posts now close then too."""
        ...

    def window(self, author_keys: Sequence[str], now: datetime) -> list[WindowPost]:
        """The posts of these authors' open windows, decrypted, the latest taken first."""
        ...

    def forget_expired(self, now: datetime) -> int:
        """Delete window posts whose window closed; returns how many."""
        ...
