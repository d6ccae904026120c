"""Console sessions: sign-in (through the one sign-in policy of services/access/signin.py, shared
with the API), server-side sessions with idle and absolute timeouts, sign-out, language.

The session token is random and lives only in the person's cookie; the database keeps its
SHA-256, so a copy of the database signs nobody in. A session is checked against the person's
account on every request: deactivation or a role change ends it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from lifeline.domain.errors import DomainError
from lifeline.domain.model import Actor
from lifeline.services.access import signin
from lifeline.services.access.ports import SessionRecord
from lifeline.services.access.signin import SignInRefused, SignInThrottled
from lifeline.services.context import Context

__all__ = ["SignInRefused", "SignInThrottled"]

LANGUAGES = ("en", "hi")


class SessionEnded(DomainError):
    """No session, or it was signed out, revoked, idle too long or too old."""

    code = "authentication_failed"


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    #: a session's last-seen time is written at most this often (not on every request)
    touch_every: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class ConsoleSession:
    actor: Actor
    session: SessionRecord
    language: str


@dataclass(frozen=True)
class SignedIn:
    token: str
    console: ConsoleSession


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    ctx: Context,
    policy: SessionPolicy,
    username: str,
    password: str,
    code: str,
    *,
    ip: str | None = None,
) -> SignedIn:
    """Check password and two-factor code (`ip`: the keyed hash of the client address); open
    a session."""
    with ctx.uow() as uow:
        user = signin.authenticate(
            ctx, uow, username, password, code, address=ip, channel="console"
        )
        now = ctx.clock.now()
        token = secrets.token_urlsafe(32)
        session = uow.sessions.add(
            token_hash=token_hash(token),
            user_id=user.id,
            username=user.username,
            role=user.role,
            csrf_token=secrets.token_urlsafe(32),
            at=now,
            expires_at=now + policy.absolute,
            ip=ip,
        )
        profile = uow.profiles.get(user.id)
        language = profile.language if profile else "en"
        if profile is None or profile.enrolled_at is None:
            uow.profiles.save(user.id, language=language, enrolled_at=now, at=now)
        uow.commit()
    actor = Actor("user", user.username, user.role)
    return SignedIn(token, ConsoleSession(actor, session, language))


def enrolment_secret(
    ctx: Context,
    username: str,
    password: str,
    enrolment_code: str,
    *,
    ip: str | None = None,
) -> tuple[str, str]:
    """(username, TOTP secret) to show as a QR code; needs the one-time enrolment code."""
    return signin.enrolment_secret(ctx, username, password, enrolment_code, address=ip)


def resume(
    ctx: Context, policy: SessionPolicy, token: str | None, *, activity: bool = True
) -> ConsoleSession:
    """The session a cookie names, if still valid. `activity` False (background polling) does
    not count as the person being active."""
    if not token:
        raise SessionEnded("not signed in")
    now = ctx.clock.now()
    with ctx.uow(readonly=not activity) as uow:
        session = uow.sessions.get(token_hash(token))
        if session is None or session.revoked_at is not None:
            raise SessionEnded("not signed in")
        if now >= session.expires_at:
            raise SessionEnded("session expired; sign in again")
        if now - session.last_seen_at >= policy.idle:
            raise SessionEnded("signed out after inactivity; sign in again")
        user = uow.users.by_username(session.username)
        if user is None or not user.active or user.role != session.role:
            raise SessionEnded("account changed; sign in again")
        profile = uow.profiles.get(session.user_id)
        if activity and now - session.last_seen_at >= policy.touch_every:
            uow.sessions.touch(session.id, now)
            uow.commit()
    actor = Actor("user", session.username, session.role)
    return ConsoleSession(actor, session, profile.language if profile else "en")


def sign_out(ctx: Context, token: str | None) -> None:
    if not token:
        return
    with ctx.uow() as uow:
        session = uow.sessions.get(token_hash(token))
        if session is None or session.revoked_at is not None:
            return
        now = ctx.clock.now()
        uow.sessions.revoke(session.id, now)
        uow.audit.append(
            at=now,
            actor=f"user:{session.username}",
            action="user.sign_out",
            case_id=None,
            details={"session_id": session.id},
        )
        uow.commit()


def set_language(ctx: Context, console: ConsoleSession, language: str) -> str:
    if language not in LANGUAGES:
        raise DomainError(f"unknown language {language!r}; one of: {', '.join(LANGUAGES)}")
    with ctx.uow() as uow:
        profile = uow.profiles.get(console.session.user_id)
        uow.profiles.save(
            console.session.user_id,
            language=language,
            enrolled_at=profile.enrolled_at if profile else None,
            at=ctx.clock.now(),
        )
        uow.commit()
    return language
