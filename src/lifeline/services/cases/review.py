"""The review queue (issue 19): cases the SMC's own monitoring found wait here for a person
(DESIGN.md §1, principle 3: a model score never sends police by itself). One click escalates a
case into a dispatchable one (an operator's assessment at the level chosen; it joins the live
queue) or dismisses it with a reason (it leaves the queues as dismissed). Both are audited, and
both become labelled examples for `model train --with-feedback`
(services/triage/assessment.py, `feedback_examples`).

Order: level, highest first (an unassessed case counts as the highest, as on the live queue),
then the newest post first: a fresh post of a person at risk is the one to read now.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lifeline.domain.access import Permission
from lifeline.domain.floor import score_band
from lifeline.domain.model import Actor, Case
from lifeline.domain.monitoring import WindowPost, author_key
from lifeline.domain.review import (
    DismissReason,
    InvalidReview,
    parse_escalation_subject,
    parse_reason,
)
from lifeline.domain.risk import (
    AssessmentSource,
    RiskAssessment,
    RiskLevel,
    RiskSubject,
    known_level,
)
from lifeline.services.access.authorisation import enforce_case, may, require
from lifeline.services.cases.ports import ReviewItem, ReviewPost
from lifeline.services.context import Context
from lifeline.services.job_types import CaseJob, JobKind, enqueue
from lifeline.services.monitoring.window import newest_first
from lifeline.services.ports import UnitOfWork
from lifeline.services.triage.assessment import model_level_for, parse_level

#: rows shown at once (the tab's badge counts them all)
PAGE_SIZE = 100
_UNASSESSED_RANK = RiskLevel.IMMINENT.rank + 1


@dataclass(frozen=True)
class ReviewRow:
    """One monitoring case as the review queue shows it."""

    item: ReviewItem
    #: the post that set the level (the model's riskiest reading; the newest if none)
    post: ReviewPost
    #: the author's other recent posts, newest first
    others: tuple[ReviewPost, ...]

    @property
    def case_id(self) -> int:
        return self.item.case_id

    @property
    def level(self) -> str | None:
        return self.item.risk_level

    @property
    def subject(self) -> str | None:
        """Whose risk the level is, as the model read the shown post (self, other, general;
        None: it did not say)."""
        return self.post.subject

    @property
    def about_someone_else(self) -> bool:
        return self.post.subject == RiskSubject.OTHER.value

    @property
    def band(self) -> str | None:
        return score_band(self.post.score)


@dataclass(frozen=True)
class ReviewQueue:
    rows: list[ReviewRow]
    #: every case waiting for review (the rows are the first PAGE_SIZE)
    pending: int


def _rank(level: str | None) -> int:
    known = known_level(level)
    return known.rank if known is not None else _UNASSESSED_RANK


def review_queue(ctx: Context, actor: Actor, *, limit: int = PAGE_SIZE) -> ReviewQueue:
    """Monitoring cases waiting for review, the highest level first, then the newest post;
    each with the author's other recent posts (the window monitoring keeps, else the case's
    other flagged posts). The read is audited: one record naming the cases shown."""
    require(actor, Permission.CASE_MANAGE)
    now = ctx.clock.now()
    with ctx.uow(readonly=True) as uow:
        order = uow.reviews.pending_order()
        order.sort(key=lambda o: (-_rank(o[1]), -o[2].timestamp(), -o[0]))
        ids = [case_id for case_id, _, _ in order[:limit]]
        found = {item.case_id: item for item in uow.reviews.items(ids)}
        # the author's window as services/monitoring/window.py reads it, for every row in
        # this one transaction (author_window opens one per case: 100 rows took 270 ms)
        windows = {
            case_id: uow.monitoring.window([author_key(item.platform, item.handle)], now)
            if item.handle
            else []
            for case_id, item in found.items()
        }
    rows = [
        _with_window(_row(found[case_id]), windows[case_id]) for case_id in ids if case_id in found
    ]
    if rows and actor.kind == "user":
        with ctx.uow() as uow:
            uow.audit.append(
                at=ctx.clock.now(),
                actor=str(actor),
                action="monitoring.review_read",
                case_id=None,
                details={"case_ids": [row.case_id for row in rows]},
            )
            uow.commit()
    return ReviewQueue(rows, len(order))


def _with_window(row: ReviewRow, window: list[WindowPost]) -> ReviewRow:
    """The row with the author's recent posts from monitoring's window, newest first, when
    it is open (else the case's other flagged posts stay)."""
    if not window:
        return row
    shown = row.post
    others = tuple(
        ReviewPost(
            None,
            post.seen_at,
            post.posted_at,
            post.text,
            post.url,
            post.level.value if post.level else None,
            post.score,
            (),
            post.subject.value if post.subject else None,
        )
        for post in newest_first(window)
        if not (post.text == shown.text and post.posted_at == shown.posted_at)
    )
    return replace(row, others=others)


def pending_reviews(ctx: Context, actor: Actor) -> int | None:
    """How many cases wait for review (None: this person does not review)."""
    if actor.kind != "user" or not may(actor, Permission.CASE_MANAGE):
        return None
    with ctx.uow(readonly=True) as uow:
        return uow.reviews.pending_count()


def _row(item: ReviewItem) -> ReviewRow:
    posts = item.posts
    read = [p for p in posts if p.level is not None]
    shown = max(read, key=lambda p: (_rank(p.level), p.score or 0.0, p.when)) if read else posts[0]
    return ReviewRow(item, shown, tuple(p for p in posts if p is not shown))


def _shown_alert(uow: UnitOfWork, case_id: int) -> int | None:
    """The alert whose post the review queue shows for this case (what was judged)."""
    found = uow.reviews.items([case_id])
    if not found or not found[0].posts:
        return None
    return _row(found[0]).post.alert_id


def escalate(
    ctx: Context,
    case_id: int,
    principal: Actor,
    level: str | None = None,
    note: str | None = None,
    *,
    subject: str | None = None,
) -> Case:
    """Turn a monitoring case into a dispatchable one: the review is escalated, an operator's
    assessment at `level` (default: the case's level) about the author (`self`) or someone
    else (`other`) is recorded, and the case joins the live queue. Its dispatch clock starts
    now: the SMC is alarmed if nobody dispatches it within its level's deadline."""
    about = parse_escalation_subject(subject)
    with ctx.uow() as uow:
        enforce_case(ctx, uow, principal, case_id, Permission.CASE_MANAGE)
        case = uow.cases.get(case_id, for_update=True)
        chosen = parse_level(level) if level else case.risk_level
        if chosen is None:
            raise InvalidReview("the case has no level yet: choose one to escalate it")
        now = ctx.clock.now()
        case.escalate_review(now, principal, about, note)
        target = _shown_alert(uow, case_id)
        model_level = model_level_for(uow, case_id, target)
        assessment = uow.assessments.add(
            RiskAssessment(
                case_id=case_id,
                level=chosen,
                assessed_by=str(principal),
                at=now,
                source=AssessmentSource.OPERATOR,
                alert_id=target,
                note=(note or "").strip() or None,
                subject=about,
            )
        )
        case.mark_triaged(now, chosen, principal)
        uow.cases.save(case)
        enqueue(
            uow.jobs,
            JobKind.CHECK_DISPATCH_DEADLINE,
            CaseJob(case_id),
            now=now,
            case_id=case_id,
            run_at=now + ctx.config.dispatch_deadline.for_level(chosen),
        )
        uow.audit.append(
            at=now,
            actor=str(principal),
            action="case.review_escalated",
            case_id=case_id,
            details={
                "assessment_id": assessment.id,
                "level": chosen.value,
                "subject": about.value,
                "model_level": model_level.value if model_level else None,
            },
        )
        uow.commit()
        return case


def dismiss(
    ctx: Context, case_id: int, principal: Actor, reason: str, note: str | None = None
) -> Case:
    """Dismiss a monitoring case with a reason (`DismissReason`; `other` needs a note): it
    leaves the queues as dismissed, and its posts become labelled examples."""
    why: DismissReason = parse_reason(reason)
    with ctx.uow() as uow:
        enforce_case(ctx, uow, principal, case_id, Permission.CASE_MANAGE)
        case = uow.cases.get(case_id, for_update=True)
        now = ctx.clock.now()
        case.dismiss_review(now, principal, why, note)
        uow.cases.save(case)
        # nothing about a dismissed case is left to alarm the desk about
        uow.dispatches.clear_alarms(case_id, now, str(principal))
        uow.audit.append(
            at=now,
            actor=str(principal),
            action="case.review_dismissed",
            case_id=case_id,
            details={"reason": why.value, "from": "received", "to": case.status.value},
        )
        uow.commit()
        return case
