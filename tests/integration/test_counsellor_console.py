"""The counsellor's console on a real database (SQLite and PostgreSQL): the calls overdue and
due, what a counsellor may see of the person, recording check-ins (reached, needs escalation),
taking an unassigned plan, refusals; and the follow-up panel on the SMC's case page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from console_support import (
    LUCKNOW,
    Person,
    audit_actions,
    client,
    form_token,
    make_person,
    place_in,
    sign_in,
)
from lifeline.bootstrap import Lifeline
from lifeline.domain.aftercare import FollowUpPlan
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.model import Actor
from lifeline.services.aftercare import followups as aftercare
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.worker import Worker
from support import FakeClock

OP = Actor("user", "op", "smc_operator")
PARTNER = Actor("partner", "1", "partner")
POST_TEXT = "आज मैं आत्महत्या कर रहा हूं"


def rescued(app: Lifeline, clock: FakeClock, name: str, handle: str, phone: str) -> int:
    """A case whose person was reached alive (so it has a follow-up plan: 24h, 7d, 30d)."""
    alert = Alert(
        AlertSource.PLATFORM_API,
        app.clock.now(),
        b"{}",
        "application/json",
        platform="facebook",
        subject=Subject(name=name, handle=handle, phone=phone, email=f"{handle}@example.in"),
        post=Post(POST_TEXT),
        location=LocationHint(text="Madeyganj, Lucknow"),
    )
    case_id = receive_alert(app.ctx, ReceiveAlert(alert, PARTNER)).case_id
    worker = Worker(app)
    while worker.run_once():
        pass
    cases.dispatch_case(app.ctx, OP, case_id, ["Hazratganj PS"])
    clock.advance(minutes=10)
    cases.mark_on_scene(app.ctx, OP, case_id)
    cases.record_outcome(app.ctx, OP, case_id, "reached_safe")
    return case_id


def plan_of(app: Lifeline, case_id: int) -> FollowUpPlan:
    [plan] = [p for p in aftercare.list_plans(app.ctx, OP) if p.case_id == case_id]
    return plan


def signed_in(app: Lifeline, person: Person, clock: FakeClock) -> tuple[TestClient, str]:
    web = client(app)
    response = sign_in(web, person, clock)
    assert response.status_code == 303, response.text
    return web, response.headers["location"]


def record(
    web: TestClient, csrf: str, check_in: int | None, result: str | None, note: str | None = None
) -> Any:
    """Send the check-in form as the page would (a field left out when None)."""
    form = {"followup_check_in": check_in, "followup_result": result, "followup_note": note}
    sent = {k: v for k, v in form.items() if v is not None}
    return web.post("/console/followups/record", data={"csrf": csrf, **sent})


def cards(html: str) -> list[str]:
    """The ids of the check-ins listed, in page order."""
    return re.findall(r'<li class="panel call call-\w+" id="check-in-(\d+)"', html)


def test_a_counsellor_lands_on_their_calls_overdue_first_with_only_what_the_call_needs(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    asha = make_person(lifeline, "asha", "counsellor")
    meena = rescued(lifeline, clock, "Meena Rani", "meena.handle33", "+919811100022")
    aftercare.assign_counsellor(lifeline.ctx, OP, plan_of(lifeline, meena).id or 0, "asha")
    make_person(lifeline, "bina", "counsellor")
    other = rescued(lifeline, clock, "Kiran Lal", "kiran.handle11", "+919822233344")
    aftercare.assign_counsellor(lifeline.ctx, OP, plan_of(lifeline, other).id or 0, "bina")
    clock.advance(hours=6)
    ravi = rescued(lifeline, clock, "Ravi Kumar", "ravi.handle77", "+919812345678")
    aftercare.assign_counsellor(lifeline.ctx, OP, plan_of(lifeline, ravi).id or 0, "asha")
    clock.advance(hours=12)
    sunita = rescued(lifeline, clock, "Sunita Devi", "sunita.handle55", "+919800011122")
    clock.advance(hours=12, minutes=30)  # Ravi's 24h check-in is 30 min late; Sunita's due in 12h

    web, landing = signed_in(lifeline, asha, clock)
    assert landing == "/console/followups"  # a counsellor has no queue
    page = web.get(landing)
    assert page.status_code == 200
    html = page.text
    meena_24h, ravi_24h, sunita_24h = (
        plan_of(lifeline, c).check_ins[0].id for c in (meena, ravi, sunita)
    )
    # the longest overdue first, then the soonest due; the 7d and 30d are not due yet
    assert cards(html) == [str(meena_24h), str(ravi_24h), str(sunita_24h)]
    ravi_card = html.split(f'id="check-in-{ravi_24h}"')[1].split('<li class="panel call')[0]
    assert "call-overdue" in html.split(f'id="check-in-{ravi_24h}"')[0].rsplit("<li", 1)[1]
    assert "call-due" in html.split(f'id="check-in-{sunita_24h}"')[0].rsplit("<li", 1)[1]
    # the call's facts: name, phone, language, the referral
    assert "Ravi Kumar" in ravi_card and 'href="tel:+919812345678"' in ravi_card
    assert "Hindi (Devanagari)" in ravi_card and "Tele-MANAS" in ravi_card and "14416" in ravi_card
    # never the rest of the case: handle, e-mail, the post, the place
    for hidden in ("ravi.handle77", "@example.in", POST_TEXT, "Madeyganj", "Hazratganj"):
        assert hidden not in html, hidden
    # another counsellor's plan is not listed at all
    kiran_24h = plan_of(lifeline, other).check_ins[0].id
    assert "Kiran Lal" not in html and str(kiran_24h) not in cards(html)
    # Sunita's plan is not assigned: no contact until a counsellor takes it
    assert "Sunita Devi" not in html and "+919800011122" not in html
    assert 'action="/console/followups/take"' in html
    reads = [a for a in audit_actions(lifeline) if a[1] == "followup.read"]
    assert sorted((r[0], r[2]) for r in reads) == [("user:asha", meena), ("user:asha", ravi)]

    # the same page in Hindi
    csrf = form_token(html)
    web.post("/console/language", data={"csrf": csrf, "lang": "hi", "back": landing})
    hindi = web.get(landing).text
    assert "फ़ॉलो-अप" in hindi and "विलंबित" in hindi and "हिंदी (देवनागरी)" in hindi
    assert cards(hindi) == cards(html)


def test_recording_reached_closes_the_check_in_and_escalation_reopens_the_case(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    asha = make_person(lifeline, "asha", "counsellor")
    case_id = rescued(lifeline, clock, "Ravi Kumar", "ravi.handle77", "+919812345678")
    plan = plan_of(lifeline, case_id)
    clock.advance(hours=25)
    web, landing = signed_in(lifeline, asha, clock)
    html = web.get(landing).text
    csrf = form_token(html)
    first, second = plan.check_ins[0].id, plan.check_ins[1].id

    # not assigned yet: the counsellor cannot record it (the use case refuses, audited)
    refused = record(web, csrf, first, "reached")
    assert refused.status_code == 403
    taken = web.post("/console/followups/take", data={"csrf": csrf, "followup_plan": plan.id})
    assert taken.status_code == 303
    html = web.get("/console/followups?done=taken").text
    assert "Ravi Kumar" in html and "The plan is yours now." in html

    # a forged form (no valid CSRF token) changes nothing
    forged = record(web, "x" * 20, first, "reached")
    assert forged.status_code == 403
    assert plan_of(lifeline, case_id).check_ins[0].result is None

    done = record(web, csrf, first, "reached", "spoke")
    assert done.status_code == 303 and done.headers["location"].endswith("done=reached#done")
    after = plan_of(lifeline, case_id)
    assert after.check_ins[0].result is not None and after.check_ins[0].result.value == "reached"
    assert after.check_ins[0].recorded_by == "user:asha" and after.check_ins[0].note == "spoke"
    assert str(first) not in cards(web.get("/console/followups").text)
    assert ("user:asha", "followup.recorded", case_id) in [a[:3] for a in audit_actions(lifeline)]

    # recording it twice is refused, and what was typed is shown again
    again = record(web, csrf, first, "not_reached", "again?")
    assert again.status_code == 409
    assert "already recorded as reached" in again.text and "again?" in again.text

    # a note too long is refused with the field named; the typed text comes back
    long_note = "she said she is sleeping better now. " * 120
    too_long = record(web, csrf, second, "reached", long_note)
    assert too_long.status_code == 422
    assert "Note (optional" in too_long.text and long_note.strip() in too_long.text
    assert plan_of(lifeline, case_id).check_ins[1].result is None
    unknown = record(web, csrf, second, "maybe", "call back tomorrow")
    assert unknown.status_code == 422
    assert "unknown check-in result &#39;maybe&#39;" in unknown.text
    assert "call back tomorrow" in unknown.text
    unchosen = record(web, csrf, second, None, "no answer twice")
    assert unchosen.status_code == 422
    assert "How did it go?" in unchosen.text and "no answer twice" in unchosen.text
    assert plan_of(lifeline, case_id).check_ins[1].result is None

    clock.advance(days=6)
    web, _ = signed_in(lifeline, asha, clock)
    csrf = form_token(web.get("/console/followups").text)
    escalated = record(web, csrf, second, "needs_escalation", "talks of it again")
    assert escalated.status_code == 303
    shown = web.get(escalated.headers["location"]).text
    assert "The case is reopened at the SMC" in shown
    case = cases.show_case(lifeline.ctx, OP, case_id)
    assert case.case.status.value == "received"  # back on the SMC's live queue
    assert "reopened" in [e.kind for e in case.timeline]
    assert [p.status.value for p in case.follow_ups] == ["escalated"]


def test_roles_without_follow_up_work_are_refused_and_the_smc_sees_the_panel(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    officer = make_person(lifeline, "dsp", "district_officer", LUCKNOW)
    supervisor = make_person(lifeline, "sup", "supervisor")
    case_id = rescued(lifeline, clock, "Ravi Kumar", "ravi.handle77", "+919812345678")
    place_in(lifeline, case_id, LUCKNOW)
    plan = plan_of(lifeline, case_id)
    clock.advance(hours=25)

    web, landing = signed_in(lifeline, officer, clock)
    assert landing == "/console/queue"
    assert web.get("/console/followups").status_code == 403
    csrf = form_token(web.get("/console/queue").text)
    refused = record(web, csrf, plan.check_ins[0].id, "reached")
    assert refused.status_code == 403
    assert plan_of(lifeline, case_id).check_ins[0].result is None
    case_page = web.get(f"/console/cases/{case_id}")
    assert case_page.status_code == 200 and 'id="follow-ups"' not in case_page.text
    assert 'href="/console/followups"' not in case_page.text  # no nav link either

    web, landing = signed_in(lifeline, supervisor, clock)
    assert landing == "/console/queue"
    case_page = web.get(f"/console/cases/{case_id}").text
    panel = case_page.split('id="follow-ups"')[1].split("</section>")[0]
    assert 'href="/console/followups"' in case_page  # the nav link
    assert "Active" in panel and "Tele-MANAS" in panel and "not assigned" in panel
    states = re.findall(r'<tr class="step-(\w+)"><th scope="row">(\w+)</th>', panel)
    assert states == [("overdue", "24h"), ("scheduled", "7d"), ("scheduled", "30d")]
    # the supervisor works every plan from the same page, contact included
    desk = web.get("/console/followups").text
    assert cards(desk) == [str(plan.check_ins[0].id)] and "Ravi Kumar" in desk
    csrf = form_token(desk)
    record(web, csrf, plan.check_ins[0].id, "not_reached")
    panel = web.get(f"/console/cases/{case_id}").text.split('id="follow-ups"')[1]
    assert "Not reached · recorded by user:sup" in panel
