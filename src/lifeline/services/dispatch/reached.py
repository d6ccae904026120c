"""Units that already answered for a person: never sent again by themselves (docs/dispatch.md).

A released quarantine mail, a late e-mail or a phone call about a person whom an earlier case
already reached opens a case of its own (timed from when it was sent), linked to the earlier
case by the same keys (account, profile, phone, e-mail). The units that acknowledged that
earlier case or reached the person recently are not dispatched again automatically: the plan
names them and waits for an operator, who knows whether this is news or an echo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.dispatch import Purpose
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Case
from lifeline.services.ports import UnitOfWork


@dataclass(frozen=True)
class AlreadyReached:
    """A unit that acknowledged an earlier case about the person, or whose case reached them."""

    unit_id: str
    unit_name: str
    case_id: int
    at: datetime
    how: str  # acknowledged | reached

    def describe(self) -> str:
        did = "acknowledged" if self.how == "acknowledged" else "reached the person in"
        return (
            f"{self.unit_name} already {did} case #{self.case_id} about this person: not sent "
            f"again without an operator / इस व्यक्ति के केस #{self.case_id} पर "
            f"{self.unit_name} पहले ही कार्रवाई कर चुका है"
        )


def already_reached(uow: UnitOfWork, case: Case, window: timedelta) -> dict[str, AlreadyReached]:
    """Per unit id, the units that acknowledged or reached the person in an earlier case about
    the same person, no earlier than `window` before this case's alert."""
    assert case.id is not None
    keys: set[str] = set()
    for alert in uow.alerts.for_case(case.id):
        keys.update(alert.subject.identity_keys())
    if not keys:
        return {}
    earlier = uow.aftercare.find_earlier_cases(sorted(keys), before=case.opened_at, exclude=case.id)
    since = case.opened_at - window
    found: dict[str, AlreadyReached] = {}
    for other_id in sorted(earlier, reverse=True):
        reached_at = uow.cases.get(other_id).milestones.get(Milestone.ON_SCENE)
        for dispatch in uow.dispatches.for_case(other_id):
            if dispatch.purpose is not Purpose.RESPOND:
                continue
            if dispatch.acknowledged_at is not None:
                at, how = dispatch.acknowledged_at, "acknowledged"
            elif reached_at is not None:
                at, how = reached_at, "reached"
            else:
                continue
            if at >= since and dispatch.unit_id not in found:
                found[dispatch.unit_id] = AlreadyReached(
                    dispatch.unit_id, dispatch.unit_name, other_id, at, how
                )
    return found
