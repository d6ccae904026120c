"""Posting a structured incident to a UP-112/ERSS-style emergency-response HTTP endpoint.

``up112://host[:port]/path`` posts over plain HTTP (a dispatch server on the control room's own
network), ``up112s://host[:port]/path`` over HTTPS. A bearer token may be given as the URL's
user or password part (``up112s://TOKEN@host/path``, ``up112s://user:TOKEN@host/path``) or as
``?token=TOKEN``; it travels only in the ``Authorization`` header, never in the request URL, so
neither httpx's request log nor the receiver's access log sees it. Other query arguments are
passed on. Each post carries ``Idempotency-Key: lifeline-notification-{id}`` so the receiver can
drop a second delivery of the same notification (a worker killed between send and commit).

Apprise has no plugin for this (it would post its own ``{title, message}`` shape), so this is
a small httpx client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from lifeline.adapters.channels.redaction import split_netloc
from lifeline.services.dispatch.ports import DeliveryResult, OutgoingMessage

UP112_SCHEMES = {"up112": "http", "up112s": "https"}
SERVICE_NAME = "UP-112"
_PLAIN_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+$|^\[[0-9A-Fa-f:.]+\]$")
_INCIDENT_ID_KEYS = ("incident_id", "incidentId", "event_id", "eventId", "id", "reference")
_SAFE_ID = re.compile(r"^[\w.:/#-]{1,64}$")


@dataclass(frozen=True)
class Up112Target:
    endpoint: str
    token: str | None


def parse_up112(url: str) -> Up112Target:
    """The endpoint and token of an ``up112[s]://`` URL; ValueError says what is wrong."""
    parts = urlsplit(url)
    scheme = UP112_SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise ValueError(f"not a UP-112 URL (scheme {parts.scheme!r})")
    user, password, hostport = split_netloc(parts.netloc)
    host, colon, port = hostport.rpartition(":") if not hostport.endswith("]") else ("", "", "")
    if not colon:
        host, port = hostport, ""
    if not host or not _PLAIN_HOST.match(host):
        raise ValueError("UP-112 URL has no valid host")
    if port and (not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536):
        raise ValueError("UP-112 URL has an invalid port")
    query = parse_qsl(parts.query, keep_blank_values=True)
    token = password or user
    for key, value in query:
        if key == "token" and value:
            token = value
    rest = urlencode([(k, v) for k, v in query if k != "token"])
    endpoint = urlunsplit((scheme, hostport, parts.path or "/", rest, ""))
    return Up112Target(endpoint, token or None)


def incident_payload(message: OutgoingMessage) -> dict[str, Any]:
    """The JSON body: the case's structured incident with Lifeline's envelope fields on top
    (these win over same-named incident keys)."""
    payload: dict[str, Any] = dict(message.incident)
    payload.update(
        {
            "notification_id": message.notification_id,
            "case_id": message.case_id,
            "ack_url": message.ack_url,
            "ack_code": message.ack_code,
            "title": message.title,
            "message": message.body,
        }
    )
    return payload


def _incident_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    for key in _INCIDENT_ID_KEYS:
        value = body.get(key)
        if isinstance(value, str | int) and _SAFE_ID.match(str(value)):
            return str(value)
    return None


class Up112Client:
    """Sends `OutgoingMessage`s to UP-112 endpoints over one pooled, thread-safe httpx client."""

    def __init__(self, *, verify_tls: bool = True, user_agent: str = "Lifeline") -> None:
        self._client = httpx.Client(
            verify=verify_tls, follow_redirects=False, headers={"User-Agent": user_agent}
        )

    def send(self, target: Up112Target, message: OutgoingMessage, timeout: float) -> DeliveryResult:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": f"lifeline-notification-{message.notification_id}",
        }
        if target.token:
            headers["Authorization"] = f"Bearer {target.token}"
        body = json.dumps(incident_payload(message), ensure_ascii=False).encode()
        try:
            response = self._client.post(
                target.endpoint, content=body, headers=headers, timeout=httpx.Timeout(timeout)
            )
        except httpx.TimeoutException:
            return DeliveryResult(False, f"{SERVICE_NAME}: timeout after {timeout:g} s", True)
        except httpx.ConnectError as exc:
            reason = "connection refused" if "refused" in str(exc).lower() else "cannot connect"
            return DeliveryResult(False, f"{SERVICE_NAME}: {reason}", True)
        except httpx.HTTPError as exc:
            return DeliveryResult(False, f"{SERVICE_NAME}: {type(exc).__name__}", True)
        status = response.status_code
        phrase = f"HTTP {status} {response.reason_phrase}".rstrip()
        if 200 <= status < 300:
            incident = _incident_id(response)
            suffix = f", incident {incident}" if incident else ""
            return DeliveryResult(True, f"{SERVICE_NAME} accepted: {phrase}{suffix}")
        retryable = status >= 500 or status in (408, 429)
        return DeliveryResult(False, f"{SERVICE_NAME} refused: {phrase}", retryable)

    def close(self) -> None:
        self._client.close()
