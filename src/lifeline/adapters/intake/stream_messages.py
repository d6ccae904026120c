"""The posts in one message of the monitoring stream (a bus message, not an HTTP request): one
post as a JSON object, a JSON array of posts, or NDJSON (one post a line). The whole message is
taken or refused: InvalidPost names the post (its index or line) and the field."""

from __future__ import annotations

import json

from lifeline.domain.monitoring import InvalidPost, MonitoringPost


def parse_message(data: bytes) -> list[MonitoringPost]:
    """The posts in one message body: a JSON object, a JSON array of objects, or NDJSON (one
    object a line). InvalidPost names the post (its line or index) and the field."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidPost("message", f"is not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise InvalidPost("message", "is empty")
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError as exc:
        if "\n" not in text.strip():
            raise InvalidPost("message", f"is not JSON ({exc.msg} at char {exc.pos})") from None
        return _ndjson(text)
    items = decoded if isinstance(decoded, list) else [decoded]
    if not items:
        raise InvalidPost("message", "is an empty array")
    posts = []
    for index, item in enumerate(items):
        try:
            posts.append(MonitoringPost.from_mapping(item))
        except InvalidPost as exc:
            raise exc.at(index) if isinstance(decoded, list) else exc from None
    return posts


def _ndjson(text: str) -> list[MonitoringPost]:
    posts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidPost(f"line {number}", f"is not JSON ({exc.msg})") from None
        try:
            posts.append(MonitoringPost.from_mapping(item))
        except InvalidPost as exc:
            raise InvalidPost(f"line {number}: {exc.field}", exc.problem) from None
    return posts
