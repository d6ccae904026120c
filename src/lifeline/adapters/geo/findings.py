"""What the inputs said while a location is resolved: findings, their wording, review reasons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lifeline.adapters.geo.gazetteer import Place
from lifeline.services.location import Evidence


@dataclass
class Findings:
    """What the inputs said, as it is collected."""

    support: dict[str, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    evidence: list[Evidence] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    states: set[str] = field(default_factory=set)
    stations: dict[str, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, source: str, finding: str, raw: str | None, weights: dict[str, float]) -> None:
        for lgd, w in weights.items():
            self.support[lgd].append((w, source))
        self.evidence.append(
            Evidence(
                source, finding, raw, tuple(weights), round(max(weights.values(), default=0), 2)
            )
        )

    def note(self, source: str, finding: str, raw: str | None = None) -> None:
        self.evidence.append(Evidence(source, finding, raw))

    def review(self, reason: str, districts: Sequence[str] = ()) -> None:
        self.blocking.append(reason)
        self.evidence.append(Evidence("review", reason, None, tuple(districts)))


def area_names(areas: Sequence[Any]) -> str:
    return ", ".join(f"{a.district} ({a.state})" for a in areas) or "nothing"


def describe(places: Sequence[Place], method: str) -> str:
    how = {
        "exact": "",
        "sound": " (same sound)",
        "spelling": " (spelling variant)",
        "typo": " (likely misspelt)",
        "nearby": " (close spelling, in the named district)",
    }
    kinds = {
        "district": "district",
        "old_name": "old name of a district",
        "city": "city/town",
        "area": "city",
        "locality": "police station area",
        "head_office": "town (post office)",
        "sub_office": "town (post office)",
        "branch_office": "village (post office)",
    }
    parts = []
    for p in places[:4]:
        label = kinds.get(p.kind, p.kind)
        extra = f", {p.note}" if p.note else ""
        parts.append(f"{p.name}: {label}{extra}")
    more = f" and {len(places) - 4} more" if len(places) > 4 else ""
    return "; ".join(parts) + more + how.get(method, "")
