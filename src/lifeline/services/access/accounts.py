"""Partners and people: creating them, and checking who is calling.

Partner requests are signed: hex HMAC-SHA256 with the partner's secret over
"{timestamp}.{raw body}", sent with X-Lifeline-Key and X-Lifeline-Timestamp.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lifeline.domain.access import Role, Scope, parse_role, scope_of
from lifeline.domain.errors import Conflict, DomainError
from lifeline.domain.inputs import check_text, text_problem
from lifeline.domain.model import Actor
from lifeline.services.access.ports import PartnerRecord, UserRecord
from lifeline.services.access.signin import authenticate, code_hash, totp_step
from lifeline.services.context import Context
from lifeline.services.ports import UnitOfWork


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


@dataclass(frozen=True)
class PartnerSender:
    """A partner's registered sender domain (or address) and the DKIM selectors pinned for
    it."""

    partner: PartnerRecord
    sender: str
    selectors: tuple[str, ...]


_LABEL = r"[a-z0-9](?:[a-z0-9_\-]{0,61}[a-z0-9])?"
_SELECTOR = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_DKIM_KEY = re.compile(r"^k=rsa; p=[A-Za-z0-9+/]+={0,2}$")


def add_partner_sender(
    ctx: Context,
    key_id: str,
    pattern: str,
    *,
    selector: str | None = None,
    public_key: str | None = None,
) -> PartnerRecord:
    """Allow mail from `pattern` (a domain such as support.facebook.com, or an address) as this
    partner's alerts; its signatures are checked against the domain. With `selector` and
    `public_key` (`k=rsa; p=<base64>`), pin that key for the domain and selector: it is used
    instead of DNS. Repeating it for the same domain adds (or replaces) selectors."""
    return register_sender(ctx, key_id, pattern, selector=selector, public_key=public_key).partner


def register_sender(
    ctx: Context,
    key_id: str,
    pattern: str,
    *,
    selector: str | None = None,
    public_key: str | None = None,
) -> PartnerSender:
    """`add_partner_sender`, answering what the partner now has for that sender."""
    check_text("key", key_id)
    pattern = (check_text("domain", pattern) or "").strip().lower().lstrip("@")
    if not pattern or " " in pattern or "." not in pattern:
        raise DomainError(f"{pattern!r} is not an address or a domain")
    domain = pattern.rpartition("@")[2]
    if (selector is None) != (public_key is None):
        raise DomainError("a pinned DKIM key needs both --dkim-selector and --dkim-public-key")
    if selector is not None:
        selector = selector.strip().lower()
        if not _SELECTOR.match(selector):
            raise DomainError(f"{selector!r} is not a DKIM selector (letters, digits, - _ .)")
        if not _DKIM_KEY.match(public_key or ""):
            raise DomainError("the DKIM public key must read 'k=rsa; p=<base64 key>'")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        partner = uow.partners.by_key_id(key_id)
        if partner is None:
            raise AuthenticationFailed(f"unknown partner key {key_id!r}")
        owner = uow.senders.owner(pattern)
        if owner is not None and owner != partner.id:
            raise Conflict(f"{pattern} is already registered to another partner")
        if owner is None:
            uow.senders.add(partner.id, pattern, now)
        if selector is not None and public_key is not None:
            uow.senders.pin_key(partner.id, domain, selector, public_key, now)
        uow.audit.append(
            at=now,
            actor="cli:admin",
            action="partner.sender_added",
            case_id=None,
            details={"partner_id": partner.id, "pattern": pattern, "dkim_selector": selector},
        )
        selectors = tuple(s for d, s in uow.senders.pinned_of(partner.id) if d == domain)
        uow.commit()
    return PartnerSender(partner, pattern, selectors)


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


@dataclass(frozen=True)
class SignedRequest:
    """A partner's request whose headers passed the checks that need no database (present,
    no control character in the key, the timestamp within the window); the key and the
    signature are checked by `verify_partner`, in the caller's transaction."""

    key_id: str
    timestamp: str
    signature: str
    body: bytes


