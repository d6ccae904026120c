"""The case repository: translates rows to domain entities, encrypting personal data on the
way in and decrypting it on the way out (alerts and subjects: alert_repos.py).

Statements run for every alert are built once, next to the class that runs them, and executed
with parameters: SQLAlchemy then reuses their cache key instead of recomputing it each time."""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Row, bindparam, event, insert, select, update
from sqlalchemy.sql.elements import ClauseElement, TextClause
from sqlalchemy.sql.util import find_tables

from lifeline.adapters.db.review_repos import review_columns, review_of
from lifeline.adapters.db.tables import (
    MILESTONE_COLUMNS,
    aad,
    alerts,
    case_keys,
    cases,
    new_id,
    timeline,
    upsert_statement,
)
from lifeline.domain.errors import NotFound
from lifeline.domain.lifecycle import MERGEABLE_STATES, CaseStatus, Milestone
from lifeline.domain.model import Case, Outcome, OutcomeKind, TimelineEntry
from lifeline.domain.risk import RiskLevel
from lifeline.services.ports import CaseSummary, Cipher, ConcurrentWrite

_ADD_CASE = insert(cases)
_CASE = select(cases).where(cases.c.id == bindparam("case_id"))
_CASE_FOR_UPDATE = _CASE.with_for_update()
_LEVELS_AND_TRACES = select(cases.c.id, cases.c.risk_level, cases.c.trace_requested_at).where(
    cases.c.id.in_(bindparam("case_ids", expanding=True))
)
#: executed with the case's column values: they become the SET clause
_SAVE_CASE = update(cases).where(
    cases.c.id == bindparam("case_id"), cases.c.version == bindparam("seen_version")
)
_MERGEABLE = (
    select(cases)
    .join(case_keys, case_keys.c.case_id == cases.c.id)
    .where(
        case_keys.c.key_hash.in_(bindparam("hashes", expanding=True)),
        cases.c.status.in_([s.value for s in MERGEABLE_STATES]),
        cases.c.last_alert_at >= bindparam("since"),
    )
    .order_by(cases.c.last_alert_at.desc())
    .limit(1)
)
_TIMELINE = (
    select(timeline)
    .where(timeline.c.case_id == bindparam("case_id"))
    .order_by(timeline.c.at, timeline.c.id)
)
_TIMES_OF = select(timeline.c.at).where(
    timeline.c.case_id == bindparam("case_id"), timeline.c.kind == bindparam("kind")
)
_ADD_TIMELINE = insert(timeline)
_PARTNER_IDS = select(alerts.c.partner_id).where(
    alerts.c.case_id == bindparam("case_id"), alerts.c.partner_id.is_not(None)
)
_attach_keys = upsert_statement(case_keys, lambda insert: insert.on_conflict_do_nothing())
#: statement -> whether it reads or writes the cases table (statements are built once)
_TOUCHES_CASES: WeakKeyDictionary[Any, bool] = WeakKeyDictionary()


#: execution option of a statement that reads the cases table but never the row of the case
#: whose id is its bind parameter of this name: a save of that case alone held back need not be
#: written before it (aftercare_repos: the earlier cases about a person)
READS_CASES_EXCEPT = "lifeline_reads_cases_except"


def touches_cases(statement: Any) -> bool:
    """Whether a statement may read or write the cases table (True when it cannot tell)."""
    if isinstance(statement, TextClause):
        return "cases" in statement.text
    if not isinstance(statement, ClauseElement):
        return True
    try:
        return _TOUCHES_CASES[statement]
    except (KeyError, TypeError):
        pass
    found = any(
        t is cases
        for t in find_tables(
            statement,
            check_columns=True,
            include_joins=True,
            include_selects=True,
            include_crud=True,
        )
    )
    with suppress(TypeError):  # not weakly referenceable: looked at again next time
        _TOUCHES_CASES[statement] = found
    return found


