"""Lifeline's notification channels: every apprise URL scheme (SMS gateways, e-mail, Telegram,
WhatsApp, JSON webhooks...) and ``up112://`` / ``up112s://`` incident endpoints, behind one
circuit breaker per provider. JSON webhooks go over a pooled HTTP client rather than apprise
(`json_webhook`: the same request, a fraction of the CPU). Implements
`lifeline.services.dispatch.ports.NotificationChannels`.

A provider is what `describe` shows: scheme and host (and port) for self-hosted endpoints
(``json://127.0.0.1:8099``, ``smseagle://10.0.0.5``, ``mailto://smtp.up.police``), the scheme
alone for a cloud service whose URL host is a credential (``tgram://…``, so all Telegram bots
share the one circuit of api.telegram.org). Details and logs never contain a URL's secrets
(see `lifeline.adapters.channels.redaction`).
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import structlog
from apprise.apprise import N_MGR

from lifeline.adapters.channels.apprise_sender import (
    AppriseSender,
    instantiate,
    make_asset,
    privacy_url,
)
from lifeline.adapters.channels.breaker import Admission, BreakerState, CircuitBreakers
from lifeline.adapters.channels.json_webhook import JsonTarget, JsonWebhookClient, json_target
from lifeline.adapters.channels.redaction import (
    SEEN_SECRETS,
    candidate_secrets,
    obvious_secrets,
    redact,
    route_apprise_logs,
    split_netloc,
    url_secrets,
)
from lifeline.adapters.channels.up112 import (
    SERVICE_NAME as UP112_NAME,
)
from lifeline.adapters.channels.up112 import (
    UP112_SCHEMES,
    Up112Client,
    Up112Target,
    parse_up112,
)
from lifeline.services.dispatch.ports import DeliveryResult, OutgoingMessage

IST = ZoneInfo("Asia/Kolkata")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,31})://")
_PLAIN_HOSTPORT = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
HIDDEN = "…"

log = structlog.get_logger("lifeline.channels")


@dataclass(frozen=True)
class ChannelInfo:
    """What Lifeline knows of one channel URL before sending anything."""

    provider: str
    secrets: tuple[str, ...]
    problem: str | None = None
    up112: Up112Target | None = None
    #: a json:// URL sent by the pooled client rather than apprise (json_webhook.py)
    json: JsonTarget | None = None


def _visible_hostport(url: str, visible: str | None) -> str:
    """The URL's host[:port] if it is a plain host shown in the safe rendering `visible`."""
    try:
        hostport = split_netloc(urlsplit(url).netloc)[2]
        shown = split_netloc(urlsplit(visible).netloc)[2] if visible else ""
    except ValueError:
        return HIDDEN
    host = hostport.rsplit(":", 1)[0] if not hostport.endswith("]") else hostport
    if not hostport or not _PLAIN_HOSTPORT.match(hostport) or host.lower() not in shown.lower():
        return HIDDEN
    return hostport.lower()


