"""Person lines of `lifeline triage --jsonl`: `{"id", "posts": [{"text", "posted_at"}]}`, a
person's recent posts scored together (adapters/classifier/person.py). A bad post is named by
its index in `posts`; `posted_at` is optional, ISO 8601 with a UTC offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lifeline.cli import jsonl
from lifeline.domain.person_risk import PersonPost

MAX_TEXT_CHARS = 500_000
MAX_POSTS = 1_000


def parse_posts(
    data: dict[str, Any], number: int
) -> tuple[list[PersonPost] | None, dict[str, Any] | None]:
    """(posts, None) for a good person line, or (None, error object)."""
    ident = data.get("id")
    raw = data.get("posts")

    def bad(code: str, message: str, index: int | None = None) -> dict[str, Any]:
        where: dict[str, Any] = {"id": ident, "line": number}
        if index is not None:
            where["post"] = index
        return jsonl.error(code, message, **where)

    if "text" in data:
        return None, bad("text_and_posts", "give either 'text' (one post) or 'posts', not both")
    if not isinstance(raw, list) or not raw:
        return None, bad("invalid_posts", "'posts' must be a non-empty list of {text, posted_at}")
    if len(raw) > MAX_POSTS:
        return None, bad("too_many_posts", f"at most {MAX_POSTS} posts per person")
    posts = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            return None, bad("invalid_post", f"post {i} is not an object with 'text'", i)
        text = item.get("text")
        if not isinstance(text, str):
            return None, bad("invalid_post", f"post {i} has no 'text' string", i)
        if not text.strip():
            return None, bad("invalid_post", f"post {i}: text is empty", i)
        if len(text) > MAX_TEXT_CHARS:
            return None, bad(
                "invalid_post", f"post {i}: text is longer than {MAX_TEXT_CHARS} characters", i
            )
        posted_at, problem = _moment(item.get("posted_at"))
        if problem:
            return None, bad("invalid_post", f"post {i}: posted_at {problem}", i)
        posts.append(PersonPost(text, posted_at))
    return posts, None


def _moment(value: Any) -> tuple[datetime | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, "must be an ISO 8601 string, e.g. 2026-12-06T21:41:09Z"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, f"{value[:40]!r} is not ISO 8601 (e.g. 2026-12-06T21:41:09Z)"
    if moment.tzinfo is None:
        return None, f"{value[:40]!r} has no UTC offset (add Z or +05:30)"
    return moment, None
