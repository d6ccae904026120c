"""The review's view of a flagged author: their recent posts kept by monitoring (decrypted,
newest first), for the case an operator is reviewing (the console's review queue)."""

from __future__ import annotations

from lifeline.domain.alert import AlertSource
from lifeline.domain.monitoring import WindowPost, author_key
from lifeline.services.context import Context


def author_window(ctx: Context, case_id: int) -> list[WindowPost]:
    """The open window of every author whose monitoring post is part of the case, newest
    first (by posted time, else by when it was taken in). Empty for a case without monitoring
    alerts, and once the window has closed (LIFELINE_MONITORING_WINDOW_DAYS after the
    author's last flagged post). The caller decides who may see it and audits the read."""
    with ctx.uow(readonly=True) as uow:
        keys = sorted(
            {
                author_key(alert.platform, alert.subject.handle)
                for alert in uow.alerts.for_case(case_id)
                if alert.source is AlertSource.MONITORING and alert.subject.handle
            }
        )
        posts = uow.monitoring.window(keys, ctx.clock.now()) if keys else []
    return newest_first(posts)


def newest_first(posts: list[WindowPost]) -> list[WindowPost]:
    """The posts newest first: by posted time, else by when taken in, then the latest taken
    first; posts of the same times stay as the store gives them."""
    return sorted(posts, key=_newest_first)


def _newest_first(post: WindowPost) -> tuple[float, float]:
    return (-(post.posted_at or post.seen_at).timestamp(), -post.seen_at.timestamp())
