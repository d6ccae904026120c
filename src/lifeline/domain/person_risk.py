"""A person's risk, read from their recent posts together (issue #19, *A person, not a post*).

The level of a person is the level of their riskiest **first-person** post: a post about a
friend in danger (`other`) or about suicide in general (`general`) says something about
someone else, not about the author's own state, so it never raises the author's level; the
riskiest such post about another person is kept apart (`third_party`), because that other
person may need help too. The score orders people (adapters/classifier/person.py says how it
is made); the trend says whether the author's own posts grow riskier over the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lifeline.domain.errors import DomainError
from lifeline.domain.risk import Cue, RiskLevel, RiskResult, RiskSubject
from lifeline.domain.timestamps import iso


class Trend(StrEnum):
    """How the author's own post scores move over the window, oldest to newest."""

    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"


#: a trend needs the newest posts' mean score this far from the oldest posts' (0..1 scale)
TREND_STEP = 0.15


def trend_of(scores: list[float]) -> Trend:
    """Rising, steady or falling, from scores in time order: the mean of the newest third
    (at least one post) against the mean of the oldest third. One post is steady."""
    if len(scores) < 2:
        return Trend.STEADY
    third = max(1, len(scores) // 3)
    old = sum(scores[:third]) / third
    new = sum(scores[-third:]) / third
    if new - old >= TREND_STEP:
        return Trend.RISING
    if old - new >= TREND_STEP:
        return Trend.FALLING
    return Trend.STEADY


@dataclass(frozen=True)
class PersonPost:
    """One post of a person: its text and, when known, when it was posted (timezone-aware)."""

    text: str
    posted_at: datetime | None = None


#: the longest post text a person's list may carry
MAX_POST_CHARS = 500_000


class InvalidPersonPost(DomainError):
    """One post of a person's list is not a post; the message names it by its index."""

    code = "invalid_post"

    def __init__(self, index: int, problem: str) -> None:
        self.index = index
        super().__init__(f"post {index}{problem}")


def person_post(item: object, index: int) -> PersonPost:
    """Post `index` of a person's list as JSON gives it, `{"text", "posted_at"?}` (ISO 8601
    with a UTC offset), checked: the one parser of `triage --jsonl` person lines and of the
    labelled persons files `model evaluate --persons` reads. InvalidPersonPost otherwise."""
    if not isinstance(item, dict):
        raise InvalidPersonPost(index, " is not an object with 'text'")
    text = item.get("text")
    if not isinstance(text, str):
        raise InvalidPersonPost(index, " has no 'text' string")
    if not text.strip():
        raise InvalidPersonPost(index, ": text is empty")
    if len(text) > MAX_POST_CHARS:
        raise InvalidPersonPost(index, f": text is longer than {MAX_POST_CHARS} characters")
    value = item.get("posted_at")
    if value is None:
        return PersonPost(text)
    if not isinstance(value, str):
        raise InvalidPersonPost(
            index, ": posted_at must be an ISO 8601 string, e.g. 2026-12-06T21:41:09Z"
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidPersonPost(
            index, f": posted_at {value[:40]!r} is not ISO 8601 (e.g. 2026-12-06T21:41:09Z)"
        ) from None
    if moment.tzinfo is None:
        raise InvalidPersonPost(
            index, f": posted_at {value[:40]!r} has no UTC offset (add Z or +05:30)"
        )
    return PersonPost(text, moment)


@dataclass(frozen=True)
class ScoredPost:
    """A post with the model's result and its index in the list as given."""

    index: int
    post: PersonPost
    result: RiskResult

    @property
    def first_person(self) -> bool:
        """About the author (an unknown subject counts as the author, as before subjects)."""
        return self.result.readable and self.result.subject in (RiskSubject.SELF, None)


@dataclass(frozen=True)
class PersonRisk:
    """What the model says about a person from their posts."""

    level: RiskLevel
    #: P(the person is at risk: ideation or above), for ordering people (see person.py)
    score: float
    #: whose risk `level` is: the author's (`self`, or None from a model without subjects)
    subject: RiskSubject | None
    trend: Trend
    #: the newest post's time and the riskiest own post's time (None when not given)
    latest_at: datetime | None
    riskiest_at: datetime | None
    #: index (as given) of the riskiest first-person post; None when there is none
    riskiest: int | None
    riskiest_score: float | None
    cues: tuple[Cue, ...]
    posts: int
    #: posts the model could read (a video or emoji-only post is not scored)
    readable_posts: int
    #: readable first-person posts, and of those how many are at risk on their own
    first_person_posts: int
    first_person_at_risk: int
    #: the riskiest post about a particular other person (subject `other`), apart
    third_party: ScoredPost | None
    model_version: str

    def as_dict(self) -> dict[str, object]:
        third = None
        if self.third_party is not None:
            r = self.third_party.result
            third = {
                "index": self.third_party.index,
                "level": r.level.value,
                "score": round(r.score, 4),
                "cues": [c.as_dict() for c in r.cues],
                "subject_cues": [c.as_dict() for c in r.subject_cues],
                "posted_at": iso(self.third_party.post.posted_at),
            }
        readable = self.readable_posts > 0
        return {
            # no readable post: no level of the person's own (as RiskResult.as_dict)
            "level": self.level.value if readable else None,
            "score": round(self.score, 4) if readable else None,
            "subject": self.subject.value if self.subject else None,
            "trend": self.trend.value,
            "latest_at": iso(self.latest_at),
            "riskiest_at": iso(self.riskiest_at),
            "riskiest_post": self.riskiest,
            "riskiest_score": None
            if self.riskiest_score is None
            else round(self.riskiest_score, 4),
            "cues": [c.as_dict() for c in self.cues],
            "posts": self.posts,
            "readable_posts": self.readable_posts,
            "first_person_posts": self.first_person_posts,
            "first_person_at_risk": self.first_person_at_risk,
            "third_party": third,
            "model_version": self.model_version,
        }
