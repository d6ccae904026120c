"""The SMTP intake server (aiosmtpd). A message is answered 250 only after it is committed (as
an alert or in the quarantine); if it cannot be stored the answer is 451 so the sender retries.
Floods are deferred with 451 (per partner or client address, see smtp_guard.py), never dropped.

Lines of any length up to the message size limit are taken (RFC 5322 says 998, real senders
exceed it: a bounce would lose an alert); DATA still ends only at CRLF.CRLF (aiosmtpd reads
lines up to CRLF only, so a bare LF never ends a line early: no SMTP smuggling). SMTP AUTH is
offered only over TLS or on a loopback connection. Log lines name no sender: the domain at
most."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, AnyStr

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from lifeline.adapters.intake.cleaning import has_controls
from lifeline.adapters.intake.smtp_guard import (
    ClientRateLimit,
    Pseudonyms,
    auth_allowed,
    client_key,
    is_loopback,
    login_hint,
    quiet_aiosmtpd_log,
    sender_domain,
)
from lifeline.domain.mail import EmailOutcome, EmailStatus

log = structlog.get_logger("lifeline.smtp")

#: (raw message, envelope sender, partner id from SMTP AUTH or None, the client's IP address)
#: -> outcome after commit
Receive = Callable[[bytes, str, int | None, str | None], EmailOutcome]
#: (login, password) -> partner id, or None if wrong
CheckLogin = Callable[[str, str], int | None]
ENCRYPTION_REQUIRED = "538 5.7.11 Encryption required for requested authentication mechanism"


def secure_for_auth(server: SMTP) -> bool:
    """Whether this connection may carry a secret: TLS (STARTTLS or implicit), or loopback."""
    transport = server.transport
    if transport is None:
        return False
    tls = transport.get_extra_info("ssl_object") is not None
    local = transport.get_extra_info("sockname")
    return auth_allowed(local[0] if isinstance(local, tuple) and local else None, tls)


class IntakeHandler:
    def __init__(self, receive: Receive, limiter: ClientRateLimit) -> None:
        self.receive, self.limiter = receive, limiter
        self.tags = Pseudonyms()

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        """AUTH is not advertised where a secret would cross the network in clear."""
        session.host_name = hostname
        if secure_for_auth(server):
            return responses
        return [r for r in responses if not r[4:].upper().startswith("AUTH")]

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        # no real sender has one, and PostgreSQL cannot even look such an address up: refused
        # here, clearly, rather than 451 for ever after DATA
        if has_controls(address):
            return "553 5.1.7 The sender address contains a control character"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

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
        partner = session.auth_data if isinstance(session.auth_data, int) else None
        key = client_key(session.peer, partner)
        if not self.limiter.allow(key):
            log.warning("smtp.deferred", client=self.tags.tag(key), reason="rate limit")
            return "451 4.7.1 Too many messages from this client just now; try again later"
        domain = sender_domain(sender)
        loop = asyncio.get_running_loop()
        try:
            peer = session.peer[0] if isinstance(session.peer, tuple) else None
            outcome = await loop.run_in_executor(None, self.receive, raw, sender, partner, peer)
        except Exception as exc:  # the sender keeps the message and retries
            log.error(
                "smtp.store_failed", sender_domain=domain, size=len(raw), error=type(exc).__name__
            )
            return f"451 4.3.0 Could not store the message ({type(exc).__name__}); retry later"
        log.info(
            "smtp.received",
            sender_domain=domain,
            size=len(raw),
            status=outcome.status.value,
            alert_id=outcome.alert_id,
            case_id=outcome.case_id,
            quarantine_id=outcome.quarantine_id,
        )
        if outcome.status is EmailStatus.QUARANTINED:
            return f"250 2.0.0 Held for review as Q{outcome.quarantine_id}: {outcome.reason}"
        return f"250 2.0.0 Accepted: alert {outcome.alert_id}, case {outcome.case_id}"


class PartnerAuthenticator:
    """SMTP AUTH with a partner's key id as login and its secret as password."""

    def __init__(self, check: CheckLogin) -> None:
        self.check = check

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or not secure_for_auth(server):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode(errors="replace")
        password = auth_data.password.decode(errors="replace")
        # a key id never has a control character (and PostgreSQL cannot look one up)
        partner = None if has_controls(login) else self.check(login, password)
        if partner is None:
            log.warning("smtp.auth_failed", login=login_hint(login))
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=partner)


