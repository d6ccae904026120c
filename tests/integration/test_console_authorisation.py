"""The authorisation matrix: every role × every console and case API route, on a real database.

A route is "allowed" when the answer is anything but 403 (an illegal step answers 409, an
action the installation lacks 404: both got past authorisation). Each check uses a fresh case
in Lucknow; the district officer is posted to Lucknow, and the STF analyst's scope is cases with
a trace request, so a case without one is "not found" (404) for them. A district officer from
Varanasi gets 403 where the role lacks the permission and 404 (as for a case that does not
exist) where it has it, and each refusal is in the audit log.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from console_support import (
    LUCKNOW,
    OPERATOR,
    VARANASI,
    client,
    make_person,
    new_case,
    place_in,
    signed_in,
)
from lifeline.bootstrap import Lifeline
from lifeline.domain.access import Role
from lifeline.services.cases import service as cases
from staff_support import staff_token
from support import FakeClock

ROLES = tuple(Role)
SMC = {"admin", "smc_operator", "supervisor"}
#: act on a case (acknowledge, on scene, outcome), the map and the dashboard
READ = SMC | {"district_officer"}
#: the queue, reading a case and notes (each in the role's scope)
ALL_BUT_COUNSELLOR = READ | {"stf_analyst"}
TRACERS = SMC | {"stf_analyst"}
#: a legal hold overrides the retention periods: supervisors and admins only
HOLDERS = {"admin", "supervisor"}
#: routes checked on a case with a trace request (the STF's scope)
TRACED = {"/api/v1/cases/{id}/trace-result"}

# (method, path, form or JSON body, roles allowed); {id} is a fresh case in Lucknow
CONSOLE: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("GET", "/console/queue", {}, ALL_BUT_COUNSELLOR),
    ("GET", "/console/queue/rows", {}, ALL_BUT_COUNSELLOR),
    ("GET", "/console/cases/{id}", {}, ALL_BUT_COUNSELLOR),
    ("GET", "/console/cases/{id}/attachments/999", {}, ALL_BUT_COUNSELLOR),
    ("GET", "/console/phone-alert", {}, SMC),
    ("GET", "/console/map", {}, READ),
    ("GET", "/console/map/live", {}, READ),
    ("GET", "/console/dashboard", {}, READ),
    ("GET", "/console/dashboard/live?period=month", {}, READ),
    (
        "POST",
        "/console/phone-alert",
        {"call_received_at": "2026-11-28T08:00", "platform": "facebook", "reference": "PH-1"},
        SMC,
    ),
    ("POST", "/console/cases/{id}/acknowledge", {}, READ),
    ("POST", "/console/cases/{id}/on-scene", {}, READ),
    ("POST", "/console/cases/{id}/outcome", {"outcome": "reached_safe"}, READ),
    ("POST", "/console/cases/{id}/note", {"text": "called the thana"}, ALL_BUT_COUNSELLOR),
    ("POST", "/console/cases/{id}/locate", {"place": "Madeyganj", "district": LUCKNOW}, SMC),
    ("POST", "/console/cases/{id}/trace", {}, SMC),
    ("POST", "/console/cases/{id}/dispatch", {"units": "Madeyganj PS"}, SMC),
    ("POST", "/console/cases/{id}/confirm-dispatch", {}, SMC),
    ("POST", "/console/cases/{id}/dismiss", {"outcome": "false_alarm", "reason": "test"}, SMC),
    ("POST", "/console/cases/{id}/hand-over", {"state": "Bihar"}, SMC),
    ("POST", "/console/cases/{id}/close", {}, SMC),
    ("POST", "/console/cases/{id}/assess", {"level": "imminent"}, SMC),
    ("POST", "/console/cases/{id}/hold", {"reason": "order 4/2026"}, HOLDERS),
    ("GET", "/console/admin/users", {}, {"admin"}),
    ("POST", "/console/admin/users/counsellor/unlock", {}, {"admin"}),
]
API: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    ("GET", "/api/v1/cases", None, ALL_BUT_COUNSELLOR),
    ("GET", "/api/v1/cases/{id}", None, ALL_BUT_COUNSELLOR),
    ("GET", "/api/v1/cases/{id}/location", None, ALL_BUT_COUNSELLOR),
    ("POST", "/api/v1/cases/{id}/acknowledge", {"unit": "PS"}, READ),
    ("POST", "/api/v1/cases/{id}/on-scene", {}, READ),
    ("POST", "/api/v1/cases/{id}/outcome", {"outcome": "reached_safe"}, READ),
    ("POST", "/api/v1/cases/{id}/location", {"place": "Madeyganj"}, SMC),
    ("POST", "/api/v1/cases/{id}/trace-request", None, SMC),
    ("POST", "/api/v1/cases/{id}/dispatch", {"units": ["PS"]}, SMC),
    ("GET", "/api/v1/cases/{id}/dispatch-plan", None, ALL_BUT_COUNSELLOR),
    ("POST", "/api/v1/cases/{id}/confirm-dispatch", None, SMC),
    # STF analysts answer traces only on cases with a trace request: this one has one
    ("POST", "/api/v1/cases/{id}/trace-result", {"text": "Madeyganj, Lucknow"}, TRACERS),
    ("POST", "/api/v1/cases/{id}/dismiss", {"outcome": "false_alarm", "reason": "x"}, SMC),
    ("POST", "/api/v1/cases/{id}/hand-over", {"state": "Bihar"}, SMC),
    ("POST", "/api/v1/cases/{id}/close", None, SMC),
    ("POST", "/api/v1/cases/{id}/hold", {"reason": "order 4/2026"}, HOLDERS),
    (
        "POST",
        "/api/v1/phone-alerts",
        {
            "platform": "facebook",
            "reference": "PH-2",
            "caller": {"call_received_at": "2026-11-28T02:59:00Z"},
        },
        SMC,
    ),
]
CASE_ROUTES = [r for r in CONSOLE + API if "{id}" in r[1]]  # type: ignore[operator]


def _people(lifeline: Lifeline, clock: FakeClock) -> dict[str, tuple[TestClient, str]]:
    out = {}
    for role in ROLES:
        district = LUCKNOW if role == "district_officer" else None
        person = make_person(lifeline, role.replace("_", "."), role, district)
        out[role] = signed_in(lifeline, person, clock)
    return out


def _call(web: TestClient, csrf: str, method: str, path: str, body: dict[str, Any]) -> int:
    if method == "GET":
        return web.get(path).status_code
    return web.post(path, data={"csrf": csrf, **body}).status_code


def _expected_wrong(role: str, path: str, allowed: set[str], status: int) -> bool:
    """Whether `status` is not what `role` should get on `path` (a fresh case in Lucknow)."""
    if role not in allowed:
        return status != 403
    if role == "stf_analyst" and "{id}" in path and path not in TRACED:
        return status != 404  # outside the STF's scope: "not found"
    return status == 403


def _fresh(lifeline: Lifeline, n: list[int], path: str = "") -> int:
    n[0] += 1
    case_id = new_case(lifeline, handle=f"person{n[0]}")
    place_in(lifeline, case_id, LUCKNOW)
    if path in TRACED:
        cases.request_trace(lifeline.ctx, OPERATOR, case_id)
    return case_id


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY  # the matrix is about rules, not storage; the scoping tests below run on both
def test_every_role_on_every_console_route(lifeline: Lifeline, clock: FakeClock) -> None:
    people, n, wrong = _people(lifeline, clock), [0], []
    for method, path, body, allowed in CONSOLE:
        for role, (web, csrf) in people.items():
            status = _call(web, csrf, method, path.format(id=_fresh(lifeline, n, path)), body)
            if _expected_wrong(role, path, allowed, status):
                wrong.append((role, method, path, status))
    assert wrong == []


@SQLITE_ONLY
def test_every_role_on_every_case_api_route(lifeline: Lifeline, clock: FakeClock) -> None:
    n, wrong = [0], []
    for role in ROLES:
        name = role.replace("_", ".")
        make_person(lifeline, name, role, LUCKNOW if role == "district_officer" else None)
        web = client(lifeline)
        web.headers["Authorization"] = "Bearer " + staff_token(lifeline, name, role)
        for method, path, body, allowed in API:
            url = path.format(id=_fresh(lifeline, n, path))
            status = web.request(method, url, json=body).status_code
            if _expected_wrong(role, path, allowed, status):
                wrong.append((role, method, path, status))
    assert wrong == []


def test_a_district_officer_is_refused_every_route_of_another_districts_case_403_or_404(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    officer = make_person(lifeline, "dsp.varanasi", "district_officer", VARANASI)
    web, csrf = signed_in(lifeline, officer, clock)
    api = client(lifeline)
    api.headers["Authorization"] = "Bearer " + staff_token(
        lifeline, officer.username, "district_officer"
    )
    n: list[int] = [0]
    refused: list[int] = []
    for method, path, body, allowed in CASE_ROUTES:
        case_id = _fresh(lifeline, n)
        url = path.format(id=case_id)
        if path.startswith("/api"):
            status = api.request(method, url, json=body).status_code
        else:
            status = _call(web, csrf, method, url, body or {})
        # the role's permission: the case is outside the district, "not found"; without it: 403
        assert status == (404 if "district_officer" in allowed else 403), (method, path, status)
        refused.append(case_id)
    denied = [
        case_id
        for actor, action, case_id, details in _audit(lifeline)
        if action == "access.denied" and actor == f"user:{officer.username}"
    ]
    assert sorted(set(refused) - {None}) == sorted(set(denied) & set(refused))


def test_an_unplaced_case_is_hidden_from_every_district_officer(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    officer = make_person(lifeline, "dsp.lucknow", "district_officer", LUCKNOW)
    case_id = new_case(lifeline)
    web, _ = signed_in(lifeline, officer, clock)
    assert web.get(f"/console/cases/{case_id}").status_code == 404
    assert f"/console/cases/{case_id}" not in web.get("/console/queue").text
    place_in(lifeline, case_id, LUCKNOW)
    assert web.get(f"/console/cases/{case_id}").status_code == 200
    assert f"/console/cases/{case_id}" in web.get("/console/queue").text


@pytest.mark.parametrize("jurisdiction", [None, "Atlantis", "999"])
def test_an_officer_whose_jurisdiction_names_no_district_sees_nothing(
    lifeline: Lifeline, clock: FakeClock, jurisdiction: str | None
) -> None:
    case_id = new_case(lifeline)
    place_in(lifeline, case_id, LUCKNOW)
    with lifeline.ctx.uow() as uow:  # created directly: the CLI insists on a jurisdiction
        uow.users.add(
            username="nowhere",
            password_hash=lifeline.ctx.passwords.hash("x" * 12),
            totp_secret="JBSWY3DPEHPK3PXP",
            role="district_officer",
            jurisdiction=jurisdiction,
            at=clock.now(),
        )
        uow.commit()
    api = client(lifeline)
    api.headers["Authorization"] = "Bearer " + staff_token(lifeline, "nowhere", "district_officer")
    assert api.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert api.get("/api/v1/cases").json() == []


def test_an_officer_named_by_district_name_sees_the_case(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    officer = make_person(lifeline, "dsp.hindi", "district_officer", "लखनऊ")
    case_id = new_case(lifeline)
    place_in(lifeline, case_id, LUCKNOW)
    web, _ = signed_in(lifeline, officer, clock)
    page = web.get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    assert "+919812345678" in page.text  # what the officer needs to act


def _unnumbered(page: str, case_id: int) -> str:
    """A page with the case's number taken out (the message, and links to its own address)."""
    return re.sub(rf"(?i)(cases/|case ){case_id}\b", r"\1N", page)


