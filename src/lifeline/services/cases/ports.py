"""Ports of the cases feature: the review queue's read model (monitoring cases waiting for an
operator, built in a few queries for all of them, never one per case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lifeline.domain.review import Review


@dataclass(frozen=True)
class ReviewPost:
    """One post of a monitoring case's author, with the model's reading of it (decrypted):
    a flagged post (an alert of the case) or one from the author's window (`alert_id` None)."""

    alert_id: int | None
    received_at: datetime
    posted_at: datetime | None
    text: str | None
    url: str | None
    #: the model's level, score and cues (tag, text, start, end) for this post; None: unread
    level: str | None = None
    score: float | None = None
    cues: tuple[tuple[str, str, int, int], ...] = ()
    #: whose risk the model says the level is (self / other / general); None: it did not say
    subject: str | None = None

    @property
    def when(self) -> datetime:
        """When it was posted (when it was received, if the platform did not say)."""
        return self.posted_at or self.received_at


@dataclass(frozen=True)
class ReviewItem:
    """A monitoring case waiting for review: its level, the author and place the posts gave,
    and its flagged posts, newest first."""

    case_id: int
    opened_at: datetime
    risk_level: str | None
    platform: str
    handle: str | None
    place: str | None
    posts: tuple[ReviewPost, ...]


class ReviewReads(Protocol):
    """The review queue and the reviews decided."""

    def pending_count(self) -> int:
        """How many cases wait for review (the console's tab badge)."""
        ...

    def pending_order(self) -> list[tuple[int, str | None, datetime]]:
        """Every case waiting for review: (case id, level, its newest post's time)."""
        ...

    def items(self, case_ids: list[int]) -> list[ReviewItem]:
        """Those cases with their flagged posts (any order)."""
        ...

    def decided(self) -> list[tuple[int, Review]]:
        """(case id, review) of every review decided, oldest first."""
        ...
