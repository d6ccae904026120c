"""What the inputs said while a location is resolved: findings, their weights and wording,
review reasons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lifeline.adapters.geo.gazetteer import KIND_WEIGHT
from lifeline.adapters.geo.mentions import Mention, Place
from lifeline.adapters.geo.narrowing import DISTRICT_LEVEL
from lifeline.adapters.geo.registry import RegistryIndex
from lifeline.domain.place import Evidence

#: a loosely spelt name from another state
OTHER_STATE_LOOSE = 0.7
#: how much a name found in each input counts (times the kind's weight and the match quality)
SOURCE_FACTOR = {"text": 1.0, "approximate": 0.5, "post": 0.8, "ip_city": 0.35, "phone": 0.6}
#: inputs that only approximate where the person is
WEAK = frozenset({"ip_city", "approximate"})
#: how strongly they count against a district the other inputs support (times their weight)
WEAK_AGAINST = 0.5
#: a well-known place a post names outside a locative phrase ("Bareilly ki Barfi")
POST_MENTION = 0.5
#: inputs that say where the person is; the post only corroborates them when they name a place
FIELDS = frozenset({"text", "coordinates", "pin", "phone", "approximate"})


@dataclass
class Findings:
    """What the inputs said, as it is collected."""

    support: dict[str, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    evidence: list[Evidence] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    states: set[str] = field(default_factory=set)
    stations: dict[str, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    #: each finding's districts and how strongly it says the person is in none of the others
    against: list[tuple[frozenset[str], float]] = field(default_factory=list)

    def add(
        self,
        source: str,
        finding: str,
        raw: str | None,
        weights: dict[str, float],
        against: float | None = None,
    ) -> None:
        """`against`: how strongly the finding excludes every other district, when that differs
        from its support for its own ("a point on the border of A and B" is weak for either and
        strong against C)."""
        for lgd, w in weights.items():
            self.support[lgd].append((w, source))
        if weights:
            strength = against if against is not None else max(weights.values())
            self.against.append((frozenset(weights), strength))
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


def weigh_mentions(
    mentions: list[Mention],
    source: str,
    found: Findings,
    registry: RegistryIndex,
    day: date,
    home_state: str,
) -> None:
    # a post corroborates the location fields; alone it proposes, never overrules them
    fielded = {lgd for lgd, items in found.support.items() if any(s in FIELDS for _, s in items)}
    said: dict[str, float] = {}
    if source == "post":  # locative phrases first: they are what the post says of place
        mentions = sorted(mentions, key=lambda m: not m.locative)
    for m in mentions:
        if m.ignored:
            found.note(source, f"{m.text}: {m.ignored}", m.text)
            continue
        factor = SOURCE_FACTOR[source]
        if source == "post" and not m.locative:
            factor *= POST_MENTION
        places = [
            p for p in m.places if p.unit_id is None or registry.get(p.unit_id, day) is not None
        ]
        states = {p.state for p in places if p.kind == "state" and p.state}
        if states:
            found.states |= states
            found.note(source, f"names the state {', '.join(sorted(states))}", m.text)
        weights: dict[str, float] = {}
        for p in places:
            # a loosely matched name from another state is a guess: never confident alone
            away = OTHER_STATE_LOOSE if m.method != "exact" and p.state != home_state else 1
            for lgd in p.districts:
                w = round(KIND_WEIGHT[p.kind] * m.quality * factor * away, 3)
                if lgd and w > weights.get(lgd, 0.0):
                    weights[lgd] = w
                if p.unit_id and lgd:
                    found.stations[lgd].append((w, p.unit_id))
        if source == "post":
            if fielded:
                elsewhere = sorted(d for d in weights if d not in fielded)
                if elsewhere:
                    found.note(
                        source,
                        f"{m.text}: named in the post, not where the location fields "
                        "point (not used)",
                        m.text,
                    )
                weights = {d: w for d, w in weights.items() if d in fielded}
            # the same district named twice in a post is one piece of evidence, not two
            level = any(p.kind in DISTRICT_LEVEL for p in places)
            weights = {d: w for d, w in weights.items() if said.get(f"{d}:{level}", 0.0) < w}
            for d, w in weights.items():
                said[f"{d}:{level}"] = w
        if not weights:
            continue
        shared = f" (a name shared by {len(weights)} districts)" if len(weights) > 1 else ""
        how = "" if m.locative or source != "post" else " (named in the post, not as where"
        how += " the author is)" if how else ""
        # an IP city or an approximate place often names the nearest big city: weak
        # against an address, coordinates or a PIN that agree among themselves
        against = max(weights.values()) * WEAK_AGAINST if source in WEAK else None
        found.add(source, f"{describe(places, m.method)}{shared}{how}", m.text, weights, against)