def _audit(lifeline: Lifeline) -> list[tuple[str, str, int | None, dict[str, Any]]]:
    with lifeline.ctx.uow(readonly=True) as uow:
        return [(r.actor, r.action, r.case_id, r.details) for r in uow.audit.records()]


def test_an_stf_analyst_reads_a_traced_case_with_the_fields_needed_to_act(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """The table gives the STF `case.read` over cases with a trace request: the API and the
    console both let them read one (the API used to refuse every STF read with 403)."""
    analyst = make_person(lifeline, "stf.one", "stf_analyst")
    traced, untraced = new_case(lifeline, handle="traced"), new_case(lifeline, handle="other")
    cases.request_trace(lifeline.ctx, OPERATOR, traced)
    api = client(lifeline)
    api.headers["Authorization"] = "Bearer " + staff_token(lifeline, "stf.one", "stf_analyst")
    answer = api.get(f"/api/v1/cases/{traced}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["id"] == traced
    assert body["subject"]["phone"] == "+919812345678"
    assert "email" not in body["subject"] and "history" not in body  # the minimal fields
    web, _ = signed_in(lifeline, analyst, clock)
    assert web.get(f"/console/cases/{traced}").status_code == 200
    assert api.get(f"/api/v1/cases/{untraced}").status_code == 404
    assert web.get(f"/console/cases/{untraced}").status_code == 404
    reads = [(a, c) for a, action, c, _ in _audit(lifeline) if action == "case.read"]
    assert (f"user:{analyst.username}", traced) in reads


def test_outside_the_scope_a_case_is_not_found_exactly_as_a_case_that_does_not_exist(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    officer = make_person(lifeline, "dsp.varanasi", "district_officer", VARANASI)
    case_id = new_case(lifeline)
    place_in(lifeline, case_id, LUCKNOW)
    missing = case_id + 1000
    api = client(lifeline)
    api.headers["Authorization"] = "Bearer " + staff_token(
        lifeline, officer.username, "district_officer"
    )
    hidden, absent = api.get(f"/api/v1/cases/{case_id}"), api.get(f"/api/v1/cases/{missing}")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["error"] == {"code": "not_found", "message": f"case {case_id} not found"}
    assert absent.json()["error"] == {"code": "not_found", "message": f"case {missing} not found"}
    web, csrf = signed_in(lifeline, officer, clock)
    page, nothing = web.get(f"/console/cases/{case_id}"), web.get(f"/console/cases/{missing}")
    assert page.status_code == nothing.status_code == 404
    assert f"case {case_id} not found" in page.text
    assert _unnumbered(page.text, case_id) == _unnumbered(nothing.text, missing)
    acted = web.post(f"/console/cases/{case_id}/acknowledge", data={"csrf": csrf})
    assert acted.status_code == 404
    denied = [
        (c, details["reason"])
        for actor, action, c, details in _audit(lifeline)
        if action == "access.denied" and actor == f"user:{officer.username}"
    ]
    assert denied == [(case_id, "jurisdiction")] * 3  # the API read, the page, the step


def test_a_role_without_the_permission_gets_403_on_the_api_and_the_console_and_it_is_audited(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    counsellor = make_person(lifeline, "asha", "counsellor")
    officer = make_person(lifeline, "dsp.lucknow", "district_officer", LUCKNOW)
    case_id = new_case(lifeline)
    place_in(lifeline, case_id, LUCKNOW)
    api = client(lifeline)
    api.headers["Authorization"] = "Bearer " + staff_token(lifeline, "asha", "counsellor")
    refused = api.get(f"/api/v1/cases/{case_id}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    web, csrf = signed_in(lifeline, officer, clock)  # in their district, but not the SMC
    assert web.post(f"/console/cases/{case_id}/dispatch", data={"csrf": csrf, "units": "PS"}
                    ).status_code == 403  # fmt: skip
    denied = [
        (actor, c, details["permission"], details["reason"])
        for actor, action, c, details in _audit(lifeline)
        if action == "access.denied"
    ]
    assert denied == [
        (f"user:{counsellor.username}", case_id, "case.read", "role"),
        (f"user:{officer.username}", case_id, "case.manage", "role"),
    ]
