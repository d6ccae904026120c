"""Keeping channel secrets (passwords, bot tokens, API keys in URLs) out of delivery details
and logs.

A channel URL is the only place a contact's credentials live, and they travel inside the URL in
every position apprise knows: the user/password part, the host (Telegram's bot token), path
segments (webhook tokens) and query values (``?token=``). `url_secrets` lists the parts of a URL
that must never be shown; `redact` removes them from any text. Apprise itself logs through the
stdlib logger ``apprise``, and at debug level names URLs and whole payloads (an SMS gateway's
access token among them); `route_apprise_logs` redacts every record there with every secret
this process has seen, and sends only warnings and above on, to structlog.

Hand-written because no library knows which parts of an apprise URL are secret except apprise's
own privacy rendering, which `url_secrets` uses as its oracle.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import structlog

MASK = "***"
# Shorter fragments are too common to redact without garbling text ("no", "80", "sms"), and
# too short to be real credentials.
MIN_SECRET_LEN = 4
_SECRET_QUERY_KEY = re.compile(r"token|key|secret|pass|pwd|auth|sig|sid|cred", re.IGNORECASE)
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_QUERY_SECRET = re.compile(
    r"(?i)\b([\w-]*(?:token|key|secret|pass|pwd|auth|sig)[\w-]*)=([^&\s\"']+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
# 'access_token': 'abc' and "apiKey": "abc", as in a logged dict or JSON payload
_QUOTED_SECRET = re.compile(
    r"""(?i)(['"][\w-]*(?:token|key|secret|pass|pwd|auth|sig)[\w-]*['"]\s*:\s*)(['"])[^'"]*\2"""
)

log = structlog.get_logger("lifeline.channels")


def split_netloc(netloc: str) -> tuple[str | None, str | None, str]:
    """(user, password, host[:port]) of a URL's authority, unquoted."""
    userinfo, _, hostport = netloc.rpartition("@")
    if not userinfo:
        return None, None, hostport
    user, colon, password = userinfo.partition(":")
    return unquote(user) or None, unquote(password) if colon else None, hostport


