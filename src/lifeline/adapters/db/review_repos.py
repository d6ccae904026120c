"""The review of monitoring cases: its columns on `cases` (migration 0026), and the review
queue's read model (services/cases/ports.py)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from lifeline.adapters.db.assessments import CueSpan, cue_spans
from lifeline.adapters.db.tables import aad, alerts, cases, ids_in, risk_assessments
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.review import DismissReason, Review, ReviewState
from lifeline.domain.risk import AssessmentSource, RiskSubject, known_level, known_risk_subject
from lifeline.services.cases.ports import ReviewItem, ReviewPost
from lifeline.services.ports import Cipher

_NOTE = aad(cases, "review_note_enc")
_PENDING = (cases.c.review_state == ReviewState.PENDING.value) & (
    cases.c.status == CaseStatus.RECEIVED.value
)


def review_columns(keys: Cipher, review: Review | None) -> dict[str, Any]:
    """A case's review as the values of its columns (all NULL: not a monitoring case)."""
    if review is None:
        return dict.fromkeys(
            ("review_state", "reviewed_by", "reviewed_at", "review_reason", "review_subject"),
            None,
        ) | {"review_note_enc": None}
    return {
        "review_state": review.state.value,
        "reviewed_by": review.by,
        "reviewed_at": review.at,
        "review_reason": review.reason.value if review.reason else None,
        "review_note_enc": keys.encrypt(review.note, _NOTE),
        "review_subject": review.subject.value if review.subject else None,
    }


def review_of(keys: Cipher, row: Row[Any]) -> Review | None:
    """The review a `cases` row holds (None: not a monitoring case)."""
    if row.review_state is None:
        return None
    return Review(
        ReviewState(row.review_state),
        row.reviewed_by,
        row.reviewed_at,
        DismissReason(row.review_reason) if row.review_reason else None,
        keys.decrypt(row.review_note_enc, _NOTE),
        known_risk_subject(row.review_subject),
    )


class SqlReviewReads:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def pending_count(self) -> int:
        return int(self.conn.execute(select(func.count()).where(_PENDING)).scalar_one())

    def pending_order(self) -> list[tuple[int, str | None, datetime]]:
        newest = func.max(func.coalesce(alerts.c.posted_at, alerts.c.received_at))
        rows = self.conn.execute(
            select(cases.c.id, cases.c.risk_level, newest)
            .join(alerts, alerts.c.case_id == cases.c.id)
            .where(_PENDING)
            .group_by(cases.c.id, cases.c.risk_level)
        ).all()
        return [(case_id, level, at) for case_id, level, at in rows]

    def items(self, case_ids: list[int]) -> list[ReviewItem]:
        if not case_ids:
            return []
        found = self.conn.execute(
            select(cases.c.id, cases.c.opened_at, cases.c.risk_level, cases.c.platform).where(
                ids_in(self.conn, cases.c.id, case_ids)
            )
        ).all()
        posts = self._posts(case_ids)
        readings = self._readings(case_ids)
        items = []
        for case_id, opened, level, platform in found:
            mine = sorted(posts.get(case_id, []), key=lambda p: (p[0].when, p[0].alert_id or 0))
            handle = next((h for _, h, _ in reversed(mine) if h), None)
            place = next((pl for _, _, pl in reversed(mine) if pl), None)
            shown = tuple(
                _read(post, readings.get(post.alert_id or 0)) for post, _, _ in reversed(mine)
            )
            items.append(ReviewItem(case_id, opened, level, platform, handle, place, shown))
        return items

    def decided(self) -> list[tuple[int, Review]]:
        rows = self.conn.execute(
            select(cases)
            .where(cases.c.review_state.in_([ReviewState.ESCALATED, ReviewState.DISMISSED]))
            .order_by(cases.c.reviewed_at, cases.c.id)
        ).all()
        out = []
        for row in rows:
            review = review_of(self.keys, row)
            if review is not None:
                out.append((row.id, review))
        return out

    # -- reads -----------------------------------------------------------------------------
    def _posts(self, ids: list[int]) -> dict[int, list[tuple[ReviewPost, str | None, str | None]]]:
        """Per case, each alert's post with the author's handle and the place it gave."""
        rows = self.conn.execute(
            select(
                alerts.c.id,
                alerts.c.case_id,
                alerts.c.received_at,
                alerts.c.posted_at,
                alerts.c.extracted_enc,
            ).where(ids_in(self.conn, alerts.c.case_id, ids))
        ).all()
        context = aad(alerts, "extracted_enc")
        out: dict[int, list[tuple[ReviewPost, str | None, str | None]]] = {}
        for alert_id, case_id, received, posted, sealed in rows:
            data = json.loads(self.keys.decrypt(sealed, context) or "{}")
            post, place = data.get("post") or {}, data.get("location") or {}
            where = place.get("text") or place.get("approximate") or place.get("ip_city")
            out.setdefault(case_id, []).append(
                (
                    ReviewPost(alert_id, received, posted, post.get("text"), post.get("url")),
                    (data.get("subject") or {}).get("handle"),
                    where,
                )
            )
        return out

    def _readings(self, ids: list[int]) -> dict[int, _Reading]:
        """The model's latest reading of each readable alert of these cases."""
        rows = self.conn.execute(
            select(
                risk_assessments.c.alert_id,
                risk_assessments.c.level,
                risk_assessments.c.score,
                risk_assessments.c.cues_enc,
                risk_assessments.c.unreadable,
                risk_assessments.c.subject,
            )
            .where(
                ids_in(self.conn, risk_assessments.c.case_id, ids),
                risk_assessments.c.source == AssessmentSource.MODEL.value,
            )
            .order_by(risk_assessments.c.at, risk_assessments.c.id)
        ).all()
        latest = {row.alert_id: row for row in rows if row.alert_id is not None}
        out: dict[int, _Reading] = {}
        for alert_id, row in latest.items():
            if row.unreadable:
                continue
            cues = cue_spans(self.keys, row.cues_enc)
            level = known_level(row.level)
            subject = known_risk_subject(row.subject)
            out[alert_id] = (level.value if level else None, row.score, cues, subject)
        return out


#: the model's reading of one post: level, score, cues, subject
_Reading = tuple[str | None, float | None, tuple[CueSpan, ...], RiskSubject | None]


def _read(post: ReviewPost, reading: _Reading | None) -> ReviewPost:
    if reading is None:
        return post
    level, score, cues, subject = reading
    return ReviewPost(
        post.alert_id,
        post.received_at,
        post.posted_at,
        post.text,
        post.url,
        level,
        score,
        cues,
        subject.value if subject else None,
    )
