"""Retention (issue #18) on SQLite and PostgreSQL: the purge erases what the settings say, from
every table (the whole database is read back, encrypted columns decrypted, and the purged
names, phones, handles, post text and notes appear nowhere, audit log included); report figures
are the same before and after; a legal hold keeps a case whole; a dry run changes nothing; a
person's data is erased on request by phone or handle; the daily job runs from the worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as h_settings
from hypothesis import strategies as st
from sqlalchemy import select

from cli_support import cli_runner
from dispatch_support import AT_RISK, MADEYGANJ, PARTNER, drain, unit_endpoints
from lifeline.adapters.db.tables import metadata
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.cli.common import load_app
from lifeline.doctor.base import Run
from lifeline.doctor.retention import retention as retention_check
from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import DomainError
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.job_types import JobKind, PurgeJob, enqueue
from lifeline.services.reports.report import IST, build_report
from lifeline.services.retention import erasure, purge
from lifeline.services.retention.erasure import ErasureRefused
from lifeline.settings import Settings
from support import FakeClock, RecordingSink

OP = Actor("user", "op", "smc_operator")
CLI = Actor("cli", "test", "admin")
SUPERVISOR = Actor("user", "sup", "supervisor")


def person(n: int) -> dict[str, str]:
    """Values of one person that must be gone after a purge (unique, so a scan finds them)."""
    return {
        "name": f"Zqname{n}",
        "handle": f"zqhandle{n}",
        "phone": f"97{n:08d}",
        "post": f"ZQPOST{n}",
        "note": f"ZQNOTE{n}",
    }


def take(app: Lifeline, n: int) -> int:
    p = person(n)
    text = f"{p['post']} {AT_RISK}"
    raw = json.dumps({"name": p["name"], "text": text, "phone": p["phone"]}).encode()
    alert = Alert(
        AlertSource.PLATFORM_API,
        app.clock.now(),
        raw,
        "application/json",
        platform="facebook",
        reference=f"FB-{p['handle']}",
        subject=Subject(handle=p["handle"], name=p["name"], phone=f"+91 {p['phone']}"),
        post=Post(text=text, url=f"https://facebook.com/{p['handle']}/posts/1"),
        location=MADEYGANJ,
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, PARTNER)).case_id


def close(app: Lifeline, case_id: int, n: int) -> None:
    cases.record_outcome(app.ctx, OP, case_id, "reached_safe", person(n)["note"])
    cases.close_case(app.ctx, OP, case_id)


def dump(app: Lifeline) -> str:
    """Every value in the database as text, encrypted columns decrypted."""
    return "\n".join(value for _, value in cells(app))


def cells(app: Lifeline) -> list[tuple[str, str]]:
    """(table.column, value as text) of every value in the database, encrypted ones decrypted."""
    keys = app.keyring
    parts: list[tuple[str, str]] = []
    with app.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    where = f"{table.name}.{column}"
                    if column.endswith("_enc"):
                        plain = keys.decrypt_bytes(value, where) or b""
                        parts.append((where, plain.decode("utf-8", "replace")))
                    elif isinstance(value, dict | list):
                        parts.append((where, json.dumps(value, ensure_ascii=False)))
                    else:
                        parts.append((where, str(value)))
    return parts


def found_in(app: Lifeline, n: int) -> dict[str, set[str]]:
    """Where each of person n's values still is (kind -> table.column)."""
    found: dict[str, set[str]] = {}
    for where, text in cells(app):
        for kind, value in person(n).items():
            if value in text:
                found.setdefault(kind, set()).add(where)
    return found


def present(app: Lifeline, n: int) -> set[str]:
    text = dump(app)
    return {kind for kind, value in person(n).items() if value in text}


def figures(app: Lifeline) -> list[Any]:
    today = app.clock.now().astimezone(IST).date()
    report = build_report(app.ctx, SUPERVISOR, date(2026, 1, 1), today)
    return [(f.key, f.value) for f in report.figures()]


@pytest.fixture
def desk(lifeline: Lifeline) -> Iterator[Lifeline]:
    with unit_endpoints(lifeline):
        yield lifeline


