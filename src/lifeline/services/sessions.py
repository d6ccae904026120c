"""Console sign-in: password (argon2id, behind the PasswordHasher port) and a TOTP code, with
lockout and a rate limit; server-side sessions with idle and absolute timeouts.

The session token is random and lives only in the person's cookie; the database keeps its
SHA-256, so a copy of the database signs nobody in. Every attempt, good or bad, is audited.
TOTP is checked here (not with pyotp) so the service layer stays typed; the step a code was
accepted for is recorded, and a code is never accepted twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeline.domain.errors import DomainError
from lifeline.domain.model import Actor
from lifeline.services.context import Context
from lifeline.services.ports import SessionRecord, UnitOfWork, UserRecord

LANGUAGES = ("en", "hi")
#: an argon2id hash (default parameters) verified against when the username is unknown, so
#: unknown and known usernames take the same time
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$FSyfYgH179uT5Quzflm"
    "puw$8iwslsW3iKmEu5faLpmMcqlxOFGSRsNp5Z9D5njf8Nk"
)


class SignInRefused(DomainError):
    """Wrong username, password or code, or the account is locked; the message never says
    which, beyond the lockout."""

    code = "authentication_failed"

    def __init__(self, message: str, *, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


class SessionEnded(DomainError):
    """No session, or it was signed out, revoked, idle too long or too old."""

    code = "authentication_failed"


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    lockout_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    #: attempts from one address per minute, whatever the username
    per_address_per_minute: int = 30
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


def totp_step(
    secret: str, code: str, at: datetime, *, step: int = 30, drift: int = 1
) -> int | None:
    """The time step a six-digit RFC 6238 code (SHA-1) is valid for, within one step of clock
    drift either way; None if it is not valid."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(at.timestamp()) // step
    for offset in range(-drift, drift + 1):
        digest = hmac.new(key, (counter + offset).to_bytes(8, "big"), hashlib.sha1).digest()
        pos = digest[-1] & 0x0F
        value = (int.from_bytes(digest[pos : pos + 4], "big") & 0x7FFFFFFF) % 1_000_000
        if hmac.compare_digest(f"{value:06d}", code):
            return counter + offset
    return None


def _locked_until(
    uow: UnitOfWork, policy: SessionPolicy, username: str, now: datetime
) -> datetime | None:
    """Locked after `lockout_failures` failures in a row (within the lockout period)."""
    streak: list[datetime] = []
    for at, ok in uow.console.sign_ins(username, now - policy.lockout):
        if ok:
            break
        streak.append(at)
    if len(streak) < policy.lockout_failures:
        return None
    return streak[policy.lockout_failures - 1] + policy.lockout


def _refuse(
    ctx: Context, uow: UnitOfWork, username: str, ip: str | None, reason: str, message: str
) -> SignInRefused:
    now = ctx.clock.now()
    uow.console.record_sign_in(
        username=username, at=now, ok=False, reason=reason, ip=ip, totp_step=None
    )
    uow.audit.append(
        at=now,
        actor=f"user:{username}",
        action="user.sign_in_failed",
        case_id=None,
        details={"channel": "console", "reason": reason, "ip": ip},
    )
    uow.commit()
    return SignInRefused(message)


def _check_password(
    ctx: Context,
    uow: UnitOfWork,
    policy: SessionPolicy,
    username: str,
    password: str,
    ip: str | None,
) -> UserRecord:
    """Rate limit, lockout and password; the user, or a recorded and audited refusal."""
    now = ctx.clock.now()
    wrong = "wrong username, password or code"
    if (
        ip
        and uow.console.sign_ins_from(ip, now - timedelta(minutes=1))
        >= policy.per_address_per_minute
    ):
        raise _refuse(ctx, uow, username, ip, "rate_limited", "too many attempts; wait a minute")
    locked = _locked_until(uow, policy, username, now)
    if locked is not None and locked > now:
        refusal = _refuse(ctx, uow, username, ip, "locked", "account locked after failed attempts")
        refusal.locked_until = locked
        raise refusal
    user = uow.users.by_username(username)
    if user is None:
        ctx.passwords.verify(DUMMY_HASH, password)
        raise _refuse(ctx, uow, username, ip, "unknown_user", wrong)
    if not ctx.passwords.verify(user.password_hash, password):
        raise _refuse(ctx, uow, username, ip, "bad_password", wrong)
    if not user.active:
        raise _refuse(ctx, uow, username, ip, "inactive", wrong)
    return user


