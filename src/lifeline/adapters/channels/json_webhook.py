"""Posting a message to a ``json://`` / ``jsons://`` webhook over one pooled HTTP client.

Apprise's JSON plugin makes a plugin object, an `Apprise`, a captured log and a `requests`
connection for every message it sends: most of the CPU of a message that has already been
composed, and a new TCP connection each time. For the URLs whose options this module knows,
`JsonWebhookClient` sends the very same request over one pooled, thread-safe urllib3 client
instead; apprise still reads the URL (once, when the channel is first seen: `json_target`), so
its syntax is apprise's: basic auth as ``user:password@``, ``?+Header=value`` headers,
``?-param=value`` query parameters, ``?:field=value`` payload fields (renaming a field when it
names one of apprise's, dropping it when empty), ``?method=``, ``?verify=no``, ``?redirect=no``.
A URL with any other option (``format``, ``overflow``, ``emojis``...), or a user without a
password, keeps going through apprise, which knows what that option does.

The body is apprise's: ``{version, title, message, attachments, type}`` plus Lifeline's fields
(`apprise_sender` describes them), as ``json.dumps`` writes it; the headers are apprise's
``User-Agent`` and ``Content-Type`` plus the URL's and ``Idempotency-Key``. A test sends the
same message both ways and compares what the receiver got.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import urllib3
from apprise.plugins.custom_json import NotifyJSON

from lifeline.services.dispatch.ports import DeliveryResult, OutgoingMessage

#: query options of a json:// URL this module sends as apprise would (the rest: apprise);
#: `rto`/`cto` are apprise's socket timeouts, which Lifeline replaces by the send's timeout
KNOWN_OPTIONS = frozenset({"method", "verify", "redirect", "rto", "cto"})


@dataclass(frozen=True)
class JsonTarget:
    """Everything about a json:// URL needed to post to it, read once from apprise's plugin."""

    method: str
    endpoint: str
    params: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    #: the URL's `:field=value` entries (applied after Lifeline's fields, so they win)
    fields: tuple[tuple[str, str], ...]
    auth: tuple[str, str] | None
    verify: bool
    redirects: bool
    user_agent: str
    version: str
    service: str
    title_limit: int
    body_limit: int


def json_target(url: str, plugin: Any) -> JsonTarget | None:
    """The target of a json:// or jsons:// URL that apprise parsed into `plugin`, or None if
    the URL uses an option this module does not send as apprise would."""
    if type(plugin) is not NotifyJSON:
        return None
    for part in urlsplit(url).query.split("&"):  # not parse_qsl: "+" is apprise's, not a space
        key = unquote(part.partition("=")[0]).strip()
        if key and key[:1] not in ("+", "-", ":") and key.lower() not in KNOWN_OPTIONS:
            return None
    if plugin.user and plugin.password is None:
        return None  # requests would send the password "None"; leave that to apprise
    if int(plugin.title_maxlen) <= 0 or int(plugin.body_max_line_count) > 0:
        return None
    if getattr(plugin.asset, "_payload_max_size", 0) or plugin.overflow_mode != "upstream":
        return None
    scheme = "https" if plugin.secure else "http"
    port = f":{plugin.port}" if isinstance(plugin.port, int) else ""
    return JsonTarget(
        method=str(plugin.method),
        endpoint=f"{scheme}://{plugin.host}{port}{plugin.fullpath}",
        params=tuple((str(k), str(v)) for k, v in plugin.params.items()),
        headers=tuple((str(k), str(v)) for k, v in plugin.headers.items()),
        fields=tuple((str(k), str(v)) for k, v in plugin.payload_extras.items()),
        auth=(str(plugin.user), str(plugin.password)) if plugin.user else None,
        verify=bool(plugin.verify_certificate),
        redirects=bool(plugin.redirects),
        user_agent=str(plugin.app_id),
        version=str(plugin.json_version),
        service=str(plugin.service_name),
        title_limit=int(plugin.title_maxlen),
        body_limit=int(plugin.body_maxlen),
    )


