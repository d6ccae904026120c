"""The SMTP intake server (aiosmtpd). A message is answered 250 only after it is committed (as
an alert or in the quarantine); if it cannot be stored the answer is 451 so the sender retries.
Per-sender rate limiting defers floods with 451 rather than dropping them."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from lifeline.services.email_intake import EmailOutcome

log = structlog.get_logger("lifeline.smtp")

#: (raw message, envelope sender, partner id from SMTP AUTH or None, the client's IP address)
#: -> outcome after commit
Receive = Callable[[bytes, str, int | None, str | None], EmailOutcome]
#: (login, password) -> partner id, or None if wrong
CheckLogin = Callable[[str, str], int | None]


@dataclass
class SenderRateLimit:
    """Token bucket per envelope sender: `per_minute` messages, bursts up to the same."""

    per_minute: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, sender: str, now: float | None = None) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self.lock:
            tokens, last = self.buckets.get(sender, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self.buckets[sender] = (tokens, now)
                return False
            self.buckets[sender] = (tokens - 1.0, now)
            return True


class IntakeHandler:
    def __init__(self, receive: Receive, limiter: SenderRateLimit) -> None:
        self.receive, self.limiter = receive, limiter

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        sender = (envelope.mail_from or "").strip().lower()
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        if not self.limiter.allow(sender):
            log.warning("smtp.deferred", sender=sender, reason="rate limit", size=len(raw))
            return "451 4.7.1 Too many messages from this sender just now; try again later"
        partner = session.auth_data if isinstance(session.auth_data, int) else None
        loop = asyncio.get_running_loop()
        try:
            peer = session.peer[0] if isinstance(session.peer, tuple) else None
            outcome = await loop.run_in_executor(None, self.receive, raw, sender, partner, peer)
        except Exception as exc:  # the sender keeps the message and retries
            log.exception("smtp.store_failed", sender=sender, size=len(raw))
            return f"451 4.3.0 Could not store the message ({type(exc).__name__}); retry later"
        log.info(
            "smtp.received",
            sender=sender,
            size=len(raw),
            status=outcome.status,
            alert_id=outcome.alert_id,
            case_id=outcome.case_id,
            quarantine_id=outcome.quarantine_id,
            reason=outcome.reason,
        )
        if outcome.status == "quarantined":
            return f"250 2.0.0 Held for review as Q{outcome.quarantine_id}: {outcome.reason}"
        return f"250 2.0.0 Accepted: alert {outcome.alert_id}, case {outcome.case_id}"


class PartnerAuthenticator:
    """SMTP AUTH with a partner's key id as login and its secret as password."""

    def __init__(self, check: CheckLogin) -> None:
        self.check = check

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        partner = self.check(
            auth_data.login.decode(errors="replace"), auth_data.password.decode(errors="replace")
        )
        if partner is None:
            log.warning("smtp.auth_failed", login=auth_data.login.decode(errors="replace"))
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=partner)


@dataclass(frozen=True)
class SmtpOptions:
    host: str = "127.0.0.1"
    port: int = 2525
    max_bytes: int = 10 * 1024 * 1024
    per_sender_per_minute: int = 60
    tls_cert: str | None = None
    tls_key: str | None = None
    require_tls: bool = False
    require_auth: bool = False


class SmtpIntakeServer:
    """Runs the aiosmtpd controller in its own thread; `start()` returns when it listens."""

    def __init__(self, options: SmtpOptions, receive: Receive, check_login: CheckLogin) -> None:
        self.options = options
        tls = None
        if options.tls_cert and options.tls_key:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(options.tls_cert, options.tls_key)
        self.controller = Controller(
            IntakeHandler(receive, SenderRateLimit(options.per_sender_per_minute)),
            hostname=options.host,
            port=options.port,
            data_size_limit=options.max_bytes,
            tls_context=tls,
            require_starttls=bool(tls) and options.require_tls,
            auth_required=options.require_auth,
            auth_require_tls=bool(tls),
            authenticator=PartnerAuthenticator(check_login),
            ident="Lifeline SMTP intake",
        )

    def start(self) -> None:
        self.controller.start()
        log.info("smtp.started", host=self.options.host, port=self.options.port)

    def stop(self) -> None:
        self.controller.stop()
        log.info("smtp.stopped")
