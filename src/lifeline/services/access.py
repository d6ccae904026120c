"""Partners and people: creating them, and checking who is calling.

Partner requests are signed: hex HMAC-SHA256 with the partner's secret over
"{timestamp}.{raw body}", sent with X-Lifeline-Key and X-Lifeline-Timestamp.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from lifeline.domain.errors import Conflict, DomainError
from lifeline.domain.inputs import check_text, text_problem
from lifeline.domain.model import Actor
from lifeline.services.context import Context
from lifeline.services.ports import PartnerRecord, UserRecord

ROLES = ("admin", "smc_operator", "supervisor", "district_officer", "stf_analyst", "counsellor")


class AuthenticationFailed(DomainError):
    """The caller could not be identified: unknown key, bad or stale signature, wrong password."""

    code = "authentication_failed"


@dataclass(frozen=True)
class NewPartner:
    key_id: str
    secret: str
    partner: PartnerRecord


def create_partner(ctx: Context, name: str) -> NewPartner:
    name = (check_text("name", name) or "").strip()
    if not name:
        raise DomainError("a partner needs a name")
    key_id = "pk_" + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        record = uow.partners.add(name, key_id, secret, ctx.clock.now())
        uow.audit.append(
            at=ctx.clock.now(),
            actor="cli:admin",
            action="partner.created",
            case_id=None,
            details={"partner_id": record.id, "name": name, "key_id": key_id},
        )
        uow.commit()
    return NewPartner(key_id, secret, record)


def add_partner_sender(ctx: Context, key_id: str, pattern: str) -> PartnerRecord:
    """Allow mail from `pattern` (an address, or a domain such as support.facebook.com) as this
    partner's alerts."""
    check_text("key", key_id)
    pattern = (check_text("domain", pattern) or "").strip().lower().lstrip("@")
    if not pattern or " " in pattern or "." not in pattern:
        raise DomainError(f"{pattern!r} is not an address or a domain")
    with ctx.uow() as uow:
        partner = uow.partners.by_key_id(key_id)
        if partner is None:
            raise AuthenticationFailed(f"unknown partner key {key_id!r}")
        uow.senders.add(partner.id, pattern, ctx.clock.now())
        uow.audit.append(
            at=ctx.clock.now(),
            actor="cli:admin",
            action="partner.sender_added",
            case_id=None,
            details={"partner_id": partner.id, "pattern": pattern},
        )
        uow.commit()
    return partner


def check_partner_login(ctx: Context, key_id: str, secret: str) -> int | None:
    """A partner's key id and secret as a login (SMTP AUTH); the partner id, or None."""
    if text_problem(key_id):
        return None  # no key id holds a control character; PostgreSQL cannot even look it up
    with ctx.uow(readonly=True) as uow:
        partner = uow.partners.by_key_id(key_id)
    if partner is None or not partner.active:
        return None
    return partner.id if hmac.compare_digest(_bytes(partner.secret), _bytes(secret)) else None


