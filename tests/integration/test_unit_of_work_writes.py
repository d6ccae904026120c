"""Writes the unit of work holds back until COMMIT, on SQLite and PostgreSQL: a case saved
several times in one transaction is written once, audit entries and dispatch saves in one
statement each; every read in the transaction still sees them, a rollback loses them, and
what is committed is what the saves said."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import event

from dispatch_support import take_alert
from lifeline.bootstrap import Lifeline
from lifeline.domain.dispatch import Dispatch, DispatchState, Notification
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.domain.risk import RiskLevel
from lifeline.domain.routing import DEFAULT_POLICY

OP = Actor("user", "op", "smc_operator")


@contextmanager
def statements(app: Lifeline) -> Iterator[list[str]]:
    """The SQL statements run meanwhile on the application's engine, first words each."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()[:3]))

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.engine, "before_cursor_execute", record)


def test_a_case_saved_three_times_is_written_once_and_read_back_as_saved(
    lifeline: Lifeline,
) -> None:
    case_id = take_alert(lifeline)
    now = lifeline.clock.now()
    with statements(lifeline) as seen, lifeline.ctx.uow() as uow:
        case = uow.cases.get(case_id, for_update=True)
        version = case.version
        case.mark_located(now, "Madeyganj", OP)
        uow.cases.save(case)
        case.mark_triaged(now, RiskLevel.IMMINENT, OP, "test")
        uow.cases.save(case)
        # another repository's read of the cases table sees the saves so far
        assert uow.cases.levels_and_traces({case_id})[case_id][0] is RiskLevel.IMMINENT
        case.raise_to_floor(now, RiskLevel.IMMINENT, "test")
        uow.cases.save(case)
        uow.commit()
    updates = [s for s in seen if s.startswith("UPDATE cases")]
    assert len(updates) == 2  # one before the read, one for the save after it
    with lifeline.ctx.uow(readonly=True) as uow:
        stored = uow.cases.get(case_id)
    assert stored.version == version + 3
    assert stored.risk_level is RiskLevel.IMMINENT
    assert {Milestone.LOCATED, Milestone.TRIAGED} <= set(stored.milestones)


