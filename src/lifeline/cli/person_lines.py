"""Person lines of `lifeline triage --jsonl`: `{"id", "posts": [{"text", "posted_at"}]}`, a
person's recent posts scored together (adapters/classifier/person.py). A bad post is named by
its index in `posts`; `posted_at` is optional, ISO 8601 with a UTC offset."""

from __future__ import annotations

from typing import Any

from lifeline.cli import jsonl
from lifeline.domain.person_risk import InvalidPersonPost, PersonPost, person_post

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
        try:
            posts.append(person_post(item, i))
        except InvalidPersonPost as exc:
            return None, bad(exc.code, str(exc), i)
    return posts, None
