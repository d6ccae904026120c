"""Dispatches (with their escalation snapshot), notifications (channel URLs encrypted, the
acknowledgement code kept only as a keyed hash) and, through SqlAlarmRows
(alarm_repos.py), SMC alarms."""

from __future__ import annotations

import hmac
import json
from collections.abc import Collection
from copy import copy
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Exists,
    Row,
    Table,
    any_,
    bindparam,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from lifeline.adapters.db.alarm_repos import SqlAlarmRows
from lifeline.adapters.db.stored_config import stored_policy
from lifeline.adapters.db.tables import (
    aad,
    dispatches,
    ids_in,
    new_id,
    notifications,
)
from lifeline.domain.ack_codes import ACK_CODE_SECRET_DIGITS
from lifeline.domain.dispatch import (
    Dispatch,
    DispatchState,
    Notification,
    NotificationState,
    Purpose,
    Reach,
    shown_state,
)
from lifeline.domain.errors import NotFound
from lifeline.services.ports import Cipher

D, N = dispatches, notifications
SECRET = ACK_CODE_SECRET_DIGITS


def _has_state(state: NotificationState) -> Exists:
    """Whether the dispatch of the row has a notification in `state`."""
    return exists().where(N.c.dispatch_id == D.c.id, N.c.state == state.value)


_DELIVERED_BEFORE = (
    select(N.c.id)
    .where(
        N.c.case_id == bindparam("case_id"),
        N.c.id != bindparam("other_than"),
        N.c.delivered_at.is_not(None),
        N.c.purpose != Purpose.ALARM.value,
    )
    .limit(1)
)
#: a notification without its brief (lists and look-ups that never compose a message)
N_LISTED = tuple(c for c in N.c if c.name != "brief_enc")

# Statements built once: executed with parameters, they skip SQLAlchemy's per-call
# construction and cache-key work (several times a message). UPDATEs take their SET columns
# from the parameters; `b_` names are the WHERE clause's.
_ADD_DISPATCH = insert(D)
#: several rows in one INSERT, returning their ids (in parameter order: PostgreSQL)
_RETURNING_ID = {t: insert(t).returning(t.c.id) for t in (D, N)}
_IN_ORDER = {t: insert(t).returning(t.c.id, sort_by_parameter_order=True) for t in (D, N)}
_DISPATCH = select(D).where(D.c.id == bindparam("b_id"))
_DISPATCH_LOCKED = _DISPATCH.with_for_update()
_SAVE_DISPATCH = update(D).where(D.c.id == bindparam("b_id"))
_CASE_DISPATCHES = select(D).where(D.c.case_id == bindparam("b_case_id")).order_by(D.c.id)
_CASE_DISPATCHES_LOCKED = _CASE_DISPATCHES.with_for_update()
_ADD_NOTIFICATION = insert(N)
_NOTIFICATION = select(N).where(N.c.id == bindparam("b_id"))
_NOTIFICATION_LOCKED = _NOTIFICATION.with_for_update()
_SAVE_NOTIFICATION = update(N).where(N.c.id == bindparam("b_id"))
#: several notifications by id, in id order (locks taken in that order): an IN list on SQLite,
#: one array parameter on PostgreSQL (the same statement whatever their number)
_SOME_NOTIFICATIONS = {
    "sqlite": select(N).where(N.c.id.in_(bindparam("b_ids", expanding=True))).order_by(N.c.id),
    "postgresql": select(N)
    .where(N.c.id == any_(bindparam("b_ids", type_=ARRAY(BigInteger))))
    .order_by(N.c.id),
}
_SOME_NOTIFICATIONS_LOCKED = {k: q.with_for_update() for k, q in _SOME_NOTIFICATIONS.items()}
_CASE_NOTIFICATIONS = (
    select(*N_LISTED).where(N.c.case_id == bindparam("b_case_id")).order_by(N.c.id)
)


class _StoredRow:
    """A dispatch's saved values as a read returns them (times in UTC), for `_dispatch`."""

    def __init__(self, values: dict[str, Any], dispatch_id: int) -> None:
        for name, value in values.items():
            if isinstance(value, datetime):
                value = value.astimezone(UTC)
            setattr(self, name, value)
        self.id = dispatch_id

    def __getattr__(self, name: str) -> Any:  # for mypy: the columns are set above
        raise AttributeError(name)


