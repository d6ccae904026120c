"""The console's staff page: admins only, CSRF-checked forms, English and Hindi, and a change
made there takes effect on the person's next request."""

from __future__ import annotations

from console_support import client, form_token, make_person, signed_in
from lifeline.bootstrap import Lifeline
from support import FakeClock


def _actions(app: Lifeline) -> list[tuple[str, str]]:
    with app.ctx.uow(readonly=True) as uow:
        return [(r.actor, r.action) for r in uow.audit.records()]


def test_an_admin_deactivates_a_person_whose_session_ends_at_once(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    admin = make_person(lifeline, "boss", "admin")
    op = make_person(lifeline, "op", "smc_operator")
    web, csrf = signed_in(lifeline, admin, clock)
    victim, _ = signed_in(lifeline, op, clock)
    page = web.get("/console/admin/users")
    assert page.status_code == 200 and 'id="user-op"' in page.text
    done = web.post("/console/admin/users/op/deactivate", data={"csrf": csrf})
    assert done.status_code == 303
    assert victim.get("/console/queue").status_code == 303  # back to sign-in
    assert ("user:boss", "user.deactivated") in _actions(lifeline)


def test_staff_forms_need_the_sessions_csrf_token(lifeline: Lifeline, clock: FakeClock) -> None:
    admin = make_person(lifeline, "boss", "admin")
    make_person(lifeline, "op", "smc_operator")
    web, _ = signed_in(lifeline, admin, clock)
    forged = web.post("/console/admin/users/op/deactivate", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert ("user:boss", "user.deactivated") not in _actions(lifeline)


def test_a_reset_shows_the_new_secret_and_code_once_in_the_page_language(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    admin = make_person(lifeline, "boss", "admin")
    make_person(lifeline, "op", "smc_operator")
    web, csrf = signed_in(lifeline, admin, clock)
    web.post("/console/language", data={"csrf": csrf, "lang": "hi"})
    shown = web.post("/console/admin/users/op/reset-2fa", data={"csrf": csrf})
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert 'id="new-two-factor"' in shown.text and "नामांकन कोड" in shown.text
    assert 'id="new-two-factor"' not in web.get("/console/admin/users").text
    changed = web.post(
        "/console/admin/users/op/set-role",
        data={"csrf": form_token(shown.text), "role": "district_officer", "jurisdiction": ""},
    )
    assert changed.status_code == 422 and "jurisdiction" in changed.text


def test_only_admins_see_the_staff_page(lifeline: Lifeline, clock: FakeClock) -> None:
    sup = make_person(lifeline, "sup", "supervisor")
    web, csrf = signed_in(lifeline, sup, clock)
    assert web.get("/console/admin/users").status_code == 403
    assert web.post("/console/admin/users/sup/set-role", data={"csrf": csrf,
                    "role": "admin"}).status_code == 403  # fmt: skip
    assert client(lifeline).get("/console/admin/users").status_code == 303
