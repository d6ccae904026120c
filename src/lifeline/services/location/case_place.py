"""The case's one location, chosen with care from every answer the case has (docs/location.md).

Each alert's resolution, each STF trace answer and an operator's district choice are answers.
Every message, brief, API view and console page reads the one place chosen here, so officers
are never told a place that a single doubtful answer suggested after a confident one.

The rules are Lifeline's own policy (no library decides whose word wins), hence hand-written:

1. a person's answer wins: the latest confident answer of an operator or the STF;
2. else the first confident resolver answer fixes the district; later confident answers in
   that district may refine it (a police station), answers naming another district do not
   replace it but raise a conflict flag for an operator to settle;
3. a confident answer is never replaced by one that needs review;
4. with nothing confident, the answer whose best district has the most support (highest
   confidence) is shown as a candidate needing review, never as a confirmed place.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from lifeline.domain.place import Candidate, Resolution, StoredResolution
from lifeline.services.location.resolution import resolutions_of
from lifeline.services.ports import UnitOfWork

UNKNOWN_PLACE = "unknown / अज्ञात"
OPERATOR, STF, RESOLVER = "operator", "stf", "resolver"


def is_confident(resolution: Resolution | None) -> bool:
    """A district set and no review needed: the only answers a unit may be sent on."""
    return resolution is not None and not resolution.needs_review and bool(resolution.district_lgd)


def best_district(resolution: Resolution | None) -> tuple[str | None, str | None, float]:
    """(name, LGD code, confidence) of the answer's best district, even when it needs review."""
    if resolution is None:
        return None, None, 0.0
    if resolution.district_lgd:
        return resolution.district, resolution.district_lgd, resolution.confidence
    top = next((c for c in resolution.candidates if c.district_lgd), None)
    if top is None:
        return None, None, 0.0
    return top.district, top.district_lgd, top.confidence


@dataclass(frozen=True)
class CasePlace:
    """Where the case is: the chosen answer, whose it is, and any confident answers (of other
    alerts) that disagree with it: the conflict an operator must settle."""

    resolution: Resolution | None = None
    source: str = ""  # operator | stf | resolver | "" (no answer yet)
    alert_id: int | None = None
    at: datetime | None = None
    #: (LGD code, name) of confident answers naming another district
    conflict: tuple[tuple[str, str], ...] = ()

    @property
    def confident(self) -> bool:
        return is_confident(self.resolution)

    @property
    def district_lgd(self) -> str | None:
        """The district units may be sent to (None unless confident)."""
        return self.resolution.district_lgd if self.confident and self.resolution else None

    @property
    def police_station(self) -> str | None:
        return self.resolution.police_station if self.confident and self.resolution else None

    @property
    def candidate(self) -> str | None:
        """The best district when the place still needs review (shown, marked as such)."""
        if self.confident:
            return None
        return best_district(self.resolution)[0]

    def describe(self) -> str:
        """What a message says: the confirmed place, or a candidate marked unconfirmed."""
        if self.confident and self.resolution is not None:
            return self.resolution.place()
        if self.candidate:
            return f"{UNKNOWN_PLACE} (possibly {self.candidate}? unconfirmed / अपुष्ट)"
        return UNKNOWN_PLACE

    def key(self) -> tuple[str | None, str | None]:
        return self.district_lgd, self.police_station

    def moved_from(self, before: CasePlace) -> bool:
        """Whether units sent to `before` are at the wrong place now: another district, or
        another police station (a station named where none was known refines, not moves)."""
        if not (self.confident and before.confident) or self.district_lgd != before.district_lgd:
            return self.confident and before.confident
        return bool(self.police_station and before.police_station) and (
            self.police_station != before.police_station
        )


@dataclass(frozen=True)
class HumanAnswer:
    """An operator's district choice or the STF's trace answer."""

    source: str
    at: datetime
    resolution: Resolution
    alert_id: int | None = None


def choose_place(
    found: Sequence[StoredResolution],
    *,
    stf_at: Collection[datetime] = (),
    operator: HumanAnswer | None = None,
) -> CasePlace:
    """The case's place from its stored resolutions (oldest first; those resolved at a time in
    `stf_at` are the STF's answers) and an operator's choice."""
    human = [
        HumanAnswer(STF, r.resolved_at, r.resolution, r.alert_id)
        for r in found
        if r.resolved_at in stf_at
    ]
    if operator is not None:
        human.append(operator)
    decided = sorted((h for h in human if is_confident(h.resolution)), key=lambda h: h.at)
    if decided:
        last = decided[-1]
        return CasePlace(last.resolution, last.source, last.alert_id, last.at)
    resolved = [r for r in found if r.resolved_at not in stf_at]
    confident = [r for r in resolved if is_confident(r.resolution)]
    if confident:
        district = confident[0].resolution.district_lgd
        same = [r for r in confident if r.resolution.district_lgd == district]
        chosen = same[-1]
        others: dict[str, str] = {}
        for r in confident:
            lgd = r.resolution.district_lgd
            if lgd and lgd != district:
                others.setdefault(lgd, r.resolution.district or lgd)
        return CasePlace(
            chosen.resolution,
            RESOLVER,
            chosen.alert_id,
            chosen.resolved_at,
            tuple(others.items()),
        )
    pool: list[tuple[str, datetime, Resolution, int | None]] = [
        (RESOLVER, r.resolved_at, r.resolution, r.alert_id) for r in resolved
    ]
    pool += [(h.source, h.at, h.resolution, h.alert_id) for h in human]
    if not pool:
        return CasePlace()
    # the best-supported candidate; among equals the latest (it saw the most evidence)
    source, at, resolution, alert_id = max(
        pool, key=lambda p: (best_district(p[2])[1] is not None, best_district(p[2])[2], p[1])
    )
    return CasePlace(resolution, source, alert_id, at)


def operator_answer(
    uow: UnitOfWork, case_id: int, found: Sequence[StoredResolution], home_state: str
) -> HumanAnswer | None:
    """The district an operator assigned, as a confident answer (keeping a resolver's candidate
    in that district, with its police station, if there was one). An operator picks among the
    home state's districts (the jurisdiction directory), so that is the answer's state."""
    assigned = uow.jurisdictions.assigned(case_id)
    if assigned is None:
        return None
    lgd, at = assigned
    names = {code: name for code, name, _ in uow.jurisdictions.districts()}
    if lgd not in names:
        return None
    known = [c for r in reversed(found) for c in r.resolution.candidates if c.district_lgd == lgd]
    best = known[0] if known else Candidate(home_state, names[lgd], lgd, 1.0)
    resolution = Resolution(
        state=best.state or home_state,
        district=names[lgd],
        district_lgd=lgd,
        commissionerate=best.commissionerate,
        zone=best.zone,
        police_station=best.police_station,
        confidence=1.0,
        needs_review=False,
        candidates=(best,),
        resolver_version=OPERATOR,
    )
    return HumanAnswer(OPERATOR, at, resolution)


def case_place(uow: UnitOfWork, case_id: int, home_state: str) -> CasePlace:
    """The case's one place, read in the caller's transaction (`home_state`: the service
    configuration's, the state of the districts an operator may assign)."""
    found = resolutions_of(uow, case_id)
    stf_at = uow.cases.times_of(case_id, "trace_answered")
    operator = operator_answer(uow, case_id, found, home_state)
    return choose_place(found, stf_at=stf_at, operator=operator)
