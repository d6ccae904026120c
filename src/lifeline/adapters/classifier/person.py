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
  tenth of the person's own post values, at least one post (TOP_SHARE); the same mix of posts
  written five times over gives the same score. Of the statistics tried on C-SSRS users by
  cross-validation (bench/cssrs.py) the maximum (ROC AUC 0.71), the top ⌈√n⌉ (0.72) and the
  top tenth (0.72) did best; the mean (0.63), the median, power means and the share of posts
  at risk (0.53) did worse, and the maximum and the top ⌈√n⌉ grow with length.
- **A post's value for the ranking** (`own_value`) is its evidence of the author's own risk:
  the calibrated P(at risk) of its riskiest window as the model computed it, before the
  language's threshold is folded in (a post's reported `score` puts the threshold at 0.5 and
  so crowds every at-risk post near 1: C-SSRS "Supportive" users then averaged 0.87), times
  P(subject = self) of that window from the subject head (continuous, not the argmax), times
  how much the post speaks of its author, (first-person pronouns + 1) / (first- and
  second-person pronouns + 1) in the three registers (`self_focus`): helpers write *to*
  others about suicide ("you can get through this"), and the subject head reads such a reply
  as the author's as often as not. On C-SSRS users (bench/cssrs.py, docs/model-card.md,
  *Person level*) this gave ROC AUC 0.81 where the reported score alone gave 0.71. A model
  without window evidence (`classify_with_evidence`) gives each post's score times
  `self_focus`. The weights touch the ranking only, never the level (a farewell is often
  written to "you all"). The pronoun rule is hand-written: no library counts pronouns across
  Devanagari Hindi, Hinglish and English, and it is short.
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


class PostEvidence(Protocol):
    """What the model saw in each window of a post (model.WindowEvidence)."""

    @property
    def probability(self) -> Sequence[float]: ...

    @property
    def self_probability(self) -> Sequence[float] | None: ...


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
        reasons: list[list[str | None]] = []  # why each post could not be read, per person
        for posts in people:
            if not posts:
                raise UnscorablePost(0, "a person needs at least one post")
            if len(posts) > MAX_POSTS:
                raise UnscorablePost(MAX_POSTS, f"at most {MAX_POSTS} posts per person")
            reasons.append([])
            for i, post in enumerate(posts):
                if not isinstance(post.text, str) or not post.text.strip():
                    raise UnscorablePost(i, "text is empty")
                reasons[-1].append(reason := unreadable_reason(post.text))
                if reason is None:
                    pending.append(post.text)
        results = iter(self._classify(pending))
        version = self.classifier.version
        out = []
        for posts, person_reasons in zip(people, reasons, strict=True):
            scored = []
            evidence: list[PostEvidence | None] = []
            for i, (post, reason) in enumerate(zip(posts, person_reasons, strict=True)):
                if reason is None:
                    result, seen = next(results)
                else:
                    result, seen = RiskResult.could_not_read(reason, version), None
                scored.append(ScoredPost(i, post, result))
                evidence.append(seen)
            out.append(summarise(scored, version, evidence))
        return out

    def _classify(self, texts: list[str]) -> list[tuple[RiskResult, PostEvidence | None]]:
        """The model's results, with window evidence when the model gives it."""
        if not texts:
            return []
        with_evidence = getattr(self.classifier, "classify_with_evidence", None)
        if with_evidence is not None:
            return list(with_evidence(texts))
        return [(r, None) for r in self.classifier.classify_many(texts)]


def summarise(
    scored: Sequence[ScoredPost],
    version: str,
    evidence: Sequence[PostEvidence | None] | None = None,
) -> PersonRisk:
    """The person's risk from their scored posts (in the order given) and, when the model gave
    it, each post's window evidence (in the same order)."""
    seen = list(evidence) if evidence is not None else [None] * len(scored)
    if len(seen) != len(scored):
        raise ValueError(f"{len(seen)} evidence entries for {len(scored)} posts")
    order = time_order([s.post for s in scored])
    own_order = [i for i in order if scored[i].first_person]
    own = [scored[i] for i in own_order]
    own_scores = [own_value(scored[i], seen[i]) for i in own_order]
    order_posts = [scored[i] for i in order]
    others = [s for s in order_posts if s.result.readable and s.result.subject is RiskSubject.OTHER]
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


def own_value(post: ScoredPost, evidence: PostEvidence | None = None) -> float:
    """The post's value as evidence of the author's own risk, 0..1 (see the module docstring):
    P(at risk) x P(self) of its riskiest window x `self_focus`; without evidence, its score x
    `self_focus`."""
    focus = self_focus(post.post.text)
    if evidence is None or not evidence.probability:
        return post.result.score * focus
    probability = list(evidence.probability)
    best = max(range(len(probability)), key=probability.__getitem__)
    selfness = 1.0 if evidence.self_probability is None else evidence.self_probability[best]
    return probability[best] * selfness * focus


def _riskiness(post: ScoredPost) -> tuple[int, float]:
    return post.result.level.rank, post.result.score
