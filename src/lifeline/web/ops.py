"""Operational endpoints: /healthz and /metrics."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from lifeline.services.ports import StorageUnavailable
from lifeline.web.access import open_to_all
from lifeline.web.deps import App
from lifeline.web.errors import ApiError

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    summary="Database reachable and writable, worker heartbeat fresh",
    dependencies=[open_to_all("health checks by the load balancer: no data")],
)
async def healthz(app: App) -> JSONResponse:
    """200 when a write to the database works (begun and rolled back) and a worker beat
    recently; 503 with the reason otherwise (and Retry-After when the database is down)."""
    body: dict[str, Any] = {"status": "ok"}
    ok = True
    try:
        await run_in_threadpool(app.ping_db)
        body["database"] = "ok"
        beat = await run_in_threadpool(app.latest_heartbeat)
    except StorageUnavailable as exc:
        body.update(status="down", database=f"unavailable: {exc.reason}")
        return JSONResponse(body, 503, headers={"Retry-After": str(exc.retry_after)})
    except Exception as exc:  # report, do not crash, when the database is away
        body["database"] = f"unreachable: {type(exc).__name__}"
        return JSONResponse({**body, "status": "down"}, status_code=503)
    age = None if beat is None else (app.clock.now() - beat).total_seconds()
    fresh = age is not None and age <= app.settings.heartbeat_stale_seconds
    body["worker"] = {
        "last_heartbeat": beat.isoformat() if beat else None,
        "age_seconds": None if age is None else round(age, 1),
        "ok": fresh,
    }
    ok = ok and fresh
    if not ok:
        body["status"] = "degraded"
    return JSONResponse(body, status_code=200 if ok else 503)


def _metrics_allowed(app: App, request: Request) -> None:
    """With LIFELINE_METRICS_TOKEN set, only `Authorization: Bearer <token>` reads metrics;
    without it, anyone in development and nobody in production."""
    token = app.settings.metrics_token
    if token is None:
        if app.settings.env == "production":
            raise ApiError(
                403, "metrics_closed", "set LIFELINE_METRICS_TOKEN to read /metrics in production"
            )
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.get_secret_value().encode()
    ):
        raise ApiError(
            401,
            "authentication_failed",
            "send Authorization: Bearer <LIFELINE_METRICS_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.get(
    "/metrics",
    summary="Prometheus metrics (bearer LIFELINE_METRICS_TOKEN if set)",
    dependencies=[open_to_all("Prometheus, with LIFELINE_METRICS_TOKEN (none: development only)")],
)
async def metrics(app: App, request: Request) -> Response:
    _metrics_allowed(app, request)
    data = await run_in_threadpool(generate_latest, app.metrics.registry)
    return Response(data, media_type=CONTENT_TYPE_LATEST)
