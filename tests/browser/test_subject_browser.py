"""The case page in real headless Chromium says when a post is about someone else (issue 19):
a report that a brother posted goodbye shows the model's level with "about someone else" beside
it, in English and in Hindi, and the assessment lists the words that decided it.

The server and the browser are tests/browser/conftest.py's fixtures.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect
from test_floor_browser import wait_assessed

from browser_support import Served, post_alert, sign_in
from console_support import make_person
from lifeline.services.access import accounts as access


def test_the_case_page_says_the_post_is_about_someone_else(served: Served, page: Page) -> None:
    app = served.app
    partner = access.create_partner(app.ctx, "Meta subject")
    operator = make_person(app, "subject_op", "smc_operator")
    report = post_alert(
        served, partner, reference="FB-SUBJ-1", subject={"handle": "worried.sister"},
        post={"text": "my brother posted goodbye on his story an hour ago and isn't answering, "
              "please help", "kind": "text"},
        location={},
    )  # fmt: skip
    wait_assessed(served, report)

    sign_in(page, served, operator.username, operator.totp_secret)
    page.goto(f"{served.url}/console/cases/{report}")
    subject = page.locator("#model-subject")
    expect(subject).to_have_text("about someone else")
    expect(subject).to_have_attribute("title", "The person to find is not the author of the post")
    expect(page.locator("#h-assess + dl + ul, #h-assess ~ ul").first).to_contain_text(
        "Subject cues"
    )
    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("#model-subject")).to_have_text("किसी और के बारे में")
