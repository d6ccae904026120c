"""The `lifeline` command line, in-process with Typer's runner, on both databases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from cli_support import cli_runner
from dkim_support import other_key, partner_key
from lifeline.adapters.db.engine import normalise_url
from lifeline.bootstrap import bootstrap
from lifeline.settings import load_settings
from lifeline.web.app import create_app
from staff_support import staff_token


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return cli_runner(database_url, tmp_path, monkeypatch)


def test_partners_create_prints_key_id_and_secret_once(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("partners", "create", "Meta", "--json"))
    assert set(data) == {"key_id", "secret"} and data["key_id"].startswith("pk_")


def test_users_create_prints_password_and_totp_secret(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("users", "create", "op1", "--role", "smc_operator", "--json"))
    assert set(data) == {"username", "password", "totp_secret", "enrolment_code"}
    given = json.loads(
        run(
            "users",
            "create",
            "op2",
            "--role",
            "supervisor",
            "--password",
            "a long enough pass",
            "--json",
        )
    )
    assert given["password"] == "a long enough pass"
    error = json.loads(run("users", "create", "x", "--role", "king", "--json", code=1))
    assert "unknown role" in error["error"]["message"]


def test_demo_seed_then_cases_list_and_show_as_json(run) -> None:  # type: ignore[no-untyped-def]
    seeded = json.loads(run("demo", "seed", "--json"))
    code = seeded["admin"]["enrolment_code"]
    assert code and code in seeded["message"]  # a newcomer can enrol from what make run prints
    listed = json.loads(run("cases", "list", "--json"))
    assert len(listed) == 4 and {c["status"] for c in listed} == {"received"}
    merged = next(c for c in listed if c["alert_count"] == 2)
    shown = json.loads(run("cases", "show", str(merged["id"]), "--json"))
    assert {
        "alerts",
        "assessment",
        "location",
        "notifications",
        "timeline",
        "outcome",
        "follow_ups",
    } <= set(shown)
    assert len(shown["alerts"]) == 2
    assert shown["sender_verified"] is True  # a signed API call and a phone call
    assert {a["sender_verification"] for a in shown["alerts"]} <= {"signed-api", "operator"}
    missing = json.loads(run("cases", "show", "9999", "--json", code=1))
    assert missing["error"]["code"] == "not_found"


def test_cases_show_json_prints_what_the_api_sends_smc_staff(run) -> None:  # type: ignore[no-untyped-def]
    """One read model for both doors: the same JSON, key for key, for the list and a case."""
    run("demo", "seed")
    lifeline = bootstrap(load_settings())
    try:
        with TestClient(create_app(lifeline, embedded_worker=False)) as web:
            web.headers["Authorization"] = "Bearer " + staff_token(lifeline, "sup", "supervisor")
            listed = web.get("/api/v1/cases")
            assert listed.status_code == 200, listed.text
            assert json.loads(run("cases", "list", "--json")) == listed.json()
            for case in listed.json():
                shown = json.loads(run("cases", "show", str(case["id"]), "--json"))
                assert shown == web.get(f"/api/v1/cases/{case['id']}").json()
    finally:
        lifeline.dispose()


def test_outcome_and_close_refuse_illegal_steps_with_the_state_named(run) -> None:  # type: ignore[no-untyped-def]
    run("demo", "seed")
    error = json.loads(run("cases", "close", "1", "--json", code=1))
    assert "cannot close case 1: it is received" in error["error"]["message"]
    error = json.loads(run("cases", "outcome", "1", "reached_safe", "--json", code=1))
    assert "it is received" in error["error"]["message"]


def test_audit_verify_finds_a_row_edited_in_the_database(run, database_url: str) -> None:  # type: ignore[no-untyped-def]
    run("demo", "seed")
    ok = json.loads(run("audit", "verify", "--json"))
    assert ok["ok"] and ok["verified"] > 5
    engine = create_engine(normalise_url(database_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'nothing' WHERE seq = 4"))
    engine.dispose()
    broken = json.loads(run("audit", "verify", "--json", code=1))
    assert broken["first_broken"]["seq"] == 4


def test_jobs_list_shows_the_queue(run) -> None:  # type: ignore[no-untyped-def]
    run("demo", "seed")
    rows = json.loads(run("jobs", "list", "--json"))
    kinds = [r["kind"] for r in rows]
    assert kinds.count("check_dispatch_deadline") == 4  # one timer per demo case
    assert all(r["status"] == "pending" for r in rows)  # no worker ran


def test_partners_add_sender_pins_dkim_selectors_for_a_domain(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key_id = json.loads(run("partners", "create", "Meta", "--json"))["key_id"]
    pem, record = tmp_path / "s1.pem", tmp_path / "s2.txt"
    pem.write_text(partner_key().public_pem)
    record.write_text(f"p={other_key().p}\n")
    plain = json.loads(run("partners", "add-sender", key_id, "facebook.com", "--json"))
    assert plain == {
        "partner": "Meta",
        "key_id": key_id,
        "sender": "facebook.com",
        "dkim_selectors": [],
    }
    args = ("partners", "add-sender", key_id, "facebook.com", "--json", "--dkim-selector")
    json.loads(run(*args, "s1", "--dkim-public-key", str(pem)))
    both = json.loads(run(*args, "s2", "--dkim-public-key", str(record)))
    assert both["dkim_selectors"] == ["s1", "s2"]
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    error = json.loads(run(*args, "s3", "--dkim-public-key", str(bad), code=1))
    assert "not a DKIM public key" in error["error"]["message"]
    other = json.loads(run("partners", "create", "Other", "--json"))["key_id"]
    taken = json.loads(run("partners", "add-sender", other, "facebook.com", "--json", code=1))
    assert "already registered to another partner" in taken["error"]["message"]


def test_the_staff_lifecycle_commands_print_json_and_are_audited(run, database_url: str) -> None:  # type: ignore[no-untyped-def]
    run("users", "create", "boss", "--role", "admin", "--json")
    created = json.loads(run("users", "create", "op", "--role", "smc_operator", "--json"))
    assert re.fullmatch(r"[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5}", created["enrolment_code"])
    listed = json.loads(run("users", "list", "--json"))
    assert [u["username"] for u in listed] == ["boss", "op"]
    assert listed[1]["enrolment_pending_until"] is not None
    assert json.loads(run("users", "deactivate", "op", "--json"))["active"] is False
    assert json.loads(run("users", "reactivate", "op", "--json"))["active"] is True
    assert json.loads(run("users", "unlock", "op", "--json"))["throttled_for"] == 0
    reset = json.loads(run("users", "reset-2fa", "op", "--json"))
    assert set(reset) == {"username", "totp_secret", "enrolment_code"}
    assert reset["totp_secret"] != created["totp_secret"]
    officer = json.loads(
        run("users", "set-role", "op", "district_officer", "--jurisdiction", "Lucknow", "--json")
    )
    assert (officer["role"], officer["jurisdiction"]) == ("district_officer", "Lucknow")
    error = json.loads(run("users", "set-role", "op", "district_officer", "--json", code=1))
    assert "needs --jurisdiction" in error["error"]["message"]
    error = json.loads(run("users", "deactivate", "nobody", "--json", code=1))
    assert error["error"]["code"] == "not_found"
    error = json.loads(run("users", "deactivate", "boss", "--json", code=1))
    assert "last active admin" in error["error"]["message"]
    engine = create_engine(normalise_url(database_url))
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(text("SELECT action FROM audit_log"))]
    engine.dispose()
    for action in ("deactivated", "reactivated", "unlocked", "two_factor_reset", "role_changed"):
        assert f"user.{action}" in actions
