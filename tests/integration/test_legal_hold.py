"""A legal hold from the console and the JSON API (issue #18): the same use case as `lifeline
cases hold|unhold`, so the same audit entries; supervisors and admins only; a refusal names
what is wrong. Real SQLite and PostgreSQL, the real app over HTTP (TestClient)."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from console_support import (
    LUCKNOW,
    audit_actions,
    client,
    make_person,
    new_case,
    place_in,
    signed_in,
)
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.domain.retention import LegalHold
from lifeline.services.cases import service as cases
from lifeline.services.retention import erasure, purge
from staff_support import staff_token
from support import FakeClock

CLI = Actor("cli", "dpo")


def _case(lifeline: Lifeline, handle: str) -> int:
    case_id = new_case(lifeline, handle=handle)
    place_in(lifeline, case_id, LUCKNOW)
    return case_id


def _at_a_case(
    lifeline: Lifeline, clock: FakeClock, username: str, role: str
) -> tuple[TestClient, str, int]:
    """A person of `role` signed in to the console (client, CSRF token) and a fresh case."""
    web, csrf = signed_in(lifeline, make_person(lifeline, username, role), clock)
    return web, csrf, _case(lifeline, username.replace(".", "_") + "_person")


def _holds(lifeline: Lifeline, case_id: int) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (actor, action, details)
        for actor, action, at_case, details in audit_actions(lifeline)
        if at_case == case_id and action in ("case.hold", "case.unhold")
    ]


def test_a_supervisor_holds_and_lifts_a_case_from_its_page_audited_as_the_cli_does(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    web, csrf, case_id = _at_a_case(lifeline, clock, "sup.hold", "supervisor")
    page = web.get(f"/console/cases/{case_id}")
    assert "Not on legal hold" in page.text and "Put on legal hold" in page.text

    done = web.post(
        f"/console/cases/{case_id}/hold", data={"csrf": csrf, "reason": "HC order 17/2026"}
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/cases/{case_id}?done=legal_hold#hold-panel")
    page = web.get(done.headers["location"])
    banner = html.unescape(page.text.split('id="legal-hold"', 1)[1].split("</p>", 1)[0])
    assert "On legal hold" in banner and "HC order 17/2026" in banner
    assert "user:sup.hold" in banner and " IST" in banner
    assert "Lift legal hold" in page.text and "Put on legal hold" not in page.text
    assert erasure.case_retention(lifeline.ctx, case_id).hold is not None

    lifted = web.post(
        f"/console/cases/{case_id}/unhold", data={"csrf": csrf, "reason": "order set aside"}
    )
    assert lifted.status_code == 303
    assert "Not on legal hold" in web.get(f"/console/cases/{case_id}").text
    assert erasure.case_retention(lifeline.ctx, case_id).hold is None

    # the CLI on another case: the same actions and detail keys
    cli_case = _case(lifeline, "cli_person")
    erasure.hold_case(lifeline.ctx, cli_case, "HC order 18/2026", CLI)
    erasure.unhold_case(lifeline.ctx, cli_case, CLI, "order set aside")
    console, by_cli = _holds(lifeline, case_id), _holds(lifeline, cli_case)
    assert [(a, sorted(d)) for _, a, d in console] == [(a, sorted(d)) for _, a, d in by_cli]
    assert console[0] == ("user:sup.hold", "case.hold", {"reason": "HC order 17/2026"})
    assert console[1][2]["reason"] == "order set aside"
    assert console[1][2]["held_since"]


def test_the_case_page_says_it_in_hindi(lifeline: Lifeline, clock: FakeClock) -> None:
    web, csrf, case_id = _at_a_case(lifeline, clock, "admin.hold", "admin")
    web.post("/console/language", data={"csrf": csrf, "lang": "hi"})
    assert "क़ानूनी रोक लगाएँ" in web.get(f"/console/cases/{case_id}").text
    web.post(f"/console/cases/{case_id}/hold", data={"csrf": csrf, "reason": "जाँच 4"})
    page = web.get(f"/console/cases/{case_id}?done=legal_hold").text
    assert "क़ानूनी रोक पर" in page and "जाँच 4" in page and "क़ानूनी रोक हटाएँ" in page


def test_an_operator_sees_the_hold_but_may_not_put_or_lift_one(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    web, csrf, case_id = _at_a_case(lifeline, clock, "op.hold", "smc_operator")
    erasure.hold_case(lifeline.ctx, case_id, "inquiry 9", CLI)
    page = web.get(f"/console/cases/{case_id}").text
    assert "inquiry 9" in page and "Supervisors and admins may put or lift a hold" in page
    assert "Lift legal hold" not in page
    refused = web.post(f"/console/cases/{case_id}/unhold", data={"csrf": csrf, "reason": "x"})
    assert refused.status_code == 403 and "may not case.hold" in refused.text
    assert erasure.case_retention(lifeline.ctx, case_id).hold is not None
    assert ("user:op.hold", "access.denied", case_id) in [
        (a, b, c) for a, b, c, _ in audit_actions(lifeline)
    ]


def test_refusals_name_the_state_and_change_nothing(lifeline: Lifeline, clock: FakeClock) -> None:
    web, csrf, case_id = _at_a_case(lifeline, clock, "sup.refused", "supervisor")

    not_held = web.post(f"/console/cases/{case_id}/unhold", data={"csrf": csrf, "reason": "x"})
    assert not_held.status_code == 409 and "is not under legal hold" in not_held.text
    blank = web.post(f"/console/cases/{case_id}/hold", data={"csrf": csrf, "reason": ""})
    assert blank.status_code == 422
    stale = web.post(f"/console/cases/{case_id}/hold", data={"csrf": "old", "reason": "x"})
    assert stale.status_code == 403 and "stale" in stale.text
    assert _holds(lifeline, case_id) == []

    web.post(f"/console/cases/{case_id}/hold", data={"csrf": csrf, "reason": "order 1"})
    twice = web.post(f"/console/cases/{case_id}/hold", data={"csrf": csrf, "reason": "order 2"})
    assert twice.status_code == 409
    assert "already under legal hold" in twice.text and "order 1" in html.unescape(twice.text)
    assert erasure.case_retention(lifeline.ctx, case_id).hold.reason == "order 1"  # type: ignore[union-attr]
    assert [a for _, a, _ in _holds(lifeline, case_id)] == ["case.hold"]


def test_the_api_holds_and_lifts_for_supervisors_and_refuses_the_rest(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = _case(lifeline, "api.person")
    api = client(lifeline)
    api.headers["Authorization"] = "Bearer " + staff_token(lifeline, "sup.api", "supervisor")
    held = api.post(f"/api/v1/cases/{case_id}/hold", json={"reason": "order 5"})
    assert held.status_code == 200, held.text
    body = held.json()
    assert body["case_id"] == case_id and body["lifted"] is None
    assert body["legal_hold"]["reason"] == "order 5" and body["legal_hold"]["by"] == "user:sup.api"

    again = api.post(f"/api/v1/cases/{case_id}/hold", json={"reason": "order 6"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    missing = api.post(f"/api/v1/cases/{case_id}/unhold", json={})
    assert missing.status_code == 422 and "reason" in missing.json()["error"]["message"]

    operator = client(lifeline)
    operator.headers["Authorization"] = "Bearer " + staff_token(lifeline, "op.api", "smc_operator")
    refused = operator.post(f"/api/v1/cases/{case_id}/unhold", json={"reason": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"

    lifted = api.post(f"/api/v1/cases/{case_id}/unhold", json={"reason": "inquiry closed"})
    assert lifted.status_code == 200
    assert lifted.json()["legal_hold"] is None
    assert lifted.json()["lifted"]["reason"] == "order 5"
    assert api.post(f"/api/v1/cases/{case_id}/unhold", json={"reason": "x"}).status_code == 409
    # a case id of other digits ("²" is a digit to str.isdigit, not to int): refused, not a 500
    for caller, status in ((api, 422), (operator, 403)):
        odd = caller.post("/api/v1/cases/%C2%B2/unhold", json={"reason": "x"})
        assert odd.status_code == status, odd.text


def test_a_case_whose_data_is_gone_cannot_be_held(lifeline: Lifeline, clock: FakeClock) -> None:
    case_id = _case(lifeline, "gone.person")
    cases.dismiss(lifeline.ctx, CLI, case_id, "false_alarm", "test")
    clock.advance(days=400)
    purge.run(lifeline.ctx, clock.now(), dry_run=False, actor=CLI)
    api = client(lifeline)
    api.headers["Authorization"] = "Bearer " + staff_token(lifeline, "admin.gone", "admin")
    refused = api.post(f"/api/v1/cases/{case_id}/hold", json={"reason": "too late"})
    assert refused.status_code == 409
    assert "a hold would keep nothing" in refused.json()["error"]["message"]


def test_the_store_changes_a_hold_only_from_the_other_state(lifeline: Lifeline) -> None:
    """Two people holding (or lifting) at once both read the case unheld: the store's update
    is conditional, so the second changes nothing and hold_case answers Conflict for it."""
    case_id = _case(lifeline, "race_person")
    now = lifeline.clock.now()
    with lifeline.ctx.uow() as uow:
        assert uow.retention.set_hold(case_id, LegalHold("order A", "user:a", now))
        assert not uow.retention.set_hold(case_id, LegalHold("order B", "user:b", now))
        assert uow.retention.set_hold(case_id, None)
        assert not uow.retention.set_hold(case_id, None)
        uow.commit()
    assert erasure.case_retention(lifeline.ctx, case_id).hold is None
