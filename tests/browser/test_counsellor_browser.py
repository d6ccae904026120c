"""The counsellor's console in real headless Chromium on a phone-sized screen: a counsellor signs
in, lands on their follow-ups, sees an overdue check-in with the person's name and phone, and
records how the call went; the plan shows it on the SMC's case page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, expect

from browser_support import SHOTS, Served, ShiftedClock, sign_in
from console_support import LUCKNOW, OPERATOR, make_person, new_case
from lifeline.bootstrap import Lifeline
from lifeline.services.aftercare import followups as aftercare
from lifeline.services.cases import service as cases
from lifeline.services.console import desk as console


def rescued_two_days_ago(app: Lifeline) -> int:
    """A case whose person was reached alive 47 hours ago: its 24-hour check-in is overdue."""
    clock = app.clock
    assert isinstance(clock, ShiftedClock)
    try:
        clock.offset = -timedelta(hours=48)
        case_id = new_case(app, handle="counselled")
        console.record_place(app.ctx, OPERATOR, case_id, "Madeyganj", LUCKNOW)
        cases.dispatch_case(app.ctx, OPERATOR, case_id, ["Thana"])
        clock.offset = -timedelta(hours=47, minutes=50)
        cases.mark_on_scene(app.ctx, OPERATOR, case_id)
        clock.offset = -timedelta(hours=47)
        cases.record_outcome(app.ctx, OPERATOR, case_id, "reached_safe")
    finally:
        clock.offset = timedelta(0)
    return case_id


def test_a_counsellor_on_a_phone_sees_an_overdue_follow_up_and_records_the_call(
    served: Served, browser: Browser
) -> None:
    app = served.app
    counsellor = make_person(app, "counsellor1", "counsellor")
    case_id = rescued_two_days_ago(app)
    [plan] = [p for p in aftercare.list_plans(app.ctx, OPERATOR) if p.case_id == case_id]
    aftercare.assign_counsellor(app.ctx, OPERATOR, plan.id or 0, counsellor.username)
    first = plan.check_ins[0]

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-IN")
    page = phone.new_page()
    try:
        sign_in(page, served, counsellor.username, counsellor.totp_secret)
        expect(page.get_by_role("heading", name="Follow-ups")).to_be_visible()
        assert page.url.endswith("/console/followups")
        card = page.locator(f"#check-in-{first.id}")
        expect(card.locator(".badge")).to_have_text("Overdue")
        expect(card).to_contain_text("Ravi K")
        expect(card.get_by_role("link", name="+919812345678")).to_have_attribute(
            "href", "tel:+919812345678"
        )
        expect(card).to_contain_text("Tele-MANAS")
        # the card fits the phone's width: nothing to scroll sideways
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width

        card.get_by_label("Reached", exact=True).check()
        card.get_by_label("Note").fill("Spoke with him and his mother; sleeping better.")
        page.screenshot(path=str(SHOTS / "counsellor.png"), full_page=True)
        card.get_by_role("button", name="Record the check-in").click()
        expect(page.locator("#done")).to_have_text("Recorded: reached")
        expect(page.locator(f"#check-in-{first.id}")).to_have_count(0)
    finally:
        phone.close()

    [after] = [p for p in aftercare.list_plans(app.ctx, OPERATOR) if p.id == plan.id]
    recorded = after.check_ins[0]
    assert recorded.result is not None and recorded.result.value == "reached"
    assert recorded.recorded_by == f"user:{counsellor.username}"
    assert recorded.note == "Spoke with him and his mother; sleeping better."
