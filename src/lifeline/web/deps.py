"""FastAPI dependencies as Annotated aliases: the application, and who is calling."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access.accounts import (
    AuthenticationFailed,
    authenticate_partner,
    token_actor,
)
from lifeline.web.errors import ApiError


def get_app(request: Request) -> Lifeline:
    app: Lifeline = request.app.state.lifeline
    return app


App = Annotated[Lifeline, Depends(get_app)]


def token_serializer(app: Lifeline) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.token_secret(), salt="lifeline-api-token")


def issue_token(app: Lifeline, username: str, generation: int) -> str:
    """A bearer token naming a person and their token generation (never their role: that is
    read from the database on every request)."""
    return str(token_serializer(app).dumps({"u": username, "g": generation}))


def client_address(app: Lifeline, request: Request) -> str | None:
    """The keyed hash of the client's address, as the sign-in throttles and audit know it.
    The address is the socket's; uvicorn replaces it from X-Forwarded-For only for peers in
    LIFELINE_FORWARDED_ALLOW_IPS (`lifeline serve` passes that setting, empty by default)."""
    return app.address_key(request.client.host) if request.client else None


def _bearer(app: Lifeline, request: Request) -> Actor | None:
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "authentication_failed", "Authorization must be 'Bearer <token>'")
    try:
        data = token_serializer(app).loads(token, max_age=app.settings.token_ttl_seconds)
    except SignatureExpired:
        raise ApiError(
            401, "authentication_failed", "token expired; sign in again at /api/v1/auth/token"
        ) from None
    except BadSignature:
        raise ApiError(401, "authentication_failed", "token is not valid") from None
    if not isinstance(data, dict) or not isinstance(data.get("g"), int):
        raise ApiError(401, "authentication_failed", "token is not valid; sign in again")
    try:
        return token_actor(app.ctx, str(data.get("u")), data["g"])
    except AuthenticationFailed as exc:
        raise ApiError(401, "authentication_failed", str(exc)) from None


def staff(app: App, request: Request) -> Actor:
    actor = _bearer(app, request)
    if actor is None:
        raise ApiError(
            401,
            "authentication_failed",
            "sign in: POST /api/v1/auth/token, then send 'Authorization: Bearer …'",
        )
    return actor


def staff_or_partner(app: App, request: Request) -> Actor:
    """Staff by bearer token, or a partner by a signed request (body empty for GET)."""
    actor = _bearer(app, request)
    if actor is not None:
        return actor
    if request.headers.get("x-lifeline-key"):
        return authenticate_partner(
            app.ctx,
            request.headers.get("x-lifeline-key"),
            request.headers.get("x-lifeline-timestamp"),
            request.headers.get("x-lifeline-signature"),
            b"",
        )
    raise ApiError(
        401,
        "authentication_failed",
        "send a staff bearer token or a partner signature (X-Lifeline-Key, "
        "X-Lifeline-Timestamp, X-Lifeline-Signature)",
    )


Staff = Annotated[Actor, Depends(staff)]
StaffOrPartner = Annotated[Actor, Depends(staff_or_partner)]
