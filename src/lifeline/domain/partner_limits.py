"""How much one partner key may send to the monitoring stream a minute (issue #19): a leaked key
must not flood the review queue. Two limits, each 0 for none:

- requests a minute, counted in the database from the signatures every signed request leaves
  (`seen_signatures`), so every API process shares the count;
- posts a minute, counted in this process (`PostWindow`): with N API processes a key may send
  up to N times the limit.

Pure: the times come from the caller.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lifeline.domain.errors import DomainError

WINDOW = timedelta(minutes=1)
REQUESTS_SETTING = "LIFELINE_MONITORING_PARTNER_REQUESTS_PER_MINUTE"
POSTS_SETTING = "LIFELINE_MONITORING_PARTNER_POSTS_PER_MINUTE"


@dataclass(frozen=True)
class PartnerLimits:
    """The settings; 0: that limit is off."""

    requests_per_minute: int = 600
    posts_per_minute: int = 150_000


class RateLimited(DomainError):
    """A partner key sent more than its limit in the last minute; nothing was stored."""

    code = "rate_limited"

    def __init__(
        self, limit: str, setting: str, allowed: int, used: int, retry_after: int, why: str = ""
    ) -> None:
        self.limit = limit
        self.setting = setting
        self.allowed = allowed
        self.used = used
        self.retry_after = retry_after
        text = why or (
            f"this partner key sent {used} {limit} in the last 60 s; the limit is {allowed} "
            f"{limit} a minute ({setting}); retry in {retry_after} s"
        )
        super().__init__(text)

    @property
    def details(self) -> list[dict[str, object]]:
        """The refusal's `details` in the API's error body (and the audit record's counts)."""
        return [
            {
                "limit": f"{self.limit}_per_minute",
                "setting": self.setting,
                "allowed": self.allowed,
                "used": self.used,
                "retry_after": self.retry_after,
            }
        ]


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds from `now` until `moment`, at least 1 (a Retry-After)."""
    return max(1, math.ceil((moment - now).total_seconds()))


def requests_refusal(
    allowed: int, used: int, oldest: datetime | None, now: datetime
) -> RateLimited | None:
    """The refusal when `used` requests in the window (this one not counted) leave no room."""
    if not allowed or used < allowed:
        return None
    wait = seconds_until(oldest + WINDOW, now) if oldest is not None else 1
    return RateLimited("requests", REQUESTS_SETTING, allowed, used, wait)


@dataclass
class PostWindow:
    """Posts each partner sent in the last minute, in this process, and when a refusal was
    last audited. Hand-written rather than a rate-limit library: a deque of (time, posts) per
    key is all a sliding minute needs, and none of the libraries shares its count between
    processes through our database (the requests limit does that)."""

    _sent: dict[int, deque[tuple[datetime, int]]] = field(default_factory=dict)
    _audited: dict[int, tuple[datetime, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, partner_id: int, posts: int, allowed: int, now: datetime) -> RateLimited | None:
        """Count `posts` against the key's minute, or the refusal (nothing counted)."""
        if not allowed:
            return None
        if posts > allowed:
            why = (
                f"one request of {posts} posts is more than this partner key may send in a "
                f"minute ({allowed} posts, {POSTS_SETTING}): send smaller requests"
            )
            return RateLimited("posts", POSTS_SETTING, allowed, posts, 60, why)
        with self._lock:
            sent = self._sent.setdefault(partner_id, deque())
            while sent and sent[0][0] <= now - WINDOW:
                sent.popleft()
            used = sum(n for _, n in sent)
            if used + posts <= allowed:
                sent.append((now, posts))
                return None
            # wait until enough of the oldest posts leave the window for this request to fit
            freed, wait_until = used, now
            for at, n in sent:
                freed -= n
                wait_until = at + WINDOW
                if freed + posts <= allowed:
                    break
            return RateLimited(
                "posts", POSTS_SETTING, allowed, used, seconds_until(wait_until, now)
            )

    def refused(self, partner_id: int, now: datetime) -> int | None:
        """Note one refusal; the number of refusals to audit now (this one and those since the
        last record), or None while a record for this key is less than a minute old (a flood
        is one audit record a minute, not one a request)."""
        with self._lock:
            last, waiting = self._audited.get(partner_id, (None, 0))
            waiting += 1
            if last is not None and now - last < WINDOW:
                self._audited[partner_id] = (last, waiting)
                return None
            self._audited[partner_id] = (now, 0)
            return waiting
