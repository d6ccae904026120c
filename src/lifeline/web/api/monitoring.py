"""The monitoring stream over HTTP: `POST /api/v1/monitoring/posts`, signed like alerts.

The body is a JSON array of up to 1,000 posts or NDJSON (one post a line), at most
LIFELINE_MONITORING_MAX_BODY_BYTES (this path only; the application's middleware lets it past
the general limit, and the body is read here chunk by chunk, never more than the limit). Every
post is checked before anything is stored: one bad post refuses the request (422, naming its
index and field)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from lifeline.bootstrap import Lifeline
from lifeline.domain.monitoring import (
    MAX_ID_CHARS,
    MAX_PLACE_CHARS,
    MAX_PLATFORM_CHARS,
    MAX_TEXT_CHARS,
    MAX_URL_CHARS,
    IngestResult,
    InvalidPost,
    MonitoringPost,
)
from lifeline.domain.partner_limits import RateLimited
from lifeline.services.access.accounts import authenticate_partner
from lifeline.services.monitoring.ingest import ingest_posts
from lifeline.services.monitoring.limits import admit
from lifeline.services.monitoring.read_models import IngestRead
from lifeline.web.access import open_to_all
from lifeline.web.api.schemas import ErrorOut
from lifeline.web.deps import App
from lifeline.web.errors import ApiError, body_text, parse_json

PATH = "/api/v1/monitoring/posts"
#: the setting that limits this path's body (named in the 413)
LIMIT_SETTING = "LIFELINE_MONITORING_MAX_BODY_BYTES"
MAX_POSTS = 1000
JSON = "application/json"
NDJSON = "application/x-ndjson"
#: other names monitoring tools use for the same NDJSON
NDJSON_ALIASES = frozenset(
    {NDJSON, "application/ndjson", "application/jsonl", "application/jsonlines"}
)

router = APIRouter(prefix="/api/v1", tags=["monitoring"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 409, 413, 415, 422, 429, 503)
}


class MonitoringPostIn(BaseModel):
    """One post found by monitoring (the documentation of a post; the domain checks it)."""

    model_config = ConfigDict(title="MonitoringPost")

    platform: str = Field(max_length=MAX_PLATFORM_CHARS, examples=["x"])
    post_id: str = Field(
        max_length=MAX_ID_CHARS, description="the platform's id of the post (a number is taken)"
    )
    author: str = Field(max_length=MAX_ID_CHARS, description="the author's handle")
    text: str = Field(max_length=MAX_TEXT_CHARS)
    posted_at: str | None = Field(
        None, description="ISO 8601 with a timezone, e.g. 2026-11-28T21:41:09Z"
    )
    url: str | None = Field(None, max_length=MAX_URL_CHARS, description="http(s) link")
    place: str | None = Field(
        None,
        max_length=MAX_PLACE_CHARS,
        description="where the post says or the tool knows it came from (the location hint)",
    )


_SCHEMA = MonitoringPostIn.model_json_schema(ref_template="#/components/schemas/{model}")


def too_large(limit: int) -> ApiError:
    return ApiError(
        413, "body_too_large", f"request body is larger than {limit} bytes ({LIMIT_SETTING})"
    )


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes `limit` bytes: a declared Content-Length
    over it before reading anything, a chunked one at the chunk that passes it."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


def _refuse(error: InvalidPost, index: int, line: int | None = None) -> ApiError:
    where = f"post {index}" + (f" (line {line})" if line is not None else "")
    detail: dict[str, Any] = {"index": index, "field": error.field, "problem": error.problem}
    if line is not None:
        detail["line"] = line
    return ApiError(422, "invalid_request", f"{where}: {error.field}: {error.problem}", [detail])


def _too_many(count: int) -> ApiError:
    return ApiError(
        422,
        "invalid_request",
        f"{count} posts in one request; send at most {MAX_POSTS} (split the rest)",
        [{"field": "body", "problem": f"at most {MAX_POSTS} posts"}],
    )


def parse_posts(raw: bytes, content_type: str) -> list[MonitoringPost]:
    """Every post of the body, checked; the first bad one refuses all (422 with its index)."""
    media = content_type.split(";", 1)[0].strip().casefold()
    text = body_text(raw)
    if media == JSON:
        data = parse_json(text, "body")
        if not isinstance(data, list):
            raise ApiError(
                422,
                "invalid_request",
                "the body must be a JSON array of posts (or send application/x-ndjson)",
                [{"field": "body", "problem": "not an array"}],
            )
        if len(data) > MAX_POSTS:
            raise _too_many(len(data))
        posts = []
        for index, item in enumerate(data):
            try:
                posts.append(MonitoringPost.from_mapping(item))
            except InvalidPost as error:
                raise _refuse(error, index) from None
        return posts
    if media in NDJSON_ALIASES:
        posts = []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            if len(posts) == MAX_POSTS:
                raise _too_many(sum(1 for rest in text.split("\n") if rest.strip()))
            item = parse_json(line, f"line {number}")
            try:
                posts.append(MonitoringPost.from_mapping(item))
            except InvalidPost as error:
                raise _refuse(error, len(posts), number) from None
        return posts
    raise ApiError(
        415,
        "unsupported_media_type",
        f"Content-Type {media or '(none)'!r} is not taken here: send {JSON} (an array of "
        f"posts) or {NDJSON} (one post a line)",
    )


@router.post(
    "/monitoring/posts",
    status_code=200,
    response_model=IngestRead,
    responses=ERRORS,
    summary="Take in posts found by monitoring (signed by the monitoring tool's partner key)",
    dependencies=[
        open_to_all("monitoring tools' posts: the request's signature is checked inside")
    ],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                JSON: {"schema": {"type": "array", "maxItems": MAX_POSTS, "items": _SCHEMA}},
                NDJSON: {
                    "schema": {"type": "string"},
                    "example": '{"platform": "x", "post_id": "1", "author": "a", "text": "…"}\n',
                },
            },
        }
    },
)
async def post_monitoring(request: Request, app: App) -> IngestRead:
    """Sign as for `POST /api/v1/alerts` (HMAC-SHA256 over `"{timestamp}.{raw body}"`; a
    signature is taken once). The posts are scored and stored before the answer: `accepted`
    new posts (duplicates excluded), `duplicates` posts already taken (a retry is safe),
    `flagged` posts at or above LIFELINE_MONITORING_MIN_LEVEL, which opened or joined the
    monitoring cases in `case_ids` (they wait for an operator's review). A partner key over
    LIFELINE_MONITORING_PARTNER_REQUESTS_PER_MINUTE or _POSTS_PER_MINUTE is refused, 429
    `rate_limited` with `Retry-After`, before anything is stored."""
    raw = await read_limited(request, app.settings.monitoring_max_body_bytes)
    headers = request.headers
    signature = headers.get("x-lifeline-signature")
    partner = await run_in_threadpool(
        authenticate_partner,
        app.ctx,
        headers.get("x-lifeline-key"),
        headers.get("x-lifeline-timestamp"),
        signature,
        raw,
    )
    posts = parse_posts(raw, headers.get("content-type", ""))
    try:
        await run_in_threadpool(
            admit, app.ctx, partner, int(partner.id), len(posts), app.partner_posts
        )
    except RateLimited as refusal:
        raise ApiError(
            429,
            refusal.code,
            str(refusal),
            refusal.details,
            {"Retry-After": str(refusal.retry_after)},
        ) from None
    result = await run_in_threadpool(
        ingest_posts,
        app.ctx,
        posts,
        actor=partner,
        partner_id=int(partner.id),
        signature=signature,
    )
    count(app, result)
    return IngestRead.of(result)


def count(app: Lifeline, result: IngestResult) -> None:
    posts = app.metrics.monitoring_posts
    posts.labels("accepted").inc(result.accepted)
    posts.labels("duplicate").inc(result.duplicates)
    posts.labels("flagged").inc(result.flagged)
    if result.flagged:
        app.jobs_ready.set()  # the new alerts' location and linking jobs
