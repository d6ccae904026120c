"""Sending one `OutgoingMessage` over one apprise URL, and explaining a failure.

Each send instantiates the URL's plugin afresh (it is changed per message: timeouts, payload
fields, headers), notifies through a one-plugin `Apprise` with a call deadline, and reads the
reason for a failure from the log entries apprise captured for that call alone (per call, so
concurrent sends from several worker threads do not see each other's entries).

What each kind of channel receives:
- SMS-like plugins (no title, body limit <= 1600 characters, e.g. ``smseagle://``, ``sinch://``)
  and any plugin whose body limit the full text would overflow get `OutgoingMessage.short`;
- ``json://`` / ``jsons://`` get apprise's ``{version, title, message, type}`` plus
  ``notification_id``, ``case_id``, ``ack_url``, ``ack_code`` and the structured ``incident``
  (a URL's own ``:key=value`` payload overrides still win), and an ``Idempotency-Key`` header,
  as do ``form://`` and ``xml://``;
- everything else (e-mail, Telegram, WhatsApp...) gets title and body; e-mail also gets an
  ``X-Lifeline-Notification`` header.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from apprise import Apprise, AppriseAsset, NotifyFormat
from apprise.plugins.base import NotifyBase
from apprise.plugins.custom_form import NotifyForm
from apprise.plugins.custom_json import NotifyJSON
from apprise.plugins.custom_xml import NotifyXML
from apprise.plugins.email import NotifyEmail
from apprise.result import AppriseResult, AppriseResultStatus

from lifeline.adapters.channels.redaction import apprise_call
from lifeline.services.dispatch.ports import DeliveryResult, OutgoingMessage

SMS_BODY_LIMIT = 1600
_HTTP_STATUS = re.compile(r"error=(\d{3})\b")
_SMTP_REPLY = re.compile(r"\((\d{3}), b?['\"](.*?)['\"]\)|refused: (\d{3}) (.*)")
_TIMEOUT = re.compile(r"timed? ?out|timeout", re.IGNORECASE)
_REFUSED = re.compile(r"connection refused|errno 111|actively refused", re.IGNORECASE)
_DNS = re.compile(
    r"name or service not known|nodename nor servname|failed to resolve|getaddrinfo|"
    r"temporary failure in name resolution",
    re.IGNORECASE,
)
_TLS = re.compile(r"certificate verify failed|SSLError|SSL:|wrong version number", re.IGNORECASE)


def make_asset() -> AppriseAsset:
    """Apprise's settings for Lifeline: our name on requests, nothing written to disk, no keys
    generated, plain text bodies."""
    return AppriseAsset(
        app_id="Lifeline",
        app_desc="Lifeline",
        storage_mode="memory",
        pgp_autogen=False,
        pem_autogen=False,
        secure_logging=True,
    )


def instantiate(url: str, asset: AppriseAsset) -> NotifyBase | None:
    plugin = Apprise.instantiate(url, asset=asset)
    return plugin if isinstance(plugin, NotifyBase) else None


def privacy_url(plugin: Any) -> str:
    """The plugin's URL as apprise renders it for logs: credentials masked."""
    return str(plugin.url(privacy=True))


def wants_short_text(plugin: NotifyBase, message: OutgoingMessage) -> bool:
    title_limit = int(plugin.title_maxlen)
    body_limit = int(plugin.body_maxlen)
    full = len(message.title) + 2 + len(message.body)
    return (title_limit == 0 and body_limit <= SMS_BODY_LIMIT) or full > body_limit


def _prepare(plugin: NotifyBase, message: OutgoingMessage, timeout: float) -> None:
    plugin.socket_connect_timeout = timeout
    plugin.socket_read_timeout = timeout
    key = f"lifeline-notification-{message.notification_id}"
    if isinstance(plugin, NotifyJSON):
        extras: dict[str, Any] = {
            "notification_id": message.notification_id,
            "case_id": message.case_id,
            "ack_url": message.ack_url,
            "ack_code": message.ack_code,
            "incident": message.incident,
        }
        plugin.payload_extras = {**extras, **plugin.payload_extras}
    if isinstance(plugin, NotifyJSON | NotifyForm | NotifyXML):
        plugin.headers.setdefault("Idempotency-Key", key)
    elif isinstance(plugin, NotifyEmail):
        plugin.headers.setdefault("X-Lifeline-Notification", key)


def _messages(entries: Iterable[Any], levels: set[str] | None = None) -> list[str]:
    return [str(e.message) for e in entries if levels is None or e.level in levels]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def explain_failure(service: str, result: AppriseResult, timeout: float) -> DeliveryResult:
    """A `DeliveryResult` for a call that did not succeed, from what apprise logged during it
    (the caller redacts the detail)."""
    if result.status is AppriseResultStatus.TIMEOUT or result.timeout_count:
        return DeliveryResult(False, f"{service}: timeout after {timeout:g} s", True)
    if result.status is not AppriseResultStatus.FAILURE:
        return DeliveryResult(False, f"{service}: not sent (apprise {result.status.name})", False)
    entries = list(result.logs())
    everything = " | ".join(_messages(entries))
    warnings = _messages(entries, {"WARNING", "ERROR", "CRITICAL"})
    if match := _SMTP_REPLY.search(everything):
        code = match.group(1) or match.group(3)
        text = (match.group(2) or match.group(4) or "").strip()[:120]
        return DeliveryResult(False, f"{service}: SMTP {code} {text}".rstrip(), code[0] != "5")
    if match := _HTTP_STATUS.search(everything):
        status = int(match.group(1))
        retryable = status >= 500 or status in (408, 429)
        return DeliveryResult(
            False, f"{service}: HTTP {status} {_phrase(status)}".rstrip(), retryable
        )
    for pattern, reason, retryable in (
        (_REFUSED, "connection refused", True),
        (_DNS, "host name not found", True),
        (_TIMEOUT, f"timeout after {timeout:g} s", True),
        (_TLS, "TLS error", False),
    ):
        if pattern.search(everything):
            return DeliveryResult(False, f"{service}: {reason}", retryable)
    reason = warnings[0][:200] if warnings else "failed, no reason given"
    return DeliveryResult(False, f"{service}: {reason}", True)


class AppriseSender:
    def __init__(self, asset: AppriseAsset | None = None) -> None:
        self.asset = asset or make_asset()

    def send(self, url: str, message: OutgoingMessage, timeout: float) -> DeliveryResult:
        plugin = instantiate(url, self.asset)
        if plugin is None:
            return DeliveryResult(False, "apprise could not load this channel URL", False)
        service = str(plugin.service_name)
        if not plugin.enabled:
            return DeliveryResult(False, f"{service}: not available on this system", False)
        _prepare(plugin, message, timeout)
        if wants_short_text(plugin, message):
            title, body = "", message.short
        else:
            title, body = message.title, message.body
        notifier = Apprise(asset=self.asset)
        notifier.add(plugin)
        with (
            apprise_call(),
            notifier.notify(
                body=body,
                title=title,
                body_format=NotifyFormat.TEXT,
                timeout=timeout,
                log_level=logging.DEBUG,
            ) as result,
        ):
            if result:
                return DeliveryResult(True, f"{service}: delivered")
            return explain_failure(service, result, timeout)
