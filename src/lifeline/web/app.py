"""The ASGI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from lifeline import __version__
from lifeline.bootstrap import Lifeline
from lifeline.process import freeze_heap
from lifeline.web import errors, ops
from lifeline.web.api import alarms as alarms_api
from lifeline.web.api import alerts, auth, cases, followups, inbound, places, reports, review
from lifeline.web.api import dispatch as dispatch_api
from lifeline.web.api import monitoring as monitoring_api
from lifeline.web.console import (
    ack_pages,
    admin_pages,
    attention_pages,
    case_pages,
    contacts_pages,
    field_pages,
    field_report_pages,
    followup_pages,
    overview_pages,
    pages,
    quarantine_pages,
    report_pages,
    review_pages,
)
from lifeline.web.console.common import STATIC, unavailable_page
from lifeline.web.middleware import BodyLimitMiddleware, RequestIdMiddleware
from lifeline.worker import Worker

log = structlog.get_logger("lifeline.web")
TITLE = "Lifeline API"


def create_app(
    lifeline: Lifeline,
    *,
    embedded_worker: bool = True,
    embedded_mail: bool = False,
    long_running: bool = False,
) -> FastAPI:
    """Build the API. With `embedded_worker`, a worker thread runs in this process and stops
    (finishing its job in hand) when the server shuts down; with `embedded_mail`, so do the SMTP
    intake (if LIFELINE_SMTP_ENABLED) and the IMAP poller (if LIFELINE_IMAP_HOST is set).
    `long_running` (`lifeline serve`, not tests): the heap built by start-up is frozen when the
    server starts, and again once the embedded worker has warmed up (process.freeze_heap)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads: list[threading.Thread] = []
        if long_running:
            freeze_heap()
        if embedded_worker:
            worker = Worker(lifeline, long_running=long_running)
            threads.append(threading.Thread(target=worker.run, args=(stop,), name="worker"))
        poller = lifeline.imap_poller() if embedded_mail else None
        if poller is not None:
            interval = lifeline.settings.imap_poll_seconds
            threads.append(threading.Thread(target=poller.run, args=(stop, interval), name="imap"))
        smtp = lifeline.smtp_server() if embedded_mail and lifeline.settings.smtp_enabled else None
        if smtp is not None:
            smtp.start()
        for thread in threads:
            thread.start()
        log.info(
            "server.started",
            embedded_worker=embedded_worker,
            smtp=smtp is not None,
            imap=poller is not None,
        )
        try:
            yield
        finally:
            if smtp is not None:
                smtp.stop()  # no new mail; a message in DATA is finished first
            stop.set()
            lifeline.jobs_ready.set()
            for thread in threads:
                thread.join(timeout=60)
            log.info("server.stopped")

    description = (
        "Alert intake and case handling for a police social media centre. "
        "Partners sign requests (see POST /api/v1/alerts); staff use bearer tokens."
    )
    # /docs, /redoc and /openapi.json (served from the package, no CDN) only where
    # LIFELINE_PUBLIC_DOCS allows them (by default, in development)
    if lifeline.settings.docs_public:
        app = FastAPIOffline(
            title=TITLE, version=__version__, description=description, lifespan=lifespan
        )
    else:
        app = FastAPI(
            title=TITLE,
            version=__version__,
            description=description,
            lifespan=lifespan,
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
        )
    app.state.lifeline = lifeline
    errors.install(app, html_unavailable=unavailable_page)
    app.include_router(alerts.router)
    app.include_router(cases.router)
    app.include_router(review.router)
    app.include_router(dispatch_api.router)
    app.include_router(alarms_api.router)
    app.include_router(monitoring_api.router)
    app.include_router(inbound.router)
    app.include_router(ack_pages.router)
    app.include_router(field_pages.router)
    app.include_router(auth.router)
    app.include_router(ops.router)
    app.include_router(places.router)
    app.include_router(reports.router)
    app.include_router(followups.router)
    app.include_router(pages.router)
    app.include_router(case_pages.router)
    app.include_router(field_report_pages.router)
    app.include_router(attention_pages.router)
    app.include_router(overview_pages.router)
    app.include_router(report_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(quarantine_pages.router)
    app.include_router(review_pages.router)
    app.include_router(followup_pages.router)
    app.include_router(contacts_pages.router)
    app.include_router(contacts_pages.demo_router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    overview_pages.mount_vendor(app)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=lifeline.settings.max_body_bytes,
        paths={
            monitoring_api.PATH: (
                lifeline.settings.monitoring_max_body_bytes,
                monitoring_api.LIMIT_SETTING,
            )
        },
    )
    app.add_middleware(RequestIdMiddleware)
    return app
