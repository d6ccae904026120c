"""The sign-in throttles' policy: how long an account or a client address waits after failed
attempts (services/access/signin.py applies it at every door: console, API, enrolment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SignInPolicy:
    #: failures in a row before the account's attempts are spaced out
    free_failures: int = 3
    #: the longest wait between attempts on one account, from any address (what a stranger
    #: can cost the owner)
    max_delay: timedelta = timedelta(minutes=1)
    #: the longest wait between attempts on one account from an address that failed on it
    pair_max_delay: timedelta = timedelta(minutes=15)
    #: failures older than this no longer count towards an account's delay
    streak_window: timedelta = timedelta(hours=1)
    #: failures from one client address (any username) within `address_window`
    address_failures: int = 20
    address_window: timedelta = timedelta(minutes=15)

    def delay(self, failures: int, cap: timedelta) -> timedelta:
        """The wait after `failures` failures in a row: none at first, then 2^n seconds."""
        if failures < self.free_failures:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(failures, 30)), cap)

    def account_opens(
        self, streak: list[tuple[datetime, str | None]], address: str | None
    ) -> datetime | None:
        """When a username with this failure streak (newest first) next accepts an attempt
        from `address`; None if it has no failures."""
        if not streak:
            return None
        opens = streak[0][0] + self.delay(len(streak), self.max_delay)
        mine = [at for at, source in streak if address is not None and source == address]
        if mine:
            opens = max(opens, mine[0] + self.delay(len(mine), self.pair_max_delay))
        return opens
