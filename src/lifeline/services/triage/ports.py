"""Ports of risk triage: the model that scores a post, and the stored assessments."""

from __future__ import annotations

from typing import Protocol

from lifeline.domain.risk import RiskAssessment, RiskResult


class RiskClassifier(Protocol):
    """The triage model."""

    @property
    def version(self) -> str: ...

    def classify(self, text: str) -> RiskResult: ...


class AssessmentRepository(Protocol):
    def add(self, assessment: RiskAssessment) -> RiskAssessment: ...
    def for_case(self, case_id: int) -> list[RiskAssessment]: ...
    def operator_labels(self) -> list[RiskAssessment]:
        """The latest operator assessment of each (case, alert), oldest first."""
        ...
