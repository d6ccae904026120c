"""Ports of sign-in: the log of attempts the throttles read (split out of `ports.py`, which
re-exports them for the unit of work)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class SignInAttempt:
    """One row of the sign-in log. `address` is a keyed hash of the client address, never the
    address; a throttled burst is one row whose `repeats` counts the attempts it refused."""

    id: int
    username: str
    at: datetime
    ok: bool
    reason: str
    address: str | None
    repeats: int = 1


class SignInLog(Protocol):
    """Every sign-in attempt, by every door: the throttles are computed from it."""

    def record(
        self,
        *,
        username: str,
        at: datetime,
        ok: bool,
        reason: str,
        address: str | None,
        totp_step: int | None = None,
    ) -> None: ...
    def streak(self, username: str, since: datetime) -> list[tuple[datetime, str | None]]:
        """(time, address hash) of this username's failures since `since` and since its last
        success or unlock, newest first (throttled bursts not counted)."""
        ...

    def failures_from(self, address: str, since: datetime, limit: int) -> list[datetime]:
        """Times of the failures from this address since `since`, any username, newest first
        (at most `limit`; throttled bursts not counted)."""
        ...

    def latest(self, username: str, address: str | None) -> SignInAttempt | None:
        """The newest row for this username from this address."""
        ...

    def extend_burst(self, attempt_id: int) -> None:
        """Count one more refused attempt in a throttled burst."""
        ...

    def forgive(self, username: str, address: str | None) -> None:
        """Stop counting this username's failures from `address` (None: from anywhere) towards
        the address's limit: after the person signed in there, or an admin unlocked them."""
        ...
