"""The case page in real headless Chromium shows the platform's flag beside the model's reading
(issue 16): a "[video]" post says the model could not read it, a post the model read as
distress on a platform's escalation shows both and why the case counts as intent, and the
operator's level picker asks for a choice instead of offering the floor as the text's label.

The server and the browser are tests/browser/conftest.py's fixtures.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from browser_support import SHOTS, Served, post_alert, sign_in
from console_support import make_person
from lifeline.domain.risk import AssessmentSource
from lifeline.services.access import accounts as access
from lifeline.services.triage.assessment import assessments_of


def wait_assessed(served: Served, case_id: int) -> None:
    """Until the server's worker has stored the model's reading of the case's post."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = assessments_of(served.app.ctx, case_id)
        if any(a.source is AssessmentSource.MODEL for a in found):
            return
        time.sleep(0.1)
    raise AssertionError(f"case {case_id} was not assessed")


def test_the_case_page_shows_the_platforms_flag_beside_the_models_reading(
    served: Served, page: Page
) -> None:
    app = served.app
    partner = access.create_partner(app.ctx, "Meta floor")
    operator = make_person(app, "floor_op", "smc_operator")
    video = post_alert(
        served, partner, reference="FB-FLOOR-V", subject={"handle": "floor.video"},
        post={"text": "[video]", "kind": "live"}, location={},
    )  # fmt: skip
    tired = post_alert(
        served, partner, reference="FB-FLOOR-T", subject={"handle": "floor.tired"},
        post={"text": "I am so tired of everything", "kind": "text"}, location={},
    )  # fmt: skip
    wait_assessed(served, video)
    wait_assessed(served, tired)

    sign_in(page, served, operator.username, operator.totp_secret)
    expect(page.get_by_role("heading", name="Live queue")).to_be_visible()
    page.goto(f"{served.url}/console/cases/{video}")
    flag = page.locator("#platform-flag")
    expect(flag).to_contain_text("imminent-risk escalation")
    expect(flag).to_contain_text("counts as at least")
    expect(page.locator("#model-reading")).to_have_text(
        "the model could not read this post (live video)"
    )
    expect(page.locator("#level-basis")).to_contain_text("Level from the platform's flag")
    # a platform's escalation of a live broadcast is happening now: imminent
    expect(page.locator(".case-head .badge").first).to_have_class("badge level-imminent")
    page.screenshot(path=str(SHOTS / "floor-unreadable.png"), full_page=True)

    page.goto(f"{served.url}/console/cases/{tired}")
    reading = page.locator("#model-reading")
    expect(reading).to_contain_text("Distress")
    expect(reading).to_contain_text("score low")
    expect(page.locator("#level-basis")).to_contain_text("the model read the post lower")
    picker = page.locator("#level")
    expect(picker).to_have_value("")  # nothing chosen: the floor is not the text's label
    expect(picker.locator("option:checked")).to_have_text("— choose a level —")
    page.screenshot(path=str(SHOTS / "floor-disagree.png"), full_page=True)

    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("#model-reading")).to_contain_text("स्कोर")
    expect(page.locator("#platform-flag")).to_contain_text("तत्काल जोखिम की सूचना")
