"""True clocks (issue 16), on SQLite and PostgreSQL: "police notified" is the first message of
a dispatch delivered (through the real notify path to an HTTP endpoint on 127.0.0.1), not the
decision to dispatch; a unit nobody could be told is "nobody reached" everywhere; drills are
left out of every figure; a district officer's report is their district's only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from console_support import LUCKNOW, VARANASI, make_person, new_case, place_in, signed_in
from dispatch_support import Receiver, unit_endpoints
from lifeline.adapters.db import migrate
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.cli import app as cli
from lifeline.domain.errors import PermissionDenied
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.console import desk
from lifeline.services.reports import dashboard
from lifeline.services.reports import report as reports
from lifeline.services.reports.figures import Figure
from lifeline.services.reports.report import IST, Report
from lifeline.settings import load_settings
from lifeline.web.app import create_app
from lifeline.worker import Worker
from staff_support import staff_token
from support import FakeClock

CLI = Actor("cli", "test")
OP = Actor("user", "op", "smc_operator")


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


def drain(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def today(app: Lifeline) -> date:
    return app.clock.now().astimezone(IST).date()


def report_of(app: Lifeline, actor: Actor = CLI, district: str | None = None) -> Report:
    day = today(app)
    return reports.build_report(app.ctx, actor, day, day, district=district)


def fig(report: Report, key: str) -> Figure:
    return next(f for f in report.figures() if f.key == key)


def test_police_notified_is_the_first_delivered_message_not_the_dispatch_decision(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    station.status = others.status = 503  # every unit's endpoint down when the case goes out
    start = clock.now()
    case_id = new_case(lifeline, handle="late")
    drain(lifeline)  # triaged, located and dispatched at once; every first attempt fails
    assert not station.received and not others.received
    station.status = others.status = 200
    clock.advance(minutes=2)
    drain(lifeline)  # the retries get through, two minutes after the alert
    assert station.received

    case = cases.show_case(lifeline.ctx, OP, case_id).case
    assert case.milestones[Milestone.DISPATCHED] == start
    assert case.milestones[Milestone.FIRST_DELIVERED] == start + timedelta(minutes=2)

    report = report_of(lifeline)
    decided, notified = (
        fig(report, "alert_to_dispatched.p50"),
        fig(report, "alert_to_first_delivered.p50"),
    )
    assert decided.value == 0.0 and decided.label == "Alert → dispatch decided p50"
    assert notified.value == 2.0 and notified.label == "Alert → police notified p50"
    assert notified.extra["n"] == 1 and notified.case_ids == (case_id,)
    assert notified.extra["at_rank_case_id"] == case_id
    assert fig(report, f"district.{LUCKNOW}.alert_to_first_delivered.p50").value == 2.0

    steps = {s.key: s for s in dashboard.dashboard(lifeline.ctx, OP).today.steps}
    assert (steps["alert_to_dispatched"].p50, steps["alert_to_first_delivered"].p50) == (0.0, 2.0)

    def observed(suffix: str) -> float | None:
        return lifeline.metrics.registry.get_sample_value(
            f"lifeline_response_seconds_{suffix}", {"interval": "alert_to_first_delivered"}
        )

    assert observed("count") == 1.0 and observed("sum") == 120.0  # once per case, 2 min


def test_a_unit_nobody_could_be_told_is_nobody_reached_and_not_notified(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    # the shipped registry has no contacts: the station, the cell and UP-112 reach nobody
    case_id = new_case(lifeline, handle="alone")
    drain(lifeline)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert Milestone.DISPATCHED in detail.case.milestones
    assert Milestone.FIRST_DELIVERED not in detail.case.milestones
    read = CaseRead.of(detail)
    assert read.dispatches and {d.reach.value for d in read.dispatches} == {"nobody_reached"}
    assert {d.state.value for d in read.dispatches} == {"active"}

    [row] = desk.queue(lifeline.ctx, OP, ack_sla=timedelta(minutes=5))
    assert row.dispatches and {state for _, state in row.dispatches} == {"nobody_reached"}

    report = report_of(lifeline)
    assert fig(report, "alert_to_dispatched.p50").extra["n"] == 1
    notified = fig(report, "alert_to_first_delivered.p50")
    assert notified.value is None and notified.extra["n"] == 0 and notified.case_ids == ()

    web, _ = signed_in(lifeline, make_person(lifeline, "op", "smc_operator"), clock)
    page = web.get(f"/console/cases/{case_id}").text
    assert "Nobody reached" in page and "Waiting for acknowledgement" not in page
    assert "Nobody reached" in web.get("/console/queue").text
    token = staff_token(lifeline, "sup", "supervisor")
    with TestClient(create_app(lifeline, embedded_worker=False)) as api:
        shown = api.get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert {d["reach"] for d in shown.json()["dispatches"]} == {"nobody_reached"}


def test_drills_are_left_out_of_reports_dashboards_and_the_state_export(
    lifeline: Lifeline,
) -> None:
    real = new_case(lifeline, handle="real")
    drill = new_case(lifeline, handle="drill")
    with lifeline.engine.begin() as conn:
        conn.execute(
            text("UPDATE cases SET drill = :yes WHERE id = :id"), {"yes": True, "id": drill}
        )
    report = report_of(lifeline)
    assert fig(report, "cases").case_ids == (real,) and fig(report, "alerts").value == 1
    assert all(drill not in f.case_ids for f in report.figures())
    board = dashboard.dashboard(lifeline.ctx, OP)
    assert board.today.figure("cases") == 1 and board.month.figure("cases") == 1
    day = today(lifeline)
    export = reports.export_counts(lifeline.ctx, CLI, day, day, k=2, min_k=2)
    assert sum(row.cases or 0 for row in export.rows) == 0  # one case: suppressed, not two


def test_a_district_officer_gets_their_own_districts_report_and_no_other(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    mine, theirs = new_case(lifeline, handle="lko"), new_case(lifeline, handle="vns")
    place_in(lifeline, mine, LUCKNOW)
    place_in(lifeline, theirs, VARANASI)
    officer = make_person(lifeline, "dsp", "district_officer", jurisdiction=LUCKNOW)
    dsp = Actor("user", "dsp", "district_officer")

    report = report_of(lifeline, dsp)
    assert report.district is not None and report.district.lgd == LUCKNOW
    assert fig(report, "cases").case_ids == (mine,)
    assert all(theirs not in f.case_ids for f in report.figures())
    assert report_of(lifeline, dsp, district="Lucknow").district == report.district
    for other in (VARANASI, "unknown"):
        with pytest.raises(PermissionDenied):
            report_of(lifeline, dsp, district=other)
    day = today(lifeline)
    with pytest.raises(PermissionDenied):
        reports.export_counts(lifeline.ctx, dsp, day, day, k=5, min_k=5)
    assert fig(report_of(lifeline), "cases").case_ids == (mine, theirs)  # the SMC sees both

    query = {"from": day.isoformat(), "to": day.isoformat()}
    auth = {"Authorization": f"Bearer {staff_token(lifeline, 'dsp', 'district_officer', LUCKNOW)}"}
    with TestClient(create_app(lifeline, embedded_worker=False)) as api:
        got = api.get("/api/v1/reports", params=query, headers=auth)
        assert got.status_code == 200
        assert got.json()["district"]["lgd"] == LUCKNOW
        assert got.json()["sections"][0]["figures"][0]["case_ids"] == [mine]
        refused = api.get("/api/v1/reports", params={**query, "district": "Varanasi"}, headers=auth)
        assert refused.status_code == 403
        export = api.get("/api/v1/reports/state-export", params=query, headers=auth)
        assert export.status_code == 403

    web, _ = signed_in(lifeline, officer, clock)
    page = web.get("/console/reports", params=query)
    assert page.status_code == 200 and "Lucknow" in page.text
    assert f'href="/console/cases/{theirs}"' not in page.text
    assert web.get("/console/reports", params={**query, "district": VARANASI}).status_code == 403
    pdf = web.get("/console/reports/file", params={**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv_file = web.get("/console/reports/file", params={**query, "format": "csv"}).text
    assert f" {theirs} " not in f" {csv_file} " and "Varanasi" not in csv_file


def test_migration_0016_backfills_the_first_delivery_from_the_notifications(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    station.status = others.status = 503
    start = clock.now()
    case_id = new_case(lifeline, handle="before")
    drain(lifeline)
    station.status = others.status = 200
    clock.advance(minutes=3)
    drain(lifeline)
    migrate.downgrade(lifeline.engine, "0013")
    with lifeline.engine.begin() as conn:  # an SMC alarm delivered earlier is no unit told
        conn.execute(
            text(
                "INSERT INTO notifications (case_id, dispatch_id, unit_id, contact_name, "
                "contact_role, channels_enc, purpose, step_index, state, channel_index, "
                "attempts, detail, created_at, delivered_at) VALUES (:case_id, NULL, 'up-smc', "
                "'x', 'duty', 'x', 'alarm', 0, 'delivered', 0, 1, '', :at, :at)"
            ),
            {"case_id": case_id, "at": start + timedelta(minutes=1)},
        )
    migrate.upgrade(lifeline.engine)
    with lifeline.ctx.uow(readonly=True) as uow:
        case = uow.cases.get(case_id)
    assert case.milestones[Milestone.FIRST_DELIVERED] == start + timedelta(minutes=3)


def test_the_cli_shows_a_unit_nobody_could_be_told_as_nobody_reached(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIFELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    run("db", "upgrade")
    app = bootstrap(load_settings())
    try:
        case_id = new_case(app, handle="cli")  # the shipped registry has no contacts
        drain(app)
    finally:
        app.dispose()
    shown = run("cases", "show", str(case_id))
    assert "nobody reached" in shown and ": active" not in shown
    read = json.loads(run("cases", "show", str(case_id), "--json"))
    assert read["dispatches"] and {d["reach"] for d in read["dispatches"]} == {"nobody_reached"}
