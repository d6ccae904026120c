"""In-memory risk assessments, for unit tests of the triage service."""

from __future__ import annotations

import dataclasses
from typing import Any

from lifeline.domain.risk import RiskAssessment


class FakeAssessments:
    def __init__(self, store: Any) -> None:
        self.s = store

    def add(self, assessment: RiskAssessment) -> RiskAssessment:
        assessment.id = next(self.s.ids)
        self.s.assessments.append(dataclasses.replace(assessment))
        return assessment

    def for_case(self, case_id: int) -> list[RiskAssessment]:
        return [dataclasses.replace(a) for a in self.s.assessments if a.case_id == case_id]

    def operator_labels(self) -> list[RiskAssessment]:
        latest: dict[tuple[int, int | None], RiskAssessment] = {}
        for a in self.s.assessments:
            if a.source == "operator":
                latest[(a.case_id, a.alert_id)] = dataclasses.replace(a)
        return sorted(latest.values(), key=lambda a: (a.at, a.id or 0))