class SqlDispatchRepository(SqlAlarmRows):
    """Dispatches, their notifications and SMC alarms (alarm_repos.py).

    A case's dispatches are read once per transaction (this repository is their only writer:
    it keeps what it wrote) and handed out as fresh objects each time. A dispatch whose row
    this transaction holds (inserted or locked by it; on SQLite, every row: the one writer holds
    the database) is saved when the transaction ends or the table is read next, in one
    statement with the others saved meanwhile (a step's three dispatches are inserted, then
    each saved as its step fires). Notifications it inserted are kept too, as last written:
    read back in the same transaction (the send job's read ahead, worker.py) without a query or
    decrypting what it just encrypted; no other transaction can change them before COMMIT."""

    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys
        self._row_locks = conn.dialect.name == "postgresql"
        #: case id -> (its dispatches as stored, by id, or the values written, read back when
        #: asked; whether their rows are locked by us)
        self._of_case: dict[int, tuple[dict[int, Dispatch | _StoredRow], bool]] = {}
        #: dispatch ids whose rows this transaction inserted or locked
        self._held: set[int] = set()
        #: dispatch id -> the values of its latest save, not yet written
        self._dirty: dict[int, dict[str, Any]] = {}
        #: notification id -> as last written, for the notifications this transaction inserted
        self._written: dict[int, Notification] = {}

    def forget(self) -> None:
        """The transaction was rolled back: what it read and wrote is gone."""
        self._of_case.clear()
        self._held.clear()
        self._dirty.clear()
        self._written.clear()

    def flush(self) -> None:
        """Write the saves held back, in one statement (before COMMIT, before a read)."""
        if self._dirty:
            rows = [{"b_id": d_id, **values} for d_id, values in self._dirty.items()]
            self._dirty.clear()
            self.conn.execute(_SAVE_DISPATCH, rows)

    # -- dispatches ------------------------------------------------------------------------
    def add(self, dispatch: Dispatch) -> Dispatch:
        values = self._values(dispatch)
        dispatch.id = new_id(self.conn.execute(_ADD_DISPATCH, values))
        self._held.add(dispatch.id)
        self._remember(dispatch.id, values)
        return dispatch

    def add_all(self, dispatches: list[Dispatch]) -> list[Dispatch]:
        if len(dispatches) < 2:
            return [self.add(d) for d in dispatches]
        rows = [self._values(d) for d in dispatches]
        ids = self._insert_many(D, rows)
        for dispatch, values, dispatch_id in zip(dispatches, rows, ids, strict=True):
            dispatch.id = dispatch_id
            self._held.add(dispatch.id)
            self._remember(dispatch.id, values)
        return dispatches

    def get(self, dispatch_id: int, *, for_update: bool = False) -> Dispatch:
        self.flush()
        query = _DISPATCH_LOCKED if for_update else _DISPATCH
        row = self.conn.execute(query, {"b_id": dispatch_id}).one_or_none()
        if row is None:
            raise NotFound(f"dispatch {dispatch_id} not found")
        if for_update:
            self._held.add(dispatch_id)
        return self._dispatch(row)

    def save(self, dispatch: Dispatch) -> None:
        assert dispatch.id is not None
        values = self._values(dispatch)
        if dispatch.id in self._held or not self._row_locks:
            self._dirty[dispatch.id] = values  # ours until COMMIT: written with the others
        else:
            self.conn.execute(_SAVE_DISPATCH, {"b_id": dispatch.id, **values})
            self._held.add(dispatch.id)
        self._remember(dispatch.id, values)

    def for_case(self, case_id: int, *, for_update: bool = False) -> list[Dispatch]:
        known = self._of_case.get(case_id)
        if known is None or (for_update and not known[1]):
            self.flush()
            query = _CASE_DISPATCHES_LOCKED if for_update else _CASE_DISPATCHES
            rows = self.conn.execute(query, {"b_case_id": case_id}).all()
            locked = for_update or not self._row_locks
            known = ({int(r.id): self._dispatch(r) for r in rows}, locked)
            self._of_case[case_id] = known
            if for_update:
                self._held.update(known[0])
        kept = known[0]
        for dispatch_id, found in kept.items():
            if isinstance(found, _StoredRow):
                kept[dispatch_id] = self._dispatch(found)
        return [copy(d) for _, d in sorted(kept.items()) if isinstance(d, Dispatch)]

    def _remember(self, dispatch_id: int, values: dict[str, Any]) -> None:
        """Keep a written dispatch as a read would give it, if its case's list is kept."""
        known = self._of_case.get(values["case_id"])
        if known is not None:
            known[0][dispatch_id] = _StoredRow(values, dispatch_id)

    def unit_states(self, case_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        """Per case, (unit name, state shown) of each dispatch, oldest first: the live queue's
        "notified" column in one query per 500 cases. The state shown is the dispatch's, or
        `nobody_reached` / `sending` while none of its messages was delivered."""
        self.flush()
        ids = sorted(case_ids)
        found: dict[int, list[tuple[str, str]]] = {}
        for start in range(0, len(ids), 500):
            rows = self.conn.execute(
                select(D.c.case_id, D.c.unit_name, D.c.state)
                .add_columns(_has_state(NotificationState.DELIVERED).label("delivered"))
                .add_columns(_has_state(NotificationState.QUEUED).label("queued"))
                .where(ids_in(self.conn, D.c.case_id, ids[start : start + 500]))
                .order_by(D.c.id)
            ).all()
            for row in rows:
                reach = Reach.DELIVERED if row.delivered else Reach.NOBODY
                if reach is Reach.NOBODY and row.queued:
                    reach = Reach.SENDING
                shown = shown_state(DispatchState(row.state), reach)
                found.setdefault(row.case_id, []).append((row.unit_name, shown))
        return found

    @staticmethod
    def _values(d: Dispatch) -> dict[str, Any]:
        return {
            "case_id": d.case_id,
            "unit_id": d.unit_id[:120],
            "unit_name": d.unit_name[:200],
            "purpose": d.purpose.value,
            "reason": d.reason[:300],
            "policy": d.policy.as_dict(),
            "state": d.state.value,
            "step_index": d.step_index,
            "round": d.round,
            "timer_token": d.timer_token,
            "next_at": d.next_at,
            "started_at": d.started_at,
            "started_by": d.started_by[:120],
            "acknowledged_at": d.acknowledged_at,
            "acknowledged_by": (d.acknowledged_by or None) and d.acknowledged_by[:120],
            "ended_at": d.ended_at,
            "end_reason": (d.end_reason or None) and d.end_reason[:300],
        }

    @staticmethod
    def _dispatch(row: Row[Any] | _StoredRow) -> Dispatch:
        return Dispatch(
            case_id=row.case_id,
            unit_id=row.unit_id,
            unit_name=row.unit_name,
            policy=stored_policy(row.policy),
            started_at=row.started_at,
            started_by=row.started_by,
            reason=row.reason,
            purpose=Purpose(row.purpose),
            state=DispatchState(row.state),
            step_index=row.step_index,
            round=row.round,
            timer_token=row.timer_token,
            next_at=row.next_at,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
            ended_at=row.ended_at,
            end_reason=row.end_reason,
            id=row.id,
        )

    # -- notifications ---------------------------------------------------------------------
    def add_notification(self, n: Notification) -> Notification:
        n.id = new_id(self.conn.execute(_ADD_NOTIFICATION, self._new_n_values(n)))
        n.ack_code = self._code(n)
        self._written[n.id] = copy(n)
        return n

    def add_notifications(self, notifications: list[Notification]) -> list[Notification]:
        if len(notifications) < 2:
            return [self.add_notification(n) for n in notifications]
        rows = [self._new_n_values(n) for n in notifications]
        for n, notification_id in zip(notifications, self._insert_many(N, rows), strict=True):
            n.id = notification_id
            n.ack_code = self._code(n)
            self._written[n.id] = copy(n)
        return notifications

    def _new_n_values(self, n: Notification) -> dict[str, Any]:
        values = self._n_values(n)
        values["channels_enc"] = self.keys.encrypt(
            json.dumps(list(n.channels)), aad(N, "channels_enc")
        )
        values["brief_enc"] = None
        if n.brief is not None:
            values["brief_enc"] = self.keys.encrypt(
                json.dumps(n.brief, ensure_ascii=False), aad(N, "brief_enc")
            )
        return values

    def _insert_many(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert the rows in one statement: their ids, in the rows' order. On PostgreSQL the
        RETURNING rows come in parameter order; on SQLite (where SQLAlchemy would send one
        INSERT per row to keep the order) the only writer numbers the rows in the order given,
        so the ids sorted are theirs."""
        if self.conn.dialect.name == "postgresql":
            query = _IN_ORDER[table]
            return [int(i) for i in self.conn.execute(query, rows).scalars()]
        return sorted(int(i) for i in self.conn.execute(_RETURNING_ID[table], rows).scalars())

    def notification(self, notification_id: int, *, for_update: bool = False) -> Notification:
        query = _NOTIFICATION_LOCKED if for_update else _NOTIFICATION
        row = self.conn.execute(query, {"b_id": notification_id}).one_or_none()
        if row is None:
            raise NotFound(f"notification {notification_id} not found")
        return self._notification(row)

    def notifications(
        self, notification_ids: Collection[int], *, for_update: bool = False
    ) -> list[Notification]:
        if not notification_ids:
            return []
        ids = sorted(set(notification_ids))
        if not for_update and all(i in self._written for i in ids):
            return [copy(self._written[i]) for i in ids]  # inserted by this transaction
        queries = _SOME_NOTIFICATIONS_LOCKED if for_update else _SOME_NOTIFICATIONS
        query = queries.get(self.conn.dialect.name, queries["sqlite"])
        rows = self.conn.execute(query, {"b_ids": ids}).all()
        return [self._notification(r) for r in rows]

    def save_notification(self, n: Notification) -> None:
        assert n.id is not None
        self.conn.execute(_SAVE_NOTIFICATION, {"b_id": n.id, **self._n_values(n)})
        self._keep_written([n])

    def save_notifications(self, changed: Collection[Notification]) -> None:
        rows = [{"b_id": n.id, **self._n_values(n)} for n in changed]
        if rows:
            self.conn.execute(_SAVE_NOTIFICATION, rows)  # one executemany
            self._keep_written(changed)

    def _keep_written(self, saved: Collection[Notification]) -> None:
        for n in saved:
            if n.id in self._written:
                self._written[n.id] = copy(n)

    def notifications_for_case(self, case_id: int) -> list[Notification]:
        rows = self.conn.execute(_CASE_NOTIFICATIONS, {"b_case_id": case_id}).all()
        return [self._notification(r) for r in rows]

    def delivered_before(self, case_id: int, notification_id: int) -> bool:
        found = self.conn.execute(
            _DELIVERED_BEFORE, {"case_id": case_id, "other_than": notification_id}
        ).first()
        return found is not None

    def notification_by_code(self, code: str) -> Notification | None:
        digits = "".join(ch for ch in code if ch.isdigit())
        if not SECRET < len(digits) <= SECRET + 18:
            return None
        row = self.conn.execute(
            select(*N_LISTED).where(N.c.id == int(digits[:-SECRET]))
        ).one_or_none()
        if row is None:
            return None
        found = self._notification(row)
        if found.ack_code is None or not hmac.compare_digest(found.ack_code, digits):
            return None
        return found

    def _code(self, n: Notification) -> str | None:
        """The code an officer replies with: the notification id and ten secret digits
        derived with the index key (HMAC), so a code names exactly one message and a guess at
        it is right once in 10^10 (docs/dispatch.md has the bound with the throttle)."""
        if n.dispatch_id is None or n.id is None:
            return None
        check = int(self.keys.blind_index(f"ack-code-v2:{n.id}")[:16], 16) % 10**SECRET
        return f"{n.id}{check:0{SECRET}d}"

    @staticmethod
    def _n_values(n: Notification) -> dict[str, Any]:
        return {
            "case_id": n.case_id,
            "dispatch_id": n.dispatch_id,
            "unit_id": n.unit_id[:120],
            "contact_name": n.contact_name[:200],
            "contact_role": n.contact_role[:80],
            "purpose": n.purpose.value,
            "step_index": n.step_index,
            "state": n.state.value,
            "channel_index": n.channel_index,
            "attempts": n.attempts,
            "detail": n.detail[:500],
            "created_at": n.created_at,
            "delivered_at": n.delivered_at,
            "delivered_via": (n.delivered_via or None) and n.delivered_via[:200],
        }

    def _notification(self, row: Row[Any]) -> Notification:
        channels = json.loads(self.keys.decrypt(row.channels_enc, aad(N, "channels_enc")) or "[]")
        found = Notification(
            case_id=row.case_id,
            dispatch_id=row.dispatch_id,
            unit_id=row.unit_id,
            contact_name=row.contact_name,
            contact_role=row.contact_role,
            channels=tuple(channels),
            created_at=row.created_at,
            step_index=row.step_index,
            purpose=Purpose(row.purpose),
            state=NotificationState(row.state),
            channel_index=row.channel_index,
            attempts=row.attempts,
            detail=row.detail,
            delivered_at=row.delivered_at,
            delivered_via=row.delivered_via,
            id=row.id,
        )
        brief = row._mapping.get("brief_enc")
        if brief is not None:
            found.brief = json.loads(self.keys.decrypt(brief, aad(N, "brief_enc")) or "null")
        found.ack_code = self._code(found)
        return found