def candidate_secrets(url: str) -> list[str]:
    """Every part of `url` that could be a credential: user and password, a host that is not a
    plain host[:port] (Telegram's ``bot:token``), path segments and query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url] if len(url) >= MIN_SECRET_LEN else []
    user, password, hostport = split_netloc(parts.netloc)
    found: list[str] = [s for s in (user, password) if s]
    _, colon, port = hostport.rpartition(":")
    if colon and not hostport.endswith("]") and not port.isdigit():
        found.append(unquote(hostport))
    found += [unquote(seg) for seg in re.split(r"[/,]", parts.path) if seg]
    found += [value for _, value in parse_qsl(parts.query, keep_blank_values=False)]
    if parts.fragment:
        found.append(unquote(parts.fragment))
    return [s for s in found if len(s) >= MIN_SECRET_LEN]


def obvious_secrets(url: str) -> list[str]:
    """The parts of `url` that are secret whatever the scheme: the password, a host that is not
    a plain host[:port], values of query keys naming a credential. (A user name is secret only
    for some schemes, an SMS gateway's token for one: `url_secrets` knows which.)"""
    try:
        parts = urlsplit(url)
    except ValueError:
        return candidate_secrets(url)
    _, password, hostport = split_netloc(parts.netloc)
    found = [password] if password else []
    _, colon, port = hostport.rpartition(":")
    if colon and not hostport.endswith("]") and not port.isdigit():
        found.append(unquote(hostport))
    found += [
        v for k, v in parse_qsl(parts.query) if v and _SECRET_QUERY_KEY.search(k.lstrip("+-:"))
    ]
    return [s for s in found if len(s) >= MIN_SECRET_LEN]


def url_secrets(url: str, visible: str | None) -> list[str]:
    """The secrets of `url`. `visible` is a rendering known to be safe to show (apprise's
    ``url(privacy=True)``): a candidate that appears verbatim there is not secret, except the
    password and any value of a query key that names a credential, which always are. Without a
    safe rendering every candidate is secret."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return candidate_secrets(url)
    _, password, _ = split_netloc(parts.netloc)
    always = {v for k, v in parse_qsl(parts.query) if _SECRET_QUERY_KEY.search(k.lstrip("+-:"))}
    if password:
        always.add(password)
    secrets: list[str] = []
    for candidate in candidate_secrets(url):
        shown = visible is not None and (
            candidate in visible or quote(candidate, safe="") in visible
        )
        if (candidate in always or not shown or looks_like_token(candidate)) and (
            candidate not in secrets
        ):
            secrets.append(candidate)
    return secrets


def looks_like_token(text: str) -> bool:
    """A webhook path or query value that reads like a credential even where apprise shows
    it (``json://host/hooks/XyZ9...``): long, or mixing letters and digits."""
    if len(text) < 8 or not re.fullmatch(r"[\w.~+/=-]+", text):
        return False
    mixed = any(c.isalpha() for c in text) and any(c.isdigit() for c in text)
    return mixed or len(text) >= 24


def redact(text: str, secrets: list[str] | set[str] | tuple[str, ...] = ()) -> str:
    """`text` with each secret (plain or URL-quoted) and anything shaped like a credential
    (``user:pass@`` in a URL, ``token=...``, ``Bearer ...``) replaced by ``***``."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) < MIN_SECRET_LEN:
            continue
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, MASK)
    text = _USERINFO.sub(MASK + "@", text)
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _QUOTED_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)


class SecretRegistry:
    """The secrets of every channel URL this process has handled, for scrubbing log records
    whose origin is not known (apprise's own messages, a worker thread that outlived its call).
    Bounded: the oldest are forgotten first; a deployment has far fewer channel URLs."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._secrets: OrderedDict[str, None] = OrderedDict()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, secrets: list[str] | tuple[str, ...]) -> None:
        with self._lock:
            for secret in secrets:
                if len(secret) >= MIN_SECRET_LEN and secret not in self._secrets:
                    self._secrets[secret] = None
                    self._pattern = None
            while len(self._secrets) > self.capacity:
                self._secrets.popitem(last=False)

    def redact(self, text: str) -> str:
        with self._lock:
            if self._pattern is None and self._secrets:
                forms = {f for s in self._secrets for f in (s, quote(s, safe=""), quote(s))}
                alternatives = sorted(forms, key=len, reverse=True)
                self._pattern = re.compile("|".join(map(re.escape, alternatives)))
            pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        return redact(text)


SEEN_SECRETS = SecretRegistry()

# Set while Lifeline is inside an apprise notify call (apprise copies the context into its
# worker threads), so apprise's debug records are only produced for that call's capture.
_IN_APPRISE_CALL: ContextVar[bool] = ContextVar("lifeline_in_apprise_call", default=False)


@contextmanager
def apprise_call() -> Iterator[None]:
    token = _IN_APPRISE_CALL.set(True)
    try:
        yield
    finally:
        _IN_APPRISE_CALL.reset(token)


class RedactingFilter(logging.Filter):
    """Rewrites each record of the logger it sits on with secrets removed, before any handler
    (apprise's per-call capture, ours, or one a test or monitoring tool attached) sees it.
    With `quiet_outside_calls`, drops records below WARNING that are not part of a Lifeline
    notify call."""

    def __init__(self, quiet_outside_calls: bool = False) -> None:
        super().__init__()
        self.quiet_outside_calls = quiet_outside_calls

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            self.quiet_outside_calls
            and record.levelno < logging.WARNING
            and not _IN_APPRISE_CALL.get()
        ):
            return False
        message = record.getMessage()
        cleaned = SEEN_SECRETS.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class AppriseLogBridge(logging.Handler):
    """Forwards apprise's (already redacted) warnings and errors to structlog."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            log.log(record.levelno, "apprise", message=record.getMessage())
        except Exception:
            self.handleError(record)


_ROUTE_LOCK = threading.Lock()


def route_apprise_logs() -> None:
    """Set up the ``apprise`` logger so that a notify call can capture the debug record that
    explains a failure (the SMTP reply, the socket error) while no secret reaches any handler:
    every record is redacted at the logger, debug records exist only inside Lifeline's notify
    calls, the logger stops propagating, and only warnings and above leave it, through
    structlog. urllib3's connection log (requests, under apprise) is redacted too. Idempotent."""
    logger = logging.getLogger("apprise")
    with _ROUTE_LOCK:
        if any(isinstance(h, AppriseLogBridge) for h in logger.handlers):
            return
        logger.addFilter(RedactingFilter(quiet_outside_calls=True))
        logger.addHandler(AppriseLogBridge(level=logging.WARNING))
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logging.getLogger("urllib3.connectionpool").addFilter(RedactingFilter())
