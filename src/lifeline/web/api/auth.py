"""Staff sign-in for the API: username, password and TOTP code give a bearer token, under the
same sign-in policy and throttles as the console (services/access/signin.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from lifeline.services.access.accounts import authenticate_user
from lifeline.services.access.signin import SignInThrottled
from lifeline.web.access import open_to_all
from lifeline.web.api.schemas import ErrorOut, TokenIn, TokenOut
from lifeline.web.deps import App, client_address, issue_token
from lifeline.web.errors import error_response

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenOut,
    responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}},
    summary="Sign in (password + two-factor code) for a bearer token",
    dependencies=[open_to_all("the way in: password and two-factor code, throttled")],
)
async def token(body: TokenIn, app: App, request: Request) -> TokenOut | JSONResponse:
    address = client_address(app, request)
    try:
        holder = await run_in_threadpool(
            authenticate_user, app.ctx, body.username, body.password, body.totp, address=address
        )
    except SignInThrottled as exc:
        return error_response(
            429, exc.code, str(exc), headers={"Retry-After": str(exc.retry_after)}
        )
    return TokenOut(
        token=issue_token(app, holder.actor.id, holder.generation),
        expires_in=app.settings.token_ttl_seconds,
    )
