"""Ports of access: staff accounts and partners, console sessions and profiles, the sign-in log
the throttles read, and where audit checkpoints are anchored outside the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from lifeline.domain.audit import AuditKey

# -- accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRecord:
    id: int
    name: str
    key_id: str
    secret: str
    active: bool = True


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    password_hash: str
    totp_secret: str
    role: str
    jurisdiction: str | None = None
    active: bool = True
    #: bumped to revoke every bearer token and console session of the person at once
    token_generation: int = 0
    #: the two-factor time step last accepted (a code is accepted once)
    last_totp_step: int | None = None
    #: SHA-256 of the one-time enrolment code, and when it expires (None: none pending)
    enrolment_code_hash: str | None = None
    enrolment_expires_at: datetime | None = None


class PartnerRepository(Protocol):
    def add(self, name: str, key_id: str, secret: str, at: datetime) -> PartnerRecord: ...
    def by_key_id(self, key_id: str) -> PartnerRecord | None: ...


class UserRepository(Protocol):
    def add(
        self,
        *,
        username: str,
        password_hash: str,
        totp_secret: str,
        role: str,
        jurisdiction: str | None,
        at: datetime,
    ) -> UserRecord: ...
    def by_username(self, username: str) -> UserRecord | None: ...
    def all(self) -> list[UserRecord]: ...
    def set_active(self, user_id: int, active: bool) -> None: ...
    def set_role(self, user_id: int, role: str, jurisdiction: str | None) -> None: ...
    def revoke_tokens(self, user_id: int) -> None:
        """Bump the token generation: every bearer token issued so far stops working."""
        ...

    def set_two_factor(
        self, user_id: int, totp_secret: str, code_hash: str, expires_at: datetime
    ) -> None:
        """A new TOTP secret with a pending enrolment code (its hash); the step memory resets."""
        ...

    def consume_enrolment(self, user_id: int, code_hash: str) -> bool:
        """Clear the pending enrolment code if it is `code_hash`; False if it was not (or was
        used by a concurrent request)."""
        ...

    def accept_totp_step(self, user_id: int, step: int) -> bool:
        """Record `step` as the last accepted one if it is later than any before; False (and
        nothing changed) if that step or a later one was already accepted."""
        ...


# -- console sessions and profiles ----------------------------------------------------------


@dataclass(frozen=True)
class SessionRecord:
    id: int
    user_id: int
    username: str
    role: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class SessionStore(Protocol):
    """Console sessions, found by the SHA-256 of their token (never the token)."""

    def add(
        self,
        *,
        token_hash: str,
        user_id: int,
        username: str,
        role: str,
        csrf_token: str,
        at: datetime,
        expires_at: datetime,
        ip: str | None,
    ) -> SessionRecord: ...
    def get(self, token_hash: str) -> SessionRecord | None: ...
    def touch(self, session_id: int, at: datetime) -> None: ...
    def revoke(self, session_id: int, at: datetime) -> None: ...
    def revoke_all(self, user_id: int, at: datetime) -> int:
        """End every open session of a person; how many were open."""
        ...


@dataclass(frozen=True)
class ConsoleProfile:
    user_id: int
    language: str
    enrolled_at: datetime | None = None


class ProfileStore(Protocol):
    """Each person's console language and when they enrolled their second factor."""

    def get(self, user_id: int) -> ConsoleProfile | None: ...
    def save(
        self, user_id: int, *, language: str, enrolled_at: datetime | None, at: datetime
    ) -> None: ...


# -- sign-in attempts -------------------------------------------------------------------------


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


# -- audit checkpoints ------------------------------------------------------------------------


class CheckpointAnchor(Protocol):
    """Where checkpoints are kept outside the database (the anchor file)."""

    @property
    def location(self) -> str: ...
    def append(self, line: str) -> None:
        """Append one line durably (on disk when this returns)."""
        ...

    def lines(self) -> list[str]: ...


class CheckpointWebhook(Protocol):
    def post(self, url: str, line: str) -> None:
        """POST the line; raise if the receiver did not accept it."""
        ...


@dataclass(frozen=True)
class AuditTrust:
    """What the tamper evidence needs besides the database: the key and the anchors."""

    key: AuditKey
    anchor: CheckpointAnchor
    #: a worker writes a checkpoint this often when the log grew (zero: never)
    interval: timedelta = timedelta(minutes=5)
    webhook_url: str | None = None
    webhook: CheckpointWebhook | None = None
