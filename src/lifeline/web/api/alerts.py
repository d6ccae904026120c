"""Alert intake over HTTP: signed partner alerts and operator-entered phone alerts."""

from __future__ import annotations

import time
from datetime import UTC, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from lifeline.domain.access import Permission
from lifeline.domain.alert import Alert, AlertSource, Caller, LocationHint, Post, PostKind, Subject
from lifeline.domain.model import Actor
from lifeline.services.access.accounts import check_partner, check_signed_request
from lifeline.services.intake.alerts import (
    Receipt,
    ReceiveAlert,
    receive_alert,
    receive_signed_alert,
)
from lifeline.web.access import open_to_all, requires
from lifeline.web.api.schemas import AlertAccepted, AlertIn, ErrorOut, PhoneAlertIn
from lifeline.web.deps import App
from lifeline.web.errors import ApiError, body_text, parse_json, validation_details

M = TypeVar("M", bound=BaseModel)
router = APIRouter(prefix="/api/v1", tags=["alerts"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 409, 413, 422)
}


def _decode(raw: bytes) -> Any:
    text = body_text(raw)
    if not text.strip():
        raise ApiError(400, "invalid_json", "body is empty; send a JSON alert")
    return parse_json(text, "body")


def _validate(model: type[M], data: Any) -> M:
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_request", "the alert must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = validation_details(exc.errors())
        first = details[0]
        raise ApiError(
            422,
            "invalid_request",
            f"invalid alert: {first['field'] or 'body'}: {first['problem']}",
            details,
        ) from None


def _alert(
    body: AlertIn,
    source: AlertSource,
    raw: bytes,
    content_type: str,
    now: Any,
    partner_id: int | None,
    caller: Caller | None = None,
) -> Alert:
    s, p, loc = body.subject, body.post, body.location
    return Alert(
        source=source,
        received_at=now,
        raw_payload=raw,
        raw_content_type=content_type,
        platform=body.platform,
        reference=body.reference,
        received_via=body.received_via,
        subject=Subject(
            name=s.name, handle=s.handle, profile_url=s.profile_url, phone=s.phone, email=s.email
        ),
        post=Post(p.text, p.url, p.posted_at, PostKind(p.kind)),
        location=LocationHint(loc.text, loc.lat, loc.lon, loc.pin, loc.ip_city),
        caller=caller,
        partner_id=partner_id,
        extra=dict(body.model_extra or {}),
    )


def _accepted(
    app: App, response: Response, receipt: Receipt, alert: Alert, started: float
) -> AlertAccepted:
    if not receipt.replayed:
        app.metrics.alerts_received.labels(alert.source.value, alert.platform).inc()
        app.jobs_ready.set()
    app.metrics.intake_seconds.observe(time.perf_counter() - started)
    response.headers["Location"] = f"/api/v1/cases/{receipt.case_id}"
    return AlertAccepted(
        alert_id=receipt.alert_id,
        case_id=receipt.case_id,
        merged=receipt.merged,
        replayed=receipt.replayed,
    )


@router.post(
    "/alerts",
    status_code=202,
    response_model=AlertAccepted,
    responses=ERRORS,
    summary="Receive a platform alert (signed by the partner)",
    dependencies=[open_to_all("partners' alerts: the request's signature is checked inside")],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": AlertIn.model_json_schema(ref_template="#/components/schemas/{model}")
                }
            },
        }
    },
)
async def post_alert(request: Request, response: Response, app: App) -> AlertAccepted:
    """Sign with HMAC-SHA256 over `"{timestamp}.{raw body}"` using the partner secret; send
    `X-Lifeline-Key`, `X-Lifeline-Timestamp` (Unix seconds) and `X-Lifeline-Signature` (hex).
    Send an `Idempotency-Key` to make retries safe. 202 is sent only after the alert is stored."""
    started = time.perf_counter()
    raw = await request.body()
    headers = request.headers
    key_id = headers.get("x-lifeline-key")
    timestamp = headers.get("x-lifeline-timestamp")
    signature = headers.get("x-lifeline-signature")
    try:
        signed = check_signed_request(app.ctx, key_id, timestamp, signature, raw)
        known = app.known_secrets
        if not known.signed(signed):
            # not signed with a secret this process knows good: checked in a read transaction
            # first, so a forged request never holds the write lock genuine alerts wait for,
            # and a request that is not the partner's is told so before what is wrong with its
            # body
            await run_in_threadpool(check_partner, app.ctx, signed, known)
        body = _validate(AlertIn, _decode(raw))
        key = headers.get("idempotency-key")
        if key is not None and not 1 <= len(key) <= 200:
            raise ApiError(
                400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 200 characters"
            )
        alert = _alert(
            body,
            AlertSource.PLATFORM_API,
            raw,
            headers.get("content-type", "application/json"),
            app.clock.now(),
            None,  # the partner's, once its key is read in the intake transaction
        )
        # the key read and the signature checked again in the transaction that stores the alert
        receipt = await run_in_threadpool(receive_signed_alert, app.ctx, signed, alert, key, known)
    except Exception as exc:
        app.metrics.alerts_rejected.labels(getattr(exc, "code", type(exc).__name__)).inc()
        raise
    return _accepted(app, response, receipt, alert, started)


@router.post(
    "/phone-alerts",
    status_code=202,
    response_model=AlertAccepted,
    responses=ERRORS,
    summary="Record an alert taken by phone (SMC operator)",
)
def post_phone_alert(
    body: PhoneAlertIn,
    request: Request,
    response: Response,
    app: App,
    actor: Annotated[Actor, requires(Permission.ALERT_ENTER)],
) -> AlertAccepted:
    started = time.perf_counter()
    c = body.caller
    caller = Caller(c.name, c.organisation, c.callback_number, c.call_received_at, c.notes)
    now = app.clock.now()
    if c.call_received_at > now + timedelta(minutes=1):
        raise ApiError(422, "invalid_request", "caller.call_received_at is in the future")
    raw = body.model_dump_json().encode()
    # The clock starts when the call came in: that is when the SMC learnt of the person.
    alert = _alert(
        body,
        AlertSource.PHONE_CALL,
        raw,
        "application/json",
        min(now, c.call_received_at.astimezone(UTC)),
        None,
        caller,
    )
    receipt = receive_alert(app.ctx, ReceiveAlert(alert, actor))
    return _accepted(app, response, receipt, alert, started)