def check_signed_request(
    ctx: Context, key_id: str | None, timestamp: str | None, signature: str | None, body: bytes
) -> SignedRequest:
    """The checks of a signed request that need no database; AuthenticationFailed names the
    header at fault."""
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
    return SignedRequest(key_id, timestamp, signature, body)


def _signed_with(secret: str, request: SignedRequest) -> bool:
    expected = sign(secret, request.timestamp, request.body)
    # bytes, not str: compare_digest raises TypeError on a non-ASCII str (a 500, found by
    # tests/unit/test_partner_signature_fuzz.py)
    return hmac.compare_digest(_bytes(expected), _bytes(request.signature.strip().lower()))


class KnownSecrets:
    """The partner secrets this process last found valid, to tell a request that is not a
    partner's apart before it costs a write transaction (on SQLite, the write lock that genuine
    alerts wait for). Only ever a reason to look harder, never to let a request in: a request
    signed with a remembered secret is still checked against the key read in the transaction
    that stores it (so a key disabled is refused by its next request), and one that is not is
    checked in a read transaction first. Forgotten when a check finds the key unknown,
    disabled or not matching."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}
        self._lock = threading.Lock()

    def signed(self, request: SignedRequest) -> bool:
        """The request is signed with the secret last found valid for its key."""
        with self._lock:
            secret = self._secrets.get(request.key_id)
        return secret is not None and _signed_with(secret, request)

    def remember(self, key_id: str, secret: str) -> None:
        with self._lock:
            self._secrets[key_id] = secret

    def forget(self, key_id: str) -> None:
        with self._lock:
            self._secrets.pop(key_id, None)


def verify_partner(
    uow: UnitOfWork, request: SignedRequest, known: KnownSecrets | None = None
) -> Actor:
    """Read the partner's key in the caller's transaction and check the signature; returns
    the partner as an Actor. Read on every request (`known` only learns from the result): a
    key disabled is refused by the next request, in every process."""
    partner = uow.partners.by_key_id(request.key_id)
    if partner is None or not partner.active:
        if known is not None:
            known.forget(request.key_id)
        raise AuthenticationFailed(f"unknown or disabled partner key {request.key_id!r}")
    if not _signed_with(partner.secret, request):
        if known is not None:
            known.forget(request.key_id)
        raise AuthenticationFailed(
            "X-Lifeline-Signature does not match: sign HMAC-SHA256 over "
            '"{timestamp}.{raw body}" with the partner secret, hex-encoded'
        )
    if known is not None:
        known.remember(request.key_id, partner.secret)
    return Actor("partner", str(partner.id), "partner")


def authenticate_partner(
    ctx: Context,
    key_id: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    known: KnownSecrets | None = None,
) -> Actor:
    """Check a signed request in a read transaction of its own; returns the partner as an
    Actor. Replays are checked at intake, in the same transaction that stores the alert (the
    alert API checks the signature there too: `receive_signed_alert`)."""
    return check_partner(ctx, check_signed_request(ctx, key_id, timestamp, signature, body), known)


def check_partner(ctx: Context, request: SignedRequest, known: KnownSecrets | None = None) -> Actor:
    """`verify_partner` in a read transaction of its own."""
    with ctx.uow(readonly=True) as uow:
        return verify_partner(uow, request, known)


def staff_role(value: str, jurisdiction: str | None) -> Role:
    """The role `value` names, refused when unknown or when it needs a jurisdiction and has
    none (a district officer's cases are their district's)."""
    role = parse_role(value)
    if role is None:
        raise DomainError(f"unknown role {value!r}; roles: {', '.join(Role)}")
    if scope_of(role) is Scope.DISTRICT and not jurisdiction:
        raise DomainError(f"a {role} needs --jurisdiction (a district: its name or LGD code)")
    return role


def check_jurisdiction(uow: UnitOfWork, jurisdiction: str | None) -> str | None:
    """A person's jurisdiction as given, if it names a district (English or Hindi name, an old
    name, or the LGD code): anything else would silently show them no case, so it is refused
    naming the nearest districts."""
    value = (jurisdiction or "").strip()
    if not value:
        return None
    if uow.jurisdictions.district_code(value) is not None:
        return value
    names = {}
    for code, english, hindi in uow.jurisdictions.districts():
        names[english.casefold()] = english
        names[hindi] = hindi
        names[code] = code
    near = [names[n] for n in difflib.get_close_matches(value.casefold(), list(names), n=3)]
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    raise DomainError(
        f"unknown district {value!r} for the jurisdiction{hint} (a district's name in English "
        "or Hindi, or its LGD code)"
    )


#: how long a one-time enrolment code works
ENROLMENT_TTL = timedelta(hours=72)


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    totp_secret: str
    user: UserRecord
    #: one-time code that, with the password, shows the TOTP secret at /console/enrol
    enrolment_code: str = ""


def new_two_factor() -> tuple[str, str]:
    """A fresh TOTP secret and a one-time enrolment code (about 60 bits, easy to read out)."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    raw = base64.b32encode(secrets.token_bytes(10)).decode()[:15]
    return secret, "-".join(raw[i : i + 5] for i in range(0, 15, 5))


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
    role = staff_role(role, jurisdiction).value
    if password is not None and len(password) < 12:
        raise DomainError("a password must be at least 12 characters")
    password = password or secrets.token_urlsafe(15)
    totp_secret, enrolment_code = new_two_factor()
    with ctx.uow() as uow:
        if uow.users.by_username(username) is not None:
            raise Conflict(f"user {username!r} already exists")
        check_jurisdiction(uow, jurisdiction)
        record = uow.users.add(
            username=username,
            password_hash=ctx.passwords.hash(password),
            totp_secret=totp_secret,
            role=role,
            jurisdiction=jurisdiction,
            at=ctx.clock.now(),
        )
        uow.users.set_two_factor(
            record.id, totp_secret, code_hash(enrolment_code), ctx.clock.now() + ENROLMENT_TTL
        )
        uow.audit.append(
            at=ctx.clock.now(),
            actor="cli:admin",
            action="user.created",
            case_id=None,
            details={"username": username, "role": role, "jurisdiction": jurisdiction},
        )
        uow.commit()
    return NewUser(username, password, totp_secret, record, enrolment_code)