def json_payload(target: JsonTarget, message: OutgoingMessage) -> dict[str, Any]:
    """The body apprise's JSON plugin would post for `message` (see the module docstring)."""
    full = len(message.title) + 2 + len(message.body)
    if full > target.body_limit:
        title, body = "", message.short
    else:
        title, body = message.title, message.body
    payload: dict[str, Any] = {
        "version": target.version,
        "title": title.strip(),
        "message": body.rstrip(),
        "attachments": [],
        "type": "info",
    }
    extras: dict[str, Any] = {
        "notification_id": message.notification_id,
        "case_id": message.case_id,
        "ack_url": message.ack_url,
        "ack_code": message.ack_code,
        "incident": message.incident,
        **dict(target.fields),
    }
    for key, value in extras.items():
        if key in payload:  # apprise's rule: `:title=subject` renames, `:title=` drops
            if value:
                payload[value] = payload[key]
            del payload[key]
        else:
            payload[key] = value
    return payload


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


#: connections kept per endpoint: as many as messages may be sent to it at once
POOL_SIZE = 16


class JsonWebhookClient:
    """Posts `OutgoingMessage`s to `JsonTarget`s over one urllib3 pool manager per
    certificate setting (thread-safe, keep-alive; urllib3 rather than httpx: about half the
    CPU per request, measured in bench/README.md)."""

    def __init__(self) -> None:
        self._pools: dict[bool, urllib3.PoolManager] = {}
        self._lock = threading.Lock()

    def _pool(self, verify: bool) -> urllib3.PoolManager:
        with self._lock:
            pool = self._pools.get(verify)
            if pool is None:
                pool = self._pools[verify] = urllib3.PoolManager(
                    num_pools=64,
                    maxsize=POOL_SIZE,
                    cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
                )
            return pool

    def send(self, target: JsonTarget, message: OutgoingMessage, timeout: float) -> DeliveryResult:
        service = target.service
        headers = {"User-Agent": target.user_agent, "Content-Type": "application/json"}
        if target.auth is not None:
            headers.update(urllib3.util.make_headers(basic_auth=":".join(target.auth)))
        headers.update(target.headers)
        headers.setdefault("Idempotency-Key", f"lifeline-notification-{message.notification_id}")
        body = json.dumps(json_payload(target, message)).encode()
        url = target.endpoint + ("?" + urlencode(target.params) if target.params else "")
        redirects = MAX_REDIRECTS if target.redirects else 0
        try:
            response = self._pool(target.verify).request(
                target.method,
                url,
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
                retries=urllib3.Retry(
                    total=None,
                    connect=0,
                    read=0,
                    status=0,
                    other=0,
                    redirect=redirects,
                    raise_on_redirect=False,
                ),
                redirect=target.redirects,
            )
        except urllib3.exceptions.HTTPError as exc:
            reason, retryable = _failure(exc, timeout)
            return DeliveryResult(False, f"{service}: {reason}", retryable)
        status = response.status
        if 200 <= status < 300:
            return DeliveryResult(True, f"{service}: delivered")
        retryable = status >= 500 or status in (408, 429)
        return DeliveryResult(
            False, f"{service}: HTTP {status} {_phrase(status)}".rstrip(), retryable
        )

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.clear()


#: redirects followed when the URL allows them (requests' limit, which apprise used)
MAX_REDIRECTS = 30


def _failure(exc: Exception, timeout: float) -> tuple[str, bool]:
    """What went wrong, as apprise's explanations word it, and whether to retry."""
    errors = urllib3.exceptions
    cause = exc.reason if isinstance(exc, errors.MaxRetryError) and exc.reason else exc
    # (a failed connection is a kind of connect timeout to urllib3: asked first)
    if isinstance(cause, errors.SSLError):
        return "TLS error", False  # stays one until someone fixes the certificate
    if isinstance(cause, errors.NameResolutionError):
        return "host name not found", True
    if isinstance(cause, errors.NewConnectionError):
        text = str(cause).lower()
        refused = "refused" in text or "errno 111" in text
        return ("connection refused" if refused else "cannot connect"), True
    if isinstance(cause, errors.TimeoutError | TimeoutError):
        return f"timeout after {timeout:g} s", True
    return type(cause).__name__, True
