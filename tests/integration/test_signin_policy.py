"""One sign-in policy for every door (issue 14, breaks 2, 3, 4 and "anyone can lock any user
out"), on both databases, over HTTP: the console and POST /api/v1/auth/token share throttles
and the memory of used two-factor codes; tokens and sessions are checked against the database
on every request."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from console_support import PASSWORD, Person, client, form_token, make_person, sign_in, signed_in
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access import staff
from lifeline.web.app import create_app
from support import FakeClock

ADMIN = Actor("cli", "test-admin", "admin")


def api(app: Lifeline, address: str = "203.0.113.10") -> TestClient:
    return TestClient(create_app(app, embedded_worker=False), client=(address, 40000))


def token_request(web: TestClient, person: Person, code: str) -> Any:
    return web.post(
        "/api/v1/auth/token",
        json={"username": person.username, "password": PASSWORD, "totp": code},
    )


def _audit(app: Lifeline) -> list[tuple[str, str, dict[str, Any]]]:
    with app.ctx.uow(readonly=True) as uow:
        return [(r.actor, r.action, r.details) for r in uow.audit.records()]


def test_a_user_throttled_at_the_console_cannot_get_an_api_token(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Regression: the API ignored the console's lockout."""
    op = make_person(lifeline, "op", "smc_operator")
    console = client(lifeline)
    for _ in range(3):
        page = console.get("/console/sign-in")
        refused = console.post(
            "/console/sign-in",
            data={"username": "op", "password": PASSWORD, "code": "000000",
                  "pre_csrf": form_token(page.text, "pre_csrf")},
        )  # fmt: skip
        assert refused.status_code == 401
    web = api(lifeline)
    throttled = token_request(web, op, op.code(clock))
    assert throttled.status_code == 429, throttled.text
    assert throttled.json()["error"]["message"].startswith("too many failed attempts")
    clock.advance(seconds=int(throttled.headers["retry-after"]))
    assert token_request(web, op, op.code(clock)).status_code == 200


