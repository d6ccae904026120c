"""Staff sign-in for the API: username, password and TOTP code give a bearer token."""

from __future__ import annotations

from fastapi import APIRouter

from lifeline.services.access import authenticate_user
from lifeline.web.api.schemas import ErrorOut, TokenIn, TokenOut
from lifeline.web.deps import App, issue_token

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenOut,
    responses={401: {"model": ErrorOut}},
    summary="Sign in (password + two-factor code) for a bearer token",
)
def token(body: TokenIn, app: App) -> TokenOut:
    actor = authenticate_user(app.ctx, body.username, body.password, body.totp)
    return TokenOut(token=issue_token(app, actor), expires_in=app.settings.token_ttl_seconds)
