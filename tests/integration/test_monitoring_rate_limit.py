"""The per-partner limit of `POST /api/v1/monitoring/posts` (issue #19) under real uvicorn
servers on 127.0.0.1, on SQLite and PostgreSQL: a key over its requests or posts a minute gets
429 with Retry-After and a body naming the limit and its setting, nothing of that request is
stored, a flood is audited with counts (one record a minute), and the requests limit holds
across two API processes on one database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.services.access.accounts import create_partner, sign
from lifeline.settings import Settings
from lifeline.web.app import create_app
from support import FakeClock, uvicorn_serving

PATH = "/api/v1/monitoring/posts"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "monitoring_partner_requests_per_minute": 3,
            "monitoring_partner_posts_per_minute": 10,
        }
    )


class Tool:
    """A monitoring tool with one partner key, posting to one or more servers."""

    def __init__(self, key_id: str, secret: str, clock: FakeClock) -> None:
        self.key_id, self.secret, self.clock = key_id, secret, clock
        self.n = 0

    def send(self, url: str, count: int) -> httpx.Response:
        posts = []
        for _ in range(count):
            self.n += 1
            posts.append({"platform": "x", "post_id": f"p{self.n}", "author": "a", "text": "hi"})
        body = json.dumps(posts).encode()
        ts = str(int(self.clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "X-Lifeline-Key": self.key_id,
            "X-Lifeline-Timestamp": ts,
            "X-Lifeline-Signature": sign(self.secret, ts, body),
        }
        return httpx.post(url + PATH, content=body, headers=headers, timeout=60)


@pytest.fixture
def served(lifeline: Lifeline, clock: FakeClock) -> Iterator[tuple[str, Tool]]:
    partner = create_partner(lifeline.ctx, "monitoring tool")
    with uvicorn_serving(create_app(lifeline, embedded_worker=False), log_config=None) as url:
        yield url, Tool(partner.key_id, partner.secret, clock)


def _refusals(app: Lifeline) -> list[dict[str, Any]]:
    with app.ctx.uow(readonly=True) as uow:
        return [r.details for r in uow.audit.records() if r.action == "monitoring.rate_limited"]


def _seen(app: Lifeline) -> int:
    with app.ctx.uow(readonly=True) as uow:
        return sum(
            int(r.details["accepted"])
            for r in uow.audit.records()
            if r.action == "monitoring.batch_ingested"
        )


def test_a_key_over_its_requests_a_minute_gets_429_with_retry_after(
    served: tuple[str, Tool], lifeline: Lifeline, clock: FakeClock
) -> None:
    url, tool = served
    for _ in range(3):
        assert tool.send(url, 1).status_code == 200
        clock.advance(seconds=5)
    refused = tool.send(url, 1)
    assert refused.status_code == 429, refused.text
    # requests at 0, 5 and 10 s; now 15 s: the first leaves the minute in 45 s
    assert refused.headers["Retry-After"] == "45"
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "LIFELINE_MONITORING_PARTNER_REQUESTS_PER_MINUTE" in error["message"]
    assert error["details"] == [
        {
            "limit": "requests_per_minute",
            "setting": "LIFELINE_MONITORING_PARTNER_REQUESTS_PER_MINUTE",
            "allowed": 3,
            "used": 3,
            "retry_after": 45,
        }
    ]
    assert _seen(lifeline) == 3  # the refused post was not stored
    (audited,) = _refusals(lifeline)
    assert audited["limit"] == "requests_per_minute" and audited["refused"] == 1
    counts = {"limit", "setting", "allowed", "used", "retry_after", "posts", "refused"}
    assert set(audited) == counts  # counts only: no post text, author or id

    clock.advance(seconds=44)
    assert tool.send(url, 1).status_code == 429
    clock.advance(seconds=1)
    assert tool.send(url, 1).status_code == 200


def test_a_key_over_its_posts_a_minute_is_refused_and_a_flood_is_one_audit_record(
    served: tuple[str, Tool], lifeline: Lifeline, clock: FakeClock
) -> None:
    url, tool = served
    too_big = tool.send(url, 11)
    assert too_big.status_code == 429
    assert "send smaller requests" in too_big.json()["error"]["message"]
    assert tool.send(url, 6).status_code == 200
    clock.advance(seconds=20)
    over = tool.send(url, 6)
    assert over.status_code == 429
    assert over.headers["Retry-After"] == "40"
    assert over.json()["error"]["details"][0]["limit"] == "posts_per_minute"
    assert "LIFELINE_MONITORING_PARTNER_POSTS_PER_MINUTE" in over.json()["error"]["message"]
    assert tool.send(url, 4).status_code == 200  # what fits in the minute still goes
    assert _seen(lifeline) == 10
    # the first refusal was audited; the next within the minute only counted
    assert [r["refused"] for r in _refusals(lifeline)] == [1]
    clock.advance(seconds=61)
    assert tool.send(url, 11).status_code == 429
    assert [r["refused"] for r in _refusals(lifeline)] == [1, 2]


def test_the_requests_limit_holds_across_two_api_processes(
    served: tuple[str, Tool], lifeline: Lifeline, settings: Settings, clock: FakeClock
) -> None:
    url, tool = served
    other = bootstrap(settings, clock=clock)  # a second process: its own memory, one database
    try:
        with uvicorn_serving(create_app(other, embedded_worker=False), log_config=None) as url2:
            assert [tool.send(u, 1).status_code for u in (url, url2, url)] == [200] * 3
            assert tool.send(url2, 1).status_code == 429
            assert tool.send(url, 1).status_code == 429
    finally:
        other.dispose()


def test_a_bad_limit_stops_start_up_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="monitoring_partner_posts_per_minute"):
        Settings(monitoring_partner_posts_per_minute=-1, _env_file=None)  # type: ignore[call-arg]