def test_forty_wrong_codes_then_the_right_one_is_refused_until_the_wait_is_over(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Regression: 40 wrong TOTP codes then the right one gave 200."""
    op = make_person(lifeline, "op", "smc_operator")
    web = api(lifeline)
    statuses = [token_request(web, op, f"{n:06d}").status_code for n in range(40)]
    assert statuses[:3] == [401] * 3 and set(statuses[3:]) == {429}
    right = token_request(web, op, op.code(clock))
    assert right.status_code == 429
    wait = int(right.headers["retry-after"])
    assert 0 < wait <= 8  # one attempt per 2^n s, n = the failures counted (3)
    clock.advance(seconds=wait)
    assert token_request(web, op, op.code(clock)).status_code == 200
    actions = [action for actor, action, _ in _audit(lifeline) if actor == "user:op"]
    # the burst of 38 refused requests is one audit record, not 38
    assert actions.count("user.sign_in_failed") == 3
    assert actions.count("user.sign_in_throttled") == 1
    assert actions[-1] == "user.sign_in"
    assert _audit(lifeline)[-1][2]["refused_before"] == 38


def test_a_strangers_failures_from_another_address_only_slow_the_owner_down(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Regression: anyone could lock any user out by failing 5 times. The stranger's own
    address is stopped; the owner waits at most the account's delay, then gets in."""
    op = make_person(lifeline, "op", "smc_operator")
    stranger, owner = api(lifeline, "198.51.100.7"), api(lifeline, "203.0.113.10")
    policy = lifeline.ctx.config.signin
    for _ in range(40):  # a stranger guessing for ten minutes, every 15 s
        token_request(stranger, op, "000000")
        clock.advance(seconds=15)
    clock.advance(minutes=16)
    assert token_request(stranger, op, "000000").status_code == 401  # a failure, just now
    first = token_request(owner, op, op.code(clock))
    assert first.status_code == 429
    wait = int(first.headers["retry-after"])
    assert wait <= policy.max_delay.total_seconds()  # one minute at most, not a lockout
    clock.advance(seconds=wait)
    stranger_wait = token_request(stranger, op, "000000")
    assert stranger_wait.status_code == 429  # the stranger's address waits far longer
    assert int(stranger_wait.headers["retry-after"]) > 5 * 60
    assert token_request(owner, op, op.code(clock)).status_code == 200


def test_the_same_totp_code_is_refused_the_second_time_at_any_door(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Regression: the same TOTP code worked 3 times."""
    op = make_person(lifeline, "op", "smc_operator")
    web = api(lifeline)
    code = op.code(clock)
    assert token_request(web, op, code).status_code == 200
    again = token_request(web, op, code)
    assert again.status_code == 401 and "already used" in again.json()["error"]["message"]
    console = client(lifeline)
    clock.advance(seconds=-30)  # sign_in moves 30 s on: stay within the code's window
    assert sign_in(console, op, clock, code=code).status_code == 401
    clock.advance(seconds=30)
    assert token_request(web, op, op.code(clock)).status_code == 200  # the next step works


def _bearer(web: TestClient, person: Person, clock: FakeClock) -> TestClient:
    clock.advance(seconds=30)
    token = token_request(web, person, person.code(clock)).json()["token"]
    web.headers["Authorization"] = f"Bearer {token}"
    return web


def test_a_deactivated_users_token_and_console_session_are_refused_at_once(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Regression: a deactivated user's token kept working for its 8 hours."""
    op = make_person(lifeline, "op", "smc_operator")
    web = _bearer(api(lifeline), op, clock)
    console, _ = signed_in(lifeline, op, clock)
    assert web.get("/api/v1/cases").status_code == 200
    assert console.get("/console/queue").status_code == 200
    staff.deactivate(lifeline.ctx, ADMIN, "op")
    refused = web.get("/api/v1/cases")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    assert console.get("/console/queue").status_code == 303
    staff.reactivate(lifeline.ctx, ADMIN, "op")
    assert web.get("/api/v1/cases").status_code == 401  # reactivation revives no old token


def test_a_role_change_ends_the_old_token_and_session_and_the_new_token_has_the_new_role(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Regression: the role inside the token was trusted after the person's role changed."""
    sup = make_person(lifeline, "sup", "supervisor")
    web = _bearer(api(lifeline), sup, clock)
    console, _ = signed_in(lifeline, sup, clock)
    assert web.get("/api/v1/cases").status_code == 200
    staff.set_role(lifeline.ctx, ADMIN, "sup", "counsellor")
    assert web.get("/api/v1/cases").status_code == 401
    assert console.get("/console/queue").status_code == 303
    fresh = _bearer(api(lifeline), sup, clock)
    assert fresh.get("/api/v1/cases").status_code == 403  # a counsellor may not list cases


def test_a_reset_of_two_factor_revokes_tokens_and_the_old_secret(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web = _bearer(api(lifeline), op, clock)
    new = staff.reset_two_factor(lifeline.ctx, ADMIN, "op")
    assert web.get("/api/v1/cases").status_code == 401
    clock.advance(seconds=30)
    assert token_request(api(lifeline), op, op.code(clock)).status_code == 401  # old secret
    clock.advance(seconds=30)
    code = pyotp.TOTP(new.totp_secret).at(clock.now())
    assert token_request(api(lifeline), op, code).status_code == 200


def test_an_admin_unlock_lifts_the_wait(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web = api(lifeline)
    for _ in range(6):
        token_request(web, op, "000000")
    assert token_request(web, op, op.code(clock)).status_code == 429
    assert staff.list_staff(lifeline.ctx, ADMIN)[0].throttled_for > 0
    staff.unlock(lifeline.ctx, ADMIN, "op")
    assert token_request(web, op, op.code(clock)).status_code == 200


def test_sign_in_audit_records_hold_no_client_address(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web = api(lifeline, "192.0.2.55")
    token_request(web, op, "000000")
    token_request(web, op, op.code(clock))
    records = [d for actor, _, d in _audit(lifeline) if actor == "user:op"]
    assert len(records) == 2
    for details in records:
        assert "192.0.2.55" not in str(details)
        assert re.fullmatch(r"[0-9a-f]{64}", details["address"])
    with lifeline.ctx.uow(readonly=True) as uow:
        assert uow.sign_ins.latest("op", records[0]["address"]) is not None


def test_unknown_and_known_usernames_get_the_same_refusal(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    make_person(lifeline, "op", "smc_operator")
    web = api(lifeline)
    known = web.post(
        "/api/v1/auth/token", json={"username": "op", "password": "wrong password", "totp": "1"}
    )
    unknown = web.post(
        "/api/v1/auth/token", json={"username": "nobody", "password": "x", "totp": "1"}
    )
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert known.json()["error"]["message"] == "wrong username, password or two-factor code"


def test_a_nul_byte_in_a_username_is_a_refusal_not_a_server_error(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    web = api(lifeline)
    response = web.post(
        "/api/v1/auth/token", json={"username": "op\u0000", "password": "x", "totp": "000000"}
    )
    assert response.status_code == 422 and "username" in response.text
