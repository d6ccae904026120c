"""Operational endpoints: /healthz and /metrics."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import MISSING, Field

from lifeline.services.ports import StorageUnavailable
from lifeline.services.read_model import ReadModel, Timestamp
from lifeline.web.access import open_to_all
from lifeline.web.deps import App
from lifeline.web.errors import ApiError

router = APIRouter(tags=["operations"])


class WorkerHealth(ReadModel):
    last_heartbeat: Timestamp | None
    age_seconds: float | None
    ok: Annotated[bool, Field(description="a worker beat within LIFELINE_HEARTBEAT_STALE_SECONDS")]


class Health(ReadModel):
    """ok, degraded (the worker is late) or down (the database is away), and why."""

    status: Literal["ok", "degraded", "down"]
    database: Annotated[str, Field(description="ok, or why not")]
    worker: Annotated[
        WorkerHealth | MISSING, Field(description="absent when the database cannot be reached")
    ] = MISSING


def _health(health: Health, status_code: int, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(health.plain(), status_code, headers=headers)


@router.get(
    "/healthz",
    summary="Database reachable and writable, worker heartbeat fresh",
    response_model=Health,
    responses={503: {"model": Health, "description": "Degraded or down, and why"}},
    dependencies=[open_to_all("health checks by the load balancer: no data")],
)
async def healthz(app: App) -> Response:
    """200 when a write to the database works (begun and rolled back) and a worker beat
    recently; 503 with the reason otherwise (and Retry-After when the database is down)."""
    try:
        await run_in_threadpool(app.ping_db)
        beat = await run_in_threadpool(app.latest_heartbeat)
    except StorageUnavailable as exc:
        down = Health(status="down", database=f"unavailable: {exc.reason}")
        return _health(down, 503, {"Retry-After": str(exc.retry_after)})
    except Exception as exc:  # report, do not crash, when the database is away
        return _health(Health(status="down", database=f"unreachable: {type(exc).__name__}"), 503)
    age = None if beat is None else (app.clock.now() - beat).total_seconds()
    fresh = age is not None and age <= app.settings.heartbeat_stale_seconds
    worker = WorkerHealth(
        last_heartbeat=beat, age_seconds=None if age is None else round(age, 1), ok=fresh
    )
    health = Health(status="ok" if fresh else "degraded", database="ok", worker=worker)
    return _health(health, 200 if fresh else 503)


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