class AppriseNotificationChannels:
    """Sends over apprise URLs and UP-112 endpoints; see the module docstring.

    `failure_threshold` consecutive provider faults open a provider's circuit for
    `reset_after` seconds. `clock` is monotonic seconds (the breaker's time), `now` the wall
    clock used only to tell people when an open circuit will try again (shown in IST).
    """

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        reset_after: float = 60.0,
        verify_tls: bool = True,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        route_apprise_logs()
        self.asset = make_asset()
        self.apprise = AppriseSender(self.asset)
        self.up112_client = Up112Client(verify_tls=verify_tls)
        self.json_client = JsonWebhookClient()
        self.breakers = CircuitBreakers(failure_threshold, reset_after, clock)
        self.clock = clock
        self.now = now
        self._inspect = functools.lru_cache(maxsize=2048)(self._inspect_uncached)

    # -- NotificationChannels -------------------------------------------------------------

    def send(self, url: str, message: OutgoingMessage, *, timeout: float) -> DeliveryResult:
        info = self._inspect(url)
        if info.problem is not None:
            return DeliveryResult(False, info.problem, retryable=False)
        if not (timeout > 0 and math.isfinite(timeout)):
            return DeliveryResult(False, f"invalid timeout {timeout!r}", retryable=False)
        admission = self.breakers.admit(info.provider)
        if not admission.allowed:
            return DeliveryResult(False, self._open_circuit(info.provider, admission), False)
        result = DeliveryResult(False, "internal error in the channel adapter", True)
        try:
            if info.up112 is not None:
                result = self.up112_client.send(info.up112, message, timeout)
            elif info.json is not None:
                result = self.json_client.send(info.json, message, timeout)
            else:
                result = self.apprise.send(url.strip(), message, timeout)
        except Exception as exc:  # a channel reports failure; it never raises into dispatch
            log.error(
                "channel_send_crashed",
                channel=info.provider,
                error=redact(f"{type(exc).__name__}: {exc}", info.secrets),
            )
            result = DeliveryResult(False, f"internal error: {type(exc).__name__}", True)
        finally:
            self._record(info.provider, provider_fault=not result.delivered and result.retryable)
        return DeliveryResult(
            result.delivered, redact(result.detail, info.secrets), result.retryable
        )

    def describe(self, url: str) -> str:
        return self._inspect(url).provider

    def check(self, url: str) -> str | None:
        return self._inspect(url).problem

    def close(self) -> None:
        self.up112_client.close()
        self.json_client.close()

    # -- internals -------------------------------------------------------------------------

    def _record(self, provider: str, *, provider_fault: bool) -> None:
        before = self.breakers.state(provider)
        self.breakers.record(provider, provider_fault=provider_fault)
        after = self.breakers.state(provider)
        if after is BreakerState.OPEN and before is not BreakerState.OPEN:
            log.warning(
                "channel_circuit_opened", channel=provider, seconds=self.breakers.reset_after
            )
        elif after is BreakerState.CLOSED and before is not BreakerState.CLOSED:
            log.info("channel_circuit_closed", channel=provider)

    def _open_circuit(self, provider: str, admission: Admission) -> str:
        if admission.retry_at is None:
            return f"circuit open for {provider} until its trial request completes"
        wait = max(0.0, admission.retry_at - self.clock())
        until = (self.now() + timedelta(seconds=wait)).astimezone(IST)
        return f"circuit open for {provider} until {until:%H:%M:%S} IST"

    def _inspect_uncached(self, url: str) -> ChannelInfo:
        if not isinstance(url, str) or not url.strip():
            return ChannelInfo("(no channel URL)", (), "empty channel URL")
        match = _SCHEME.match(url.strip())
        if match is None:
            return ChannelInfo(
                "(not a channel URL)",
                tuple(candidate_secrets(url)),
                "not a channel URL (expected scheme://...)",
            )
        url = url.strip()
        scheme = match.group(1).lower()
        if scheme in UP112_SCHEMES:
            return self._inspect_up112(url, scheme)
        if scheme not in N_MGR:
            return ChannelInfo(
                f"{scheme}://{HIDDEN}",
                tuple(candidate_secrets(url)),
                f"unsupported channel scheme {scheme}:// (not a UP-112 URL, unknown to apprise)",
            )
        plugin_class = N_MGR[scheme]
        if not plugin_class.enabled:
            return ChannelInfo(
                f"{scheme}://{HIDDEN}",
                tuple(candidate_secrets(url)),
                f"{plugin_class.service_name} ({scheme}://) is not available on this system",
            )
        # registered before apprise parses the URL, so its own complaints are redacted too
        SEEN_SECRETS.add(obvious_secrets(url))
        plugin = instantiate(url, self.asset)
        if plugin is None:
            return ChannelInfo(
                f"{scheme}://{HIDDEN}",
                tuple(candidate_secrets(url)),
                f"apprise cannot use this {scheme}:// URL (missing or malformed parts)",
            )
        visible = privacy_url(plugin)
        secrets = tuple(url_secrets(url, visible))
        SEEN_SECRETS.add(list(secrets))
        provider = f"{scheme}://{_visible_hostport(url, visible)}"
        if not plugin.enabled:
            problem = f"{plugin.service_name} ({scheme}://) is not available on this system"
            return ChannelInfo(provider, secrets, problem)
        return ChannelInfo(provider, secrets, json=json_target(url, plugin))

    def _inspect_up112(self, url: str, scheme: str) -> ChannelInfo:
        try:
            target = parse_up112(url)
        except ValueError as exc:
            secrets = tuple(candidate_secrets(url))
            SEEN_SECRETS.add(list(secrets))
            return ChannelInfo(f"{scheme}://{HIDDEN}", secrets, f"{UP112_NAME}: {exc}")
        secrets = tuple(url_secrets(url, target.endpoint))
        if target.token and target.token not in secrets:
            secrets = (*secrets, target.token)
        SEEN_SECRETS.add(list(secrets))
        return ChannelInfo(
            f"{scheme}://{_visible_hostport(url, target.endpoint)}", secrets, None, target
        )
