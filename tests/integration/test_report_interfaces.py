"""`lifeline report`, `lifeline state-export`, `lifeline followups` and the HTTP endpoints, on
both databases."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli_support import cli_runner
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.reports.report import IST
from lifeline.settings import load_settings
from lifeline.web.app import create_app
from lifeline.worker import Worker
from staff_support import staff_token

OP = Actor("user", "op", "smc_operator")


def rescued(app: Lifeline, handle: str, outcome: str = "reached_safe") -> int:
    alert = Alert(
        AlertSource.PLATFORM_EMAIL,
        app.clock.now(),
        b"{}",
        "message/rfc822",
        platform="facebook",
        subject=Subject(handle=handle),
        post=Post("अब और नहीं"),
        location=LocationHint(text="Hazratganj, Lucknow"),
    )
    case_id = receive_alert(app.ctx, ReceiveAlert(alert, Actor("partner", "1"))).case_id
    while Worker(app).run_once():
        pass
    cases.dispatch_case(app.ctx, OP, case_id, ["Hazratganj PS"])
    cases.mark_on_scene(app.ctx, OP, case_id)
    cases.record_outcome(app.ctx, OP, case_id, outcome, "reason")
    return case_id


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return cli_runner(database_url, tmp_path, monkeypatch)


def test_report_in_every_format_to_stdout_or_a_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = bootstrap(load_settings())
    try:
        ids = [rescued(app, "a"), rescued(app, "b", "deceased")]
        today = app.clock.now().astimezone(IST).date().isoformat()
    finally:
        app.dispose()
    data = json.loads(run("report", "--from", today, "--to", today, "--json"))
    summary = {f["key"]: f for f in data["sections"][0]["figures"]}
    assert summary["cases"]["case_ids"] == ids
    assert summary["lives_reached"]["case_ids"] == ids[:1]
    lucknow = json.loads(run("report", "--from", today, "--to", today, "--district", "157"))
    assert lucknow["district"]["name"] == "Lucknow"
    rows = list(
        csv.DictReader(io.StringIO(run("report", "--from", today, "--to", today, "-f", "csv")))
    )
    deceased = next(r for r in rows if r["key"] == "deceased")
    assert deceased["value"] == "1" and deceased["case_ids"] == str(ids[1])
    pdf = tmp_path / "report.pdf"
    run("report", "--from", today, "--to", today, "--format", "pdf", "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    export = run("state-export", "--from", today, "--to", today, "--k", "5")
    assert export.splitlines()[0].startswith("month,district_lgd,district,cases")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-11-30", "--to", "2026-11-01"), "is after --to"),
        (
            ("--from", "2026-11-01", "--to", "2026-11-30", "--district", "Gotham"),
            "unknown district",
        ),
        (("--from", "1 Nov", "--to", "2026-11-30"), "not a date"),
        (("--from", "2026-11-01", "--to", "2026-11-30", "--format", "docx"), "unknown format"),
    ],
)
def test_bad_report_requests_fail_clearly(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    error = json.loads(run("report", *args, "--json", code=1))
    assert message in error["error"]["message"]


def test_followups_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    app = bootstrap(load_settings())
    try:
        case_id = rescued(app, "c")
    finally:
        app.dispose()
    [plan] = json.loads(run("followups", "list", "--json"))
    assert plan["case_id"] == case_id and plan["status"] == "active"
    assert json.loads(run("followups", "list", "--due", "--json")) == []
    check_in = plan["check_ins"][0]["id"]
    run("followups", "record", str(check_in), "reached", "--note", "ok", "--json")
    again = json.loads(run("followups", "record", str(check_in), "reached", "--json", code=1))
    assert "already recorded" in again["error"]["message"]
    run("followups", "refer", str(plan["id"]), "district_mhp", "--json")
    shown = json.loads(run("followups", "show", str(plan["id"]), "--json"))
    assert shown["referral"]["name"] == "District Mental Health Programme, Lucknow"
    assert shown["person"]["name"] is None
    cancelled = json.loads(
        run("followups", "cancel", str(plan["id"]), "--reason", "declined", "--json")
    )
    assert cancelled["status"] == "cancelled"


def headers(app: Lifeline, role: str, user: str = "u") -> dict[str, str]:
    return {"Authorization": f"Bearer {staff_token(app, user, role)}"}


def test_reports_over_http_for_supervisors(lifeline: Lifeline) -> None:
    case_id = rescued(lifeline, "d")
    day = lifeline.clock.now().astimezone(IST).date()
    query = {"from": day.isoformat(), "to": day.isoformat()}
    with TestClient(create_app(lifeline, embedded_worker=False)) as client:
        assert client.get("/api/v1/reports", params=query).status_code == 401
        denied = client.get(
            "/api/v1/reports", params=query, headers=headers(lifeline, "smc_operator")
        )
        assert denied.status_code == 403
        ok = client.get("/api/v1/reports", params=query, headers=headers(lifeline, "supervisor"))
        assert ok.status_code == 200
        assert ok.json()["sections"][0]["figures"][0]["case_ids"] == [case_id]
        pdf = client.get(
            "/api/v1/reports", params={**query, "format": "pdf"}, headers=headers(lifeline, "admin")
        )
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
        later = (day + timedelta(days=1)).isoformat()
        bad = client.get(
            "/api/v1/reports",
            params={"from": later, "to": day.isoformat()},
            headers=headers(lifeline, "supervisor"),
        )
        assert bad.status_code == 400 and "is after --to" in bad.json()["error"]["message"]
        export = client.get(
            "/api/v1/reports/state-export", params=query, headers=headers(lifeline, "supervisor")
        )
        assert export.status_code == 200 and export.text.startswith("month,")


def test_counsellors_see_due_check_ins_and_record_them_over_http(lifeline: Lifeline) -> None:
    rescued(lifeline, "e")
    with TestClient(create_app(lifeline, embedded_worker=False)) as client:
        asha = headers(lifeline, "counsellor", "asha")
        assert client.get("/api/v1/follow-ups", params={"due": True}, headers=asha).json() == []
        [plan] = client.get("/api/v1/follow-ups", headers=asha).json()
        check_in = plan["check_ins"][0]["id"]
        refused = client.post(
            f"/api/v1/follow-ups/check-ins/{check_in}", json={"result": "reached"}, headers=asha
        )
        assert refused.status_code == 403
        created = client.post(
            "/api/v1/follow-ups/{}/assign".format(plan["id"]),
            json={"counsellor": "nobody.here"},
            headers=headers(lifeline, "supervisor", "sup"),
        )
        assert created.status_code == 404  # no such counsellor user
        from_smc = client.post(
            f"/api/v1/follow-ups/check-ins/{check_in}",
            json={"result": "needs_escalation", "note": "again"},
            headers=headers(lifeline, "smc_operator"),
        )
        assert from_smc.status_code == 200 and from_smc.json()["status"] == "escalated"
        case = client.get(f"/api/v1/cases/{plan['case_id']}", headers=headers(lifeline, "admin"))
        assert case.json()["status"] == "received"
