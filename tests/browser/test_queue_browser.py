"""The live queue's urgency order in real headless Chromium (#16): a case overdue with nobody
reached is listed above newer, higher-level cases, says which clock ran out and by how long, and
keeps its place when the page refreshes itself as a new alert arrives.

The server and the browser are tests/browser/conftest.py's fixtures.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from browser_support import SHOTS, Served, ShiftedClock, post_alert, sign_in
from console_support import OPERATOR, make_person, new_case
from lifeline.services.access import accounts as access
from lifeline.services.cases import service as cases
from lifeline.services.triage import assessment as triage


def test_a_case_overdue_with_nobody_reached_stays_above_newer_imminent_ones(
    served: Served, page: Page
) -> None:
    app = served.app
    clock = app.clock
    assert isinstance(clock, ShiftedClock)
    operator = make_person(app, "desk.op", "smc_operator")
    partner = access.create_partner(app.ctx, "Meta-desk")
    clock.offset = timedelta(minutes=-10)  # ten minutes ago: alert, place, a phoned dispatch
    try:
        overdue = new_case(app, "kisi ko fark nahi padta, main ja raha hu", handle="desk.old")
        triage.record_operator_assessment(app.ctx, OPERATOR, overdue, "intent")
        cases.record_location(app.ctx, OPERATOR, overdue, "Madeyganj, Lucknow")
        cases.dispatch_case(app.ctx, OPERATOR, overdue, ["Madeyganj police station (phoned)"])
    finally:
        clock.offset = timedelta(0)
    newer = new_case(app, "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी", handle="desk.new")
    triage.record_operator_assessment(app.ctx, OPERATOR, newer, "imminent")

    sign_in(page, served, operator.username, operator.totp_secret)
    expect(page.get_by_role("heading", name="Live queue")).to_be_visible()
    rows = page.locator("#queue-rows tr[data-case]")
    expect(rows.first).to_have_attribute("data-case", str(overdue))
    first = page.locator(f'tr[data-case="{overdue}"]')
    # intent's unreached delay is 120 s: dispatched ten minutes ago, about 8 minutes overdue.
    # (A platform's alert is intent by the floor, so the worker may also have sent it to the
    # station meanwhile: then the clock that ran out is the acknowledgement's.)
    expect(first.locator(".overdue").first).to_contain_text(
        re.compile(r"(Nobody reached|Not acknowledged): Overdue by")
    )
    expect(first).to_have_class(re.compile(r"\brow-overdue\b"))
    expect(page.locator(f'tr[data-case="{newer}"] .overdue')).to_have_count(0)
    expect(page.locator("#queue-order")).to_contain_text("overdue clock first")

    # a new imminent alert arrives: the live refresh adds it, and the overdue case stays first
    fresh = post_alert(served, partner, reference="FB-DESK-1", subject={"handle": "desk.fresh"})
    expect(page.locator(f'tr[data-case="{fresh}"]')).to_be_visible(timeout=3000)
    expect(rows.first).to_have_attribute("data-case", str(overdue))
    order = [rows.nth(i).get_attribute("data-case") for i in range(rows.count())]
    assert order.index(str(overdue)) < order.index(str(newer))
    page.screenshot(path=str(SHOTS / "queue-urgency.png"), full_page=True)