def verify_totp(secret: str, code: str, at: datetime, *, step: int = 30, drift: int = 1) -> bool:
    """RFC 6238 TOTP check (SHA-1, 6 digits) with one step of clock drift either way."""
    return totp_step(secret, code, at, step=step, drift=drift) is not None


@dataclass(frozen=True)
class TokenHolder:
    """Who a bearer token is issued to: the person and their token generation."""

    actor: Actor
    generation: int


def authenticate_user(
    ctx: Context,
    username: str,
    password: str,
    totp_code: str,
    *,
    address: str | None = None,
) -> TokenHolder:
    """API sign-in, under the same policy and throttles as the console (`address`: the keyed
    hash of the client address)."""
    check_text("username", username)
    with ctx.uow() as uow:
        user = authenticate(ctx, uow, username, password, totp_code, address=address, channel="api")
        uow.commit()
    return TokenHolder(Actor("user", user.username, user.role), user.token_generation)


def token_actor(ctx: Context, username: str, generation: int) -> Actor:
    """The person a bearer token names, as the database has them now (role included): refused
    if deactivated or if their tokens were revoked since it was issued. One indexed read."""
    with ctx.uow(readonly=True) as uow:
        user = uow.users.by_username(username)
    if user is None or not user.active or user.token_generation != generation:
        raise AuthenticationFailed("token revoked; sign in again at /api/v1/auth/token")
    return Actor("user", user.username, user.role)