def test_saves_held_back_are_lost_with_a_rollback(lifeline: Lifeline) -> None:
    case_id = take_alert(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        before = uow.cases.get(case_id)
    with lifeline.ctx.uow() as uow:
        case = uow.cases.get(case_id, for_update=True)
        case.mark_triaged(lifeline.clock.now(), RiskLevel.IMMINENT, OP, "test")
        uow.cases.save(case)
        uow.audit.append(
            at=lifeline.clock.now(), actor="test", action="test.kept", case_id=case_id, details={}
        )
        # not committed
    with lifeline.ctx.uow(readonly=True) as uow:
        after = uow.cases.get(case_id)
        actions = [
            r.action for r in uow.audit.for_case(case_id, lifeline.clock.now() - timedelta(1))
        ]
    assert (after.version, after.risk_level) == (before.version, before.risk_level)
    assert "test.kept" not in actions


def test_audit_entries_of_a_transaction_are_one_insert_and_the_chain_holds(
    lifeline: Lifeline,
) -> None:
    case_id = take_alert(lifeline)
    since = lifeline.clock.now() - timedelta(days=1)
    with statements(lifeline) as seen, lifeline.ctx.uow() as uow:
        for n in range(3):
            uow.audit.append(
                at=lifeline.clock.now(),
                actor="test",
                action=f"test.{n}",
                case_id=case_id,
                details={"n": n},
            )
        # a read of the log in the transaction sees them
        assert [r.action for r in uow.audit.for_case(case_id, since)][-3:] == [
            "test.0",
            "test.1",
            "test.2",
        ]
        uow.commit()
    assert sum(s.startswith("INSERT INTO audit_log") for s in seen) == 1
    with lifeline.ctx.uow(readonly=True) as uow:
        records = list(uow.audit.records())
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    for earlier, later in pairwise(records):
        assert later.prev_hash == earlier.hash


def test_dispatches_are_added_in_one_statement_and_saved_together(lifeline: Lifeline) -> None:
    case_id = take_alert(lifeline)
    now = lifeline.clock.now()
    with statements(lifeline) as seen, lifeline.ctx.uow() as uow:
        added = uow.dispatches.add_all(
            [
                Dispatch(case_id, f"unit-{n}", f"Unit {n}", DEFAULT_POLICY, now, "op", next_at=now)
                for n in range(3)
            ]
        )
        for d in added:
            d.step_index, d.round = 1, 2
            uow.dispatches.save(d)
        listed = uow.dispatches.for_case(case_id)
        assert [(d.unit_id, d.step_index, d.round) for d in listed] == [
            (f"unit-{n}", 1, 2) for n in range(3)
        ]
        listed[0].state = DispatchState.STOPPED  # a copy: not saved, not kept
        assert uow.dispatches.for_case(case_id)[0].state is DispatchState.ACTIVE
        uow.commit()
    assert sum(s.startswith("UPDATE dispatches") for s in seen) == 1
    with lifeline.ctx.uow(readonly=True) as uow:
        stored = uow.dispatches.for_case(case_id)
        one = uow.dispatches.get(added[1].id or 0)
    assert [(d.step_index, d.round, d.state) for d in stored] == [(1, 2, DispatchState.ACTIVE)] * 3
    assert (one.unit_id, one.next_at) == ("unit-1", added[1].next_at)
    # one INSERT for the three, each given its own row's id
    assert sum(s.startswith("INSERT INTO dispatches") for s in seen) == 1
    assert [(d.id, d.unit_id) for d in stored] == [(d.id, d.unit_id) for d in added]


def test_notifications_added_together_are_one_insert_each_with_its_id_and_code(
    lifeline: Lifeline,
) -> None:
    case_id = take_alert(lifeline)
    now = lifeline.clock.now()
    with statements(lifeline) as seen, lifeline.ctx.uow() as uow:
        (dispatch,) = uow.dispatches.add_all(
            [Dispatch(case_id, "unit-0", "Unit 0", DEFAULT_POLICY, now, "op")]
        )
        added = uow.dispatches.add_notifications(
            [
                Notification(
                    case_id,
                    dispatch.id,
                    "unit-0",
                    f"Contact {n}",
                    "sho",
                    (f"json://127.0.0.1:9/{n}",),
                    now,
                    brief={"n": n} if n else None,
                )
                for n in range(3)
            ]
        )
        uow.commit()
    assert sum(s.startswith("INSERT INTO notifications") for s in seen) == 1
    ids = [n.id or 0 for n in added]
    assert ids == sorted(ids) and len(set(ids)) == 3
    with lifeline.ctx.uow(readonly=True) as uow:
        stored = uow.dispatches.notifications(ids)
        by_code = [uow.dispatches.notification_by_code(n.ack_code or "") for n in added]
    assert [(n.id, n.contact_name, n.channels, n.brief) for n in stored] == [
        (ids[n], f"Contact {n}", (f"json://127.0.0.1:9/{n}",), {"n": n} if n else None)
        for n in range(3)
    ]
    assert [found.id if found else None for found in by_code] == ids


def test_merge_keys_are_locked_once_per_transaction(lifeline: Lifeline) -> None:
    with statements(lifeline) as seen, lifeline.ctx.uow() as uow:
        uow.lock_keys(["account:ravi", "phone:9999999999"])
        uow.lock_keys(["phone:9999999999", "account:ravi"])  # held: nothing to ask
        uow.lock_keys(["account:ravi", "email:ravi@example.org"])  # one more
        uow.commit()
    locks = [s for s in seen if "pg_advisory_xact_lock" in s or s.startswith("SELECT pg_")]
    expected = 2 if lifeline.engine.dialect.name == "postgresql" else 0
    assert len(locks) == expected, seen


def test_earlier_cases_about_a_person_are_read_without_writing_the_held_save_of_the_case_asking(
    lifeline: Lifeline,
) -> None:
    first = take_alert(lifeline, "a")  # the same phone as every take_alert
    lifeline.clock.advance(days=40)  # past the merge window: a case of its own
    second = take_alert(lifeline, "b")
    with lifeline.ctx.uow(readonly=True) as uow:
        keys = sorted({k for a in uow.alerts.for_case(second) for k in a.subject.identity_keys()})
    now = lifeline.clock.now()
    with statements(lifeline) as seen, lifeline.ctx.uow() as uow:
        case = uow.cases.get(second, for_update=True)
        case.mark_triaged(now, RiskLevel.IMMINENT, OP, "test")
        uow.cases.save(case)
        earlier = uow.aftercare.find_earlier_cases(keys, before=now, exclude=second)
        assert earlier == {first: {"phone"}}
        assert not [s for s in seen if s.startswith("UPDATE cases")]  # it cannot change that
        # a held save of another case is written first: the query may read that row
        other = uow.cases.get(first, for_update=True)
        other.mark_triaged(now, RiskLevel.DISTRESS, OP, "test")
        uow.cases.save(other)
        later = now + timedelta(seconds=1)  # another question (the first one's answer is kept)
        assert uow.aftercare.find_earlier_cases(keys, before=later, exclude=second) == earlier
        assert len([s for s in seen if s.startswith("UPDATE cases")]) == 2
        uow.commit()
    with lifeline.ctx.uow(readonly=True) as uow:
        assert uow.cases.get(second).risk_level is RiskLevel.IMMINENT
        assert uow.cases.get(first).risk_level is RiskLevel.DISTRESS
