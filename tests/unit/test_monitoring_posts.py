"""Monitoring posts check themselves and name the field; the policy's settings parse; the use
case against the in-memory fakes (no IO): dedupe, the level, the window."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from fakes import make_context
from pydantic import ValidationError

from lifeline.domain.monitoring import IngestResult, InvalidPost, MonitoringPost
from lifeline.domain.risk import RiskLevel, RiskResult, RiskSubject
from lifeline.services.monitoring.ingest import ingest_posts
from lifeline.settings import Settings


def data(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"platform": "X", "post_id": 77, "author": "@Asha_K", "text": "hi"}
    return {**base, **changes}


def test_a_post_is_normalised_and_keyed_by_platform_and_id() -> None:
    post = MonitoringPost.from_mapping(data(posted_at="2026-11-28T09:15:00+05:30", extra=1))
    assert (post.platform, post.post_id, post.author) == ("x", "77", "@Asha_K")
    assert post.posted_at == datetime(2026, 11, 28, 3, 45, tzinfo=UTC)
    assert post.key == "post:x:77"
    assert post.author_key == MonitoringPost.from_mapping(data(author="asha_k")).author_key


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"platform": ""}, "platform", "empty"),
        ({"post_id": None}, "post_id", "required"),
        ({"post_id": True}, "post_id", "must be a string"),
        ({"author": "@"}, "author", "only '@'"),
        ({"author": "a\nb"}, "author", "control character"),
        ({"text": "   "}, "text", "empty"),
        ({"text": "\ud800"}, "text", "surrogate"),
        ({"posted_at": 1764300000}, "posted_at", "ISO 8601 string"),
        ({"posted_at": "2026-11-28 09:15"}, "posted_at", "timezone"),
        ({"posted_at": "9999-12-31T23:59:59-14:00"}, "posted_at", "1970 to 2100"),
        ({"url": "ftp://x.com/1"}, "url", "http"),
        ({"place": "x" * 501}, "place", "at most 500"),
    ],
)
def test_a_bad_field_is_named(changes: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(InvalidPost) as refused:
        MonitoringPost.from_mapping(data(**changes))
    assert refused.value.field == field and words in refused.value.problem
    assert refused.value.at(4).details == [
        {"index": 4, "field": field, "problem": refused.value.problem}
    ]


def test_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidPost, match="must be a JSON object, not an array"):
        MonitoringPost.from_mapping([1])


def test_the_level_setting_names_the_levels() -> None:
    assert Settings(_env_file=None).monitoring.min_level is RiskLevel.IDEATION  # type: ignore[call-arg]
    chosen = Settings(monitoring_min_level="Intent", _env_file=None)  # type: ignore[call-arg]
    assert chosen.monitoring.min_level is RiskLevel.INTENT
    assert chosen.monitoring.window == timedelta(days=7)
    for wrong in ("none", "high"):
        with pytest.raises(ValidationError, match="not a risk level to flag from"):
            Settings(monitoring_min_level=wrong, _env_file=None)  # type: ignore[call-arg]


class Scripted:
    """A classifier that reads what the test says (ideation if the text says "die")."""

    version = "scripted"

    def classify(self, text: str) -> RiskResult:
        return self.classify_many([text])[0]

    def classify_many(self, texts: list[str]) -> list[RiskResult]:
        self.calls = getattr(self, "calls", 0) + 1
        return [
            RiskResult(
                RiskLevel.IDEATION if "die" in t else RiskLevel.NONE,
                0.9 if "die" in t else 0.1,
                "en",
                (),
                self.version,
                subject=RiskSubject.GENERAL if "news" in t else RiskSubject.SELF,
            )
            for t in texts
        ]


def test_with_the_fakes_a_batch_is_scored_in_one_call_and_general_posts_never_flag() -> None:
    model = Scripted()
    ctx, factory, _ = make_context()
    ctx = dataclasses.replace(ctx, classifier=model)
    posts = [
        MonitoringPost("x", "1", "a", "hello"),
        MonitoringPost("x", "2", "a", "news: man wanted to die, says report"),
        MonitoringPost("x", "1", "a", "hello"),
    ]
    result = ingest_posts(ctx, posts)
    assert result == IngestResult(accepted=2, duplicates=1, flagged=0, case_ids=())
    assert model.calls == 1
    assert set(factory.store.monitoring.seen) == {"post:x:1", "post:x:2"}
    assert factory.store.monitoring.window == []
