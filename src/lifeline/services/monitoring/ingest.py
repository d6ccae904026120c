"""Taking in the monitoring stream: posts in batches, each batch deduplicated, scored in one
call, and stored in one transaction.

Per batch: posts already taken (earlier, by a concurrent consumer, or twice in this input) are
counted as duplicates and nothing more; the others are scored; a post at or above the policy's
level (about its author or another person) becomes a `monitoring` alert, opening a case or
joining the author's open one, with the model's reading stored as the triage job would store it
(so it is not scored twice); the case waits for an operator (routing never dispatches a
monitoring case by itself: services/dispatch/routing.py). Of every other post only a keyed hash
of its id is kept, except that an author with a flagged post keeps an encrypted window of their
recent posts for the review (`author_window`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice

from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, PostKind, Subject
from lifeline.domain.model import Actor
from lifeline.domain.monitoring import IngestResult, MonitoringPolicy, MonitoringPost, WindowPost
from lifeline.domain.readability import unreadable_reason
from lifeline.domain.risk import RiskResult
from lifeline.services.context import Context
from lifeline.services.intake.alerts import ReceiveAlert, Replay, take_alert
from lifeline.services.job_types import AlertJob, JobKind
from lifeline.services.monitoring.ports import BatchClassifier, WindowEntry
from lifeline.services.ports import ConcurrentWrite, UnitOfWork
from lifeline.services.triage.assessment import InvalidTriage, assess_risk
from lifeline.services.triage.ports import RiskClassifier

#: who takes posts in when no partner sent them (the CLI, a bus consumer)
MONITOR = Actor("system", "monitoring")


@dataclass(frozen=True)
class _Reading:
    """A RiskClassifier that answers with a reading already made: the triage job's own code
    stores a flagged post's assessment exactly as it would, without scoring the post again."""

    result: RiskResult

    @property
    def version(self) -> str:
        return self.result.model_version

    def classify(self, text: str) -> RiskResult:
        return self.result


def batches(posts: Iterable[MonitoringPost], size: int) -> Iterator[list[MonitoringPost]]:
    it = iter(posts)
    while chunk := list(islice(it, size)):
        yield chunk


def ingest_posts(
    ctx: Context,
    posts: Iterable[MonitoringPost],
    *,
    actor: Actor = MONITOR,
    partner_id: int | None = None,
    signature: str | None = None,
    progress: Callable[[IngestResult], None] | None = None,
) -> IngestResult:
    """Take in posts, in batches of the policy's size, one transaction each (a batch is all
    stored or not at all). `signature` (a signed partner request) is remembered with the first
    batch: a replay is refused (`Replay`) before anything is stored. `progress` is told the
    running totals after each batch. `posts` may be a generator: memory stays one batch."""
    policy = ctx.config.monitoring
    total = IngestResult()
    for chunk in batches(posts, policy.batch_size):
        total += _ingest_batch(ctx, chunk, actor, partner_id, signature)
        signature = None
        if progress is not None:
            progress(total)
    if signature is not None and partner_id is not None:
        _remember_signature(ctx, partner_id, signature)  # an empty request is signed too
    return total


def _remember_signature(ctx: Context, partner_id: int, signature: str) -> None:
    with ctx.uow() as uow:
        _remember(uow, partner_id, signature, ctx.clock.now())
        uow.commit()


def _remember(uow: UnitOfWork, partner_id: int, signature: str, now: datetime) -> None:
    """Remember a signed request's signature; Replay if it was used before."""
    if not uow.signatures.remember(partner_id, signature, now):
        raise Replay("this signature was already used; send a new timestamp and signature")


def score(classifier: RiskClassifier | None, posts: Sequence[MonitoringPost]) -> list[RiskResult]:
    """The model's reading of each post (one call for the readable ones); a post it cannot
    read (only a link, emoji) gets that reason and no level."""
    if classifier is None:
        raise InvalidTriage("no triage model is configured")
    readings: list[RiskResult | None] = []
    readable: list[str] = []
    for post in posts:
        reason = unreadable_reason(post.text)
        if reason is None:
            readable.append(post.text.strip())
            readings.append(None)
        else:
            readings.append(RiskResult.could_not_read(reason, classifier.version))
    if isinstance(classifier, BatchClassifier):
        scored = iter(classifier.classify_many(readable))
    else:
        scored = iter([classifier.classify(text) for text in readable])
    return [reading if reading is not None else next(scored) for reading in readings]