def test_purge_erases_ended_cases_by_the_periods_keeps_held_and_open_ones_and_the_figures(
    desk: Lifeline, clock: FakeClock
) -> None:
    app = desk
    dismissed = take(app, 4)
    cases.dismiss(app.ctx, OP, dismissed, "false_alarm", "ZQNOTE4 a joke")
    closed, held, _open = (take(app, n) for n in (1, 2, 3))
    clock.advance(seconds=30)
    drain(app)
    close(app, closed, 1)
    close(app, held, 2)
    erasure.hold_case(app.ctx, held, "court order 17/2026", CLI)
    assert present(app, 1) == set(person(1))

    clock.advance(days=31)  # past post text (30) and dismissed (30), not closed (90)
    drain(app)
    first = purge.run(app.ctx, clock.now())
    assert present(app, 1) == {"name", "handle", "phone", "note"}, found_in(app, 1)
    assert present(app, 4) == set(), found_in(app, 4)
    assert closed in first.cases["post_text"] and dismissed in first.cases["case"]
    assert held in first.held

    clock.advance(days=60)  # 91 days after closing
    drain(app)
    before = figures(app)
    second = purge.run(app.ctx, clock.now())
    assert figures(app) == before, "reports count the same cases, times and outcomes"
    assert present(app, 1) == set(), found_in(app, 1)
    assert present(app, 2) == set(person(2)), "a held case is kept whole"
    assert present(app, 3) == set(person(3)) - {"note"}, "an open case is not touched"
    assert second.cases["case"] == [closed] and second.fields["case"]["subjects.name_enc"] == 1

    again = purge.run(app.ctx, clock.now())
    assert again.total() == 0 and not again.cases, "a second run finds nothing to do"
    shown = cases.show_case(app.ctx, OP, closed, purpose="test")
    assert shown.case.outcome is not None and shown.case.outcome.kind.value == "reached_safe"

    with app.ctx.uow(readonly=True) as uow:
        runs = [r for r in uow.audit.records() if r.action == "retention.purge"]
    assert len(runs) == 3 and runs[1].details["cases"]["case"] == [closed]

    erasure.unhold_case(app.ctx, held, CLI)
    purge.run(app.ctx, clock.now())
    assert present(app, 2) == set(), "once the hold is lifted the next run erases it"


@pytest.fixture
def at_once(
    settings: Settings, clock: FakeClock, sink: RecordingSink, migrated_database_url: str
) -> Iterator[Lifeline]:
    app = bootstrap(
        settings.model_copy(update={"retention_closed_days": 0}), clock=clock, events=sink
    )
    try:
        with unit_endpoints(app):
            yield app
    finally:
        app.dispose()


def test_zero_days_purges_at_the_next_run_and_a_dry_run_changes_nothing(
    at_once: Lifeline, clock: FakeClock
) -> None:
    app = at_once
    case_id = take(app, 5)
    clock.advance(seconds=30)
    drain(app)
    close(app, case_id, 5)
    clock.advance(seconds=1)
    before = dump(app)
    planned = purge.plan(app.ctx, clock.now())
    assert dump(app) == before, "a dry run changes nothing, not even the audit log"
    assert case_id in planned.cases["case"] and planned.total() > 0
    done = purge.run(app.ctx, clock.now())
    assert done.as_dict()["fields"] == planned.as_dict()["fields"], "the plan was the run"
    assert present(app, 5) == set()


def test_a_person_is_erased_on_request_by_phone_or_handle(desk: Lifeline, clock: FakeClock) -> None:
    app = desk
    a, b, other = take(app, 6), take(app, 7), take(app, 8)
    clock.advance(seconds=30)
    drain(app)
    for case_id, n in ((a, 6), (other, 8)):
        close(app, case_id, n)
    # case b (person 7) is still open: refused without --force
    with pytest.raises(ErasureRefused, match=f"{b}.*still open"):
        erasure.erase_person(app.ctx, handle="@ZQHANDLE7", actor=CLI)
    assert present(app, 7) == set(person(7)) - {"note"}

    dry = erasure.erase_person(app.ctx, phone="+91-97-00000006", actor=CLI, dry_run=True)
    assert dry.case_ids == [a] and present(app, 6) == set(person(6))
    done = erasure.erase_person(app.ctx, phone="+91-97-00000006", actor=CLI)
    assert done.case_ids == [a] and present(app, 6) == set()
    assert present(app, 8) == set(person(8)), "nobody else's data is touched"

    erasure.hold_case(app.ctx, other, "inquiry 3", CLI)
    with pytest.raises(ErasureRefused, match="legal hold"):
        erasure.erase_person(app.ctx, handle="zqhandle8", actor=CLI)
    forced = erasure.erase_person(
        app.ctx, handle="@zqhandle7", actor=CLI, force_reason="the person asked, case dealt with"
    )
    assert forced.forced == [b] and present(app, 7) == set()
    with app.ctx.uow(readonly=True) as uow:
        audited = [r.details for r in uow.audit.records() if r.action == "subject.erase"]
    assert [d["case_ids"] for d in audited] == [[a], [b]]
    said = json.dumps(audited)
    assert not any(v in said for n in (6, 7) for v in person(n).values()), "counts, not content"
    with pytest.raises(DomainError, match="fewer than 10 digits"):
        erasure.erase_person(app.ctx, phone="12345", actor=CLI)


def test_the_daily_purge_job_runs_from_the_worker_and_schedules_the_next(
    desk: Lifeline, clock: FakeClock
) -> None:
    app = desk
    assert app.schedule_retention() is True
    assert app.schedule_retention() is False, "scheduled once"
    case_id = take(app, 9)
    clock.advance(seconds=30)
    drain(app)
    close(app, case_id, 9)
    clock.advance(days=91)
    drain(app)
    assert present(app, 9) == set()
    with app.ctx.uow(readonly=True) as uow:
        last, nxt = uow.retention.last_run(), uow.retention.purge_scheduled()
    assert last == clock.now() and nxt == clock.now() + timedelta(days=1)


