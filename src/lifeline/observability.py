"""Logging (structlog, JSON, with a request id) and Prometheus metrics.

Metrics live on a registry made per application (not at import time), so tests can build
several apps in one process.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REDACTED = "[redacted]"
#: a link's credential: /ack/<token> (acknowledgement links), and any long token-like path
#: segment (32+ URL-safe characters with a digit), whatever route carries it
_SECRET_SEGMENTS = (
    re.compile(r"(?<=/ack/)[^/?#]+"),
    re.compile(r"(?<=/)(?=[A-Za-z0-9_.~=-]*[0-9])[A-Za-z0-9_.~=-]{32,}(?=$|[/?#])"),
)
#: query parameters that carry secrets (?token= of the SMS gateway, codes, keys, signatures)
_SECRET_QUERY = re.compile(
    r"(?i)((?:^|[?&;])[a-z0-9_.-]*(?:token|code|key|secret|signature|sig|password|otp)"
    r"[a-z0-9_.-]*=)[^&;#]*"
)
#: event keys whose values are request targets, redacted in every log line
_TARGET_KEYS = ("path", "url", "target", "request_line", "full_path")


def redact_target(target: str) -> str:
    """A request path (and query) fit for a log: link tokens and secret parameters replaced."""
    path, sep, query = target.partition("?")
    for pattern in _SECRET_SEGMENTS:
        path = pattern.sub(REDACTED, path)
    return path + sep + _SECRET_QUERY.sub(r"\1" + REDACTED, query) if sep else path


def _redact_targets(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in _TARGET_KEYS:
        value = event.get(key)
        if isinstance(value, str):
            event[key] = redact_target(value)
    return event


class RedactAccessLog(logging.Filter):
    """uvicorn's access log without secrets or personal data: the request target redacted
    (link tokens, ?token=), the client address left out (an IP is personal data; the app's
    own request log carries the request id to correlate)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, target, version, status = args
            record.args = ("-", method, redact_target(str(target)), version, status)
        return True


def _stderr_logger(*_: Any) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stderr)


def configure_logging(level: str = "INFO", json_logs: bool = True) -> None:
    # uvicorn's access log (off in `lifeline serve`, on if uvicorn runs the app itself): the
    # filter sits on its logger, so it applies whatever handlers are configured later
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactAccessLog) for f in access.filters):
        access.addFilter(RedactAccessLog())
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _redact_targets,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_logs
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        # looked up per logger, not fixed at configuration: sys.stderr may be replaced later
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


class _JobGauges(Collector):
    """Reads job counts from the database at scrape time, so every process reports the truth."""

    def __init__(self, read: Callable[[], dict[str, int]]) -> None:
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            counts = self.read()
        except Exception:  # a scrape must not fail because the database is briefly away
            return
        family = GaugeMetricFamily(
            "lifeline_jobs", "Jobs in the durable queue, by status", labels=["status"]
        )
        for status, count in counts.items():
            family.add_metric([status], count)
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.alerts_received = Counter(
            "lifeline_alerts_received",
            "Alerts accepted (committed), by source and platform",
            ["source", "platform"],
            registry=self.registry,
        )
        self.alerts_rejected = Counter(
            "lifeline_alerts_rejected",
            "Alert requests refused, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.intake_seconds = Histogram(
            "lifeline_intake_seconds",
            "Time from request received to alert committed",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.monitoring_posts = Counter(
            "lifeline_monitoring_posts",
            "Monitoring posts taken in: accepted (new), duplicate, flagged (became alerts)",
            ["outcome"],
            registry=self.registry,
        )
        self.jobs_run = Counter(
            "lifeline_jobs_run",
            "Job runs by kind and result",
            ["kind", "result"],
            registry=self.registry,
        )
        self.job_pickup_seconds = Histogram(
            "lifeline_job_pickup_seconds",
            "Time from a job being due to a worker starting it",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5, 30),
            registry=self.registry,
        )
        self.worker_up = Gauge(
            "lifeline_worker_heartbeat_age_seconds",
            "Seconds since the freshest worker heartbeat",
            registry=self.registry,
        )

        self.response_seconds = Histogram(
            "lifeline_response_seconds",
            "Response times by interval (drills left out): alert_to_dispatched (the decision), "
            "alert_to_first_delivered (a unit's first message delivered), "
            "dispatch_to_acknowledged, escalation_step_lag (late against due)",
            ["interval"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30, 60, 120, 300, 600, 1800, 3600),
            registry=self.registry,
        )

    def measure(self, interval: str, seconds: float) -> None:
        self.response_seconds.labels(interval).observe(max(0.0, seconds))

    def watch_jobs(self, read: Callable[[], dict[str, int]]) -> None:
        self.registry.register(_JobGauges(read))
