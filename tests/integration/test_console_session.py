"""Console sign-in and sessions on a real database: argon2id password and TOTP, cookies,
timeouts, CSRF, lockout, enrolment, audit, and the language switch."""

from __future__ import annotations

from console_support import (
    PASSWORD,
    client,
    form_token,
    make_person,
    new_case,
    sign_in,
    signed_in,
)
from lifeline.bootstrap import Lifeline
from support import FakeClock


def _actions(lifeline: Lifeline) -> list[tuple[str, str]]:
    with lifeline.ctx.uow(readonly=True) as uow:
        return [(r.actor, r.action) for r in uow.audit.records()]


def test_signing_in_sets_a_secure_httponly_samesite_session_cookie(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web = client(lifeline)
    response = sign_in(web, op, clock)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/queue"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("lifeline_session=")
    )
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=lax" in lowered
    assert "path=/console" in lowered
    assert web.get("/console/queue").status_code == 200
    assert ("user:op", "user.sign_in") in _actions(lifeline)


def test_the_password_is_stored_as_argon2id(lifeline: Lifeline) -> None:
    make_person(lifeline, "op", "smc_operator")
    with lifeline.ctx.uow(readonly=True) as uow:
        user = uow.users.by_username("op")
    assert user is not None and user.password_hash.startswith("$argon2id$")


def test_a_wrong_code_or_password_is_refused_and_audited(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web = client(lifeline)
    assert sign_in(web, op, clock, code="000000").status_code == 401
    page = web.get("/console/sign-in")
    bad = web.post(
        "/console/sign-in",
        data={
            "username": "op",
            "password": "wrong" * 3,
            "code": op.code(clock),
            "pre_csrf": form_token(page.text, "pre_csrf"),
        },
    )
    assert bad.status_code == 401
    assert "lifeline_session" not in web.cookies
    assert _actions(lifeline).count(("user:op", "user.sign_in_failed")) == 2
    assert web.get("/console/queue").status_code == 303


def test_a_code_is_accepted_only_once(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    first = client(lifeline)
    assert sign_in(first, op, clock).status_code == 303
    code = op.code(clock)
    clock.advance(seconds=-30)  # sign_in advances 30 s: stay on the same step
    again = client(lifeline)
    assert sign_in(again, op, clock, code=code).status_code == 401


def test_failures_slow_the_account_down_and_the_page_says_how_long_to_wait(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web = client(lifeline)
    for _ in range(3):
        assert sign_in(web, op, clock, code="123456").status_code == 401
    waiting = sign_in(web, op, clock)  # 30 s later: 2^3 s after three failures has passed
    assert waiting.status_code == 303
    for _ in range(5):  # 30 s apart: the fifth failure asks for 2^5 = 32 s
        assert sign_in(web, op, clock, code="123456").status_code == 401
    throttled = sign_in(web, op, clock)
    assert throttled.status_code == 429
    assert "try again in" in throttled.text and int(throttled.headers["retry-after"]) > 0
    clock.advance(seconds=int(throttled.headers["retry-after"]))
    assert sign_in(web, op, clock).status_code == 303


def test_sign_in_forms_need_their_csrf_token(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web = client(lifeline)
    web.get("/console/sign-in")
    response = web.post(
        "/console/sign-in",
        data={"username": "op", "password": PASSWORD, "code": op.code(clock), "pre_csrf": "x"},
    )
    assert response.status_code == 403


def test_every_form_needs_the_sessions_csrf_token(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    case_id = new_case(lifeline)
    web, csrf = signed_in(lifeline, op, clock)
    forged = web.post(f"/console/cases/{case_id}/note", data={"csrf": "forged", "text": "x"})
    assert forged.status_code == 403
    missing = web.post(f"/console/cases/{case_id}/note", data={"text": "x"})
    assert missing.status_code == 422
    ok = web.post(f"/console/cases/{case_id}/note", data={"csrf": csrf, "text": "spoke to SHO"})
    assert ok.status_code == 303
    assert "spoke to SHO" in web.get(f"/console/cases/{case_id}").text


def test_an_idle_session_ends_and_background_polls_do_not_keep_it_alive(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web, _ = signed_in(lifeline, op, clock)
    for _ in range(30):
        clock.advance(minutes=1)
        web.get("/console/queue/rows", headers={"X-Lifeline-Poll": "1"})
    assert web.get("/console/queue/rows", headers={"X-Lifeline-Poll": "1"}).status_code == 401
    page = web.get("/console/queue")
    assert page.status_code == 303 and "ended=1" in page.headers["location"]


def test_activity_keeps_a_session_until_its_absolute_end(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web, _ = signed_in(lifeline, op, clock)
    for _ in range(28):  # active every 25 minutes (under the 30-minute idle limit)
        clock.advance(minutes=25)
        assert web.get("/console/queue").status_code == 200
    clock.advance(minutes=25)  # 12 h 5 min after sign-in
    assert web.get("/console/queue").status_code == 303


def test_signing_out_ends_the_session_on_the_server(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web, csrf = signed_in(lifeline, op, clock)
    token = web.cookies["lifeline_session"]
    assert web.post("/console/sign-out", data={"csrf": csrf}).status_code == 303
    replay = client(lifeline)
    replay.cookies.set("lifeline_session", token, domain="testserver.local", path="/console")
    assert replay.get("/console/queue").status_code == 303
    assert ("user:op", "user.sign_out") in _actions(lifeline)


def test_enrolment_shows_the_qr_code_once_and_only_with_the_enrolment_code(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    """Regression (issue 14, break 4): the password alone showed the TOTP secret."""
    op = make_person(lifeline, "op", "smc_operator")
    web = client(lifeline)

    def enrol(**extra: str) -> str:
        page = web.get("/console/sign-in")
        token = form_token(page.text, "pre_csrf")
        data = {"username": "op", "password": PASSWORD, "pre_csrf": token, **extra}
        clock.advance(seconds=10)  # past any wait the refusals before caused
        return str(web.post("/console/enrol", data=data).text)

    assert "data:image/svg+xml" not in enrol()
    assert "data:image/svg+xml" not in enrol(enrolment_code="AAAAA-BBBBB-CCCCC")
    shown = enrol(enrolment_code=op.enrolment_code.lower().replace("-", " "))
    assert 'src="data:image/svg+xml' in shown and op.totp_secret not in shown
    assert "data:image/svg+xml" not in enrol(enrolment_code=op.enrolment_code)  # used up
    assert ("user:op", "user.enrolment_shown") in _actions(lifeline)


def test_the_language_is_switched_per_person_and_kept(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web, csrf = signed_in(lifeline, op, clock)
    assert "Live queue" in web.get("/console/queue").text
    web.post("/console/language", data={"csrf": csrf, "lang": "hi", "back": "/console/queue"})
    assert "लाइव कतार" in web.get("/console/queue").text
    other, _ = signed_in(lifeline, op, clock)
    assert "लाइव कतार" in other.get("/console/queue").text


def test_pages_carry_security_headers(lifeline: Lifeline, clock: FakeClock) -> None:
    op = make_person(lifeline, "op", "smc_operator")
    web, _ = signed_in(lifeline, op, clock)
    headers = web.get("/console/queue").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
