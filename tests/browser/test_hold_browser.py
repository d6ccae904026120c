"""Legal hold on the case page in real headless Chromium (issue #18): a supervisor puts a case
on hold with a reason (the form will not go without one), the page says "On legal hold" with
the reason, who and when, in English and in Hindi; an operator sees the hold but no form; the
supervisor lifts it with a reason. Both steps are in the audit log as the CLI writes them.

The server and the browser are tests/browser/conftest.py's fixtures."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from browser_support import SHOTS, Served, post_alert, sign_in
from console_support import make_person
from lifeline.services.access import accounts as access
from lifeline.services.retention import erasure


def _audited(served: Served, case_id: int) -> list[tuple[str, str]]:
    with served.app.ctx.uow(readonly=True) as uow:
        return [
            (r.actor, r.action)
            for r in uow.audit.records()
            if r.case_id == case_id and r.action in ("case.hold", "case.unhold")
        ]


def test_a_supervisor_holds_a_case_and_lifts_it_and_an_operator_only_sees_it(
    served: Served, page: Page
) -> None:
    partner = access.create_partner(served.app.ctx, "Meta hold")
    supervisor = make_person(served.app, "hold_sup", "supervisor")
    operator = make_person(served.app, "hold_op", "smc_operator")
    case_id = post_alert(served, partner, reference="FB-HOLD-1")

    sign_in(page, served, supervisor.username, supervisor.totp_secret)
    page.goto(f"{served.url}/console/cases/{case_id}")
    panel = page.locator("#hold-panel")
    expect(panel).to_contain_text("Not on legal hold")
    expect(page.locator("#legal-hold")).to_have_count(0)
    # the reason is required: an empty form is not sent
    panel.get_by_role("button", name="Put on legal hold").click()
    expect(page).to_have_url(f"{served.url}/console/cases/{case_id}")
    assert erasure.case_retention(served.app.ctx, case_id).hold is None

    panel.get_by_label("Reason").fill("Allahabad HC order 211/2026")
    panel.get_by_role("button", name="Put on legal hold").click()
    banner = page.locator("#legal-hold")
    expect(banner).to_contain_text("On legal hold")
    expect(banner).to_contain_text("Allahabad HC order 211/2026")
    expect(banner).to_contain_text("user:hold_sup")
    expect(banner.locator("time")).to_contain_text("IST")
    expect(page.locator("#done")).to_contain_text("case put on legal hold")
    page.locator("#hold-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "legal-hold.png"), full_page=True)

    page.get_by_role("button", name="Switch language").click()
    expect(page.locator("#legal-hold")).to_contain_text("क़ानूनी रोक पर")
    expect(page.locator("#hold-panel")).to_contain_text("क़ानूनी रोक हटाएँ")
    page.get_by_role("button", name="भाषा बदलें").click()

    # another person's view: the hold is shown, the forms are not
    other = page.context.browser.new_context(locale="en-IN")  # type: ignore[union-attr]
    operator_page = other.new_page()
    sign_in(operator_page, served, operator.username, operator.totp_secret)
    operator_page.goto(f"{served.url}/console/cases/{case_id}")
    expect(operator_page.locator("#legal-hold")).to_contain_text("Allahabad HC order 211/2026")
    expect(operator_page.locator("#hold-panel form")).to_have_count(0)
    expect(operator_page.locator("#hold-panel")).to_contain_text("Supervisors and admins")
    other.close()

    panel = page.locator("#hold-panel")
    panel.get_by_label("Why the hold ends").fill("order set aside")
    panel.get_by_role("button", name="Lift legal hold").click()
    expect(page.locator("#done")).to_contain_text("legal hold lifted")
    expect(page.locator("#legal-hold")).to_have_count(0)
    expect(page.locator("#hold-panel")).to_contain_text("Not on legal hold")
    assert _audited(served, case_id) == [
        ("user:hold_sup", "case.hold"),
        ("user:hold_sup", "case.unhold"),
    ]
