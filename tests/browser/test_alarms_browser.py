"""The SMC alarm banner in real headless Chromium: with several units alarmed on two cases it
shows exactly one line per case and leaves a phone's queue on the first screen; acknowledging
quiets a case's line; a new alarm seen by the live refresh turns it loud again and beeps once
sound is on; and without JavaScript the banner and its form still work.

The server and the browser are tests/browser/conftest.py's fixtures.
"""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page, expect

from browser_support import SHOTS, Served, sign_in
from console_support import LUCKNOW, make_person, new_case, place_in
from lifeline.bootstrap import Lifeline
from lifeline.domain.dispatch import DEFAULT_POLICY, AlarmKind, Dispatch
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.services.console import desk
from lifeline.services.dispatch.attention import acknowledge_alarms, alarm_groups_for
from lifeline.services.dispatch.escalations import raise_alarm

UNITS = ("up-lko-ps-madeyganj", "up-cell-lucknow", "up-112")
CLI = Actor("cli", "test")
CLI_USER = Actor("user", "alarm.admin", "admin")


def alarmed_case(app: Lifeline, handle: str, reader: str, units: tuple[str, ...] = UNITS) -> int:
    """A case with an escalation to each unit that ran out (one alarm per unit), opened by
    `reader` at the desk once triaged (so no desk alarm joins in while the test runs)."""
    case_id = new_case(app, "आज मैं आत्महत्या कर रहा हूं", handle=handle)
    place_in(app, case_id, LUCKNOW)
    deadline = time.monotonic() + 15
    while cases.show_case(app.ctx, CLI, case_id).case.risk_level is None:
        assert time.monotonic() < deadline, "the server's worker did not triage the case"
        time.sleep(0.05)
    desk.case_view(app.ctx, Actor("user", reader, "smc_operator"), case_id)
    now = app.clock.now()
    with app.ctx.uow() as uow:
        for unit in units:
            dispatch = uow.dispatches.add(
                Dispatch(case_id, unit, unit, DEFAULT_POLICY, now, "test", "test")
            )
            assert dispatch.id is not None
            details = {"unit": unit, "units": 1}
            raise_alarm(app.ctx, uow, case_id, dispatch.id, AlarmKind.EXHAUSTED, details, now)
        uow.commit()
    return case_id


def raise_new(app: Lifeline, case_id: int, kind: AlarmKind) -> None:
    with app.ctx.uow() as uow:
        raise_alarm(app.ctx, uow, case_id, None, kind, {"seconds": 120}, app.clock.now())
        uow.commit()


def loud_lines(page: Page) -> list[str]:
    return page.locator("details.alarm-all > ul.alarm-lines > li.alarm-line").all_inner_texts()


def test_one_line_per_case_acknowledged_quiets_and_a_new_alarm_beeps(
    served: Served, browser: Browser
) -> None:
    app = served.app
    person = make_person(app, "alarm.op", "smc_operator")
    first = alarmed_case(app, "alarm.one", person.username)
    second = alarmed_case(app, "alarm.two", person.username, UNITS[:2])
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, served, person.username, person.totp_secret)
    expect(page.locator("#alarm-lines .alarm-banner")).to_be_visible()
    lines = loud_lines(page)
    assert len(lines) == 2, lines
    assert sum(f"#{first}" in line for line in lines) == 1
    assert sum(f"#{second}" in line for line in lines) == 1
    assert any("3 units did not" in line for line in lines)
    assert any("2 units did not" in line for line in lines)
    # the queue still starts on the phone's first screen
    queue_top = page.locator("section.queue").bounding_box()
    assert queue_top is not None and queue_top["y"] < 844 * 0.6, queue_top
    page.screenshot(path=str(SHOTS / "alarms-phone.png"), full_page=True)

    line = page.locator("li.alarm-line", has_text=f"#{first}")
    line.get_by_role("button", name="Acknowledge alarm").click()
    page.wait_for_url("**/console/queue")
    lines = loud_lines(page)
    assert len(lines) == 1 and f"#{second}" in lines[0]
    acked = page.locator("details.alarm-acked")
    expect(acked).to_contain_text("1 acknowledged")
    acked.locator("summary").click()
    expect(acked).to_contain_text(f"acknowledged by {person.username}")

    # sound on (the click is the gesture that lets the page play it), then a new alarm on the
    # quiet case: the live refresh makes it loud again and beeps
    toggle = page.locator("#alarm-sound")
    expect(toggle).to_be_visible()
    if toggle.get_attribute("aria-pressed") == "true":
        toggle.click()  # off
    toggle.click()  # on
    expect(toggle).to_have_attribute("aria-pressed", "true")
    raise_new(app, first, AlarmKind.NOBODY_REACHED)
    expect(page.locator("#alarm-zone")).to_have_attribute("data-beeps", "1", timeout=12_000)
    lines = loud_lines(page)
    assert len(lines) == 2 and "No unit reached" in next(x for x in lines if f"#{first}" in x)
    context.close()


def test_the_banner_and_its_form_work_without_javascript(served: Served, browser: Browser) -> None:
    app = served.app
    person = make_person(app, "alarm.nojs", "smc_operator")
    case_id = alarmed_case(app, "alarm.three", person.username, UNITS[:1])
    for line in alarm_groups_for(app.ctx, CLI_USER):  # the earlier test's cases: seen
        if line.case_id != case_id:
            acknowledge_alarms(app.ctx, CLI, line.case_id)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, served, person.username, person.totp_secret)
    page.goto(served.url + f"/console/cases/{case_id}")
    line = page.locator("li.alarm-line", has_text=f"#{case_id}")
    expect(line).to_be_visible()
    line.get_by_role("button", name="Acknowledge alarm").click()
    page.wait_for_url(f"**/console/cases/{case_id}")
    expect(page.locator("li.alarm-line", has_text=f"#{case_id}")).to_be_hidden()  # collapsed
    banner = page.locator("section.alarm-banner")
    expect(banner).to_have_class("alarm-banner alarm-quiet")  # nothing loud: collapsed, muted
    banner.locator("details.alarm-all > summary").click()
    page.locator("details.alarm-acked > summary").click()
    expect(page.locator("li.alarm-line", has_text=f"#{case_id}")).to_contain_text(
        f"acknowledged by {person.username}"
    )
    context.close()