def _ingest_batch(
    ctx: Context,
    posts: list[MonitoringPost],
    actor: Actor,
    partner_id: int | None,
    signature: str | None,
) -> IngestResult:
    firsts: dict[str, MonitoringPost] = {}
    for post in posts:
        firsts.setdefault(post.key, post)
    # a read first, so posts taken earlier are not scored again (a retried request)
    with ctx.uow(readonly=True) as uow:
        unseen = uow.monitoring.unseen(list(firsts))
    fresh = [post for key, post in firsts.items() if key in unseen]
    readings = score(ctx.classifier, fresh)
    attempts = 3
    while True:
        attempts -= 1
        try:
            with ctx.uow() as uow:
                result = _store_batch(ctx, uow, fresh, readings, actor, partner_id, signature)
                uow.commit()
        except ConcurrentWrite:
            if attempts == 0:
                raise
            continue
        return replace(result, duplicates=len(posts) - result.accepted)


def _store_batch(
    ctx: Context,
    uow: UnitOfWork,
    fresh: list[MonitoringPost],
    readings: list[RiskResult],
    actor: Actor,
    partner_id: int | None,
    signature: str | None,
) -> IngestResult:
    policy = ctx.config.monitoring
    now = ctx.clock.now()
    if signature is not None and partner_id is not None:
        _remember(uow, partner_id, signature, now)
    # sorted: concurrent batches insert shared keys in the same order (no deadlock)
    taken = uow.monitoring.mark_seen(sorted(p.key for p in fresh), now)
    new = [(p, r) for p, r in zip(fresh, readings, strict=True) if p.key in taken]
    flagged = [(p, r) for p, r in new if r.readable and policy.flags(r.level, r.subject)]
    flagged_authors = {p.author_key for p, _ in flagged}
    others = sorted({p.author_key for p, _ in new} - flagged_authors)
    until = uow.monitoring.open_windows(others, now) if others else {}
    until.update(dict.fromkeys(flagged_authors, now + policy.window))
    case_ids: list[int] = []
    if flagged:
        intake = _intake_context(ctx, policy)
        for post, reading in flagged:
            case_id = _open_or_join(ctx, intake, uow, post, reading, actor, partner_id, now)
            if case_id not in case_ids:
                case_ids.append(case_id)
    flagged_ids = {id(p) for p, _ in flagged}
    entries = [
        WindowEntry(p.author_key, _window_post(p, r, now, id(p) in flagged_ids))
        for p, r in new
        if p.author_key in until
    ]
    if entries:
        uow.monitoring.keep(entries, until)
    forgotten = uow.monitoring.forget_expired(now)
    uow.audit.append(
        at=now,
        actor=str(actor),
        action="monitoring.batch_ingested",
        case_id=None,
        details={
            "accepted": len(new),
            "duplicates": len(fresh) - len(new),
            "flagged": len(flagged),
            "windowed": len(entries),
            "window_posts_expired": forgotten,
            "case_ids": case_ids,
        },
    )
    return IngestResult(len(new), 0, len(flagged), tuple(case_ids))


def _intake_context(ctx: Context, policy: MonitoringPolicy) -> Context:
    """Intake as for any alert, but: an author's flagged post joins their case while it is
    open and they keep posting within the window (not only within the platform merge window),
    and the triage job is not queued (the reading is stored at once)."""
    config = ctx.config
    return replace(
        ctx,
        config=replace(
            config,
            merge_window=max(config.merge_window, policy.window),
            alert_jobs=tuple(k for k in config.alert_jobs if k is not JobKind.ASSESS_RISK),
        ),
    )


def _open_or_join(
    ctx: Context,
    intake: Context,
    uow: UnitOfWork,
    post: MonitoringPost,
    reading: RiskResult,
    actor: Actor,
    partner_id: int | None,
    now: datetime,
) -> int:
    alert = Alert(
        source=AlertSource.MONITORING,
        received_at=now,
        raw_payload=json.dumps(_payload(post), ensure_ascii=False).encode(),
        raw_content_type="application/json",
        platform=post.platform,
        reference=post.post_id,
        received_via="monitoring",
        subject=Subject(handle=post.author),
        post=Post(post.text, post.url, post.posted_at, PostKind.TEXT),
        location=LocationHint(text=post.place),
        partner_id=partner_id,
    )
    receipt = take_alert(intake, uow, ReceiveAlert(alert, actor))
    assess_risk(
        replace(ctx, classifier=_Reading(reading)), uow, AlertJob(receipt.alert_id, receipt.case_id)
    )
    return receipt.case_id


def _payload(post: MonitoringPost) -> dict[str, str | None]:
    return {
        "platform": post.platform,
        "post_id": post.post_id,
        "author": post.author,
        "text": post.text,
        "posted_at": post.posted_at.isoformat() if post.posted_at else None,
        "url": post.url,
        "place": post.place,
    }


def _window_post(
    post: MonitoringPost, reading: RiskResult, now: datetime, flagged: bool
) -> WindowPost:
    return WindowPost(
        text=post.text,
        url=post.url,
        posted_at=post.posted_at,
        level=reading.level if reading.readable else None,
        score=round(reading.score, 4) if reading.readable else None,
        subject=reading.subject if reading.readable else None,
        seen_at=now,
        flagged=flagged,
    )
