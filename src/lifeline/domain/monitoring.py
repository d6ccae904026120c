"""The SMC's own monitoring (issue 19): posts a monitoring tool finds on X, Facebook and
Instagram, scored as a stream. A post at or above the policy's level becomes a `monitoring`
alert that waits for an operator's review; of the others only a keyed hash of the post id is
kept, except the recent posts of an author with a flagged post (an encrypted window).

Value objects that check themselves: a bad post names the field that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lifeline.domain.errors import DomainError
from lifeline.domain.inputs import moment_problem, text_problem
from lifeline.domain.risk import LEVELS, RiskLevel, RiskSubject

#: the longest post text taken (far longer than any platform allows)
MAX_TEXT_CHARS = 50_000
MAX_PLATFORM_CHARS = 40
MAX_ID_CHARS = 200
MAX_URL_CHARS = 2_000
MAX_PLACE_CHARS = 500
#: the fields a post may carry; others are ignored (and never stored)
FIELDS = ("platform", "post_id", "author", "text", "posted_at", "url", "place")
REQUIRED = ("platform", "post_id", "author", "text")


#: what domain.inputs refuses in one-line and free text: a regex finds it at C speed (a batch
#: of 1,000 posts is checked in a few ms); text_problem then words the refusal
_UNSAFE_LINE = re.compile("[\x00-\x08\x0a-\x1f\ud800-\udfff]")
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _problem(value: str, *, multiline: bool = False) -> str | None:
    unsafe = _UNSAFE_TEXT if multiline else _UNSAFE_LINE
    return text_problem(value, multiline=multiline) if unsafe.search(value) else None


class InvalidPost(DomainError):
    """A monitoring post that cannot be taken; `field` names what is wrong, `index` (set by
    whoever reads a batch) which post of the batch it is."""

    code = "invalid_post"

    def __init__(self, field: str, problem: str, index: int | None = None) -> None:
        self.field, self.problem, self.index = field, problem, index
        where = f"post {index}: " if index is not None else ""
        super().__init__(f"{where}{field}: {problem}")

    def at(self, index: int) -> InvalidPost:
        return InvalidPost(self.field, self.problem, index)

    @property
    def details(self) -> list[dict[str, Any]]:
        return [{"index": self.index, "field": self.field, "problem": self.problem}]


def _line(name: str, value: object, longest: int, *, required: bool = True) -> str | None:
    if value is None:
        if required:
            raise InvalidPost(name, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidPost(name, f"must be a string, not {type(value).__name__}")
    value = value.strip()
    if not value:
        if required:
            raise InvalidPost(name, "is empty")
        return None
    if len(value) > longest:
        raise InvalidPost(name, f"is {len(value)} characters long; at most {longest}")
    problem = _problem(value)
    if problem:
        raise InvalidPost(name, problem)
    return value


@dataclass(frozen=True)
class MonitoringPost:
    """One post found by monitoring. `platform`, `post_id`, `author` and `text` are required;
    `posted_at` (timezone-aware), `url` and `place` (free text, the location hint) optional."""

    platform: str
    post_id: str
    author: str
    text: str
    posted_at: datetime | None = None
    url: str | None = None
    place: str | None = None

    def __post_init__(self) -> None:
        platform = _line("platform", self.platform, MAX_PLATFORM_CHARS)
        object.__setattr__(self, "platform", (platform or "").casefold())
        object.__setattr__(self, "post_id", _line("post_id", self.post_id, MAX_ID_CHARS))
        author = _line("author", self.author, MAX_ID_CHARS) or ""
        if not author.lstrip("@"):
            raise InvalidPost("author", "is only '@'")
        object.__setattr__(self, "author", author)
        if not isinstance(self.text, str):
            raise InvalidPost("text", f"must be a string, not {type(self.text).__name__}")
        if not self.text.strip():
            raise InvalidPost("text", "is empty")
        if len(self.text) > MAX_TEXT_CHARS:
            raise InvalidPost(
                "text", f"is {len(self.text)} characters long; at most {MAX_TEXT_CHARS}"
            )
        problem = _problem(self.text, multiline=True)
        if problem:
            raise InvalidPost("text", problem)
        if self.posted_at is not None:
            if not isinstance(self.posted_at, datetime):
                raise InvalidPost("posted_at", "must be a time")
            problem = moment_problem(self.posted_at)
            if problem:
                raise InvalidPost("posted_at", problem)
        url = _line("url", self.url, MAX_URL_CHARS, required=False)
        if url is not None and not url.casefold().startswith(("http://", "https://")):
            raise InvalidPost("url", "must start with http:// or https://")
        object.__setattr__(self, "url", url)
        object.__setattr__(
            self, "place", _line("place", self.place, MAX_PLACE_CHARS, required=False)
        )

    @property
    def key(self) -> str:
        """What makes a post the same post twice (hashed before storage)."""
        return f"post:{self.platform}:{self.post_id}"

    @property
    def author_key(self) -> str:
        """The author on their platform (hashed before storage): the window's key. The same
        normalisation as an alert subject's account key (a leading @ and case ignored)."""
        return f"author:{self.platform}:{self.author.lstrip('@').casefold()}"

    @classmethod
    def from_mapping(cls, data: object) -> MonitoringPost:
        """A post from decoded JSON (an object with the fields above; others are ignored);
        `posted_at` as ISO 8601 with a timezone."""
        if not isinstance(data, Mapping):
            raise InvalidPost("post", f"must be a JSON object, not {_json_type(data)}")
        for name in REQUIRED:
            if name not in data or data[name] is None:
                raise InvalidPost(name, "is required")
        posted_at = data.get("posted_at")
        if posted_at is not None:
            posted_at = _moment(posted_at)
        return cls(
            platform=data["platform"],
            post_id=_identifier(data["post_id"]),
            author=data["author"],
            text=data["text"],
            posted_at=posted_at,
            url=data.get("url"),
            place=data.get("place"),
        )