class SqlCaseRepository:
    """Cases and their timelines. Timeline entries written in a transaction are inserted
    together just before it commits (one statement instead of one per entry); the cases it
    handed out or stored are `seen`, for the unit of work to collect their events.

    A case is read once per transaction: `get` hands out the same object again (the steps of
    one alert's job share it), unless a row lock is asked for that the first read did not take
    (PostgreSQL; SQLite's writer holds the whole database from BEGIN)."""

    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys
        self._row_locks = conn.dialect.name == "postgresql"
        #: case id -> (the case handed out, whether its row is locked by this transaction)
        self._loaded: dict[int, tuple[Case, bool]] = {}
        self._pending: list[dict[str, Any]] = []
        self.seen: list[Case] = []
        #: `times_of` as stored before this transaction, and what it wrote since
        self._times: dict[tuple[int, str], set[datetime]] = {}
        self._written: list[tuple[int, str, datetime]] = []
        #: case id -> the row of its latest save, not yet written (the row is held by us)
        self._dirty: dict[int, dict[str, Any]] = {}
        self._watching = self._flushing = False

    def _see(self, case: Case) -> Case:
        if not any(case is c for c in self.seen):
            self.seen.append(case)
        return case

    def add(self, case: Case) -> Case:
        values = self._values(case)
        values["version"] = 1
        case.id = new_id(self.conn.execute(_ADD_CASE, values))
        case.version = 1
        self._loaded[case.id] = (case, True)
        self._flush_timeline(case)
        return self._see(case)

    def get(self, case_id: int, *, for_update: bool = False) -> Case:
        held = self._loaded.get(case_id)
        if held is not None and (held[1] or not for_update):
            return held[0]
        query = _CASE_FOR_UPDATE if for_update else _CASE
        row = self.conn.execute(query, {"case_id": case_id}).one_or_none()
        if row is None:
            raise NotFound(f"case {case_id} not found")
        case = self._case(row)
        self._loaded[case_id] = (case, for_update or not self._row_locks)
        return case

    def levels_and_traces(
        self, case_ids: set[int]
    ) -> dict[int, tuple[RiskLevel | None, datetime | None]]:
        if not case_ids:
            return {}
        rows = self.conn.execute(_LEVELS_AND_TRACES, {"case_ids": sorted(case_ids)})
        return {
            case_id: (RiskLevel(level) if level else None, traced)
            for case_id, level, traced in rows
        }

    def save(self, case: Case) -> None:
        assert case.id is not None
        row = {**self._values(case), "version": case.version + 1, "case_id": case.id}
        held = self._loaded.get(case.id)
        if held is not None and held[0] is case and held[1]:
            # The row is this transaction's until it ends: written once, with any later save
            # of the case, before COMMIT or the next statement that reads the cases table.
            first = self._dirty.get(case.id)
            row["seen_version"] = case.version if first is None else first["seen_version"]
            self._dirty[case.id] = row
            self._watch_reads()
        else:
            self._update(row | {"seen_version": case.version})
        case.version += 1
        self._loaded[case.id] = (case, True)  # the UPDATE holds its row now
        self._flush_timeline(case)
        self._see(case)

    def _update(self, row: dict[str, Any]) -> None:
        if self.conn.execute(_SAVE_CASE, row).rowcount != 1:
            raise ConcurrentWrite(f"case {row['case_id']} was changed by someone else; try again")

    def flush_saves(self) -> None:
        """Write the saves held back (the unit of work calls this before it commits)."""
        while self._dirty:
            _, row = self._dirty.popitem()
            self._update(row)

    def _watch_reads(self) -> None:
        if not self._watching:
            self._watching = True
            event.listen(self.conn, "before_execute", self._before_execute)

    def _before_execute(
        self, _conn: Connection, statement: Any, _multi: Any, params: Any, options: Any
    ) -> None:
        """A statement about to run on this transaction's connection sees the cases as saved:
        the saves held back are written first if it touches the cases table (unless it reads
        every case but the one held: `READS_CASES_EXCEPT`)."""
        if self._dirty and not self._flushing and touches_cases(statement):
            name = options.get(READS_CASES_EXCEPT) if options else None
            if name and isinstance(params, dict) and set(self._dirty) == {params.get(name)}:
                return  # e.g. earlier cases about a person: never the case being saved
            self._flushing = True
            try:
                self.flush_saves()
            finally:
                self._flushing = False

    def find_mergeable(self, keys: list[str], since: datetime) -> Case | None:
        hashes = [self.keys.blind_index(k) for k in keys]
        row = self.conn.execute(_MERGEABLE, {"hashes": hashes, "since": since}).one_or_none()
        return None if row is None else self._case(row)

    def attach_keys(self, case_id: int, keys: list[str], at: datetime) -> None:
        if not keys:
            return
        rows = [
            {"case_id": case_id, "key_hash": self.keys.blind_index(k), "created_at": at}
            for k in keys
        ]
        self.conn.execute(_attach_keys(self.conn), rows)

    def summaries(
        self, *, statuses: list[str] | None = None, limit: int = 100
    ) -> list[CaseSummary]:
        query = select(cases).order_by(cases.c.opened_at.desc()).limit(limit)
        if statuses:
            query = query.where(cases.c.status.in_(statuses))
        return [
            CaseSummary(
                r.id,
                r.status,
                r.platform,
                r.risk_level,
                r.opened_at,
                r.last_alert_at,
                r.alert_count,
                r.outcome,
            )
            for r in self.conn.execute(query)
        ]

    def timeline(self, case_id: int) -> list[TimelineEntry]:
        self.flush_timeline()
        rows = self.conn.execute(_TIMELINE, {"case_id": case_id}).all()
        return [
            TimelineEntry(
                r.at,
                r.kind,
                r.summary,
                r.actor,
                json.loads(self.keys.decrypt(r.details_enc, aad(timeline, "details_enc")) or "{}"),
                r.id,
            )
            for r in rows
        ]

    def times_of(self, case_id: int, kind: str) -> set[datetime]:
        key = (case_id, kind)
        if key not in self._times:  # read once: this transaction's own entries are added below
            stored = self.conn.execute(_TIMES_OF, {"case_id": case_id, "kind": kind}).scalars()
            self._times[key] = set(stored)
        return self._times[key] | {at for c, k, at in self._written if (c, k) == key}

    def note(self, case_id: int, entry: TimelineEntry) -> None:
        self._insert_timeline(case_id, [entry])

    def partner_ids(self, case_id: int) -> set[int]:
        rows = self.conn.execute(_PARTNER_IDS, {"case_id": case_id})
        return {r.partner_id for r in rows}

    # -- mapping -------------------------------------------------------------------------
    def _values(self, case: Case) -> dict[str, Any]:
        values: dict[str, Any] = {
            "status": case.status.value,
            "platform": case.platform,
            "subject_id": case.subject_id,
            "risk_level": case.risk_level.value if case.risk_level else None,
            "opened_at": case.opened_at,
            "last_alert_at": case.last_alert_at or case.opened_at,
            "alert_count": case.alert_count,
            "trace_requested_at": case.trace_requested_at,
            "drill": case.drill,
        }
        for column in MILESTONE_COLUMNS:
            values[column] = case.milestones.get(Milestone(column.removesuffix("_at")))
        outcome = case.outcome
        values["outcome"] = outcome.kind.value if outcome else None
        values["outcome_by"] = outcome.recorded_by if outcome else None
        values["outcome_at"] = outcome.recorded_at if outcome else None
        values["outcome_reason_enc"] = self.keys.encrypt(
            outcome.reason if outcome else None, aad(cases, "outcome_reason_enc")
        )
        values.update(review_columns(self.keys, case.review))
        return values

    def _case(self, row: Row[Any]) -> Case:
        milestones = {
            Milestone(c.removesuffix("_at")): getattr(row, c)
            for c in MILESTONE_COLUMNS
            if getattr(row, c) is not None
        }
        outcome = None
        if row.outcome:
            outcome = Outcome(
                OutcomeKind(row.outcome),
                row.outcome_at,
                row.outcome_by or "",
                self.keys.decrypt(row.outcome_reason_enc, aad(cases, "outcome_reason_enc")),
            )
        case = Case(
            opened_at=row.opened_at,
            platform=row.platform,
            status=CaseStatus(row.status),
            subject_id=row.subject_id,
            last_alert_at=row.last_alert_at,
            alert_count=row.alert_count,
            milestones=milestones,
            outcome=outcome,
            trace_requested_at=row.trace_requested_at,
            drill=bool(row.drill),
            review=review_of(self.keys, row),
            risk_level=RiskLevel(row.risk_level) if row.risk_level else None,
            version=row.version,
            id=row.id,
        )
        return self._see(case)

    def _flush_timeline(self, case: Case) -> None:
        assert case.id is not None
        self._insert_timeline(case.id, case.new_timeline)
        case.new_timeline.clear()

    def _insert_timeline(self, case_id: int, entries: list[TimelineEntry]) -> None:
        """Queue entries for `flush_timeline`, in order."""
        self._written.extend((case_id, e.kind, e.at) for e in entries)
        self._pending.extend(
            {
                "case_id": case_id,
                "at": e.at,
                "kind": e.kind,
                "actor": e.actor,
                "summary": e.summary,
                "details_enc": self.keys.encrypt(
                    json.dumps(e.details, ensure_ascii=False, default=str),
                    aad(timeline, "details_enc"),
                ),
            }
            for e in entries
        )

    def discard_timeline(self) -> None:
        """Forget the queued entries (the transaction is rolled back)."""
        self._pending.clear()
        self._times.clear()
        self._written.clear()
        self._loaded.clear()
        self._dirty.clear()

    def flush_timeline(self) -> None:
        """Write the queued timeline entries in one statement (the unit of work calls this
        before it commits; `timeline` before it reads)."""
        if self._pending:
            rows, self._pending = self._pending, []
            self.conn.execute(_ADD_TIMELINE, rows)
