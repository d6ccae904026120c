"""What the API answers about a case's legal hold (`POST /api/v1/cases/{id}/hold|unhold`)."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from lifeline.domain.retention import LegalHold
from lifeline.services.read_model import ReadModel, Timestamp


class LegalHoldRead(ReadModel):
    """A legal hold: why, who put it, since when."""

    reason: str = Field(description="The order's or inquiry's reference")
    by: str = Field(description="Who put it (`user:NAME`, `cli:LOGIN`)")
    at: Timestamp


class CaseHoldRead(ReadModel):
    """A case's legal hold after a hold or unhold: `legal_hold` is null once lifted, and
    `lifted` the hold that ended (null after a hold)."""

    case_id: int
    legal_hold: LegalHoldRead | None
    lifted: LegalHoldRead | None

    @classmethod
    def held(cls, case_id: int, hold: LegalHold) -> Self:
        return cls(case_id=case_id, legal_hold=LegalHoldRead.model_validate(hold), lifted=None)

    @classmethod
    def unheld(cls, case_id: int, lifted: LegalHold) -> Self:
        return cls(case_id=case_id, legal_hold=None, lifted=LegalHoldRead.model_validate(lifted))
