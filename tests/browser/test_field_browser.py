"""The field officer's phone page in real headless Chromium on a phone viewport (390x844): the
link from the message a local receiver got, acknowledge, on scene, outcome; the SMC's live
queue and case page show each step. An outcome that ends the response waits on the case page
until an operator confirms it. Each phone step is saved to SHOTS (phone-*.png).

The server and the browser are tests/browser/conftest.py's fixtures."""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import Browser, Page, expect

from browser_support import SHOTS, Served, post_alert, sign_in, wait_for_message
from console_support import LUCKNOW, OPERATOR, make_person
from lifeline.domain.dispatch import DispatchError
from lifeline.services.access import accounts as access
from lifeline.services.console import desk as console
from lifeline.services.dispatch.escalations import confirm_dispatch

PHONE = {"width": 390, "height": 844}
PERSON = "Ravi Kumar"


def dispatched(served: Served, reference: str, handle: str) -> tuple[int, str]:
    """A case sent to the Lucknow commissionerate; the link in the message it received."""
    app = served.app
    partner = access.create_partner(app.ctx, f"Meta {reference}")
    case_id = post_alert(
        served, partner, reference=reference, location={},
        subject={"handle": handle, "name": PERSON},
    )  # fmt: skip
    console.record_place(app.ctx, OPERATOR, case_id, "Madeyganj, Lucknow", LUCKNOW)
    # a platform's alert counts as intent (the floor): once located it may already have gone
    # out by itself; otherwise the operator confirms it
    with contextlib.suppress(DispatchError):
        confirm_dispatch(app.ctx, OPERATOR, case_id)
    message = wait_for_message(served.officers, "/commissionerate", case_id)
    link = re.search(r"https?://\S+/ack/\S+", message["message"])
    assert link is not None, message
    return case_id, link.group(0)


def phone_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, locale="hi-IN", is_mobile=True, has_touch=True)
    return context.new_page()


def fits_the_phone(phone: Page) -> None:
    """No sideways scrolling, and every button a thumb's size (at least 44 px high)."""
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for button in phone.locator("button").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, box
    assert PERSON not in phone.content()  # a forwarded link shows nothing about the person


def test_an_officer_records_on_scene_and_the_outcome_from_the_link(
    served: Served, page: Page, browser: Browser
) -> None:
    case_id, link = dispatched(served, "FB-FIELD-1", "field1")
    operator = make_person(served.app, "fieldop1", "smc_operator")
    sign_in(page, served, operator.username, operator.totp_secret)
    row = page.locator(f'tr[data-case="{case_id}"]')
    expect(row).to_be_visible()

    phone = phone_page(browser)
    phone.goto(link)
    expect(phone.get_by_role("heading", name=re.compile("Acknowledge a case"))).to_be_visible()
    phone.get_by_label(re.compile("Your name and rank")).fill("SI Verma")
    fits_the_phone(phone)
    phone.screenshot(path=str(SHOTS / "phone-ack.png"), full_page=True)
    phone.get_by_role("button", name=re.compile("Confirm")).click()
    expect(phone.locator("#banner")).to_contain_text("The SMC now knows")
    expect(row.locator(".status")).to_have_text("Acknowledged")  # the live queue, no reload

    phone.get_by_label(re.compile("Your name and rank")).first.fill("SI Verma")
    fits_the_phone(phone)
    phone.screenshot(path=str(SHOTS / "phone-on-scene.png"), full_page=True)
    phone.get_by_role("button", name=re.compile("We are on scene")).click()
    expect(phone.locator("#banner")).to_contain_text("On scene recorded")
    expect(phone.get_by_role("button", name=re.compile("We are on scene"))).to_have_count(0)
    expect(row.locator(".status")).to_have_text("On scene")

    phone.get_by_label(re.compile("Reached, safe")).check()
    phone.get_by_label(re.compile("Short note")).fill("Spoke with him and his mother")
    fits_the_phone(phone)
    phone.screenshot(path=str(SHOTS / "phone-outcome.png"), full_page=True)
    phone.get_by_role("button", name=re.compile("Record the outcome")).click()
    expect(phone.locator("#banner")).to_contain_text("Outcome recorded")
    expect(phone.locator("#banner")).to_contain_text("परिणाम दर्ज हुआ")
    fits_the_phone(phone)
    phone.screenshot(path=str(SHOTS / "phone-done.png"), full_page=True)
    phone.context.close()

    expect(row).to_have_count(0)  # resolved: off the live queue
    page.goto(f"{served.url}/console/cases/{case_id}")
    expect(page.locator(".case-head .status")).to_have_text("Resolved")
    timeline = page.locator("ol.timeline")
    for entry in ("Officers on scene", "Outcome: reached_safe", "recorded by a contact of"):
        expect(timeline).to_contain_text(entry)


def test_a_not_located_report_waits_for_the_operators_confirmation(
    served: Served, page: Page, browser: Browser
) -> None:
    case_id, link = dispatched(served, "FB-FIELD-2", "field2")
    phone = phone_page(browser)
    phone.goto(link)
    phone.get_by_role("button", name=re.compile("Confirm")).click()
    expect(phone.locator("#banner")).to_contain_text("The SMC now knows")
    phone.get_by_label(re.compile("Not located")).check()
    phone.get_by_role("button", name=re.compile("Record the outcome")).click()
    expect(phone.locator("#banner")).to_contain_text("needs a short note")  # nothing lost
    phone.get_by_label(re.compile("Short note")).fill("Address is a closed shop")
    phone.get_by_role("button", name=re.compile("Record the outcome")).click()
    expect(phone.locator("#banner")).to_contain_text("The SMC will confirm")
    fits_the_phone(phone)
    phone.screenshot(path=str(SHOTS / "phone-pending.png"), full_page=True)
    phone.context.close()

    operator = make_person(served.app, "fieldop2", "smc_operator")
    sign_in(page, served, operator.username, operator.totp_secret)
    page.goto(f"{served.url}/console/cases/{case_id}")
    expect(page.locator(".case-head .status")).to_have_text("Acknowledged")
    panel = page.locator("#field-reports")
    expect(panel).to_contain_text("Address is a closed shop")
    page.screenshot(path=str(SHOTS / "case-field-report.png"), full_page=True)
    panel.get_by_role("button", name="Confirm outcome").click()
    expect(page.locator(".case-head .status")).to_have_text("Resolved")
    expect(page.locator("#field-reports")).to_have_count(0)
    expect(page.locator("ol.timeline")).to_contain_text("confirmed by the SMC")