def sign_in(
    ctx: Context,
    policy: SessionPolicy,
    username: str,
    password: str,
    code: str,
    *,
    ip: str | None = None,
) -> SignedIn:
    """Check password and two-factor code; open a session. The first successful sign-in
    completes two-factor enrolment."""
    username = username.strip().lower()[:64]
    with ctx.uow() as uow:
        user = _check_password(ctx, uow, policy, username, password, ip)
        now = ctx.clock.now()
        step = totp_step(user.totp_secret, code, now)
        if step is None:
            raise _refuse(ctx, uow, username, ip, "bad_code", "wrong username, password or code")
        last = uow.console.last_totp_step(username)
        if last is not None and step <= last:
            raise _refuse(ctx, uow, username, ip, "code_reused", "that code was already used")
        token = secrets.token_urlsafe(32)
        session = uow.console.add_session(
            token_hash=token_hash(token),
            user_id=user.id,
            username=user.username,
            role=user.role,
            csrf_token=secrets.token_urlsafe(32),
            at=now,
            expires_at=now + policy.absolute,
            ip=ip,
        )
        profile = uow.console.profile(user.id)
        language = profile.language if profile else "en"
        if profile is None or profile.enrolled_at is None:
            uow.console.save_profile(user.id, language=language, enrolled_at=now, at=now)
        uow.console.record_sign_in(
            username=username, at=now, ok=True, reason="ok", ip=ip, totp_step=step
        )
        uow.audit.append(
            at=now,
            actor=f"user:{username}",
            action="user.sign_in",
            case_id=None,
            details={"channel": "console", "session_id": session.id, "ip": ip},
        )
        uow.commit()
    actor = Actor("user", user.username, user.role)
    return SignedIn(token, ConsoleSession(actor, session, language))


def enrolment_secret(
    ctx: Context, policy: SessionPolicy, username: str, password: str, *, ip: str | None = None
) -> tuple[str, str]:
    """(username, TOTP secret) to show as a QR code, for a person who has never signed in;
    refused (and counted as a failed attempt) once enrolment is complete."""
    username = username.strip().lower()[:64]
    with ctx.uow() as uow:
        user = _check_password(ctx, uow, policy, username, password, ip)
        profile = uow.console.profile(user.id)
        if profile is not None and profile.enrolled_at is not None:
            raise _refuse(
                ctx, uow, username, ip, "already_enrolled", "two-factor is already set up"
            )
        uow.audit.append(
            at=ctx.clock.now(),
            actor=f"user:{username}",
            action="user.enrolment_shown",
            case_id=None,
            details={"ip": ip},
        )
        uow.commit()
        return user.username, user.totp_secret


def resume(
    ctx: Context, policy: SessionPolicy, token: str | None, *, activity: bool = True
) -> ConsoleSession:
    """The session a cookie names, if still valid. `activity` False (background polling) does
    not count as the person being active."""
    if not token:
        raise SessionEnded("not signed in")
    now = ctx.clock.now()
    with ctx.uow(readonly=not activity) as uow:
        session = uow.console.session(token_hash(token))
        if session is None or session.revoked_at is not None:
            raise SessionEnded("not signed in")
        if now >= session.expires_at:
            raise SessionEnded("session expired; sign in again")
        if now - session.last_seen_at >= policy.idle:
            raise SessionEnded("signed out after inactivity; sign in again")
        user = uow.users.by_username(session.username)
        if user is None or not user.active or user.role != session.role:
            raise SessionEnded("account changed; sign in again")
        profile = uow.console.profile(session.user_id)
        if activity and now - session.last_seen_at >= policy.touch_every:
            uow.console.touch_session(session.id, now)
            uow.commit()
    actor = Actor("user", session.username, session.role)
    return ConsoleSession(actor, session, profile.language if profile else "en")


def sign_out(ctx: Context, token: str | None) -> None:
    if not token:
        return
    with ctx.uow() as uow:
        session = uow.console.session(token_hash(token))
        if session is None or session.revoked_at is not None:
            return
        now = ctx.clock.now()
        uow.console.revoke_session(session.id, now)
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
        profile = uow.console.profile(console.session.user_id)
        uow.console.save_profile(
            console.session.user_id,
            language=language,
            enrolled_at=profile.enrolled_at if profile else None,
            at=ctx.clock.now(),
        )
        uow.commit()
    return language