def test_bad_retention_settings_are_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="retention_closed_days"):
        Settings(retention_closed_days=-1, _env_file=None)  # type: ignore[call-arg]


Scenario = list[tuple[str, bool]]


@h_settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["open", "closed", "dismissed"]), st.booleans()),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from([0, 31, 91, 400]),
)
def test_report_figures_are_the_same_before_and_after_any_purge(
    desk: Lifeline, clock: FakeClock, scenario: Scenario, days: int
) -> None:
    """Whatever mix of open, closed, dismissed and held cases, and however long after: the
    report of every case so far is the same before and after the purge."""
    app = desk
    for end, hold in scenario:
        n = next(NUMBERS)
        case_id = take(app, n)
        if end == "dismissed":
            cases.dismiss(app.ctx, OP, case_id, "false_alarm", "not at risk")
        clock.advance(seconds=30)
        drain(app)
        if end == "closed":
            close(app, case_id, n)
        if hold:
            erasure.hold_case(app.ctx, case_id, "inquiry", CLI)
    clock.advance(days=days)
    drain(app)
    before = figures(app)
    purge.run(app.ctx, clock.now())
    assert figures(app) == before


NUMBERS = iter(range(100, 10_000))


def test_the_cli_holds_shows_purges_and_erases(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIFELINE_RETENTION_CLOSED_DAYS", "0")
    run = cli_runner(database_url, tmp_path, monkeypatch)
    app = load_app()
    try:
        with unit_endpoints(app):
            case_id = take(app, 11)
            drain(app)
            close(app, case_id, 11)
        held = json.loads(run("cases", "hold", str(case_id), "--reason", "order 5", "--json"))
        assert held["reason"] == "order 5"
        assert "LEGAL HOLD" in run("cases", "show", str(case_id))
        dry = json.loads(run("retention", "run", "--dry-run", "--json"))
        assert dry["held"] == [case_id] and dry["cases"] == {} and dry["dry_run"] is True
        refused = json.loads(run("subjects", "erase", "--phone", "9700000011", "--json", code=1))
        assert "legal hold" in refused["error"]["message"]
        run("cases", "unhold", str(case_id))
        done = json.loads(run("subjects", "erase", "--handle", "@ZQhandle11", "--json"))
        assert done["case_ids"] == [case_id] and done["total"] > 0
        assert present(app, 11) == set(), found_in(app, 11)
        shown = json.loads(run("cases", "show", str(case_id), "--json"))
        assert shown["alerts"][0]["post"]["text"] == "[erased]"
        text = run("cases", "show", str(case_id))
        assert "LEGAL HOLD" not in text and "erased (link)" in text
        assert "erased 0" in run("retention", "run"), "nothing left to erase"

        checked = Run(app.settings, False, [], engine=app.engine, db_ready=True)
        retention_check(checked, now=app.clock.now())
        assert checked.checks[-1].status == "ok", "`db upgrade` scheduled the purge"
        assert app.schedule_retention() is False, "and only once"
        retention_check(checked, now=app.clock.now() + timedelta(days=3))
        assert checked.checks[-1].status == "warn"
        assert "not run in 2 days" in checked.checks[-1].found
        run("retention", "run")
        retention_check(checked, now=app.clock.now())
        assert checked.checks[-1].status == "ok" and "last ran" in checked.checks[-1].found
    finally:
        app.dispose()


def test_two_purges_at_once_erase_each_field_once(desk: Lifeline, clock: FakeClock) -> None:
    """Two runs racing (two workers, or a worker and `retention run`): each case is erased by
    one of them, under its row lock; together they erase what one run would."""
    app = desk
    ids = [take(app, n) for n in range(20, 26)]
    clock.advance(seconds=30)
    drain(app)
    for case_id, n in zip(ids, range(20, 26), strict=True):
        close(app, case_id, n)
    clock.advance(days=91)
    drain(app)
    alone = purge.plan(app.ctx, clock.now())
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: purge.run(app.ctx, clock.now()), range(2)))
    together = runs[0]
    together.merge(runs[1])
    assert together.as_dict()["fields"] == alone.as_dict()["fields"]
    assert sorted(together.cases["case"]) == sorted(ids)
    assert all(present(app, n) == set() for n in range(20, 26))


def test_two_daily_chains_become_one(desk: Lifeline, clock: FakeClock) -> None:
    app = desk
    with app.ctx.uow() as uow:  # two workers started at the same instant
        for _ in range(2):
            enqueue(uow.jobs, JobKind.RETENTION_PURGE, PurgeJob(), now=clock.now())
        uow.commit()
    drain(app)
    with app.ctx.uow(readonly=True) as uow:
        pending = [j for j in uow.jobs.recent("pending") if j["kind"] == "retention_purge"]
    assert len(pending) == 1
