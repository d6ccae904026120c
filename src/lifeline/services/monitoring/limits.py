"""The per-partner limit of the monitoring stream (`POST /api/v1/monitoring/posts`): checked
after the signature and the posts, before anything is stored (domain/partner_limits.py says
what is counted where). A refusal is audited with counts only, one record a minute per key
and process however fast the refusals come."""

from __future__ import annotations

from lifeline.domain.model import Actor
from lifeline.domain.partner_limits import WINDOW, PostWindow, RateLimited, requests_refusal
from lifeline.services.context import Context


def admit(ctx: Context, actor: Actor, partner_id: int, posts: int, window: PostWindow) -> None:
    """Let the partner's request of `posts` posts through, or raise RateLimited (nothing
    stored; the refusal audited as `monitoring.rate_limited` when one is due)."""
    limits = ctx.config.partner_limits
    now = ctx.clock.now()
    refusal: RateLimited | None = None
    if limits.requests_per_minute:
        with ctx.uow(readonly=True) as uow:
            used, oldest = uow.signatures.seen_since(partner_id, now - WINDOW)
        refusal = requests_refusal(limits.requests_per_minute, used, oldest, now)
    if refusal is None:
        refusal = window.take(partner_id, posts, limits.posts_per_minute, now)
    if refusal is None:
        return
    refused = window.refused(partner_id, now)
    if refused is not None:
        with ctx.uow() as uow:
            uow.audit.append(
                at=now,
                actor=str(actor),
                action="monitoring.rate_limited",
                case_id=None,
                details={**refusal.details[0], "posts": posts, "refused": refused},
            )
            uow.commit()
    raise refusal
