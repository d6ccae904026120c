"""The SQL retention store: applies the registry of personal fields (retention_registry.py) to a
case under its row lock, to rows tied to no case by their own timestamp, and to a person's rows
found by keyed hash; legal holds; the ledger of purge runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, or_, select, union, update
from sqlalchemy.sql import ColumnElement

from lifeline.adapters.db.retention_registry import REGISTRY, PersonalFields
from lifeline.adapters.db.tables import (
    aad,
    alerts,
    case_keys,
    cases,
    jobs,
    retention_runs,
    subjects,
)
from lifeline.domain.errors import NotFound
from lifeline.domain.retention import ENDED, ERASED, Erase, LegalHold, Policy, PurgeCounts
from lifeline.services.ports import Cipher
from lifeline.services.retention.ports import CaseRetention

#: the marker column of each stage of a case's purge
MARKERS = {Policy.POST_TEXT: "post_erased_at", Policy.CASE: "purged_at", Policy.LINK: "unlinked_at"}
_SUBJECT_HASHES = ("handle_hash", "profile_hash", "phone_hash", "email_hash")


def _quiet_since(t: datetime) -> ColumnElement[bool]:
    """No alert and no outcome after `t` (a reopened case starts its clock again)."""
    c = cases.c
    return and_(c.last_alert_at <= t, or_(c.outcome_at.is_(None), c.outcome_at <= t))


def _ended_by(closed_before: datetime, dismissed_before: datetime) -> ColumnElement[bool]:
    """Closed by `closed_before`, or dismissed by `dismissed_before`, and quiet since."""
    c = cases.c
    return or_(
        and_(
            c.status == "closed",
            c.dismissed_at.is_(None),
            c.closed_at <= closed_before,
            _quiet_since(closed_before),
        ),
        and_(
            c.status.in_(ENDED),
            c.dismissed_at.is_not(None),
            c.dismissed_at <= dismissed_before,
            _quiet_since(dismissed_before),
        ),
    )


class SqlRetentionStore:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    # -- reads ---------------------------------------------------------------------------------

    def due_cases(
        self, policy: Policy, *, closed_before: datetime, dismissed_before: datetime, limit: int
    ) -> list[int]:
        marker = cases.c[MARKERS[policy]]
        stmt = (
            select(cases.c.id)
            .where(marker.is_(None), cases.c.hold_at.is_(None))
            .where(_ended_by(closed_before, dismissed_before))
            .order_by(cases.c.id)
            .limit(limit)
        )
        return list(self.conn.scalars(stmt))

    def held_due(self, *, closed_before: datetime, dismissed_before: datetime) -> list[int]:
        stmt = (
            select(cases.c.id)
            .where(cases.c.hold_at.is_not(None), cases.c.unlinked_at.is_(None))
            .where(_ended_by(closed_before, dismissed_before))
            .order_by(cases.c.id)
        )
        return list(self.conn.scalars(stmt))

    def get(self, case_id: int) -> CaseRetention:
        row = self.conn.execute(select(cases).where(cases.c.id == case_id)).one_or_none()
        if row is None:
            raise NotFound(f"case {case_id} not found")
        return self._case(row)

    @staticmethod
    def _case(row: Any) -> CaseRetention:
        hold = None
        if row.hold_at is not None:
            hold = LegalHold(reason=row.hold_reason or "", by=row.hold_by or "", at=row.hold_at)
        erased = {p: getattr(row, m) for p, m in MARKERS.items() if getattr(row, m) is not None}
        return CaseRetention(id=row.id, status=row.status, hold=hold, erased=erased)

    def cases_of_person(self, keys: list[str]) -> list[int]:
        hashes = [self.keys.blind_index(k) for k in keys]
        if not hashes:
            return []
        found = select(subjects.c.id).where(
            or_(*(subjects.c[h].in_(hashes) for h in _SUBJECT_HASHES))
        )
        stmt = union(
            select(cases.c.id).where(cases.c.subject_id.in_(found)),
            select(alerts.c.case_id).where(alerts.c.subject_id.in_(found)),
            select(case_keys.c.case_id).where(case_keys.c.key_hash.in_(hashes)),
        )
        return sorted({int(i) for i in self.conn.scalars(stmt)})

    def platforms(self) -> list[str]:
        return sorted(self.conn.scalars(select(subjects.c.platform).distinct()))

    def last_run(self) -> datetime | None:
        at: datetime | None = self.conn.scalar(select(func.max(retention_runs.c.at)))
        return at

    def purge_scheduled(self, *, running: bool = True) -> datetime | None:
        statuses = ("pending", "running") if running else ("pending",)
        stmt = select(func.min(jobs.c.run_at)).where(
            jobs.c.kind == "retention_purge", jobs.c.status.in_(statuses)
        )
        at: datetime | None = self.conn.scalar(stmt)
        return at

    # -- writes --------------------------------------------------------------------------------

    def set_hold(self, case_id: int, hold: LegalHold | None) -> bool:
        values = (
            {"hold_reason": None, "hold_by": None, "hold_at": None}
            if hold is None
            else {"hold_reason": hold.reason, "hold_by": hold.by, "hold_at": hold.at}
        )
        # only from the other state: of two people holding (or lifting) at once, one changes it
        was = cases.c.hold_at.is_not(None) if hold is None else cases.c.hold_at.is_(None)
        stmt = update(cases).where(cases.c.id == case_id, was).values(**values)
        if self.conn.execute(stmt).rowcount == 1:
            return True
        self.get(case_id)  # NotFound for a case that does not exist
        return False

    def record_run(self, at: datetime, counts: PurgeCounts) -> None:
        self.conn.execute(retention_runs.insert().values(at=at, counts=counts.as_dict()))

    def erase_case(
        self, case_id: int, policy: Policy, now: datetime, *, dry_run: bool, ended_only: bool
    ) -> PurgeCounts | None:
        # the row lock (PostgreSQL; SQLite's writer already excludes everyone): a hold, a
        # reopening or another run waits for this transaction, or this one sees theirs
        row = self.conn.execute(
            select(cases).where(cases.c.id == case_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFound(f"case {case_id} not found")
        marker = MARKERS[policy]
        if row.hold_at is not None or getattr(row, marker) is not None:
            return None
        if ended_only and row.status not in ENDED:
            return None
        if not dry_run:
            # the version moves on: a writer holding the case from before fails and re-reads
            self.conn.execute(
                update(cases)
                .where(cases.c.id == case_id)
                .values({marker: now, "version": cases.c.version + 1})
            )
        counts = PurgeCounts()
        for entry in REGISTRY:
            if entry.policy is policy and entry.stamp is None:
                self._apply(entry, self._rows_of_case(entry, case_id, marker), counts, dry_run)
        return counts

    def erase_own(self, policy: Policy, before: datetime, *, dry_run: bool) -> PurgeCounts:
        counts = PurgeCounts()
        for entry in REGISTRY:
            if entry.policy is policy and entry.stamp is not None:
                where = entry.table.c[entry.stamp] <= before
                if entry.marker is not None:
                    where = and_(where, entry.table.c[entry.marker] != ERASED)
                self._apply(entry, where, counts, dry_run)
        return counts

    def erase_by_keys(self, keys: list[str], *, dry_run: bool) -> PurgeCounts:
        hashes = [self.keys.blind_index(k) for k in keys]
        counts = PurgeCounts()
        for entry in REGISTRY:
            if entry.key is not None and hashes:
                self._apply(entry, entry.table.c[entry.key].in_(hashes), counts, dry_run)
        return counts

    def _rows_of_case(
        self, entry: PersonalFields, case_id: int, marker: str
    ) -> ColumnElement[bool]:
        t = entry.table
        if entry.case is not None:
            return t.c[entry.case] == case_id
        if entry.via is not None:
            parent, column = entry.via
            return t.c[column].in_(select(parent.c.id).where(parent.c.case_id == case_id))
        # the case's subject(s), once no case about them still keeps this stage
        mine = union(
            select(cases.c.subject_id).where(cases.c.id == case_id),
            select(alerts.c.subject_id).where(alerts.c.case_id == case_id),
        )
        other = cases.alias("other")
        waiting = and_(other.c.id != case_id, other.c[marker].is_(None))
        kept = or_(
            exists().where(other.c.subject_id == t.c.id, waiting),
            exists()
            .where(alerts.c.subject_id == t.c.id)
            .where(alerts.c.case_id == other.c.id, waiting),
        )
        return and_(t.c.id.in_(mine), ~kept)

    def _apply(
        self, entry: PersonalFields, where: ColumnElement[bool], counts: PurgeCounts, dry_run: bool
    ) -> None:
        t = entry.table
        label = t.name
        if entry.delete:
            if dry_run:
                n = self.conn.scalar(select(func.count()).select_from(t).where(where)) or 0
            else:
                n = self.conn.execute(delete(t).where(where)).rowcount
            counts.add(entry.policy, f"{label}.*", n)
            return
        for name, how in entry.columns.items():
            column = t.c[name]
            todo = where if not column.nullable else and_(where, column.is_not(None))
            if dry_run:
                n = self.conn.scalar(select(func.count()).select_from(t).where(todo)) or 0
            else:
                n = self.conn.execute(
                    update(t).where(todo).values({name: self._value(entry, name, how)})
                ).rowcount
            counts.add(entry.policy, f"{label}.{name}", n)

    def _value(self, entry: PersonalFields, name: str, how: Erase | str) -> str | None:
        if how is Erase.NULL:
            return None
        plain: str = "" if how is Erase.BLANK else ERASED if how is Erase.ERASED else str(how)
        if name.endswith("_enc"):
            return self.keys.encrypt(plain, aad(entry.table, name))
        return plain