def author_key(platform: str, author: str) -> str:
    """`MonitoringPost.author_key` of an author named elsewhere (an alert's subject handle)."""
    return f"author:{platform.strip().casefold()}:{author.strip().lstrip('@').casefold()}"


def _identifier(value: Any) -> Any:
    # platforms' post ids are often numbers in JSON; a number is taken as its decimal text
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


def _moment(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidPost("posted_at", f"must be an ISO 8601 string, not {_json_type(value)}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidPost(
            "posted_at", f"{value[:40]!r} is not an ISO 8601 time (e.g. 2026-11-28T09:15:00Z)"
        ) from None
    return moment


@dataclass(frozen=True)
class MonitoringPolicy:
    """What monitoring keeps and flags (LIFELINE_MONITORING_*)."""

    #: posts at or above this level, about their author or another person, become cases
    min_level: RiskLevel = RiskLevel.IDEATION
    #: how long an author's recent posts are kept after their last flagged post
    window: timedelta = timedelta(days=7)
    #: posts scored and stored per transaction
    batch_size: int = 500

    def flags(self, level: RiskLevel, subject: RiskSubject | None) -> bool:
        """Whether a readable post's reading makes a case: at or above the level, about the
        author (or a model that does not tell) or a particular other person; never news,
        memorials or advice to readers (`general`)."""
        return level.rank >= self.min_level.rank and subject is not RiskSubject.GENERAL


def parse_min_level(value: str) -> RiskLevel:
    """The level LIFELINE_MONITORING_MIN_LEVEL names; a ValueError lists the levels."""
    name = value.strip().casefold()
    if name not in LEVELS or name == RiskLevel.NONE:
        choices = ", ".join(level for level in LEVELS if level is not RiskLevel.NONE)
        raise ValueError(f"{value!r} is not a risk level to flag from (one of {choices})")
    return RiskLevel(name)


@dataclass(frozen=True)
class WindowPost:
    """One post of a flagged author's window, as the review reads it (decrypted)."""

    text: str
    url: str | None
    posted_at: datetime | None
    level: RiskLevel | None
    score: float | None
    subject: RiskSubject | None
    #: when monitoring took the post in
    seen_at: datetime
    #: whether this post made (or joined) a case
    flagged: bool = False


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did: `accepted` new posts (duplicates excluded), `duplicates` posts
    already taken (earlier, or twice in the same input), `flagged` posts that became alerts,
    and the cases they opened or joined (each once, in order)."""

    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    case_ids: tuple[int, ...] = field(default_factory=tuple)

    def __add__(self, other: IngestResult) -> IngestResult:
        cases = list(self.case_ids)
        cases.extend(c for c in other.case_ids if c not in cases)
        return IngestResult(
            self.accepted + other.accepted,
            self.duplicates + other.duplicates,
            self.flagged + other.flagged,
            tuple(cases),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "flagged": self.flagged,
            "case_ids": list(self.case_ids),
        }
