"""Accepted input never gives a 500 (issue 14, break 7): on SQLite and PostgreSQL, a NUL byte
or another control character in a field, and a time outside 1970-2100, are refused with 422
naming the field (API alert body, phone alerts, token sign-in, console forms) or with a clear
error (CLI), and nothing is stored. Before the fix: OverflowError for year 0001 / 9999 with an
offset, and PostgreSQL's "cannot contain NUL characters" for a reference or a username."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from console_support import OPERATOR, make_person, signed_in
from lifeline.bootstrap import Lifeline
from lifeline.cli import app as cli
from lifeline.domain.model import Actor
from lifeline.services.access.accounts import NewPartner, create_partner
from lifeline.services.cases.service import list_cases
from lifeline.web.app import create_app
from staff_support import staff_token
from support import FakeClock, alert_body, dumps, signed_headers

ADMIN = Actor("cli", "test", "admin")
EXTREME_DATES = ["0001-01-01T00:00:00+05:30", "9999-12-31T23:59:59-05:30", "1969-12-31T23:59:59Z"]


@pytest.fixture
def partner(lifeline: Lifeline) -> NewPartner:
    return create_partner(lifeline.ctx, "refusal tests")


@pytest.fixture
def web(lifeline: Lifeline) -> TestClient:
    return TestClient(create_app(lifeline, embedded_worker=False), raise_server_exceptions=False)


def post_signed(web: TestClient, partner: NewPartner, clock: FakeClock, body: Any) -> Any:
    clock.advance(seconds=1)
    raw = dumps(body)
    ts = int(clock.now().timestamp())
    headers = signed_headers(partner.key_id, partner.secret, raw, timestamp=ts)
    return web.post("/api/v1/alerts", content=raw, headers=headers)


def refused(response: Any, field: str, kind: str) -> dict[str, Any]:
    assert response.status_code == 422, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == "invalid_request", error
    [detail] = [d for d in error["details"] if d["field"] == field]
    assert detail["type"] == kind, detail
    assert field in error["message"]
    return dict(error)


def stored(lifeline: Lifeline) -> int:
    return len(list_cases(lifeline.ctx, ADMIN, limit=1000))


@pytest.mark.parametrize("posted_at", EXTREME_DATES)
def test_an_alert_posted_outside_1970_to_2100_is_refused_naming_posted_at(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock, posted_at: str
) -> None:
    body = alert_body(post={"text": "आज मैं आत्महत्या कर रहा हूं", "posted_at": posted_at})
    error = refused(post_signed(web, partner, clock, body), "post.posted_at", "date_out_of_range")
    assert "1970 to 2100" in error["message"]
    assert stored(lifeline) == 0


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("reference", {"reference": "FB-\x00-77812093"}),
        ("subject.handle", {"subject": {"handle": "ravi\x00"}}),
        ("subject.name", {"subject": {"name": "Ravi\x1b[31m"}}),
        ("post.text", {"post": {"text": "help\x00me"}}),
        ("location.text", {"location": {"text": "Madeyganj\x0b Lucknow"}}),
    ],
)
def test_a_nul_byte_or_control_character_in_an_alert_is_refused_naming_the_field(
    lifeline: Lifeline,
    web: TestClient,
    partner: NewPartner,
    clock: FakeClock,
    field: str,
    change: dict[str, Any],
) -> None:
    error = refused(post_signed(web, partner, clock, alert_body(**change)), field, "unsafe_text")
    assert "control character" in error["message"] or "NUL" in error["message"]
    assert stored(lifeline) == 0


def test_an_unknown_field_holding_a_nul_byte_is_refused_naming_it(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    response = post_signed(web, partner, clock, alert_body(meta_case={"ids": ["a\x00"]}))
    assert response.status_code == 422, response.text
    assert "meta_case.ids[0]" in response.json()["error"]["message"]
    assert stored(lifeline) == 0


def test_free_text_keeps_its_newlines_and_tabs(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    text = "पहली पंक्ति\r\nsecond line\twith a tab"
    response = post_signed(web, partner, clock, alert_body(post={"text": text}))
    assert response.status_code == 202, response.text
    case = web.get(
        f"/api/v1/cases/{response.json()['case_id']}",
        headers={"Authorization": "Bearer " + staff_token(lifeline, "a", "admin")},
    )
    assert case.json()["alerts"][0]["post"]["text"] == text


def test_a_non_ascii_signature_is_refused_as_unauthenticated_not_a_server_error(
    web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    raw = dumps(alert_body())
    headers: dict[str, Any] = signed_headers(
        partner.key_id, partner.secret, raw, timestamp=int(clock.now().timestamp())
    )
    headers["X-Lifeline-Signature"] = ("é" * 64).encode("latin-1")
    response = web.post("/api/v1/alerts", content=raw, headers=headers)
    assert response.status_code == 401, response.text


def staff(lifeline: Lifeline) -> dict[str, str]:
    return {
        "Authorization": "Bearer "
        + staff_token(lifeline, OPERATOR.id, OPERATOR.role or "smc_operator")
    }


def phone_body(**caller: Any) -> dict[str, Any]:
    return {
        **alert_body(),
        "received_via": "phone_call",
        "caller": {"name": "Meta", "call_received_at": "2026-11-28T02:55:00Z", **caller},
    }


@pytest.mark.parametrize(
    ("field", "caller", "kind"),
    [
        ("caller.call_received_at", {"call_received_at": EXTREME_DATES[0]}, "date_out_of_range"),
        ("caller.call_received_at", {"call_received_at": EXTREME_DATES[1]}, "date_out_of_range"),
        ("caller.notes", {"notes": "said\x00more"}, "unsafe_text"),
        ("caller.name", {"name": "Meta\x00"}, "unsafe_text"),
    ],
)
def test_a_phone_alert_with_an_unusable_field_is_refused_naming_it(
    lifeline: Lifeline, web: TestClient, field: str, caller: dict[str, Any], kind: str
) -> None:
    response = web.post("/api/v1/phone-alerts", json=phone_body(**caller), headers=staff(lifeline))
    refused(response, field, kind)
    assert stored(lifeline) == 0


def test_token_sign_in_with_a_nul_byte_in_the_username_is_refused_naming_it(
    web: TestClient,
) -> None:
    response = web.post(
        "/api/v1/auth/token", json={"username": "admin\x00", "password": "x" * 12, "totp": "1"}
    )
    refused(response, "username", "unsafe_text")


def test_staff_actions_with_control_characters_or_extreme_dates_are_refused(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    case_id = post_signed(web, partner, clock, alert_body()).json()["case_id"]
    admin = {"Authorization": "Bearer " + staff_token(lifeline, "a", "admin")}
    for path, body, field in (
        ("on-scene", {"at": EXTREME_DATES[1]}, "at"),
        ("location", {"place": "Madeyganj\x00"}, "place"),
        ("dispatch", {"units": ["UP-LKO-PS-1\x00"]}, "units.0"),
        ("hand-over", {"state": "Bihar\x00", "reason": "moved"}, "state"),
    ):
        response = web.post(f"/api/v1/cases/{case_id}/{path}", json=body, headers=admin)
        assert response.status_code == 422, (path, response.text)
        assert field in response.json()["error"]["message"], (path, response.text)


# -- the console ---------------------------------------------------------------------------------
def phone_form(csrf: str, **changes: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "call_received_at": "2026-11-28T08:25",
        "platform": "facebook",
        "caller_name": "Meta escalations",
        "notes": "User posted a farewell note; call back on the number given.",
        "reference": "FB-9001",
        "subject_handle": "ravi.k.1999",
        "post_text": "अलविदा",
        "location_text": "Madeyganj, Lucknow",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "label_en", "label_hi", "problem_hi"),
    [
        ({"reference": "FB-\x00-9001"}, "Platform reference", "प्लेटफ़ॉर्म संदर्भ", "NUL बाइट"),
        ({"notes": "farewell\x00"}, "What the caller said", "कॉल करने वाले ने क्या कहा", "NUL बाइट"),
        (
            {"call_received_at": "0001-01-01T00:00"},
            "Call received at (IST)",
            "कॉल का समय (IST)",
            "1970",
        ),
        (
            {"call_received_at": "9999-12-31T23:59"},
            "Call received at (IST)",
            "कॉल का समय (IST)",
            "1970",
        ),
    ],
)
def test_the_phone_form_refused_comes_back_filled_in_naming_the_field_in_english_and_hindi(
    lifeline: Lifeline,
    clock: FakeClock,
    changes: dict[str, str],
    label_en: str,
    label_hi: str,
    problem_hi: str,
) -> None:
    web, csrf = signed_in(lifeline, make_person(lifeline, "op1", "smc_operator"), clock)
    response = web.post("/console/phone-alert", data=phone_form(csrf, **changes))
    assert response.status_code == 422, response.text
    page = response.text
    assert 'id="form-problems"' in page and label_en in page
    # nothing typed is lost: every other value is in the form again
    assert "Meta escalations" in page and "ravi.k.1999" in page and "अलविदा" in page
    assert "User posted a farewell note" in page or "farewell" in page
    assert stored(lifeline) == 0
    web.post("/console/language", data={"csrf": csrf, "lang": "hi"})
    hindi = web.post("/console/phone-alert", data=phone_form(csrf, **changes))
    assert hindi.status_code == 422
    assert label_hi in hindi.text and problem_hi in hindi.text
    assert stored(lifeline) == 0
    # corrected, it is taken
    fixed = web.post("/console/phone-alert", data=phone_form(csrf))
    assert fixed.status_code == 303, fixed.text
    assert stored(lifeline) == 1


def test_a_case_form_with_a_nul_byte_shows_a_page_naming_the_field(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    case_id = post_signed(web, partner, clock, alert_body()).json()["case_id"]
    console, csrf = signed_in(lifeline, make_person(lifeline, "sup", "supervisor"), clock)
    response = console.post(
        f"/console/cases/{case_id}/note", data={"csrf": csrf, "text": "called\x00back"}
    )
    assert response.status_code == 422, response.text
    assert "text/html" in response.headers["content-type"]
    assert "Notes" in response.text and "NUL" in response.text


def test_console_sign_in_with_a_nul_byte_is_refused_not_a_server_error(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    web = TestClient(create_app(lifeline, embedded_worker=False), base_url="https://testserver")
    page = web.get("/console/sign-in")
    token = page.cookies.get("lifeline_presession") or web.cookies.get("lifeline_presession")
    response = web.post(
        "/console/sign-in",
        data={"username": "admin\x00", "password": "x", "code": "1", "pre_csrf": token or ""},
    )
    assert response.status_code == 422, response.text
    assert "Username" in response.text


# -- the command line ----------------------------------------------------------------------------
@pytest.fixture
def run(database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LIFELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    return lambda *args: runner.invoke(cli, list(args))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("users", "create", "ravi\x00", "--role", "smc_operator", "--json"), "username"),
        (
            (
                "users",
                "create",
                "dm",
                "--role",
                "district_officer",
                "--jurisdiction",
                "157\x00",
                "--json",
            ),
            "jurisdiction",
        ),
        (("partners", "create", "Meta\x00", "--json"), "name"),
        (("partners", "create", "Meta\udcff", "--json"), "name"),  # a non-UTF-8 argv byte
    ],
)
def test_cli_arguments_that_cannot_be_stored_are_refused_naming_them(
    run: Any, args: tuple[str, ...], field: str
) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f'"{field}:' in result.output or f"{field}:" in result.output, result.output
