"""What the SMTP intake allows whom: the rate limit (per partner, per client address), SMTP
AUTH only where a secret cannot cross the network in clear, and log fields that name no one.

Hand-written: aiosmtpd has no rate limit, offers AUTH by STARTTLS alone (never over implicit
TLS, never by listener address) and logs peers and envelope senders at INFO."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

WINDOW_SECONDS = 60.0
#: an IPv6 client holds a whole /64 and can rotate through it; count the prefix, not the address
IPV6_PREFIX = 64
#: keys idle for a whole window are forgotten once the table is this big
SWEEP_AT = 10_000


@dataclass
class ClientRateLimit:
    """At most `per_minute` messages in any 60 seconds per key (a sliding window, exact: a
    limit of 60 lets 60 through, never 61). The key is the SMTP AUTH partner when there is one,
    else the client's address: never the envelope sender, which whoever floods can rotate."""

    per_minute: int
    window: float = WINDOW_SECONDS
    accepted: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: str, now: float | None = None) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self.lock:
            times = self.accepted.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            if len(self.accepted) > SWEEP_AT:
                self._sweep(now)
            return True

    def _sweep(self, now: float) -> None:
        idle = [k for k, t in self.accepted.items() if not t or t[-1] <= now - self.window]
        for key in idle:
            del self.accepted[key]


def client_key(peer: object, partner_id: int | None) -> str:
    """The rate-limit key of one SMTP session."""
    if partner_id is not None:
        return f"partner:{partner_id}"
    host = peer[0] if isinstance(peer, tuple) and peer else str(peer or "")
    try:
        address = ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return f"peer:{host}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        network = ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False)
        return f"net:{network}"
    return f"ip:{address}"


def is_loopback(host: object) -> bool:
    """127.0.0.0/8, ::1 (and IPv4-mapped loopback) or the name localhost."""
    text = str(host or "").strip().strip("[]").split("%", 1)[0]
    if text.casefold() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def auth_allowed(local_host: object, tls: bool) -> bool:
    """SMTP AUTH is offered and taken only over TLS (STARTTLS or implicit), or on a connection
    to a loopback address, where the secret never leaves the machine."""
    return tls or is_loopback(local_host)


class Pseudonyms:
    """Keyed hashes for log lines: the same client or login gives the same short tag within
    this process, so a flood can be followed, but the tag cannot be turned back into an
    address by trying them all (the key is random and never leaves memory)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def tag(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[
            :12
        ]


def sender_domain(address: str) -> str:
    """The domain of an envelope sender: all a log line may say about who sent a message."""
    domain = address.rpartition("@")[2].strip().strip(">").casefold()
    return domain[:100] if "@" in address and domain else "(none)"


def login_hint(login: str) -> str:
    """What a log line may say about a failed SMTP AUTH login: the prefix of a partner key id
    (`pk_` and four characters), nothing of anything else (it may be a person's address)."""
    return login[:7] if login.startswith("pk_") and login[3:7].isalnum() else "(not a key id)"


class QuietPeers(logging.Filter):
    """aiosmtpd's own log ("mail.log") names the peer address and the envelope sender: keep
    only its warnings and errors, with the peer replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        if isinstance(record.args, tuple):
            record.args = tuple("(client)" if isinstance(a, tuple) else a for a in record.args)
        return True


_QUIET = QuietPeers()


def quiet_aiosmtpd_log() -> None:
    """Idempotent: installs the filter on aiosmtpd's logger."""
    logger = logging.getLogger("mail.log")
    if _QUIET not in logger.filters:
        logger.addFilter(_QUIET)
