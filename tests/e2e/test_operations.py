"""What the control room's monitoring sees: /healthz tells whether work is being done, /metrics
counts alerts and queued jobs."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from e2e_harness import Deployment, Server

from support import alert_body, dumps

pytestmark = pytest.mark.slow


def _health(server: Server, status: int, timeout: float = 10.0) -> httpx.Response:
    """GET /healthz until it answers `status` (the worker's first heartbeat may trail startup)."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(server.url + "/healthz")
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def _sample(metrics: str, name: str, labels: str = "") -> float | None:
    match = re.search(rf"^{re.escape(name + labels)} ([0-9.e+-]+)$", metrics, re.MULTILINE)
    return None if match is None else float(match.group(1))


def test_healthz_is_ok_with_the_embedded_worker_and_metrics_count_alerts_and_pending_jobs(
    deployment: Deployment,
) -> None:
    server = deployment.start()

    health = _health(server, 200)
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["worker"]["ok"] is True
    assert body["worker"]["last_heartbeat"] is not None

    payload = dumps(alert_body())
    posted = httpx.post(
        server.url + "/api/v1/alerts",
        content=payload,
        headers=deployment.partner.headers(payload),
    )
    assert posted.status_code == 202, posted.text

    metrics = httpx.get(server.url + "/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    received = _sample(
        text, "lifeline_alerts_received_total", '{platform="facebook",source="platform_api"}'
    )
    assert received == 1.0, text
    # The new case's dispatch-deadline timer waits in the queue (no webhooks are configured).
    pending = _sample(text, "lifeline_jobs", '{status="pending"}')
    assert pending is not None and pending >= 1.0, text
    assert _sample(text, "lifeline_jobs", '{status="failed"}') == 0.0


def test_healthz_is_503_degraded_when_no_worker_has_ever_reported(deployment: Deployment) -> None:
    server = deployment.start("--no-worker", partner=False)

    health = httpx.get(server.url + "/healthz")

    assert health.status_code == 503, health.text
    body = health.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["worker"] == {"last_heartbeat": None, "age_seconds": None, "ok": False}
