"""One JSON error shape for every refusal: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifeline.domain.dispatch import AckTokenError
from lifeline.domain.errors import DomainError
from lifeline.services.ports import ConcurrentWrite, StorageUnavailable

#: paths answered with pages for people (the console, acknowledgement links), not JSON
HTML_PREFIXES = ("/console", "/ack/")

STATUS_BY_CODE = {
    "authentication_failed": 401,
    "permission_denied": 403,
    "not_found": 404,
    "conflict": 409,
    "replayed_request": 409,
    "illegal_transition": 409,
    "invalid_alert": 422,
    "invalid_input": 422,  # a NUL byte, a control character, a year outside 1970-2100
    "invalid_outcome": 422,
    "invalid_review": 422,  # an unknown dismiss reason or subject, a reason that needs a note
    "acknowledgement_refused": 409,  # already acknowledged, case settled, escalation ended
    "dispatch_error": 409,  # nothing to dispatch to, every unit already escalating
    "invalid_ack_token": 403,  # forged or damaged acknowledgement link (expired: 410)
}


class ApiError(Exception):
    """An HTTP-level refusal (bad encoding, bad JSON, missing auth) with a code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = headers


def body_text(raw: bytes) -> str:
    """A request body as text: 400 invalid_encoding, naming the bad byte, unless it is UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, "invalid_encoding", f"body is not valid UTF-8 (bad byte at position {exc.start})"
        ) from None


def parse_json(text: str, where: str) -> Any:
    """JSON sent to the API (`where` names it in the error: "body", "line 3"): 400 invalid_json
    saying what is wrong and where, for bad syntax, deep nesting and over-long numbers."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            "invalid_json",
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
        ) from None
    except RecursionError:  # json.loads gives up on deep nesting with this, not a decode error
        raise ApiError(400, "invalid_json", f"{where} is JSON nested too deeply") from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise ApiError(400, "invalid_json", f"{where} has a number too long to read") from None


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def validation_details(errors: Any) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
            "problem": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in errors
    ]


def install(
    app: FastAPI, html_unavailable: Callable[[Request, StorageUnavailable], Response] | None = None
) -> None:
    """Answer every refusal in the one JSON shape. A database outage is 503 with
    Retry-After (a page from `html_unavailable` for people's pages)."""

    @app.exception_handler(StorageUnavailable)
    async def _unavailable(request: Request, exc: StorageUnavailable) -> Response:
        if html_unavailable is not None and request.url.path.startswith(HTML_PREFIXES):
            return html_unavailable(request, exc)
        return error_response(
            503, "database_unavailable", str(exc), headers={"Retry-After": str(exc.retry_after)}
        )

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        details = getattr(exc, "details", None)
        return error_response(STATUS_BY_CODE.get(exc.code, 400), exc.code, str(exc), details)

    @app.exception_handler(AckTokenError)
    async def _ack_token(_: Request, exc: AckTokenError) -> JSONResponse:
        if exc.expired:
            return error_response(410, "ack_token_expired", str(exc))
        return error_response(403, exc.code, str(exc))

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(ConcurrentWrite)
    async def _concurrent(_: Request, exc: ConcurrentWrite) -> JSONResponse:
        return error_response(409, "concurrent_change", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(exc.errors())
        first = details[0] if details else {"field": "", "problem": "invalid request"}
        message = f"invalid request: {first['field'] or 'body'}: {first['problem']}"
        return error_response(422, "invalid_request", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(
            exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None)
        )
