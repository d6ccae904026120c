"""What a message-bus consumer of the monitoring stream records besides the posts it ingests:
the messages it could not read and therefore dropped (terminated), so a producer's fault is
visible in the audit log rather than silently lost. Reasons only, never message content."""

from __future__ import annotations

from collections.abc import Sequence

from lifeline.domain.model import Actor
from lifeline.services.context import Context
from lifeline.services.monitoring.ingest import MONITOR

#: reasons listed in one audit entry (the count is always whole)
MAX_LISTED = 50


def record_rejected(
    ctx: Context,
    rejected: Sequence[tuple[str, str]],
    *,
    source: str,
    actor: Actor = MONITOR,
) -> None:
    """One audit entry for messages dropped as unreadable: `rejected` holds (where the
    message was in its stream, why it was dropped); `source` names the stream and consumer."""
    if not rejected:
        return
    with ctx.uow() as uow:
        uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="monitoring.messages_rejected",
            case_id=None,
            details={
                "source": source,
                "count": len(rejected),
                "messages": [
                    {"message": ident, "reason": reason[:300]}
                    for ident, reason in rejected[:MAX_LISTED]
                ],
            },
        )
        uow.commit()
