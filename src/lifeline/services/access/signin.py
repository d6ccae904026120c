"""One sign-in policy for every door: the console, `POST /api/v1/auth/token` and enrolment.

Throttling slows an attacker down without letting a stranger lock anyone out. After
`free_failures` failures in a row on a username, its attempts are spaced out, 2^n seconds after
the last failure (n failures), with two caps:
- from the address that failed (the pair username + address), up to `pair_max_delay` (15 min):
  one address guessing at one account gets a handful of tries an hour;
- from any address, up to `max_delay` (1 min): this is all a stranger's failures can cost the
  account's owner at their own address, and an admin can lift it at once
  (`lifeline users unlock`).
Refused attempts are not failures, so hammering does not lengthen the wait. Per client
address, `address_failures` failures in `address_window` (any usernames: a spray) and that
address waits until the oldest of them ages out; a person's failures stop counting there once
they sign in from it (or an admin unlocks them), so an office behind one address is not
stopped by its own staff's typing.

A throttled burst is one row of the sign-in log (with a count) and one audit record. Client
addresses reach this module already hashed (a keyed HMAC made by the web layer): no address
is stored or audited in clear. Refusals never say whether the username exists.

TOTP (RFC 6238, SHA-1, six digits, one step of drift) is checked here rather than with pyotp
so the service layer stays typed; the step a code was accepted for is kept on the user (one
conditional UPDATE) and no code is accepted twice, whichever door it was used at.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lifeline.domain.errors import DomainError
from lifeline.domain.signin import SignInPolicy
from lifeline.services.access.ports import UserRecord
from lifeline.services.ports import UnitOfWork

if TYPE_CHECKING:  # the context carries the policy (ServiceConfig.signin)
    from lifeline.services.context import Context

WRONG = "wrong username, password or two-factor code"
WRONG_ENROLMENT = (
    "wrong username, password or enrolment code (a code works once and expires; "
    "ask an admin for a new one: lifeline users reset-2fa)"
)
#: an argon2id hash (default parameters) verified against when the username is unknown, so
#: unknown and known usernames take the same time
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$FSyfYgH179uT5Quzflm"
    "puw$8iwslsW3iKmEu5faLpmMcqlxOFGSRsNp5Z9D5njf8Nk"
)


class SignInRefused(DomainError):
    """Wrong username, password or code (the message never says which). `kind` names the
    message for translation: wrong, wrong_enrolment, code_reused, throttled_address or
    throttled_account."""

    code = "authentication_failed"

    def __init__(self, message: str, kind: str = "wrong") -> None:
        super().__init__(message)
        self.kind = kind


class SignInThrottled(SignInRefused):
    """Too many attempts for this username or from this address; `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, kind: str, retry_after: int) -> None:
        super().__init__(message, kind)
        self.retry_after = retry_after


def code_hash(code: str) -> str:
    """SHA-256 of an enrolment code as typed (case, spaces and dashes ignored)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def totp_step(
    secret: str, code: str, at: datetime, *, step: int = 30, drift: int = 1
) -> int | None:
    """The time step a six-digit RFC 6238 code (SHA-1) is valid for, within one step of clock
    drift either way; None if it is not valid."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit() or not secret:
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


def normalise(username: str) -> str:
    """As usernames are stored; a NUL (which PostgreSQL cannot store, and no username holds)
    becomes U+FFFD, so the attempt is still logged and refused, never a 500."""
    return username.strip().lower()[:64].replace("\x00", "\ufffd")


def _throttle(
    uow: UnitOfWork, policy: SignInPolicy, username: str, address: str | None, now: datetime
) -> tuple[str, int] | None:
    """("address" | "account", seconds to wait) if this attempt must wait, else None."""
    if address:
        recent = uow.sign_ins.failures_from(
            address, now - policy.address_window, policy.address_failures
        )
        if len(recent) >= policy.address_failures:
            wait = recent[-1] + policy.address_window - now
            return "address", max(1, math.ceil(wait.total_seconds()))
    opens = policy.account_opens(uow.sign_ins.streak(username, now - policy.streak_window), address)
    if opens is not None and opens > now:
        return "account", max(1, math.ceil((opens - now).total_seconds()))
    return None


def _throttled(
    ctx: Context, uow: UnitOfWork, username: str, address: str | None, channel: str,
    scope: str, wait: int,
) -> SignInThrottled:  # fmt: skip
    """Record a refused attempt: the first of a burst gets a log row and an audit record, the
    rest only add to the row's count."""
    now = ctx.clock.now()
    latest = uow.sign_ins.latest(username, address)
    if latest is not None and latest.reason == "throttled":
        uow.sign_ins.extend_burst(latest.id)
    else:
        uow.sign_ins.record(username=username, at=now, ok=False, reason="throttled",
                            address=address)  # fmt: skip
        uow.audit.append(
            at=now,
            actor=f"user:{username}",
            action="user.sign_in_throttled",
            case_id=None,
            details={"channel": channel, "scope": scope, "address": address, "retry_after": wait},
        )
    uow.commit()
    if scope == "address":
        message = f"too many attempts from this address; try again in {wait} s"
    else:
        message = f"too many failed attempts for this username; try again in {wait} s"
    return SignInThrottled(message, f"throttled_{scope}", wait)


def _details(
    uow: UnitOfWork, username: str, address: str | None, channel: str, **extra: Any
) -> dict[str, Any]:
    """Audit details of a counted attempt; says how many attempts a burst before it refused."""
    details: dict[str, Any] = {"channel": channel, "address": address, **extra}
    latest = uow.sign_ins.latest(username, address)
    if latest is not None and latest.reason == "throttled":
        details["refused_before"] = latest.repeats
    return details


def refuse(
    ctx: Context,
    uow: UnitOfWork,
    username: str,
    address: str | None,
    channel: str,
    reason: str,
    message: str = WRONG,
    kind: str = "wrong",
) -> SignInRefused:
    """Record and audit a failed attempt, commit, and return the error to raise."""
    now = ctx.clock.now()
    details = _details(uow, username, address, channel, reason=reason)
    uow.sign_ins.record(username=username, at=now, ok=False, reason=reason, address=address)
    uow.audit.append(
        at=now,
        actor=f"user:{username}",
        action="user.sign_in_failed",
        case_id=None,
        details=details,
    )
    uow.commit()
    return SignInRefused(message, kind)


def check_password(
    ctx: Context,
    uow: UnitOfWork,
    username: str,
    password: str,
    *,
    address: str | None,
    channel: str,
    wrong: str = WRONG,
    kind: str = "wrong",
) -> UserRecord:
    """Throttles, then the password; the user, or a recorded, audited and committed refusal
    (`wrong` its message, the same whatever was wrong)."""
    now = ctx.clock.now()
    waiting = _throttle(uow, ctx.config.signin, username, address, now)
    if waiting is not None:
        raise _throttled(ctx, uow, username, address, channel, *waiting)
    user = uow.users.by_username(username)
    if user is None:
        ctx.passwords.verify(DUMMY_HASH, password)
        raise refuse(ctx, uow, username, address, channel, "unknown_user", wrong, kind)
    if not ctx.passwords.verify(user.password_hash, password):
        raise refuse(ctx, uow, username, address, channel, "bad_password", wrong, kind)
    if not user.active:
        raise refuse(ctx, uow, username, address, channel, "inactive", wrong, kind)
    return user


def authenticate(
    ctx: Context,
    uow: UnitOfWork,
    username: str,
    password: str,
    code: str,
    *,
    address: str | None,
    channel: str,
    **audit_details: Any,
) -> UserRecord:
    """Password and two-factor code, under the throttles; the code is used up. On success the
    attempt is logged and audited in the caller's transaction (the caller commits, with the
    session or token it opens); on failure the refusal is committed and raised."""
    username = normalise(username)
    user = check_password(ctx, uow, username, password, address=address, channel=channel)
    now = ctx.clock.now()
    step = totp_step(user.totp_secret, code, now)
    if step is None:
        raise refuse(ctx, uow, username, address, channel, "bad_code")
    if not uow.users.accept_totp_step(user.id, step):
        raise refuse(
            ctx, uow, username, address, channel, "code_reused",
            "that two-factor code was already used; wait for the next one", "code_reused",
        )  # fmt: skip
    details = _details(uow, username, address, channel, **audit_details)
    # their own typing errors here no longer count against the address (an office behind one
    # address is not stopped by its staff's mistakes)
    uow.sign_ins.forgive(username, address)
    uow.sign_ins.record(
        username=username, at=now, ok=True, reason="ok", address=address, totp_step=step
    )
    uow.audit.append(
        at=now, actor=f"user:{username}", action="user.sign_in", case_id=None, details=details
    )
    return user


def enrolment_secret(
    ctx: Context,
    username: str,
    password: str,
    enrolment_code: str,
    *,
    address: str | None,
) -> tuple[str, str]:
    """(username, TOTP secret) to show as a QR code: needs the password and the one-time
    enrolment code (`users create` / `users reset-2fa`), which this uses up. The password
    alone never shows the secret."""
    username = normalise(username)
    with ctx.uow() as uow:
        user = check_password(
            ctx, uow, username, password,
            address=address, channel="enrol", wrong=WRONG_ENROLMENT, kind="wrong_enrolment",
        )  # fmt: skip
        now = ctx.clock.now()
        given = code_hash(enrolment_code)
        valid = (
            user.enrolment_code_hash is not None
            and user.enrolment_expires_at is not None
            and user.enrolment_expires_at > now
            and hmac.compare_digest(user.enrolment_code_hash, given)
        )
        if not valid or not uow.users.consume_enrolment(user.id, given):
            raise refuse(
                ctx, uow, username, address, "enrol", "bad_enrolment_code", WRONG_ENROLMENT,
                "wrong_enrolment",
            )  # fmt: skip
        details = _details(uow, username, address, "enrol")
        uow.sign_ins.record(username=username, at=now, ok=True, reason="enrolled",
                            address=address)  # fmt: skip
        uow.audit.append(
            at=now,
            actor=f"user:{username}",
            action="user.enrolment_shown",
            case_id=None,
            details=details,
        )
        uow.commit()
        return user.username, user.totp_secret
