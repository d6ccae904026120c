"""Reads of the review queue (`GET /api/v1/monitoring/review`) and of a review decision, for SMC
staff who manage cases: what `services/cases/review.py` returns, as the API documents it."""

from typing import Self

from pydantic import Field

from lifeline.domain.floor import score_band
from lifeline.domain.model import Case
from lifeline.domain.review import DismissReason, ReviewState
from lifeline.domain.risk import RiskSubject
from lifeline.services.cases.ports import ReviewPost
from lifeline.services.cases.review import ReviewQueue, ReviewRow
from lifeline.services.read_model import ReadModel, Timestamp


class CueRead(ReadModel):
    """A span of the post the model read as a cue (offsets index the post's text)."""

    tag: str
    text: str
    start: int
    end: int


class ReviewPostRead(ReadModel):
    """One post of the author, with the model's reading of it."""

    alert_id: int | None = Field(description="the alert, for a flagged post; null: window post")
    posted_at: Timestamp = Field(description="when it was posted (received, if not said)")
    text: str | None
    url: str | None
    level: str | None = Field(description="the model's level; null: not read")
    score_band: str | None = Field(description="low, moderate, elevated or high")
    subject: RiskSubject | None = Field(description="whose risk the level is, as the model says")
    cues: list[CueRead]

    @classmethod
    def of(cls, post: ReviewPost) -> Self:
        return cls(
            alert_id=post.alert_id,
            posted_at=post.when,
            text=post.text,
            url=post.url,
            level=post.level,
            score_band=score_band(post.score),
            subject=RiskSubject(post.subject) if post.subject else None,
            cues=[CueRead(tag=t, text=x, start=s, end=e) for t, x, s, e in post.cues],
        )


class ReviewRowRead(ReadModel):
    """A monitoring case waiting for review."""

    case_id: int
    level: str | None = Field(description="the case's level (null: not yet assessed)")
    subject: RiskSubject | None = Field(
        description="self, other (about someone else: the person to find is not the author) "
        "or general, as the model read the post shown"
    )
    about_someone_else: bool
    score_band: str | None
    platform: str
    author_handle: str | None
    place_hint: str | None
    opened_at: Timestamp
    post: ReviewPostRead = Field(description="the post that set the level")
    other_posts: list[ReviewPostRead] = Field(description="the author's other recent posts")

    @classmethod
    def of(cls, row: ReviewRow) -> Self:
        return cls(
            case_id=row.case_id,
            level=row.level,
            subject=RiskSubject(row.subject) if row.subject else None,
            about_someone_else=row.about_someone_else,
            score_band=row.band,
            platform=row.item.platform,
            author_handle=row.item.handle,
            place_hint=row.item.place,
            opened_at=row.item.opened_at,
            post=ReviewPostRead.of(row.post),
            other_posts=[ReviewPostRead.of(p) for p in row.others],
        )


class ReviewQueueRead(ReadModel):
    """The review queue: the highest level first, then the newest post."""

    pending: int = Field(description="every case waiting for review")
    rows: list[ReviewRowRead] = Field(description="the first of them, in order")

    @classmethod
    def of(cls, queue: ReviewQueue) -> Self:
        return cls(pending=queue.pending, rows=[ReviewRowRead.of(r) for r in queue.rows])


class ReviewDecisionRead(ReadModel):
    """A case after its review: escalated (dispatchable) or dismissed."""

    case_id: int
    status: str
    review_state: ReviewState
    reviewed_by: str | None
    reviewed_at: Timestamp | None
    reason: DismissReason | None
    subject: RiskSubject | None
    level: str | None

    @classmethod
    def of(cls, case: Case) -> Self:
        assert case.id is not None and case.review is not None, "a reviewed monitoring case"
        review = case.review
        return cls(
            case_id=case.id,
            status=case.status.value,
            review_state=review.state,
            reviewed_by=review.by,
            reviewed_at=review.at,
            reason=review.reason,
            subject=review.subject,
            level=case.risk_level.value if case.risk_level else None,
        )
