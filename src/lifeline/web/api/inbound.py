"""Webhooks that outside systems call: the SMS gateway's replies (an officer answering
"ACK 1738 4100 9257" to a message).

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
from fastapi.responses import JSONResponse

from lifeline.domain.ack_codes import ACK_CODE_SECRET_DIGITS, AcknowledgementThrottled
from lifeline.domain.errors import DomainError
from lifeline.services.dispatch.acknowledgement import acknowledge_code
from lifeline.web.access import open_to_all
from lifeline.web.api.schemas import ErrorOut
from lifeline.web.deps import App
from lifeline.web.errors import ApiError

router = APIRouter(prefix="/api/v1/inbound", tags=["inbound"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 404, 409, 422, 503)
}
SENDER_FIELDS = ("from", "sender", "msisdn", "mobile", "phone", "number", "originator", "source")
TEXT_FIELDS = ("text", "message", "body", "content", "msg", "sms")
#: an optional keyword (English or Hindi), then the code: the notification id and ten secret
#: digits, written together or in the groups the message shows ("1738 4100 9257", single
#: spaces, hyphens or dots between groups); anything after the code ("on the way") is ignored
_REPLY = re.compile(
    r"^\s*(?:(?:ack(?:nowledged?)?|ok|स्वीकार(?:\s*है)?|स्वीकृत|पावती)\s*[:.#\-]?\s*)?"
    r"([0-9]+(?:[ .\-]?[0-9]+)*)(?![0-9])",
    re.IGNORECASE,
)
#: fewest and most digits in a code (an id of 1 to 18 digits, then the secret digits)
CODE_DIGITS = (ACK_CODE_SECRET_DIGITS + 1, ACK_CODE_SECRET_DIGITS + 18)


def reply_code(text: str) -> str | None:
    """The acknowledgement code in an SMS reply as typed, its groups separated by single
    spaces ("ACK 1738 4100 9257", "ack173841009257", "1738-4100-9257",
    "स्वीकार १७३८ ४१०० ९२५७"), or None when the reply does not start with one."""
    plain = "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text
    )
    found = _REPLY.match(plain)
    if not found:
        return None
    groups = re.findall(r"[0-9]+", found.group(1))
    if not CODE_DIGITS[0] <= len("".join(groups)) <= CODE_DIGITS[1] + 4:
        return None
    return " ".join(groups)


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


#: what the officer's phone can be sent back (the gateway may relay it as a reply SMS)
REPLIES = {
    "acknowledged": "Acknowledged: case {case_id}. Thank you. / केस {case_id} स्वीकार किया गया। "
    "धन्यवाद।",
    "too_many_attempts": "Too many wrong codes: SMS replies are paused for {minutes} min. Use "
    "the link in the message or call the SMC. / बहुत अधिक गलत कोड: {minutes} मिनट तक SMS उत्तर "
    "नहीं लिए जाएँगे। संदेश का लिंक खोलें या SMC को फ़ोन करें।",
    "sender_not_allowed": "This number is not registered for the unit: use the link in the "
    "message or call the SMC. / यह नंबर इकाई के लिए पंजीकृत नहीं है: संदेश का लिंक खोलें या SMC "
    "को फ़ोन करें।",
    "not_found": "No message has that code for this number: check it and reply ACK and the "
    "code. / इस नंबर के लिए इस कोड का कोई संदेश नहीं: कोड जाँचकर ACK और कोड भेजें।",
    "acknowledgement_refused": "Not taken: {message} / पावती नहीं ली गई।",
    "unrecognised_reply": "Reply ACK and the code in the message, e.g. ACK 1738 4100 9257. / "
    "संदेश में दिया कोड ACK के साथ भेजें।",
}
STATUS = {
    "too_many_attempts": 429,
    "sender_not_allowed": 403,
    "not_found": 404,
    "acknowledgement_refused": 409,
}


def _answer(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **fill: Any
) -> JSONResponse:
    reply = REPLIES.get(code, "{message}").format(message=message, **fill)
    body = {"error": {"code": code, "message": message}, "reply": reply}
    return JSONResponse(body, status_code=status, headers=headers)


@router.post(
    "/sms",
    responses={**ERRORS, 403: {"model": ErrorOut}, 429: {"model": ErrorOut}},
    summary="An SMS reply from an officer (the gateway's webhook)",
    dependencies=[open_to_all("the SMS gateway, with its token; the code and number decide")],
)
async def inbound_sms(request: Request, app: App) -> Any:
    """Take "ACK <code>" from an SMS reply sent from a number of the unit's contacts: the unit
    that was sent the message acknowledges the case. 403 from a number that is no contact's
    (whatever the code), 404 for a wrong code, 409 when it cannot be taken (already
    acknowledged, the case settled, the code expired), 429 with Retry-After when too many
    wrong codes came from this number or from all contacts. Every answer carries `reply`, a
    text in English and Hindi that the gateway can send back to the officer."""
    _authenticate(app, request)
    fields = await _fields(request)
    text = _first(fields, TEXT_FIELDS)
    if not text:
        raise ApiError(
            422, "invalid_request", f"no message text (one of: {', '.join(TEXT_FIELDS)})"
        )
    code = reply_code(text[:500])
    if code is None:
        return _answer(
            422,
            "unrecognised_reply",
            "the reply does not start with an acknowledgement code (e.g. ACK 1738 4100 9257)",
        )
    sender = _first(fields, SENDER_FIELDS)[:40] or "unknown"
    try:
        case = await run_in_threadpool(acknowledge_code, app.ctx, code, sender)
    except AcknowledgementThrottled as exc:
        wait = str(exc.retry_after)
        minutes = max(1, -(-exc.retry_after // 60))
        return _answer(429, exc.code, str(exc), {"Retry-After": wait}, minutes=minutes)
    except DomainError as exc:
        if exc.code not in STATUS:
            raise
        return _answer(STATUS[exc.code], exc.code, str(exc))
    app.jobs_ready.set()
    return {
        "acknowledged": True,
        "case_id": case.id,
        "status": case.status.value,
        "reply": REPLIES["acknowledged"].format(case_id=case.id),
    }
