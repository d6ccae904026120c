"""Dispatch for staff through the API, the console and the CLI: the dry run, the one-click
confirmation, the STF's trace answer, the case's notifications in its JSON, the SMC alarm
banner scoped like the queue, and `lifeline dispatch plan --json`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dispatch_entry_support import (
    CHANNEL_SECRET,
    OP,
    STATION,
    Endpoints,
    configure,
    drain,
    endpoints,
    new_case,
)
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from console_support import LUCKNOW, VARANASI, client, form_token, make_person, signed_in
from lifeline.bootstrap import Lifeline
from lifeline.cli import app as cli
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import PartnerCaseRead
from lifeline.services.dispatch.escalations import confirm_dispatch
from lifeline.settings import Settings
from staff_support import staff_token
from support import FakeClock


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return configure(settings)


@pytest.fixture
def sent(lifeline: Lifeline) -> Iterator[Endpoints]:
    with endpoints(lifeline) as found:
        yield found


def api(app: Lifeline, name: str = "op", role: str = "smc_operator") -> TestClient:
    web = client(app)
    web.headers["Authorization"] = "Bearer " + staff_token(app, name, role)
    return web


def test_the_dry_run_names_units_rules_and_contacts_and_sends_nothing(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    chosen = api(lifeline).get(f"/api/v1/cases/{case_id}/dispatch-plan?units={STATION}")
    assert chosen.status_code == 200, chosen.text
    plan = chosen.json()
    assert plan["case_id"] == case_id and plan["facts"]["located"] is True
    [unit] = plan["units"]
    assert unit["unit_id"] == STATION and unit["rule"] == "chosen by the operator"
    assert unit["contacts"] == ["Duty officer (duty)"] and unit["policy"] == "default"
    routed = api(lifeline).get(f"/api/v1/cases/{case_id}/dispatch-plan").json()
    assert {"automatic", "why", "rules_matched", "problems"} <= set(routed)
    drain(lifeline)
    assert not sent.station.received
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status.value == "received"


def test_confirming_dispatches_once_and_the_case_json_shows_the_notifications(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    web = api(lifeline)
    done = web.post(f"/api/v1/cases/{case_id}/confirm-dispatch", json={"units": [STATION]})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "dispatched"
    assert [d["unit_id"] for d in done.json()["dispatches"]] == [STATION]
    again = web.post(f"/api/v1/cases/{case_id}/confirm-dispatch", json={"units": [STATION]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "dispatch_error"
    unknown = web.post(f"/api/v1/cases/{case_id}/confirm-dispatch", json={"units": ["nowhere"]})
    assert unknown.status_code == 409 and "nowhere" in unknown.json()["error"]["message"]
    drain(lifeline)
    shown = web.get(f"/api/v1/cases/{case_id}").json()
    [dispatch] = shown["dispatches"]
    assert dispatch["unit_id"] == STATION and dispatch["state"] == "active"
    assert dispatch["policy"] == "default" and dispatch["next_at"] is not None
    [note] = shown["notifications"]
    assert note["state"] == "delivered" and note["contact_name"] == "Duty officer"
    assert note["unit_id"] == STATION and note["delivered_at"] and note["attempts"] == 1
    assert shown["alarms"] == []
    text = json.dumps(shown)  # a channel's URL holds its credentials: never shown
    assert CHANNEL_SECRET not in text and "/station" not in text


def test_acknowledging_by_api_names_the_unit(lifeline: Lifeline, sent: Endpoints) -> None:
    case_id = new_case(lifeline)
    confirm_dispatch(lifeline.ctx, OP, case_id, [STATION])
    web = api(lifeline)
    done = web.post(f"/api/v1/cases/{case_id}/acknowledge", json={"unit": STATION})
    assert done.status_code == 200 and done.json()["status"] == "acknowledged"
    dispatch = web.get(f"/api/v1/cases/{case_id}").json()["dispatches"][0]
    assert dispatch["state"] == "acknowledged" and dispatch["acknowledged_at"]
    assert web.post(f"/api/v1/cases/{case_id}/acknowledge").status_code == 200  # body optional


def test_an_stf_analyst_answers_a_trace_and_the_case_is_located(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    make_person(lifeline, "stf.one", "stf_analyst")
    stf = api(lifeline, "stf.one", "stf_analyst")
    untraced = new_case(lifeline, "b", located=False)
    body = {"text": "Madeyganj, Lucknow", "pin": "226020", "phone": "+919800000001"}
    refused = stf.post(f"/api/v1/cases/{untraced}/trace-result", json=body)
    assert refused.status_code == 404  # the STF sees only cases with a trace request
    case_id = new_case(lifeline, "c", located=False)
    cases.request_trace(lifeline.ctx, OP, case_id)
    answer = stf.post(f"/api/v1/cases/{case_id}/trace-result", json=body)
    assert answer.status_code == 200, answer.text
    assert "located" in answer.json()["milestones"]
    assert answer.json()["plan"]["facts"]["district_lgd"] == "157"
    empty = stf.post(f"/api/v1/cases/{case_id}/trace-result", json={"lat": 26.8})
    assert empty.status_code == 422


def test_a_trace_answer_after_the_resolver_has_run_is_taken(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id = new_case(lifeline, "d", located=False)
    drain(lifeline)  # as in production: the resolve_location job has stored a resolution
    cases.request_trace(lifeline.ctx, OP, case_id)
    answer = api(lifeline).post(
        f"/api/v1/cases/{case_id}/trace-result", json={"text": "Madeyganj, Lucknow"}
    )
    assert answer.status_code == 200, answer.text


def test_officers_see_their_cases_dispatch_state_and_partners_none_of_it(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id = new_case(lifeline)
    confirm_dispatch(lifeline.ctx, OP, case_id, [STATION])
    drain(lifeline)
    make_person(lifeline, "dsp.lko", "district_officer", LUCKNOW)
    seen = api(lifeline, "dsp.lko", "district_officer").get(f"/api/v1/cases/{case_id}").json()
    assert seen["dispatches"][0]["unit_id"] == STATION
    assert seen["notifications"] and "detail" not in seen["notifications"][0]
    partner = PartnerCaseRead.of(cases.show_case(lifeline.ctx, OP, case_id), 1).plain()
    assert not {"dispatches", "notifications", "alarms"} & set(partner)


def test_the_console_shows_the_plan_confirms_and_lists_the_messages(
    lifeline: Lifeline, sent: Endpoints, clock: FakeClock
) -> None:
    case_id = new_case(lifeline)
    web, csrf = signed_in(lifeline, make_person(lifeline, "op.one", "smc_operator"), clock)
    page = web.get(f"/console/cases/{case_id}")
    assert "Notifications" in page.text and "Confirm and dispatch" in page.text
    assert "Who would be notified" in page.text and "Not sent to any unit yet" in page.text
    done = web.post(
        f"/console/cases/{case_id}/confirm-dispatch",
        data={"csrf": form_token(page.text), "units": STATION},
    )
    assert done.status_code == 303, done.text
    drain(lifeline)
    page = web.get(f"/console/cases/{case_id}")
    assert "Waiting for acknowledgement" in page.text and "Delivered" in page.text
    assert "Duty officer" in page.text and "Confirm and dispatch" not in page.text
    assert "Dispatch again to…" in page.text  # more units, as a secondary choice (#16)
    assert "already sent" in page.text
    assert CHANNEL_SECRET not in page.text
    queue = web.get("/console/queue").text
    assert "Madeyganj" in queue and "Waiting for acknowledgement" in queue
    stale = web.post(f"/console/cases/{case_id}/confirm-dispatch", data={"csrf": "x"})
    assert stale.status_code == 403 and csrf


def test_the_alarm_banner_is_on_every_page_of_those_who_may_see_the_case(
    lifeline: Lifeline, sent: Endpoints, clock: FakeClock
) -> None:
    case_id = new_case(lifeline)
    confirm_dispatch(lifeline.ctx, OP, case_id, [STATION])
    with lifeline.ctx.uow() as uow:
        uow.dispatches.raise_alarm(case_id, None, "no unit reached", clock.now())
        uow.commit()
    operator, _ = signed_in(lifeline, make_person(lifeline, "op.two", "smc_operator"), clock)
    local, _ = signed_in(
        lifeline, make_person(lifeline, "dsp.l", "district_officer", LUCKNOW), clock
    )
    other, _ = signed_in(
        lifeline, make_person(lifeline, "dsp.v", "district_officer", VARANASI), clock
    )
    for path in ("/console/queue", "/console/phone-alert", f"/console/cases/{case_id}"):
        assert "no unit reached" in operator.get(path).text, path
    assert "SMC alarm" in local.get("/console/queue").text
    assert "row-alarm" in operator.get("/console/queue/rows").text  # live, on the case's row
    assert "no unit reached" not in other.get("/console/queue").text
    cases.acknowledge(lifeline.ctx, OP, case_id, STATION)  # acknowledging clears the alarm
    assert "no unit reached" not in operator.get("/console/queue").text
    assert "row-alarm" not in operator.get("/console/queue/rows").text


def test_cli_dispatch_plan_and_confirm_as_json(
    lifeline: Lifeline,
    sent: Endpoints,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = new_case(lifeline)
    monkeypatch.setenv("LIFELINE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(settings.data_key_file))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["dispatch", "plan", str(case_id), "--units", STATION, "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["case_id"] == case_id and plan["units"][0]["unit_id"] == STATION
    table = runner.invoke(cli, ["dispatch", "plan", str(case_id), "--units", STATION])
    assert table.exit_code == 0 and "(duty)" in table.stdout and "Madeyganj" in table.stdout
    bad = runner.invoke(cli, ["dispatch", "confirm", str(case_id), "--units", "nowhere", "--json"])
    assert bad.exit_code == 1 and json.loads(bad.stdout)["error"]["code"] == "dispatch_error"
    good = runner.invoke(cli, ["dispatch", "confirm", str(case_id), "--units", STATION, "--json"])
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["dispatches"][0]["unit_id"] == STATION
    shown = json.loads(runner.invoke(cli, ["cases", "show", str(case_id), "--json"]).stdout)
    assert shown["dispatches"][0]["unit_id"] == STATION and "notifications" in shown
