"""An in-memory RetentionStore (services/retention/ports.py) for the unit fakes: holds and the
ledger of runs. It erases nothing (there are no rows to erase in the fakes); what the registry
erases is tested on both real databases (tests/integration/test_retention.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lifeline.domain.errors import NotFound
from lifeline.domain.retention import LegalHold, Policy, PurgeCounts
from lifeline.services.retention.ports import CaseRetention


@dataclass
class RetentionData:
    holds: dict[int, LegalHold] = field(default_factory=dict)
    runs: list[datetime] = field(default_factory=list)


class FakeRetention:
    def __init__(self, data: RetentionData, cases: dict[int, Any]) -> None:
        self.data, self.cases = data, cases

    def due_cases(
        self, policy: Policy, *, closed_before: datetime, dismissed_before: datetime, limit: int
    ) -> list[int]:
        return []

    def held_due(self, *, closed_before: datetime, dismissed_before: datetime) -> list[int]:
        return []

    def erase_case(
        self, case_id: int, policy: Policy, now: datetime, *, dry_run: bool, ended_only: bool
    ) -> PurgeCounts | None:
        return None if case_id in self.data.holds else PurgeCounts()

    def erase_own(self, policy: Policy, before: datetime, *, dry_run: bool) -> PurgeCounts:
        return PurgeCounts()

    def erase_by_keys(self, keys: list[str], *, dry_run: bool) -> PurgeCounts:
        return PurgeCounts()

    def cases_of_person(self, keys: list[str]) -> list[int]:
        return []

    def platforms(self) -> list[str]:
        return []

    def get(self, case_id: int) -> CaseRetention:
        if case_id not in self.cases:
            raise NotFound(f"case {case_id} not found")
        status = self.cases[case_id].status
        return CaseRetention(case_id, str(status), self.data.holds.get(case_id), {})

    def set_hold(self, case_id: int, hold: LegalHold | None) -> bool:
        self.get(case_id)
        if (case_id in self.data.holds) == (hold is not None):
            return False
        if hold is None:
            self.data.holds.pop(case_id)
        else:
            self.data.holds[case_id] = hold
        return True

    def record_run(self, at: datetime, counts: PurgeCounts) -> None:
        self.data.runs.append(at)

    def last_run(self) -> datetime | None:
        return max(self.data.runs, default=None)

    def purge_scheduled(self, *, running: bool = True) -> datetime | None:
        return None
