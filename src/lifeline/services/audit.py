"""Checking the audit chain."""

from __future__ import annotations

from dataclasses import dataclass

from lifeline.domain.audit import ChainBreak, verify_chain
from lifeline.services.context import Context


@dataclass(frozen=True)
class AuditReport:
    verified: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_audit(ctx: Context) -> AuditReport:
    with ctx.uow(readonly=True) as uow:
        count, broken = verify_chain(uow.audit.records())
    return AuditReport(count, broken)
