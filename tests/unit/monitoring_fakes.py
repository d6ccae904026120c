"""An in-memory MonitoringRepository (services/monitoring/ports.py) for the unit fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lifeline.domain.monitoring import WindowPost
from lifeline.services.monitoring.ports import WindowEntry


@dataclass
class MonitoringData:
    seen: dict[str, datetime] = field(default_factory=dict)
    #: (author key, post, closes at)
    window: list[tuple[str, WindowPost, datetime]] = field(default_factory=list)


class FakeMonitoring:
    def __init__(self, data: MonitoringData) -> None:
        self.data = data

    def unseen(self, keys: Sequence[str]) -> set[str]:
        return {k for k in keys if k not in self.data.seen}

    def mark_seen(self, keys: Sequence[str], at: datetime) -> set[str]:
        taken = {k for k in keys if k not in self.data.seen}
        for key in taken:
            self.data.seen[key] = at
        return taken

    def open_windows(self, author_keys: Sequence[str], now: datetime) -> dict[str, datetime]:
        open_: dict[str, datetime] = {}
        for author, _, until in self.data.window:
            if author in author_keys and until > now:
                open_[author] = max(until, open_.get(author, until))
        return open_

    def keep(self, entries: Sequence[WindowEntry], until: dict[str, datetime]) -> None:
        self.data.window = [
            (a, p, max(u, until[a]) if a in until else u) for a, p, u in self.data.window
        ]
        self.data.window.extend((e.author_key, e.post, until[e.author_key]) for e in entries)

    def window(self, author_keys: Sequence[str], now: datetime) -> list[WindowPost]:
        return [p for a, p, u in self.data.window if a in author_keys and u > now]

    def forget_expired(self, now: datetime) -> int:
        before = len(self.data.window)
        self.data.window = [row for row in self.data.window if row[2] > now]
        return before - len(self.data.window)