class IntakeSMTP(SMTP):
    """aiosmtpd's SMTP with the line length limit raised to the message size limit, and AUTH
    refused (538) where it is not offered (aiosmtpd's own check knows STARTTLS only)."""

    def __init__(self, handler: Any, *, line_length_limit: int, **kwargs: Any) -> None:
        # read by SMTP.__init__ when it makes the stream reader: set before it runs
        self.line_length_limit = line_length_limit
        super().__init__(handler, auth_require_tls=True, **kwargs)
        # aiosmtpd (1.4) knows only STARTTLS as TLS: with its check on, AUTH is never offered
        # over implicit TLS nor on loopback. smtp_AUTH and handle_EHLO apply secure_for_auth
        # instead (setting False in the constructor would warn that AUTH needs no TLS).
        self._auth_require_tls = False

    async def push(self, status: AnyStr) -> None:
        # the line length limit is the size limit: a longer line is a message too big (552,
        # as for any message over the limit), not a line too long
        if isinstance(status, str) and status.startswith("500 Line too long"):
            status = "552 5.3.4 Message too big for this server"
        await super().push(status)

    async def smtp_AUTH(self, arg: str) -> None:
        if not secure_for_auth(self):
            await self.push(ENCRYPTION_REQUIRED)
            return
        await super().smtp_AUTH(arg)


class IntakeController(Controller):
    def __init__(self, handler: Any, *, line_length_limit: int, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.line_length_limit = line_length_limit

    def factory(self) -> SMTP:
        return IntakeSMTP(
            self.handler, line_length_limit=self.line_length_limit, **self.SMTP_kwargs
        )


@dataclass(frozen=True)
class SmtpOptions:
    host: str = "127.0.0.1"
    port: int = 2525
    max_bytes: int = 10 * 1024 * 1024
    per_client_per_minute: int = 60
    tls_cert: str | None = None
    tls_key: str | None = None
    require_tls: bool = False
    require_auth: bool = False
    #: TLS from the first byte (SMTPS) instead of STARTTLS
    implicit_tls: bool = False


class SmtpIntakeServer:
    """Runs the aiosmtpd controller in its own thread; `start()` returns when it listens."""

    def __init__(self, options: SmtpOptions, receive: Receive, check_login: CheckLogin) -> None:
        self.options = options
        tls = None
        if options.tls_cert and options.tls_key:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(options.tls_cert, options.tls_key)
        if options.require_auth and tls is None and not is_loopback(options.host):
            raise ValueError(
                f"SMTP AUTH is required but the listener on {options.host} has no TLS, and AUTH "
                "is offered only over TLS off loopback: set LIFELINE_SMTP_TLS_CERT and "
                "LIFELINE_SMTP_TLS_KEY"
            )
        if options.implicit_tls and tls is None:
            raise ValueError(
                "LIFELINE_SMTP_TLS_IMPLICIT needs LIFELINE_SMTP_TLS_CERT and LIFELINE_SMTP_TLS_KEY"
            )
        quiet_aiosmtpd_log()
        starttls = None if options.implicit_tls else tls
        self.controller = IntakeController(
            IntakeHandler(receive, ClientRateLimit(options.per_client_per_minute)),
            # the longest line is a whole message (+ CRLF and a transparency dot)
            line_length_limit=options.max_bytes + 3,
            hostname=options.host,
            port=options.port,
            ssl_context=tls if options.implicit_tls else None,
            data_size_limit=options.max_bytes,
            tls_context=starttls,
            require_starttls=bool(starttls) and options.require_tls,
            auth_required=options.require_auth,
            authenticator=PartnerAuthenticator(check_login),
            ident="Lifeline SMTP intake",
        )

    def start(self) -> None:
        self.controller.start()
        log.info("smtp.started", host=self.options.host, port=self.options.port)

    def stop(self) -> None:
        self.controller.stop()
        log.info("smtp.stopped")
