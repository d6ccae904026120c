"""ASGI middleware: request ids in logs and responses, and the request body size limit."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifeline.observability import redact_target

log = structlog.get_logger("lifeline.http")


class BodyTooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


class BodyLimitMiddleware:
    """Refuse bodies over `limit` bytes with 413, whether or not Content-Length is sent.
    `paths` gives a path its own limit instead, with the setting to name in the refusal (the
    monitoring stream takes bodies of megabytes; nothing else does)."""

    def __init__(
        self, app: ASGIApp, limit: int, paths: Mapping[str, tuple[int, str]] | None = None
    ) -> None:
        self.app, self.limit = app, limit
        self.paths = dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        own = self.paths.get(scope.get("path", ""))
        limit = self.limit if own is None else own[0]
        named = "" if own is None else f" ({own[1]})"
        error = {
            "error": {
                "code": "body_too_large",
                "message": f"request body is larger than {limit} bytes{named}",
            }
        }
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    await _send_json(send, 413, error)
                    return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_json(send, 413, error)


class RequestIdMiddleware:
    """Bind a request id (from X-Request-ID or new) to every log line of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                method=scope.get("method"),
                path=redact_target(str(scope.get("path", ""))),
                status=status,
                ms=round((time.perf_counter() - start) * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
