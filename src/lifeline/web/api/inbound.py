"""Webhooks that outside systems call: the SMS gateway's replies (an officer answering
"ACK 12345678" to a message).

The gateway authenticates with a shared secret (LIFELINE_SMS_INBOUND_TOKEN) in the
`X-Lifeline-Token` header or, for gateways that can only be given a URL, `?token=`; it is
compared in constant time. With no secret configured the endpoint refuses everything (503), so
an installation that has not set one up is not open to forged acknowledgements.

Gateways name their fields differently (Twilio and Exotel `From`/`Body`, Plivo `From`/`Text`,
Vonage `msisdn`/`text`, Textlocal `sender`/`content`): the sender and the text are looked up
under the common names, case-insensitively, in a JSON object or a form.
"""

from __future__ import annotations

import hmac
import json
import re
import unicodedata
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from lifeline.services.acknowledgement import acknowledge_code
from lifeline.web.api.schemas import ErrorOut
from lifeline.web.deps import App
from lifeline.web.errors import ApiError

router = APIRouter(prefix="/api/v1/inbound", tags=["inbound"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 404, 409, 422, 503)
}
SENDER_FIELDS = ("from", "sender", "msisdn", "mobile", "phone", "number", "originator", "source")
TEXT_FIELDS = ("text", "message", "body", "content", "msg", "sms")
#: an optional keyword (English or Hindi), then the code: the notification id and four check
#: digits, written together; anything after the code ("on the way") is ignored
_REPLY = re.compile(
    r"^\s*(?:(?:ack(?:nowledged?)?|ok|स्वीकार(?:\s*है)?|स्वीकृत|पावती)\s*[:.#\-]?\s*)?"
    r"([0-9]{5,18})(?![0-9])",
    re.IGNORECASE,
)


def reply_code(text: str) -> str | None:
    """The acknowledgement code in an SMS reply ("ACK 12345678", "ack12345678", "12345678",
    "स्वीकार १२३४५६७८"), or None when the reply does not start with one."""
    plain = "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text
    )
    found = _REPLY.match(plain)
    return found.group(1) if found else None


def _authenticate(app: App, request: Request) -> None:
    secret = app.settings.sms_inbound_token
    expected = secret.get_secret_value() if secret is not None else ""
    if not expected:
        raise ApiError(
            503,
            "not_configured",
            "SMS replies are not accepted: LIFELINE_SMS_INBOUND_TOKEN is not set",
        )
    given = request.headers.get("x-lifeline-token") or request.query_params.get("token") or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(
            401,
            "authentication_failed",
            "send the shared secret in X-Lifeline-Token (or ?token=)",
        )


async def _fields(request: Request) -> dict[str, str]:
    """The body's fields, lower-cased names: a JSON object or a form (urlencoded or
    multipart); the query string fills in what the body lacks."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    found: dict[str, Any] = {}
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        found = {k: v for k, v in form.items() if isinstance(v, str)}
    else:
        raw = await request.body()
        try:
            parsed = json.loads(raw) if raw.strip() else {}
        except ValueError:
            try:
                parsed = dict(parse_qsl(raw.decode("utf-8"), strict_parsing=True))
            except (UnicodeDecodeError, ValueError):
                raise ApiError(
                    422, "invalid_request", 'send JSON {"from", "text"} or form fields'
                ) from None
        if not isinstance(parsed, dict):
            raise ApiError(422, "invalid_request", "the body must be a JSON object")
        found = parsed
    fields = {str(k).lower(): str(v) for k, v in request.query_params.items() if k != "token"}
    fields.update({str(k).lower(): str(v) for k, v in found.items() if v is not None})
    return fields


def _first(fields: dict[str, str], names: tuple[str, ...]) -> str:
    return next((fields[n].strip() for n in names if fields.get(n, "").strip()), "")


@router.post(
    "/sms",
    responses=ERRORS,
    summary="An SMS reply from an officer (the gateway's webhook)",
)
async def inbound_sms(request: Request, app: App) -> dict[str, Any]:
    """Take "ACK <code>" from an SMS reply: the unit that was sent the message acknowledges the
    case. 404 for an unknown code, 409 when it cannot be taken (already acknowledged, the case
    settled, the escalation ended)."""
    _authenticate(app, request)
    fields = await _fields(request)
    text = _first(fields, TEXT_FIELDS)
    if not text:
        raise ApiError(
            422, "invalid_request", f"no message text (one of: {', '.join(TEXT_FIELDS)})"
        )
    code = reply_code(text[:500])
    if code is None:
        raise ApiError(
            422,
            "unrecognised_reply",
            "the reply does not start with an acknowledgement code (e.g. ACK 12345678)",
        )
    sender = _first(fields, SENDER_FIELDS)[:40] or "unknown"
    case = await run_in_threadpool(acknowledge_code, app.ctx, code, sender)
    app.jobs_ready.set()
    return {"acknowledged": True, "case_id": case.id, "status": case.status.value}
