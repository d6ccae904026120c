"""In-memory aftercare, report and jurisdiction ports for unit tests (used by fakes.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from lifeline.domain.aftercare import FollowUpPlan
from lifeline.domain.errors import NotFound
from lifeline.domain.risk import AssessmentSource
from lifeline.services.aftercare.ports import EarlierCase
from lifeline.services.ports import ConcurrentWrite
from lifeline.services.reports.ports import AlertFacts, CaseFacts, CheckInFacts, ReadingFacts

if TYPE_CHECKING:
    from fakes import Store


class FakeAftercare:
    """Plans and case links in memory; matches identity keys as the SQL repository matches
    their keyed hashes."""

    def __init__(self, store: Store) -> None:
        self.s = store
        #: the plans handed out or stored, for the unit of work to collect their events
        self.seen: list[FollowUpPlan] = []

    def add_plan(self, plan: FollowUpPlan) -> FollowUpPlan:
        plan.id, plan.version = next(self.s.ids), 1
        for check_in in plan.check_ins:
            check_in.id = next(self.s.ids)
        self._keep(plan)
        return plan

    def get_plan(self, plan_id: int, *, for_update: bool = False) -> FollowUpPlan:
        if plan_id not in self.s.plans:
            raise NotFound(f"follow-up plan {plan_id} not found")
        return self._see(copy.deepcopy(self.s.plans[plan_id]))

    def plan_of_check_in(self, check_in_id: int, *, for_update: bool = False) -> FollowUpPlan:
        for plan in self.s.plans.values():
            if any(c.id == check_in_id for c in plan.check_ins):
                return self._see(copy.deepcopy(plan))
        raise NotFound(f"follow-up check-in {check_in_id} not found")

    def save_plan(self, plan: FollowUpPlan) -> None:
        assert plan.id is not None
        if self.s.plans[plan.id].version != plan.version:
            raise ConcurrentWrite(f"follow-up plan {plan.id} was changed by someone else")
        plan.version += 1
        self._keep(plan)

    def plans_for_case(self, case_id: int) -> list[FollowUpPlan]:
        return [self._see(copy.deepcopy(p)) for p in self.s.plans.values() if p.case_id == case_id]

    def plans(
        self,
        *,
        statuses: list[str] | None = None,
        counsellor: str | None = None,
        with_unassigned: bool = False,
        due_before: datetime | None = None,
        limit: int = 100,
    ) -> list[FollowUpPlan]:
        found = []
        for plan in self.s.plans.values():
            due = [c.due_at for c in plan.check_ins if c.is_open]
            if statuses and plan.status.value not in statuses:
                continue
            theirs = counsellor is None or plan.counsellor == counsellor
            if not (theirs or (with_unassigned and plan.counsellor is None)):
                continue
            if due_before is not None and not (due and min(due) <= due_before):
                continue
            found.append(copy.deepcopy(plan))
        return found[:limit]

    def find_earlier_cases(
        self, identity_keys: list[str], *, before: datetime, exclude: int
    ) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for case in self.s.cases.values():
            stored_first = (case.id or 0) < exclude
            if case.id == exclude or case.subject_id is None:
                continue
            if case.opened_at >= before and not stored_first:
                continue
            known = set(self.s.subjects[case.subject_id].identity_keys())
            known |= {k for k, ids in self.s.case_keys.items() if case.id in ids}
            for key in set(identity_keys) & known:
                found.setdefault(case.id or 0, set()).add(key.split(":", 1)[0])
        return found

    def link_cases(self, case_id: int, earlier: dict[int, set[str]], at: datetime) -> list[int]:
        links = self.s.links.setdefault(case_id, {})
        fresh = sorted(set(earlier) - set(links))
        links.update({i: earlier[i] for i in fresh})
        return fresh

    def history(self, case_id: int) -> list[EarlierCase]:
        found = []
        for other, matched in self.s.links.get(case_id, {}).items():
            case = self.s.cases[other]
            plans = [p for p in self.s.plans.values() if p.case_id == other]
            found.append(
                EarlierCase(
                    other,
                    case.opened_at,
                    case.status.value,
                    case.outcome.kind.value if case.outcome else None,
                    case.outcome.recorded_at if case.outcome else None,
                    tuple(sorted(matched)),
                    plans[-1].status.value if plans else None,
                )
            )
        return sorted(found, key=lambda e: e.opened_at, reverse=True)

    def _keep(self, plan: FollowUpPlan) -> None:
        stored = copy.deepcopy(plan)
        stored.events, stored.new_timeline = [], []
        self.s.plans[plan.id or 0] = stored
        self._see(plan)

    def _see(self, plan: FollowUpPlan) -> FollowUpPlan:
        if not any(plan is p for p in self.seen):
            self.seen.append(plan)
        return plan


class FakeReports:
    def __init__(self, store: Store) -> None:
        self.s = store

    def cases_opened(self, start: datetime, end: datetime) -> list[CaseFacts]:
        return [
            CaseFacts(
                c.id or 0,
                c.platform,
                c.status.value,
                c.opened_at,
                c.outcome.kind.value if c.outcome else None,
                {m.value: t for m, t in c.milestones.items()},
            )
            for c in sorted(self.s.cases.values(), key=lambda c: (c.opened_at, c.id or 0))
            if start <= c.opened_at < end and not c.drill
        ]

    def alerts_of(self, case_ids: list[int]) -> list[AlertFacts]:
        return [
            AlertFacts(a.id or 0, a.case_id or 0, a.source.value, a.platform, a.received_at)
            for a in self.s.alerts.values()
            if a.case_id in case_ids
        ]

    def model_readings(self, case_ids: list[int]) -> list[ReadingFacts]:
        return [
            ReadingFacts(a.case_id, a.alert_id, a.level.value, a.unreadable)
            for a in self.s.assessments
            if a.case_id in case_ids and a.source is AssessmentSource.MODEL
        ]

    def check_ins_due(self, start: datetime, end: datetime) -> list[CheckInFacts]:
        return [
            CheckInFacts(
                c.id or 0,
                p.id or 0,
                p.case_id,
                c.label,
                c.due_at,
                c.result.value if c.result else None,
                c.cancelled_at is not None,
            )
            for p in self.s.plans.values()
            for c in p.check_ins
            if start <= c.due_at < end
        ]


#: (LGD code, English name, Hindi name) of the districts the fake jurisdiction index knows
FAKE_DISTRICTS = [("157", "Lucknow", "लखनऊ"), ("146", "Agra", "आगरा")]


class FakeJurisdictions:
    """Which district each case is in (tests set `store.districts`)."""

    def __init__(self, store: Store) -> None:
        self.s = store

    def for_case(self, case_id: int) -> set[str]:
        return {self.s.districts[case_id]} if case_id in self.s.districts else set()

    def for_cases(self, case_ids: Iterable[int]) -> dict[int, set[str]]:
        return {case_id: self.for_case(case_id) for case_id in case_ids}

    def cases_in(self, districts: set[str]) -> set[int]:
        return {c for c, d in self.s.districts.items() if d in districts}

    def assign(self, case_id: int, district_lgd: str, by: str, at: datetime) -> None:
        self.s.districts[case_id] = district_lgd
        self.s.assigned[case_id] = (district_lgd, at)

    def assigned(self, case_id: int) -> tuple[str, datetime] | None:
        return self.s.assigned.get(case_id)

    def district_code(self, value: str) -> str | None:
        for code, english, hindi in FAKE_DISTRICTS:
            if value.strip().casefold() in (code, english.casefold(), hindi):
                return code
        return None

    def districts(self) -> list[tuple[str, str, str]]:
        return list(FAKE_DISTRICTS)
