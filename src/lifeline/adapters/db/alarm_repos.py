"""SMC alarms: raised once per open (case, dispatch, kind), listed, acknowledged and cleared.
The rows part of the dispatch repository (dispatch_repos.py), which the unit of work hands out
as `uow.dispatches`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from lifeline.adapters.db.tables import new_id, smc_alarms
from lifeline.domain.dispatch import Alarm, AlarmKind

A = smc_alarms


class SqlAlarmRows:
    """The alarm statements of `SqlDispatchRepository`, on its connection."""

    conn: Connection

    def raise_alarm(
        self,
        case_id: int,
        dispatch_id: int | None,
        reason: str,
        at: datetime,
        *,
        kind: AlarmKind = AlarmKind.OTHER,
        details: dict[str, Any] | None = None,
    ) -> int | None:
        open_ = select(A.c.id).where(
            A.c.case_id == case_id, A.c.cleared_at.is_(None), A.c.kind == kind.value
        )
        open_ = open_.where(
            A.c.dispatch_id.is_(None) if dispatch_id is None else A.c.dispatch_id == dispatch_id
        )
        if self.conn.execute(open_.limit(1)).first() is not None:
            return None
        return new_id(
            self.conn.execute(
                insert(A).values(
                    case_id=case_id,
                    dispatch_id=dispatch_id,
                    reason=reason[:300],
                    raised_at=at,
                    kind=kind.value,
                    details=details or {},
                )
            )
        )

    def open_alarms(self, case_ids: set[int] | None = None) -> list[Alarm]:
        query = select(A).where(A.c.cleared_at.is_(None)).order_by(A.c.raised_at, A.c.id)
        if case_ids is not None:
            query = query.where(A.c.case_id.in_(sorted(case_ids)))
        return [_alarm(r) for r in self.conn.execute(query).all()]

    def alarmed_case_ids(self) -> set[int]:
        # the ids alone: the queue marks rows with them (no alarm built, no details parsed)
        found = select(A.c.case_id).where(A.c.cleared_at.is_(None)).distinct()
        return {r[0] for r in self.conn.execute(found)}

    def ever_alarmed(self, case_id: int, kind: AlarmKind) -> bool:
        found = select(A.c.id).where(A.c.case_id == case_id, A.c.kind == kind.value).limit(1)
        return self.conn.execute(found).first() is not None

    def acknowledge_alarms(self, case_id: int, at: datetime, by: str) -> list[int]:
        found = select(A.c.id).where(
            A.c.case_id == case_id, A.c.cleared_at.is_(None), A.c.acknowledged_at.is_(None)
        )
        ids = [r.id for r in self.conn.execute(found).all()]
        if ids:
            self.conn.execute(
                update(A)
                .where(A.c.id.in_(ids))
                .values(acknowledged_at=at, acknowledged_by=by[:120])
            )
        return ids

    def clear_alarms(
        self, case_id: int, at: datetime, by: str, *, kind: AlarmKind | None = None
    ) -> int:
        values = {"b_case_id": case_id, "b_at": at, "b_by": by[:120]}
        if kind is None:
            result = self.conn.execute(_CLEAR_ALARMS, values)
        else:
            result = self.conn.execute(_CLEAR_ALARMS_OF_KIND, {**values, "b_kind": kind.value})
        return int(result.rowcount or 0)


# built once: every dispatch clears the case's "not dispatched" alarm
_CLEAR_ALARMS = (
    update(A)
    .where(A.c.case_id == bindparam("b_case_id"), A.c.cleared_at.is_(None))
    .values(cleared_at=bindparam("b_at"), cleared_by=bindparam("b_by"))
)
_CLEAR_ALARMS_OF_KIND = _CLEAR_ALARMS.where(A.c.kind == bindparam("b_kind"))


def _alarm(r: Row[Any]) -> Alarm:
    try:
        kind = AlarmKind(r.kind)
    except ValueError:  # a kind written by a newer version: still shown, as "other"
        kind = AlarmKind.OTHER
    return Alarm(
        r.id,
        r.case_id,
        r.dispatch_id,
        r.reason,
        r.raised_at,
        kind,
        dict(r.details or {}),
        r.acknowledged_at,
        r.acknowledged_by,
    )
