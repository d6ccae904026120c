"""Held mail in real headless Chromium: the header badge counts held mail as it arrives (no
reload) and turns into a red alarm when it waits too long; the quarantine page shows the mail
with readable Hindi and its HTML as text (nothing runs); discarding needs a reason and removes
it; on a phone the page fits the screen and works in Hindi.

The server and the browser are tests/browser/conftest.py's fixtures."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

from playwright.sync_api import Browser, Page, expect

from browser_support import SHOTS, Served, ShiftedClock, sign_in
from console_support import make_person

SUBJECT = "तत्काल: फ़ेसबुक उपयोगकर्ता ख़तरे में"
POST = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"


def hold(served: Served, n: int) -> int:
    """A message from an address no partner registered, taken in by the intake service:
    quoted-printable Hindi, an RFC 2047 subject, an HTML part with a script."""
    msg = EmailMessage()
    msg["From"] = "मेटा सुरक्षा <safety-alerts@meta-escalations.example>"
    msg["To"] = "smc@uppolice.example"
    msg["Subject"] = f"{SUBJECT} {n}"
    msg["Message-ID"] = f"<held-{n}@meta-escalations.example>"
    msg.set_content(
        f"नाम: रवि कुमार\nपोस्ट: {POST}\nस्थान: मड़ियांव, लखनऊ\n",
        charset="utf-8",
        cte="quoted-printable",
    )
    msg.add_alternative(
        "<p>नाम: रवि कुमार</p><script>document.title='pwned';alert('xss')</script>",
        subtype="html",
        charset="utf-8",
        cte="base64",
    )
    outcome = served.app.receive_email(msg.as_bytes(), "bounce@meta-escalations.example")
    assert outcome.quarantine_id is not None
    return outcome.quarantine_id


def test_the_badge_counts_held_mail_live_and_discarding_with_a_reason_removes_it(
    served: Served, page: Page
) -> None:
    operator = make_person(served.app, "qop1", "smc_operator")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, served, operator.username, operator.totp_secret)
    expect(page.get_by_role("heading", name="Live queue")).to_be_visible()
    badge = page.locator("#held-mail")
    expect(badge).to_have_attribute("data-count", "0")

    qid = hold(served, 1)
    expect(badge).to_have_attribute("data-count", "1", timeout=5000)  # polled, no reload
    expect(badge).not_to_have_class(re.compile(r"\bheld-alarm\b"))
    badge.click()

    expect(page.get_by_role("heading", name=re.compile("Held mail"))).to_be_visible()
    held = page.locator(f"#held-{qid}")
    expect(held.locator(".held-subject")).to_have_text(f"{SUBJECT} 1")
    expect(held.locator(".held-body")).to_contain_text(POST)
    expect(held.locator(".held-from")).to_contain_text("मेटा सुरक्षा")
    held.locator("details.held-html summary").click()
    expect(held.locator(".held-source")).to_contain_text("<script>document.title='pwned'")
    assert dialogs == [] and page.title() != "pwned"  # shown, never run
    page.screenshot(path=str(SHOTS / "quarantine.png"), full_page=True)

    discard = held.locator("form.held-discard")
    discard.get_by_role("button", name="Discard").click()
    expect(held).to_be_visible()  # the browser asks for the required reason first
    discard.get_by_label("Reason").fill("a test message from the IT cell")
    discard.get_by_role("button", name="Discard").click()
    expect(page.get_by_role("status")).to_contain_text("Discarded")
    expect(page.locator(f"#held-{qid}")).to_have_count(0)
    expect(page.locator("#held-mail")).to_have_attribute("data-count", "0")


def test_held_mail_waiting_too_long_is_an_alarm_and_the_page_works_in_hindi_on_a_phone(
    served: Served, browser: Browser
) -> None:
    operator = make_person(served.app, "qop2", "smc_operator")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    clock = served.app.clock
    assert isinstance(clock, ShiftedClock)
    try:
        sign_in(phone, served, operator.username, operator.totp_secret)
        qid = hold(served, 2)
        badge = phone.locator("#held-mail")
        expect(badge).to_have_attribute("data-count", "1", timeout=5000)
        clock.offset = timedelta(minutes=3)  # the message has now waited 3 minutes
        expect(badge).to_have_class(re.compile(r"\bheld-alarm\b"), timeout=5000)
        expect(badge).to_contain_text("held mail waiting 3 min")
        phone.get_by_role("button", name="Switch language").click()
        expect(phone.locator("#held-mail")).to_contain_text("रोकी गई मेल प्रतीक्षा में 3 मिनट")
        phone.locator("#held-mail").click()
        held = phone.locator(f"#held-{qid}")
        expect(held.locator(".held-subject")).to_have_text(f"{SUBJECT} 2")
        expect(held).to_contain_text("प्रेषक अनुमति-सूची में नहीं है")
        # the page fits the phone: nothing to scroll sideways
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, overflow
        phone.screenshot(path=str(SHOTS / "quarantine-phone-hi.png"), full_page=True)
        release = held.locator("form.held-release")
        release.get_by_label("कारण").fill("मेटा की एस्केलेशन लाइन पर फ़ोन करके पुष्टि की")
        release.get_by_role("button", name="अलर्ट के रूप में लें").click()
        expect(phone.get_by_role("status")).to_contain_text("ली गई")
        expect(phone.locator(f"#held-{qid}")).to_have_count(0)
        expect(phone.locator("#held-mail")).not_to_have_class(re.compile(r"\bheld-alarm\b"))
    finally:
        clock.offset = timedelta(0)
        context.close()