def _bytes(text: str) -> bytes:
    """Any str as bytes to compare (lone surrogates included, which header decoding may give)."""
    return text.encode("utf-8", "surrogatepass")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a partner sends: hex HMAC-SHA256 over "{timestamp}.{body}"."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def authenticate_partner(
    ctx: Context, key_id: str | None, timestamp: str | None, signature: str | None, body: bytes
) -> Actor:
    """Check a signed request; returns the partner as an Actor. Replays are checked at intake,
    in the same transaction that stores the alert."""
    if not key_id or not timestamp or not signature:
        missing = [
            h
            for h, v in (
                ("X-Lifeline-Key", key_id),
                ("X-Lifeline-Timestamp", timestamp),
                ("X-Lifeline-Signature", signature),
            )
            if not v
        ]
        raise AuthenticationFailed("missing header(s): " + ", ".join(missing))
    if text_problem(key_id):
        raise AuthenticationFailed("X-Lifeline-Key holds a control character; no key does")
    try:
        sent = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        raise AuthenticationFailed(
            "X-Lifeline-Timestamp must be Unix seconds (an integer)"
        ) from None
    skew = abs((ctx.clock.now() - sent).total_seconds())
    window = ctx.config.signature_window.total_seconds()
    if skew > window:
        raise AuthenticationFailed(
            f"X-Lifeline-Timestamp is {int(skew)} s away from the server's clock; "
            f"requests are accepted within {int(window)} s"
        )
    with ctx.uow(readonly=True) as uow:
        partner = uow.partners.by_key_id(key_id)
    if partner is None or not partner.active:
        raise AuthenticationFailed(f"unknown or disabled partner key {key_id!r}")
    expected = sign(partner.secret, timestamp, body)
    # bytes, not str: compare_digest raises TypeError on a non-ASCII str (a 500, found by
    # tests/unit/test_partner_signature_fuzz.py)
    if not hmac.compare_digest(_bytes(expected), _bytes(signature.strip().lower())):
        raise AuthenticationFailed(
            "X-Lifeline-Signature does not match: sign HMAC-SHA256 over "
            '"{timestamp}.{raw body}" with the partner secret, hex-encoded'
        )
    return Actor("partner", str(partner.id), "partner")


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    totp_secret: str
    user: UserRecord


def create_user(
    ctx: Context,
    username: str,
    role: str,
    *,
    jurisdiction: str | None = None,
    password: str | None = None,
) -> NewUser:
    username = (check_text("username", username) or "").strip().lower()
    check_text("jurisdiction", jurisdiction)
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise DomainError("a username is letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise DomainError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if role == "district_officer" and not jurisdiction:
        raise DomainError("a district_officer needs --jurisdiction (a district or unit id)")
    if password is not None and len(password) < 12:
        raise DomainError("a password must be at least 12 characters")
    password = password or secrets.token_urlsafe(15)
    totp_secret = base64.b32encode(secrets.token_bytes(20)).decode()
    with ctx.uow() as uow:
        if uow.users.by_username(username) is not None:
            raise Conflict(f"user {username!r} already exists")
        record = uow.users.add(
            username=username,
            password_hash=ctx.passwords.hash(password),
            totp_secret=totp_secret,
            role=role,
            jurisdiction=jurisdiction,
            at=ctx.clock.now(),
        )
        uow.audit.append(
            at=ctx.clock.now(),
            actor="cli:admin",
            action="user.created",
            case_id=None,
            details={"username": username, "role": role, "jurisdiction": jurisdiction},
        )
        uow.commit()
    return NewUser(username, password, totp_secret, record)


def verify_totp(secret: str, code: str, at: datetime, *, step: int = 30, drift: int = 1) -> bool:
    """RFC 6238 TOTP check (SHA-1, 6 digits) with one step of clock drift either way.
    Written here, not with pyotp, so the service layer stays typed; pyotp makes the QR codes."""
    code = code.strip()
    if len(code) != 6 or not code.isdigit():
        return False
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(at.timestamp()) // step
    for offset in range(-drift, drift + 1):
        msg = (counter + offset).to_bytes(8, "big")
        digest = hmac.new(key, msg, hashlib.sha1).digest()
        pos = digest[-1] & 0x0F
        value = (int.from_bytes(digest[pos : pos + 4], "big") & 0x7FFFFFFF) % 1_000_000
        if hmac.compare_digest(f"{value:06d}", code):
            return True
    return False


def authenticate_user(ctx: Context, username: str, password: str, totp_code: str) -> Actor:
    check_text("username", username)
    with ctx.uow() as uow:
        user = uow.users.by_username(username.strip().lower())
        ok = (
            user is not None
            and user.active
            and ctx.passwords.verify(user.password_hash, password)
            and verify_totp(user.totp_secret, totp_code, ctx.clock.now())
        )
        uow.audit.append(
            at=ctx.clock.now(),
            actor=f"user:{username.strip().lower()}",
            action="user.sign_in" if ok else "user.sign_in_failed",
            case_id=None,
            details={},
        )
        uow.commit()
    if not ok or user is None:
        raise AuthenticationFailed("wrong username, password or two-factor code")
    return Actor("user", user.username, user.role)
