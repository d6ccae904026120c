"""Console repositories: the live queue's and the map's read models, and which districts a case
belongs to (sessions and profiles: sessions.py)."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterable
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select

from lifeline.adapters.db.assessments import CueSpan, cue_spans
from lifeline.adapters.db.tables import (
    aad,
    alerts,
    case_districts,
    cases,
    ids_in,
    location_resolutions,
    risk_assessments,
    timeline,
)
from lifeline.domain.lifecycle import OPEN_STATES, CaseStatus
from lifeline.domain.review import ReviewState
from lifeline.domain.risk import AssessmentSource, known_level
from lifeline.services.console.ports import MapItem, QueueItem
from lifeline.services.ports import Cipher

#: the statuses of a case still being responded to, as stored
OPEN = tuple(s.value for s in CaseStatus if s in OPEN_STATES)
#: a monitoring find joins the live queue once a person escalates it (the review queue first)
_NOT_WAITING_FOR_REVIEW = or_(
    cases.c.review_state.is_(None), cases.c.review_state != ReviewState.PENDING.value
)
#: timeline entries the queue reads for its place and notified columns
PLACE_KINDS = ("located", "location_review", "location_conflict", "dispatched")


class SqlConsoleReads:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    # -- the live queue --------------------------------------------------------------------
    def open_queue(
        self, *, case_ids: set[int] | None, trace_only: bool, limit: int
    ) -> list[QueueItem]:
        # only the columns the queue shows: every timestamp costs a conversion per row
        query = (
            select(
                cases.c.id,
                cases.c.status,
                cases.c.platform,
                cases.c.risk_level,
                cases.c.opened_at,
                cases.c.last_alert_at,
                cases.c.alert_count,
                cases.c.acknowledged_at,
                cases.c.dispatched_at,
                cases.c.trace_requested_at,
                cases.c.drill,
                cases.c.on_scene_at,
                # the milestone notify.py sets at the first message of a dispatch delivered
                cases.c.first_delivered_at,
            )
            .where(cases.c.status.in_(OPEN), _NOT_WAITING_FOR_REVIEW)
            .order_by(cases.c.opened_at)
        )
        if case_ids is not None:
            if not case_ids:
                return []
            query = query.where(ids_in(self.conn, cases.c.id, sorted(case_ids)))
        if trace_only:
            query = query.where(cases.c.trace_requested_at.is_not(None))
        rows = self.conn.execute(query.limit(limit)).all()
        if not rows:
            return []
        ids = [r[0] for r in rows]
        latest = self._latest_alerts(ids)
        places, units = self._placed_and_sent(ids)
        assessed = self._model_assessments(ids)
        unverified = self._unverified_senders(ids)
        items = []
        # rows unpacked as tuples: a Row's attribute access costs ~0.3 us, 5,000 of them here
        for (
            case_id,
            status,
            platform,
            level,
            opened,
            last,
            count,
            acked,
            sent,
            traced,
            drill,
            scene,
            delivered,
        ) in rows:
            source, kind, text = latest.get(case_id, ("", "text", None))
            score, cues = assessed.get(case_id, (None, ()))
            items.append(
                QueueItem(
                    case_id=case_id,
                    status=status,
                    platform=platform,
                    source=source,
                    risk_level=level,
                    opened_at=opened,
                    last_alert_at=last,
                    alert_count=count,
                    acknowledged_at=acked,
                    dispatched_at=sent,
                    trace_requested_at=traced,
                    post_text=text,
                    post_kind=kind,
                    place=places.get(case_id, (None, None, False))[0],
                    place_candidate=places.get(case_id, (None, None, False))[1],
                    place_conflict=places.get(case_id, (None, None, False))[2],
                    units=tuple(units.get(case_id, ())),
                    score=score,
                    cues=cues,
                    sender_verified=case_id not in unverified,
                    sender_verification=unverified.get(case_id, ""),
                    drill=bool(drill),
                    first_delivered_at=delivered,
                    on_scene_at=scene,
                )
            )
        return items

    def _unverified_senders(self, ids: list[int]) -> dict[int, str]:
        """Cases none of whose alerts has a verified sender, with why the latest has not."""
        rows = self.conn.execute(
            select(alerts.c.case_id, alerts.c.sender_verified, alerts.c.sender_verification)
            .where(ids_in(self.conn, alerts.c.case_id, ids))
            .order_by(alerts.c.received_at, alerts.c.id)
        ).all()
        verified = {case_id for case_id, ok, _ in rows if ok}
        return {case_id: how for case_id, ok, how in rows if case_id not in verified}

    # -- the map ---------------------------------------------------------------------------
    def map_items(
        self, *, case_ids: set[int] | None, outcomes_since: datetime, limit: int
    ) -> list[MapItem]:
        query = (
            select(
                cases.c.id,
                cases.c.status,
                cases.c.risk_level,
                cases.c.opened_at,
                cases.c.outcome,
                cases.c.outcome_at,
            )
            .where(or_(cases.c.status.in_(OPEN), cases.c.outcome_at >= outcomes_since))
            .order_by(cases.c.opened_at, cases.c.id)
        )
        if case_ids is not None:
            if not case_ids:
                return []
            query = query.where(cases.c.id.in_(sorted(case_ids)))
        rows = self.conn.execute(query.limit(limit)).all()
        where = self._coordinates([r.id for r in rows]) if rows else {}
        return [
            MapItem(
                r.id, r.status, r.risk_level, r.opened_at, r.outcome, r.outcome_at, where.get(r.id)
            )
            for r in rows
        ]

    def _coordinates(self, ids: list[int]) -> dict[int, tuple[float, float]]:
        """(lat, lon) of the newest alert of each case that gave coordinates."""
        found: dict[int, tuple[float, float]] = {}
        for start in range(0, len(ids), 500):  # bounded IN lists
            rows = self.conn.execute(
                select(alerts.c.case_id, alerts.c.extracted_enc)
                .where(alerts.c.case_id.in_(ids[start : start + 500]))
                .order_by(alerts.c.received_at.desc(), alerts.c.id.desc())
            ).all()
            for row in rows:
                if row.case_id in found:
                    continue
                data = json.loads(
                    self.keys.decrypt(row.extracted_enc, aad(alerts, "extracted_enc")) or "{}"
                )
                place = data.get("location") or {}
                lat, lon = place.get("lat"), place.get("lon")
                if isinstance(lat, int | float) and isinstance(lon, int | float):
                    found[row.case_id] = (float(lat), float(lon))
        return found

    def _latest_alerts(self, ids: list[int]) -> dict[int, tuple[str, str, str | None]]:
        rows = self.conn.execute(
            select(alerts.c.case_id, alerts.c.source, alerts.c.post_kind, alerts.c.extracted_enc)
            .where(ids_in(self.conn, alerts.c.case_id, ids))
            .order_by(alerts.c.received_at, alerts.c.id)
        ).all()
        newest: dict[int, tuple[str, str, str]] = {}
        for case_id, source, kind, sealed in rows:
            newest[case_id] = (source, kind, sealed)  # ordered by time: the last one wins
        out: dict[int, tuple[str, str, str | None]] = {}
        context = aad(alerts, "extracted_enc")
        for case_id, (source, kind, sealed) in newest.items():
            data = json.loads(self.keys.decrypt(sealed, context) or "{}")
            out[case_id] = (source, kind, (data.get("post") or {}).get("text"))
        return out

    def _model_assessments(
        self, ids: list[int]
    ) -> dict[int, tuple[float | None, tuple[CueSpan, ...]]]:
        """Per case, the riskiest model assessment (level, then score): one query, and only
        the chosen rows' cues decrypted."""
        rows = self.conn.execute(
            select(
                risk_assessments.c.case_id,
                risk_assessments.c.level,
                risk_assessments.c.score,
                risk_assessments.c.cues_enc,
            ).where(
                ids_in(self.conn, risk_assessments.c.case_id, ids),
                risk_assessments.c.source == AssessmentSource.MODEL.value,
            )
        ).all()
        best: dict[int, Any] = {}
        for row in rows:
            level = known_level(row.level)
            rank = (level.rank if level is not None else -1, row.score or 0.0)
            if row.case_id not in best or rank > best[row.case_id][0]:
                best[row.case_id] = (rank, row)
        out: dict[int, tuple[float | None, tuple[CueSpan, ...]]] = {}
        for case_id, (_, row) in best.items():
            out[case_id] = (row.score, cue_spans(self.keys, row.cues_enc))
        return out

    def _placed_and_sent(
        self, ids: list[int]
    ) -> tuple[dict[int, tuple[str | None, str | None, bool]], dict[int, list[str]]]:
        """Per case (place recorded when located, best district candidate while it needs
        review, whether alerts disagree on the place) and the units sent the case."""
        rows = self.conn.execute(
            select(timeline.c.case_id, timeline.c.kind, timeline.c.actor, timeline.c.details_enc)
            .where(
                ids_in(self.conn, timeline.c.case_id, ids),
                timeline.c.kind.in_(PLACE_KINDS),
            )
            .order_by(timeline.c.at, timeline.c.id)
        ).all()
        places: dict[int, str] = {}
        candidates: dict[int, str] = {}
        conflicts: set[int] = set()
        units: dict[int, list[str]] = {}
        for row in rows:
            details = json.loads(
                self.keys.decrypt(row.details_enc, aad(timeline, "details_enc")) or "{}"
            )
            if row.kind == "located" and details.get("place"):
                places[row.case_id] = str(details["place"])
                if not str(row.actor or "").startswith("system:"):
                    conflicts.discard(row.case_id)  # a person chose: the conflict is settled
            elif row.kind == "location_review" and details.get("best_district"):
                candidates[row.case_id] = str(details["best_district"])
            elif row.kind == "location_conflict":
                conflicts.add(row.case_id)
            elif row.kind == "dispatched":
                seen = units.setdefault(row.case_id, [])
                seen.extend(str(u) for u in details.get("units") or [] if str(u) not in seen)
        where = {
            case_id: (
                places.get(case_id),
                None if case_id in places else candidates.get(case_id),
                case_id in conflicts,
            )
            for case_id in set(places) | set(candidates) | conflicts
        }
        return where, units


