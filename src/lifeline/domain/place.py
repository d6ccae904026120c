"""Place: what an alert says about where the person is, and what the resolver answers.

`LocationQuery` is asked, `Resolution` answered (its ranked `Candidate`s and the `Evidence`
behind them); a `StoredResolution` is one answer kept for a case. The SMC's own state (the home
state) is configuration: `LIFELINE_HOME_STATE`, whose default is `DEFAULT_HOME_STATE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lifeline.domain.values import field_values

#: the state whose SMC runs Lifeline, unless `LIFELINE_HOME_STATE` names another: routing's
#: `in_state`, the resolver's leniency towards its own place names, an operator's district
DEFAULT_HOME_STATE = "Uttar Pradesh"


@dataclass(frozen=True)
class LocationQuery:
    """Everything an alert says about place. `text` is an address or location field (matched
    leniently); `approximate` a place the sender marks as approximate ("last IP geolocation:
    Lucknow", "near Hazratganj", "last known location"), weighed less than an address;
    `post_text` is the post itself (names taken only from locative phrases, or well-known
    places spelt exactly, and only ever corroborating the location fields)."""

    text: str | None = None
    lat: float | None = None
    lon: float | None = None
    pin: str | None = None
    phone: str | None = None
    ip_city: str | None = None
    post_text: str | None = None
    approximate: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One place the person may be, with the units responsible for it."""

    state: str | None
    district: str | None
    district_lgd: str | None
    confidence: float
    commissionerate: str | None = None
    zone: str | None = None
    circle: str | None = None
    police_station: str | None = None
    unit_id: str | None = None
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = field_values(self)  # flat (a resolution's candidates go with every alert)
        data["sources"] = list(self.sources)
        return data


@dataclass(frozen=True)
class Evidence:
    """One finding: which input (`source`: coordinates, pin, text, approximate, post, phone,
    ip_city, or review for a reason the result needs a person) said what, and for which
    districts."""

    source: str
    finding: str
    input: str | None = None
    districts: tuple[str, ...] = ()
    weight: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        data = field_values(self)
        data["districts"] = list(self.districts)
        return data


@dataclass(frozen=True)
class Resolution:
    """The answer: the best candidate's fields at the top (null where unknown), the ranked
    candidates, the evidence, and whether a person must decide (`needs_review`)."""

    state: str | None
    district: str | None
    district_lgd: str | None
    commissionerate: str | None
    zone: str | None
    police_station: str | None
    confidence: float
    needs_review: bool
    candidates: tuple[Candidate, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    resolver_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The shape of `lifeline locate --json` (DESIGN.md §3)."""
        return {
            "state": self.state,
            "district": self.district,
            "district_lgd": self.district_lgd,
            "commissionerate": self.commissionerate,
            "zone": self.zone,
            "police_station": self.police_station,
            "confidence": self.confidence,
            "needs_review": self.needs_review,
            "candidates": [c.as_dict() for c in self.candidates],
            "evidence": [e.as_dict() for e in self.evidence],
        }

    def place(self) -> str:
        """A short human description: police station, district, state ("Madeyganj PS, Lucknow,
        …")."""
        parts = [f"{self.police_station} PS" if self.police_station else None]
        parts += [self.district, self.state]
        return ", ".join(p for p in parts if p) or "unknown"

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Resolution:
        return Resolution(
            state=data.get("state"),
            district=data.get("district"),
            district_lgd=data.get("district_lgd"),
            commissionerate=data.get("commissionerate"),
            zone=data.get("zone"),
            police_station=data.get("police_station"),
            confidence=float(data.get("confidence") or 0.0),
            needs_review=bool(data.get("needs_review", True)),
            candidates=tuple(
                Candidate(**{**c, "sources": tuple(c.get("sources") or ())})
                for c in data.get("candidates") or []
            ),
            evidence=tuple(
                Evidence(**{**e, "districts": tuple(e.get("districts") or ())})
                for e in data.get("evidence") or []
            ),
            resolver_version=str(data.get("resolver_version") or ""),
        )


@dataclass(frozen=True)
class StoredResolution:
    alert_id: int
    case_id: int
    resolved_at: datetime
    resolution: Resolution
