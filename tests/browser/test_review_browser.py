"""The review queue in real headless Chromium: posts the monitoring stream flagged wait under the
*Review* tab (its badge counts them), the highest level first; escalating one puts it on the
live queue; dismissing one with a reason removes it and makes its post a training label; the
page works in Hindi and without JavaScript.

The server and the browser are tests/browser/conftest.py's fixtures."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from browser_support import SHOTS, Served, sign_in
from console_support import make_person
from lifeline.domain.monitoring import MonitoringPost
from lifeline.domain.risk import RiskLevel, RiskSubject
from lifeline.services.monitoring.ingest import ingest_posts
from lifeline.services.triage.assessment import feedback_examples

IMMINENT = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"
IDEATION = "I want to die, nothing matters anymore"
HINGLISH = "mann karta hai mar jaun, kuch accha nahi lagta"
EARLIER_DISTRESS = "आज मम्मी के साथ मंदिर गई थी, प्रसाद में लड्डू मिले"


def flag(served: Served, author: str, text: str, post_id: str) -> int:
    """A post the monitoring stream takes in and flags: its case id."""
    got = ingest_posts(
        served.app.ctx, [MonitoringPost("x", post_id, author, text, place="Madeyganj, Lucknow")]
    )
    (case_id,) = got.case_ids
    return case_id


def test_finds_are_reviewed_in_order_escalated_to_the_queue_and_dismissed_with_a_reason(
    served: Served, page: Page
) -> None:
    operator = make_person(served.app, "rev1", "smc_operator")
    ideation = flag(served, "older.author", IDEATION, "b-1")
    imminent = flag(served, "asha_k", IMMINENT, "b-2")
    # the author's later posts below the threshold are kept in the window for the review
    later = [
        MonitoringPost("x", "b-3", "asha_k", EARLIER_DISTRESS),
        MonitoringPost("x", "b-4", "asha_k", "aaj bahut garmi hai, bijli bhi gayi"),
    ]
    assert not ingest_posts(served.app.ctx, later).case_ids  # none of them flagged
    sign_in(page, served, operator.username, operator.totp_secret)
    tab = page.locator("#review-tab")
    expect(tab.locator(".review-count")).to_have_attribute("data-count", "2")
    # the live queue does not show finds nobody has reviewed
    expect(page.locator(f'#queue-rows tr[data-case="{imminent}"]')).to_have_count(0)
    tab.click()

    expect(page.get_by_role("heading", name=re.compile("Review: posts found"))).to_be_visible()
    rows = page.locator("article.review-row")
    expect(rows).to_have_count(2)
    assert rows.evaluate_all("rs => rs.map(r => Number(r.dataset.case))") == [imminent, ideation]
    first = page.locator(f"#review-{imminent}")
    expect(first.locator(".review-post mark").first).to_be_visible()  # the cues, highlighted
    expect(first.locator(".review-author")).to_have_text("asha_k")
    expect(first.locator(".review-place")).to_have_text("Madeyganj, Lucknow")
    expect(first.locator(".review-others li")).to_have_count(2)
    expect(first.locator(".review-others")).to_contain_text(EARLIER_DISTRESS)
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)

    escalate = first.locator("form.review-escalate")
    escalate.get_by_label("Level").select_option("imminent")
    escalate.get_by_label("the author").check()
    escalate.get_by_role("button", name="Escalate").click()
    expect(page.get_by_role("status")).to_contain_text("Escalated")
    expect(page.locator(f"#review-{imminent}")).to_have_count(0)
    expect(page.locator("#review-tab .review-count")).to_have_attribute("data-count", "1")
    page.get_by_role("status").get_by_role("link", name=re.compile("Open the case")).click()
    expect(page.locator("#review-pending-case")).to_have_count(0)
    page.goto(f"{served.url}/console/queue")
    expect(page.locator(f'#queue-rows tr[data-case="{imminent}"]')).to_be_visible()

    page.locator("#review-tab").click()
    second = page.locator(f"#review-{ideation}")
    dismiss = second.locator("form.review-dismiss")
    dismiss.get_by_label("Reason").select_option("not_at_risk")
    dismiss.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("status")).to_contain_text("Dismissed")
    expect(page.locator("#review-none")).to_be_visible()
    expect(page.locator("#review-tab .review-count")).to_have_attribute("data-count", "0")
    # both decisions are training labels for `model train --with-feedback`
    labels = {e.text: (e.level, e.subject) for e in feedback_examples(served.app.ctx)}
    assert labels[IDEATION] == (RiskLevel.DISCUSSION, RiskSubject.SELF)
    assert labels[IMMINENT] == (RiskLevel.IMMINENT, RiskSubject.SELF)


def test_the_review_queue_works_in_hindi_without_javascript(
    served: Served, browser: Browser
) -> None:
    operator = make_person(served.app, "rev2", "supervisor")
    case_id = flag(served, "hindi.author", HINGLISH, "h-1")
    context = browser.new_context(java_script_enabled=False, locale="en-IN")
    page = context.new_page()
    try:
        sign_in(page, served, operator.username, operator.totp_secret)
        page.get_by_role("button", name="Switch language").click()
        page.locator("#review-tab").click()
        expect(page.locator("#review-tab")).to_contain_text("समीक्षा")
        row = page.locator(f"#review-{case_id}")
        expect(row.locator(".review-subject")).to_be_visible()
        dismiss = row.locator("form.review-dismiss")
        dismiss.get_by_label("कारण").select_option("other")
        dismiss.get_by_role("button", name="ख़ारिज करें").click()
        # "other" needs a note: refused, the case still waits
        expect(page.locator("body")).to_contain_text("needs a note")
        page.goto(f"{served.url}/console/monitoring")
        row = page.locator(f"#review-{case_id}")
        dismiss = row.locator("form.review-dismiss")
        dismiss.get_by_label("कारण").select_option("other")
        dismiss.get_by_label("टिप्पणी (अन्य के लिए आवश्यक)").fill("एक फ़िल्म का संवाद")
        dismiss.get_by_role("button", name="ख़ारिज करें").click()
        expect(page.get_by_role("status")).to_contain_text("ख़ारिज किया गया")
        expect(page.locator(f"#review-{case_id}")).to_have_count(0)
    finally:
        context.close()
