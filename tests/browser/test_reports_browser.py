"""The console's reports page in Chromium (issue 16): a district officer sees their own
district's report, in Hindi drawn with the font Lifeline serves (no system Hindi font needed),
and downloads its PDF."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from browser_support import SHOTS, Served, sign_in
from console_support import LUCKNOW, VARANASI, make_person, new_case, place_in
from lifeline.services.reports.report import IST


def test_a_district_officer_reads_their_districts_report_in_hindi(
    served: Served, page: Page
) -> None:
    app = served.app
    officer = make_person(app, "dsp.reports", "district_officer", LUCKNOW)
    mine = new_case(app, "sab khatam", handle="report.lucknow")
    place_in(app, mine, LUCKNOW)
    theirs = new_case(app, "main ja raha hu", handle="report.varanasi")
    place_in(app, theirs, VARANASI)
    day = app.clock.now().astimezone(IST).date().isoformat()

    sign_in(page, served, officer.username, officer.totp_secret)
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("From").fill(day)
    page.get_by_label("To").fill(day)
    expect(page.get_by_label("District (optional)")).to_have_count(0)  # theirs, fixed
    page.get_by_role("button", name="Show the report").click()
    cases = page.locator('tr[data-key="cases"] td').first
    expect(cases).to_have_text("1")  # the Varanasi case is not counted
    expect(page.locator(f'tr[data-key="district.{VARANASI}.cases"]')).to_have_count(0)

    page.get_by_role("button", name="Switch language").click()
    expect(page.get_by_role("heading", name="रिपोर्ट")).to_be_visible()
    expect(page.locator('tr[data-key="alert_to_first_delivered.p50"] th')).to_have_text(
        "अलर्ट → पुलिस को सूचना पहुँची p50"
    )
    loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            await document.fonts.load('16px "Lifeline Devanagari"', 'रिपोर्ट');
            return [...document.fonts].filter(f => f.family.includes('Lifeline Devanagari'))
                .map(f => f.status);
        }"""
    )
    assert "loaded" in loaded, loaded
    page.screenshot(path=str(SHOTS / "reports-hindi.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF डाउनलोड करें").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
