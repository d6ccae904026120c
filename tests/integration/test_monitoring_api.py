"""`POST /api/v1/monitoring/posts` under a real uvicorn server on 127.0.0.1, on SQLite and
PostgreSQL: signing and replay, both content types, every field's refusal naming the post's
index (nothing stored), the path's own body limit, and dedupe across concurrent requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from lifeline.adapters.db.tables import alerts, monitoring_seen
from lifeline.bootstrap import Lifeline
from lifeline.services.access.accounts import create_partner, sign
from lifeline.web.app import create_app
from support import FakeClock, uvicorn_serving

IDEATION = "I want to die, nothing matters anymore and I cannot go on"
HARMLESS = "Beautiful sunset at Marine Drive today with friends"
PATH = "/api/v1/monitoring/posts"


@dataclass
class Api:
    url: str
    key_id: str
    secret: str
    clock: FakeClock

    def post(
        self,
        body: bytes,
        content_type: str = "application/json",
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(int(self.clock.now().timestamp()) if timestamp is None else timestamp)
        sent = {
            "Content-Type": content_type,
            "X-Lifeline-Key": self.key_id,
            "X-Lifeline-Timestamp": ts,
            "X-Lifeline-Signature": sign(secret or self.secret, ts, body),
            **(headers or {}),
        }
        return httpx.post(self.url + PATH, content=body, headers=sent, timeout=60)

    def send(self, posts: list[dict[str, Any]]) -> httpx.Response:
        return self.post(json.dumps(posts).encode())


@pytest.fixture
def api(lifeline: Lifeline, clock: FakeClock) -> Iterator[Api]:
    partner = create_partner(lifeline.ctx, "monitoring tool")
    app = create_app(lifeline, embedded_worker=False)
    with uvicorn_serving(app, log_config=None, access_log=False) as url:
        yield Api(url, partner.key_id, partner.secret, clock)


def item(post_id: str, text: str = HARMLESS, **extra: Any) -> dict[str, Any]:
    return {"platform": "x", "post_id": post_id, "author": "asha_k", "text": text, **extra}


def stored(app: Lifeline) -> tuple[int, int]:
    """(posts seen, alerts)"""
    with app.engine.connect() as conn:
        seen = conn.execute(select(func.count()).select_from(monitoring_seen)).scalar_one()
        made = conn.execute(select(func.count()).select_from(alerts)).scalar_one()
    return int(seen), int(made)


def test_a_json_array_is_scored_and_answered_with_counts(api: Api, lifeline: Lifeline) -> None:
    full = item(
        "2",
        IDEATION,
        posted_at="2026-11-28T02:50:00+05:30",
        url="https://x.com/asha_k/status/2",
        place="Aliganj, Lucknow",
    )
    response = api.send([item("1"), full, item("1")])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["flagged"]) == (2, 1, 1)
    assert len(body["case_ids"]) == 1
    assert stored(lifeline) == (2, 1)
    again = api.send([item("1"), item("3")]).json()
    assert (again["accepted"], again["duplicates"], again["flagged"]) == (1, 1, 0)
    assert again["case_ids"] == []


def test_ndjson_is_taken_line_by_line(api: Api, lifeline: Lifeline) -> None:
    lines = [json.dumps(item(str(i), f"{HARMLESS} {i}")) for i in range(5)]
    body = ("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n").encode()
    response = api.post(body, "application/x-ndjson")
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 5
    assert stored(lifeline) == (5, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"platform": None}, "platform"),
        ({"platform": "  "}, "platform"),
        ({"post_id": ""}, "post_id"),
        ({"post_id": ["1"]}, "post_id"),
        ({"author": None}, "author"),
        ({"author": "x" * 201}, "author"),
        ({"text": ""}, "text"),
        ({"text": "bad \x00 byte"}, "text"),
        ({"text": "y" * 50_001}, "text"),
        ({"posted_at": "yesterday"}, "posted_at"),
        ({"posted_at": "2026-11-28T09:15:00"}, "posted_at"),
        ({"posted_at": "1800-01-01T00:00:00Z"}, "posted_at"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"place": "Lucknow\x07"}, "place"),
    ],
)
def test_one_bad_post_refuses_the_request_naming_its_index_and_field(
    api: Api, lifeline: Lifeline, change: dict[str, Any], field: str
) -> None:
    bad = {**item("3", IDEATION), **change}
    response = api.send([item("1"), item("2", IDEATION), bad])
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"].startswith(f"post 2: {field}: ")
    assert error["details"][0] | {"problem": ""} == {"index": 2, "field": field, "problem": ""}
    assert stored(lifeline) == (0, 0)  # nothing of the request is stored


def test_a_bad_ndjson_line_names_its_index_and_line(api: Api, lifeline: Lifeline) -> None:
    body = "\n".join([json.dumps(item("1")), "", json.dumps({**item("2"), "author": 7})])
    response = api.post(body.encode(), "application/x-ndjson")
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("post 1 (line 3): author: ")
    broken = api.post(json.dumps(item("1")).encode() + b"\n{not json\n", "application/x-ndjson")
    assert broken.status_code == 400
    assert "line 2 is not valid JSON" in broken.json()["error"]["message"]
    assert stored(lifeline) == (0, 0)


def test_an_empty_request_is_answered_and_its_signature_taken_once(api: Api) -> None:
    first = api.post(b"[]")
    assert first.json() == {"accepted": 0, "duplicates": 0, "flagged": 0, "case_ids": []}
    again = httpx.post(api.url + PATH, content=b"[]", headers=dict(first.request.headers))
    assert again.status_code == 409


def test_the_body_must_be_posts_in_a_known_content_type(api: Api) -> None:
    assert api.post(b'{"platform": "x"}').status_code == 422  # an object, not an array
    lines = "\n".join(json.dumps(item(str(i))) for i in range(1001)).encode()
    assert api.post(lines, "application/x-ndjson").status_code == 422
    too_many = api.send([item(str(i)) for i in range(1001)])
    assert too_many.status_code == 422 and "at most 1000" in too_many.json()["error"]["message"]
    plain = api.post(json.dumps([item("1")]).encode(), "text/plain")
    assert plain.status_code == 415
    assert api.post(b"\xff\xfe[]").status_code == 400


def test_the_body_limit_is_this_paths_own_setting(api: Api, lifeline: Lifeline) -> None:
    limit = lifeline.settings.monitoring_max_body_bytes
    assert limit == 8 * 1024 * 1024 > lifeline.settings.max_body_bytes
    # over the general 1 MiB limit, under the monitoring one: taken
    big = [item(str(i), f"{HARMLESS} " + "x" * 2_000) for i in range(600)]
    body = json.dumps(big).encode()
    assert lifeline.settings.max_body_bytes < len(body) < limit
    assert api.post(body).status_code == 200
    # over the monitoring limit, with a Content-Length and streamed without one
    huge = b"[" + b" " * limit + b"]"
    response = api.post(huge)
    assert response.status_code == 413
    assert "LIFELINE_MONITORING_MAX_BODY_BYTES" in response.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:
        yield b"["
        for _ in range(9):
            yield b" " * (1024 * 1024)
        yield b"]"

    ts = str(int(api.clock.now().timestamp()))
    streamed = httpx.post(
        api.url + PATH,
        content=chunks(),
        headers={
            "Content-Type": "application/json",
            "X-Lifeline-Key": api.key_id,
            "X-Lifeline-Timestamp": ts,
            "X-Lifeline-Signature": "0" * 64,
        },
        timeout=60,
    )
    assert streamed.status_code == 413
    # every other path keeps the general limit
    alert = httpx.post(api.url + "/api/v1/alerts", content=body, timeout=60)
    assert alert.status_code == 413
    assert "LIFELINE_MONITORING" not in alert.json()["error"]["message"]


def test_a_wrong_or_stale_signature_and_a_replay_are_refused(api: Api, lifeline: Lifeline) -> None:
    body = json.dumps([item("1")]).encode()
    assert api.post(body, secret="not the secret").status_code == 401
    stale = int(api.clock.now().timestamp()) - 3600
    assert api.post(body, timestamp=stale).status_code == 401
    unsigned = httpx.post(
        api.url + PATH, content=body, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401
    assert stored(lifeline) == (0, 0)
    first = api.post(body)
    assert first.status_code == 200
    replayed = httpx.post(api.url + PATH, content=body, headers=dict(first.request.headers))
    assert replayed.status_code == 409
    assert replayed.json()["error"]["code"] == "replayed_request"


def test_two_concurrent_requests_with_the_same_posts_take_each_once(
    api: Api, lifeline: Lifeline
) -> None:
    posts = [item(str(i), f"{HARMLESS} {i}") for i in range(300)] + [item("f", IDEATION)]
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(2)

    def send(order: list[dict[str, Any]]) -> None:
        start.wait()
        response = api.send(order)
        assert response.status_code == 200, response.text
        answers.append(response.json())

    threads = [threading.Thread(target=send, args=(o,)) for o in (posts, posts[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    assert sum(a["accepted"] for a in answers) == 301
    assert sum(a["duplicates"] for a in answers) == 301
    assert sum(a["flagged"] for a in answers) == 1
    assert stored(lifeline) == (301, 1)


def test_the_route_is_documented(lifeline: Lifeline) -> None:
    schema = create_app(lifeline, embedded_worker=False).openapi()
    operation = schema["paths"][PATH]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "application/x-ndjson"}
    assert content["application/json"]["schema"]["maxItems"] == 1000
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/IngestRead")
    assert {"413", "422", "401", "409"} <= set(operation["responses"])