@functools.cache
def _directory() -> tuple[tuple[tuple[str, str, str], ...], dict[str, str]]:
    """UP districts from the shipped data (the districts an SMC officer can be posted to)."""
    text = (
        resources.files("lifeline").joinpath("data", "geo", "up_districts.csv").read_text("utf-8")
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    listed = tuple(sorted(((r["lgd"], r["name"], r["name_hi"]) for r in rows), key=lambda d: d[1]))
    names: dict[str, str] = {}
    for r in rows:
        spellings = [r["name"], r["name_hi"], r["headquarters"]]
        spellings += (r.get("old_names") or "").split("|") + (r.get("aliases") or "").split("|")
        for spelling in spellings:
            if spelling.strip():
                names.setdefault(spelling.strip().casefold(), r["lgd"])
    return listed, names


_ASSIGNED = (
    select(case_districts.c.district_lgd, case_districts.c.assigned_at)
    .where(case_districts.c.case_id == bindparam("case_id"))
    .order_by(case_districts.c.assigned_at.desc(), case_districts.c.id.desc())
    .limit(1)
)


class SqlJurisdictionIndex:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        #: an operator's district per case, read once per transaction (`assign` forgets it)
        self._assigned: dict[int, tuple[str, datetime] | None] = {}

    def forget(self) -> None:
        self._assigned.clear()

    def for_case(self, case_id: int) -> set[str]:
        """An operator's latest choice wins; otherwise every confident resolution counts."""
        chosen = self.conn.execute(
            select(case_districts.c.district_lgd)
            .where(case_districts.c.case_id == case_id)
            .order_by(case_districts.c.assigned_at.desc(), case_districts.c.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if chosen is not None:
            return {str(chosen)}
        resolved = self.conn.execute(
            select(location_resolutions.c.district_lgd).where(
                location_resolutions.c.case_id == case_id,
                location_resolutions.c.needs_review.is_(False),
                location_resolutions.c.district_lgd.is_not(None),
            )
        ).scalars()
        return {str(d) for d in resolved}

    def for_cases(self, case_ids: Iterable[int]) -> dict[int, set[str]]:
        ids = sorted(set(case_ids))
        chosen: dict[int, str] = {}
        resolved: dict[int, set[str]] = {}
        for start in range(0, len(ids), 500):  # bounded IN lists
            chunk = ids[start : start + 500]
            for row in self.conn.execute(
                select(case_districts.c.case_id, case_districts.c.district_lgd)
                .where(case_districts.c.case_id.in_(chunk))
                .order_by(case_districts.c.assigned_at, case_districts.c.id)
            ):
                chosen[int(row.case_id)] = str(row.district_lgd)  # the latest wins
            for row in self.conn.execute(
                select(location_resolutions.c.case_id, location_resolutions.c.district_lgd).where(
                    location_resolutions.c.case_id.in_(chunk),
                    location_resolutions.c.needs_review.is_(False),
                    location_resolutions.c.district_lgd.is_not(None),
                )
            ):
                resolved.setdefault(int(row.case_id), set()).add(str(row.district_lgd))
        return {
            case_id: {chosen[case_id]} if case_id in chosen else resolved.get(case_id, set())
            for case_id in ids
        }

    def cases_in(self, districts: set[str]) -> set[int]:
        if not districts:
            return set()
        latest: dict[int, str] = {}
        for row in self.conn.execute(
            select(case_districts.c.case_id, case_districts.c.district_lgd).order_by(
                case_districts.c.assigned_at, case_districts.c.id
            )
        ):
            latest[int(row.case_id)] = str(row.district_lgd)
        resolved = self.conn.execute(
            select(location_resolutions.c.case_id).where(
                location_resolutions.c.district_lgd.in_(sorted(districts)),
                location_resolutions.c.needs_review.is_(False),
            )
        ).scalars()
        found = {int(c) for c in resolved if int(c) not in latest}
        return found | {c for c, d in latest.items() if d in districts}

    def assigned(self, case_id: int) -> tuple[str, datetime] | None:
        if case_id not in self._assigned:
            row = self.conn.execute(_ASSIGNED, {"case_id": case_id}).one_or_none()
            self._assigned[case_id] = (
                None if row is None else (str(row.district_lgd), row.assigned_at)
            )
        return self._assigned[case_id]

    def assign(self, case_id: int, district_lgd: str, by: str, at: datetime) -> None:
        self._assigned.pop(case_id, None)
        self.conn.execute(
            insert(case_districts).values(
                case_id=case_id, district_lgd=district_lgd, assigned_by=by[:120], assigned_at=at
            )
        )

    def district_code(self, value: str) -> str | None:
        listed, names = _directory()
        value = value.strip()
        if value.isdigit():
            code = value.zfill(3)
            return code if any(d[0] == code for d in listed) else None
        return names.get(value.casefold())

    def districts(self) -> list[tuple[str, str, str]]:
        return list(_directory()[0])
