"""Scoring a person from their recent posts together (issue #19, *A person, not a post*).

Each post is scored as always (long posts in windows, the riskiest window deciding). Then:

- **Only the author's own posts count for the author.** A post whose subject is `other` (a
  friend, a brother) or `general` (news, a memorial, advice to readers) never raises the
  person's own level or score; the riskiest post about another person is kept apart as
  `third_party`. A post with no subject (a model from before subjects) counts as the author's.
- **The level** is the level of the riskiest own post (the highest level, then the highest
  score): one urgent post is never diluted by many calm ones.
- **The score orders people** and must not grow with how much a person writes (a long
  history has some risky-looking window by chance: the riskiest-window rule gave C-SSRS
  "Supportive" users' joined histories a mean score of 0.79). It is the mean of the riskiest
  tenth of the person's own post scores, at least one post (TOP_SHARE): up to ten posts it is
  the riskiest post's score (weighed as below), so a short history's level and score mostly
  agree; the same mix of posts written five times over gives the same score. Of the
  statistics tried on C-SSRS users by cross-validation (bench/cssrs.py) the maximum (ROC AUC
  0.71), the top ⌈√n⌉ (0.72) and the top tenth (0.72) did best; the mean (0.63), the median,
  power means and the share of posts at risk (0.53) did worse, and the maximum and the top
  ⌈√n⌉ grow with length.
- **Until the model tells a post's subject** (`subject` None), a post's score counts for the
  author in proportion to how much it speaks of the author: (first-person pronouns + 1) /
  (first- and second-person pronouns + 1), in the three registers (`self_focus`). A reply
  that tells someone else "you can get through this" is mostly about them; a post with no
  pronouns counts in full. On C-SSRS users this lifted the person score's ROC AUC from 0.72
  to 0.81 (docs/model-card.md, *Person level*): helpers write to others about suicide. It
  weighs the score only, never the level (a farewell is often written to "you all").
  Hand-written: no library counts pronouns across Devanagari Hindi, Hinglish and English,
  and the rule is short; the subject head, when it lands, replaces it.
- **The trend** compares the author's own post scores, oldest third against newest third
  (domain/person_risk.py).
- Time order is `posted_at` when every post has one, else the order given.
"""

from __future__ import annotations

import math
import re
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


#: pronouns of the author (I, me, my; मैं, मुझे, मेरा; main, mujhe, mera) and of the person
#: addressed (you, your; तुम, आप, तेरा; tum, aap, tera); "mein" and "me" in Hinglish are left
#: out (also "in")
_FIRST = re.compile(
    r"(?<![\w\u0900-\u097F])(?:i|i'm|im|me|my|myself|mine|i've|ive|i'll|i'd|"
    r"main|mai|mujhe|muje|mujhko|mera|meri|mere|maine|mainne|"
    r"मैं|मै|मुझे|मुझको|मेरा|मेरी|मेरे|मैंने|मैने)(?![\w\u0900-\u097F])",
    re.IGNORECASE,
)
_SECOND = re.compile(
    r"(?<![\w\u0900-\u097F])(?:you|your|you're|youre|yourself|u|ur|you've|youve|you'll|"
    r"tum|tu|aap|ap|tera|teri|tere|tumhara|tumhari|tumhare|aapka|aapki|aapke|tujhe|tumhe|"
    r"tumhein|aapko|"
    r"तुम|तू|आप|तेरा|तेरी|तेरे|तुम्हारा|तुम्हारी|तुम्हारे|आपका|आपकी|आपके|तुझे|तुम्हें|तुम्हे|आपको)"
    r"(?![\w\u0900-\u097F])",
    re.IGNORECASE,
)


def self_focus(text: str) -> float:
    """How much a post speaks of its author, 0..1: (first-person pronouns + 1) / (first- and
    second-person pronouns + 1); 1.0 for a post with no pronouns."""
    first = len(_FIRST.findall(text))
    second = len(_SECOND.findall(text))
    return (first + 1) / (first + second + 1)


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
    own_scores = [_own_score(s) for s in own]
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


def _own_score(post: ScoredPost) -> float:
    """The post's score as evidence of the author's own risk (see the module docstring)."""
    if post.result.subject is RiskSubject.SELF:
        return post.result.score
    return post.result.score * self_focus(post.post.text)


def _riskiness(post: ScoredPost) -> tuple[int, float]:
    return post.result.level.rank, post.result.score
