"""A person's risk from their posts (adapters/classifier/person.py, domain/person_risk.py) with
a fake model that answers per text, and the ranking measures (ranking.py) on known figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from lifeline.adapters.classifier.person import (
    PersonScorer,
    UnscorablePost,
    person_score,
    self_focus,
)
from lifeline.adapters.classifier.ranking import precision_at_recall, ranking
from lifeline.domain.person_risk import PersonPost, Trend, trend_of
from lifeline.domain.risk import Cue, RiskLevel, RiskResult, RiskSubject

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class FakeModel:
    """Answers (level, score, subject) per text; records what it was asked."""

    version = "fake-1"

    def __init__(self, answers: dict[str, tuple[RiskLevel, float, RiskSubject | None]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def classify_many(self, texts: Sequence[str]) -> list[RiskResult]:
        self.asked.extend(texts)
        out = []
        for text in texts:
            level, score, subject = self.answers[text]
            cue = Cue("ideation", text[:4], 0, 4)
            out.append(RiskResult(level, score, "en", (cue,), self.version, None, subject))
        return out


def posts(*texts: str, hours: Sequence[int] | None = None) -> list[PersonPost]:
    times = [T0 + timedelta(hours=h) for h in hours] if hours else [None] * len(texts)
    return [PersonPost(t, at) for t, at in zip(texts, times, strict=True)]


CALM = (RiskLevel.NONE, 0.05, RiskSubject.SELF)
SAD = (RiskLevel.DISTRESS, 0.15, RiskSubject.SELF)
WISH = (RiskLevel.IDEATION, 0.7, RiskSubject.SELF)
NOW = (RiskLevel.IMMINENT, 0.99, RiskSubject.SELF)
FRIEND_NOW = (RiskLevel.IMMINENT, 0.98, RiskSubject.OTHER)
NEWS = (RiskLevel.DISCUSSION, 0.3, RiskSubject.GENERAL)


def test_a_post_about_a_friend_in_danger_never_raises_the_authors_level() -> None:
    model = FakeModel({"calm": CALM, "bhai ne alvida likha": FRIEND_NOW, "news": NEWS})
    person = PersonScorer(model).score(posts("calm", "bhai ne alvida likha", "news"))
    assert person.level is RiskLevel.NONE and person.subject is RiskSubject.SELF
    assert person.riskiest == 0 and person.score == pytest.approx(0.05)
    assert person.third_party is not None and person.third_party.index == 1
    assert person.as_dict()["third_party"]["level"] == "imminent"  # kept apart, not lost


def test_one_urgent_post_among_many_calm_ones_decides_the_level() -> None:
    texts = [f"calm {i}" for i in range(24)] + ["now"]
    model = FakeModel({t: CALM for t in texts[:-1]} | {"now": NOW})
    person = PersonScorer(model).score(posts(*texts))
    assert person.level is RiskLevel.IMMINENT and person.riskiest == 24
    assert person.riskiest_score == pytest.approx(0.99)
    assert person.first_person_at_risk == 1 and person.cues[0].text == "now"


def test_the_score_does_not_grow_with_how_much_a_person_writes() -> None:
    # the same mix of posts, five times as many: the same score (the maximum would not be)
    few = person_score([0.9, 0.1, 0.1, 0.1])
    many = person_score([0.9, 0.1, 0.1, 0.1] * 5)
    assert many == pytest.approx(few, abs=0.15)
    assert person_score([0.3] * 50) == pytest.approx(0.3)
    assert person_score([0.42]) == pytest.approx(0.42)  # one post: its own score
    # one alarming post among many calm ones weighs less than the same post alone
    assert person_score([0.9] + [0.05] * 30) < person_score([0.9])


def test_trend_and_times_follow_posted_at_not_the_order_given() -> None:
    model = FakeModel({"calm": CALM, "sad": SAD, "wish": WISH})
    given = posts("wish", "calm", "sad", hours=[30, 1, 10])  # newest first in the list
    person = PersonScorer(model).score(given)
    assert person.trend is Trend.RISING
    assert person.latest_at == T0 + timedelta(hours=30)
    assert person.riskiest_at == T0 + timedelta(hours=30) and person.riskiest == 0
    assert trend_of([0.7, 0.4, 0.1]) is Trend.FALLING
    assert trend_of([0.3, 0.35, 0.3]) is Trend.STEADY
    assert trend_of([0.9]) is Trend.STEADY


def test_unreadable_posts_are_not_scored_and_a_person_with_none_has_no_level() -> None:
    model = FakeModel({"wish": WISH})
    person = PersonScorer(model).score(posts("[video]", "wish", "😭😭"))
    assert model.asked == ["wish"]
    assert person.level is RiskLevel.IDEATION and person.riskiest == 1
    assert person.readable_posts == 1 and person.posts == 3
    nothing = PersonScorer(model).score(posts("[video]")).as_dict()
    assert nothing["level"] is None and nothing["score"] is None


def test_a_bad_post_is_named_by_its_index() -> None:
    with pytest.raises(UnscorablePost, match="post 1: text is empty") as caught:
        PersonScorer(FakeModel({"calm": CALM})).score(posts("calm", "  "))
    assert caught.value.index == 1


def test_precision_at_recall_reads_the_highest_threshold_that_finds_enough() -> None:
    truth = np.array([True, True, False, True, False, False])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    # all three positives are needed for recall 0.95: threshold 0.6 calls four, three right
    assert precision_at_recall(truth, scores, 0.95) == pytest.approx(0.75)
    assert precision_at_recall(truth, scores, 0.6) == pytest.approx(1.0)


def test_ranking_gives_the_auc_and_seeded_bootstrap_intervals() -> None:
    rng = np.random.default_rng(1)
    truth = rng.random(200) < 0.5
    scores = truth * 0.3 + rng.random(200)
    first = ranking(truth, scores, resamples=200)
    assert 0.6 < first["roc_auc"] < 0.95
    low, high = first["roc_auc_ci95"]
    assert low < first["roc_auc"] < high
    assert ranking(truth, scores, resamples=200) == first  # seeded: the same interval
    perfect = ranking([True, False], [0.9, 0.1], resamples=50)
    assert perfect["roc_auc"] == 1.0 and perfect["precision_at_recall"] == 1.0
    assert ranking([False, False], [0.9, 0.1], resamples=10)["roc_auc"] is None


def test_a_reply_to_someone_else_counts_less_for_the_author_whatever_subject_the_model_gives() -> (
    None
):
    helper = "you can get through this, please call someone, you matter"
    own = "I can't get through this, nobody would even notice"
    plain = "aaj raat pankhe se latak jaunga"
    unknown = (RiskLevel.IDEATION, 0.8, None)
    model = FakeModel({helper: unknown, own: unknown, plain: unknown})
    scorer = PersonScorer(model)
    assert scorer.score(posts(helper)).score < 0.4  # about "you": mostly not the author
    assert scorer.score(posts(own)).score == pytest.approx(0.8)
    assert scorer.score(posts(plain)).score == pytest.approx(0.8)  # no pronouns: in full
    assert scorer.score(posts(helper)).level is RiskLevel.IDEATION  # the level is never cut
    # the subject head reads a helper's reply as the author's as often as not (C-SSRS):
    # its `self` does not lift the pronoun weight
    told = PersonScorer(FakeModel({helper: (RiskLevel.IDEATION, 0.8, RiskSubject.SELF)}))
    assert told.score(posts(helper)).score < 0.4
    assert told.score(posts(helper)).level is RiskLevel.IDEATION
    assert self_focus("मुझे माफ़ कर देना, तुम सब खुश रहना") == pytest.approx(2 / 3)
    assert self_focus("tum sab khush raho alvida") == pytest.approx(0.5)


@dataclass(frozen=True)
class Evidence:
    probability: tuple[float, ...]
    self_probability: tuple[float, ...] | None


class EvidenceModel(FakeModel):
    """A FakeModel that also gives window evidence (as model.classify_with_evidence does)."""

    def __init__(
        self,
        answers: dict[str, tuple[RiskLevel, float, RiskSubject | None]],
        evidence: dict[str, Evidence],
    ) -> None:
        super().__init__(answers)
        self.evidence = evidence

    def classify_with_evidence(self, texts: Sequence[str]) -> list[tuple[RiskResult, Evidence]]:
        return list(zip(self.classify_many(texts), (self.evidence[t] for t in texts), strict=True))


def test_people_are_ranked_by_the_uncompressed_probability_weighed_by_p_self() -> None:
    mine, about = "I want to end it tonight", "he wants to end it tonight"
    urgent: tuple[RiskLevel, float, RiskSubject | None] = (
        RiskLevel.INTENT,
        0.97,
        RiskSubject.SELF,
    )
    answers = {mine: urgent, about: urgent}
    model = EvidenceModel(
        answers,
        {
            # the riskiest window (0.6) decides, with its own P(self)
            mine: Evidence((0.2, 0.6, 0.4), (0.1, 0.9, 0.1)),
            about: Evidence((0.6,), (0.55,)),
        },
    )
    scorer = PersonScorer(model)
    own, other = scorer.score(posts(mine)), scorer.score(posts(about))
    assert own.score == pytest.approx(0.6 * 0.9)  # not the reported 0.97
    assert other.score == pytest.approx(0.6 * 0.55) and other.score < own.score
    # the weights touch the ranking only: the person's level is the riskiest own post's
    assert own.level is other.level is RiskLevel.INTENT
    assert own.riskiest_score == pytest.approx(0.97)
