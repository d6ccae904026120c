"""Scoring a person from their recent posts together (issue #19, *A person, not a post*).

Each post is scored as always (long posts in windows, the riskiest window deciding). Then:

- **Only the author's own posts count for the author.** A post whose subject is `other` (a
  friend, a brother) or `general` (news, a memorial, advice to readers) never raises the
  person's own level or score; the riskiest post about another person is kept apart as
  `third_party`. A post with no subject (a model from before subjects) counts as the author's.
- **The level** is the level of the riskiest own post (the highest level, then the highest
  score): one urgent post is never diluted by many calm ones.
- **The score orders people** and must not grow with how much a person writes (a long
  history has some risky-looking window by chance: the riskiest-window rule called 0.79 of
  C-SSRS "Supportive" users' histories at risk). It is the mean of the person's top ⌈√n⌉ own
  post scores (n own posts): one post gives its own score; a person with one alarming post
  among 25 calm ones gets the mean of their five riskiest. Of the statistics tried on C-SSRS
  users by cross-validation (bench/cssrs.py), this one separated at-risk users best
  (docs/model-card.md, *Person level*); the maximum, a fixed top three, the mean and the
  share of posts at risk did worse.
- **The trend** compares the author's own post scores, oldest third against newest third
  (domain/person_risk.py).
- Time order is `posted_at` when every post has one, else the order given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from lifeline.domain.person_risk import PersonPost, PersonRisk, ScoredPost, Trend, trend_of
from lifeline.domain.readability import unreadable_reason
from lifeline.domain.risk import RiskLevel, RiskResult, RiskSubject


class PostClassifier(Protocol):
    """What person scoring needs of the triage model (SklearnRiskClassifier, LazyRiskClassifier)."""

    @property
    def version(self) -> str: ...

    def classify_many(self, texts: Sequence[str]) -> list[RiskResult]: ...


class UnscorablePost(ValueError):
    """A post of a person that cannot be scored; `index` is its place in the list as given."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"post {index}: {message}")
        self.index = index


MAX_POSTS = 1_000


#: the share of a person's own posts, riskiest first, whose mean is the person score
TOP_SHARE = 0.1


def person_score(own_scores: Sequence[float]) -> float:
    """The mean of the riskiest TOP_SHARE of the own post scores, at least one post (0.0 for
    none): see the module docstring."""
    if not own_scores:
        return 0.0
    top = sorted(own_scores, reverse=True)[: math.ceil(TOP_SHARE * len(own_scores) - 1e-9)]
    return sum(top) / len(top)


def time_order(posts: Sequence[PersonPost]) -> list[int]:
    """Indexes of `posts` oldest first: by `posted_at` when every post has one, else as given."""
    if posts and all(p.posted_at is not None for p in posts):
        return sorted(range(len(posts)), key=lambda i: (posts[i].posted_at, i))
    return list(range(len(posts)))


class PersonScorer:
    """Scores people (lists of posts) with a triage model; thread-safe as the model is."""

    def __init__(self, classifier: PostClassifier) -> None:
        self.classifier = classifier

    def score(self, posts: Sequence[PersonPost]) -> PersonRisk:
        return self.score_many([posts])[0]

    def score_many(self, people: Sequence[Sequence[PersonPost]]) -> list[PersonRisk]:
        """Score several people, all their readable posts in one pass of the model. Raises
        UnscorablePost (naming the post's index) for an empty person, an empty or too long
        post; check first when one bad person must not stop a batch."""
        pending: list[str] = []
        for posts in people:
            if not posts:
                raise UnscorablePost(0, "a person needs at least one post")
            if len(posts) > MAX_POSTS:
                raise UnscorablePost(MAX_POSTS, f"at most {MAX_POSTS} posts per person")
            for i, post in enumerate(posts):
                if not isinstance(post.text, str) or not post.text.strip():
                    raise UnscorablePost(i, "text is empty")
                if unreadable_reason(post.text) is None:
                    pending.append(post.text)
        results = iter(self.classifier.classify_many(pending) if pending else [])
        version = self.classifier.version
        out = []
        for posts in people:
            scored = []
            for i, post in enumerate(posts):
                reason = unreadable_reason(post.text)
                result = (
                    next(results) if reason is None else RiskResult.could_not_read(reason, version)
                )
                scored.append(ScoredPost(i, post, result))
            out.append(summarise(scored, version))
        return out


def summarise(scored: Sequence[ScoredPost], version: str) -> PersonRisk:
    """The person's risk from their scored posts (in the order given)."""
    order = [scored[i] for i in time_order([s.post for s in scored])]
    own = [s for s in order if s.first_person]
    others = [s for s in order if s.result.readable and s.result.subject is RiskSubject.OTHER]
    times = [s.post.posted_at for s in scored if s.post.posted_at is not None]
    third = max(others, key=_riskiness, default=None)
    if own:
        riskiest: ScoredPost | None = max(own, key=_riskiness)
        assert riskiest is not None
        level, subject = riskiest.result.level, riskiest.result.subject
    else:
        # nothing of the author's own: they wrote about others or about suicide in general
        riskiest = None
        spoke = any(s.result.readable and s.result.level.rank >= 1 for s in scored)
        level = RiskLevel.DISCUSSION if spoke else RiskLevel.NONE
        subject = RiskSubject.GENERAL if any(s.result.readable for s in scored) else None
    own_scores = [s.result.score for s in own]
    return PersonRisk(
        level=level,
        score=person_score(own_scores),
        subject=subject,
        trend=trend_of(own_scores) if own else Trend.STEADY,
        latest_at=max(times) if times else None,
        riskiest_at=riskiest.post.posted_at if riskiest else None,
        riskiest=riskiest.index if riskiest else None,
        riskiest_score=riskiest.result.score if riskiest else None,
        cues=riskiest.result.cues if riskiest else (),
        posts=len(scored),
        readable_posts=sum(1 for s in scored if s.result.readable),
        first_person_posts=len(own),
        first_person_at_risk=sum(1 for s in own if s.result.level.at_risk),
        third_party=third,
        model_version=version,
    )


def _riskiness(post: ScoredPost) -> tuple[int, float]:
    return post.result.level.rank, post.result.score
