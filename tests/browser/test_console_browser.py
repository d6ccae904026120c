"""The console in real headless Chromium (Debian's `chromium`, driven by Playwright): sign in
with TOTP, a new alert appearing on the open queue without a reload, opening and acting on the
case, and a district officer refused (403, audited) another district's case.

The server is the real ASGI app under uvicorn on a free port, on a real SQLite database, with
the system clock (TOTP codes are real). Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from console_support import LUCKNOW, PASSWORD, VARANASI, make_person, new_case, place_in
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.services import access
from lifeline.settings import Settings
from lifeline.web.app import create_app
from support import alert_body, dumps, free_port, signed_headers

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("Debian's chromium is not installed; .ci/run installs it")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", True)


class Served:
    def __init__(self, app: Lifeline) -> None:
        self.app = app
        self.port = free_port()
        config = uvicorn.Config(
            create_app(app, embedded_worker=True), host="127.0.0.1", port=self.port,
            log_level="warning", lifespan="on",
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("console")
    settings = Settings(
        database_url=f"sqlite:///{home / 'lifeline.db'}",
        data_key_file=home / "lifeline.key",
        sqlite_synchronous="NORMAL",
        log_json=False,
        console_poll_seconds=0.5,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = bootstrap(settings)
    app.upgrade_db()
    with Served(app) as running:
        yield running
    app.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-IN")
    yield context.new_page()
    context.close()


def sign_in(page: Page, served: Served, username: str, secret: str) -> None:
    page.goto(served.url + "/console/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()


def post_alert(served: Served, partner: access.NewPartner, **overrides: Any) -> int:
    body = dumps(alert_body(**overrides))
    response = httpx.post(
        served.url + "/api/v1/alerts",
        content=body,
        headers=signed_headers(partner.key_id, partner.secret, body),
    )
    assert response.status_code == 202, response.text
    return int(response.json()["case_id"])


def test_an_operator_signs_in_sees_a_new_case_arrive_and_acts_on_it(
    served: Served, page: Page
) -> None:
    app = served.app
    partner = access.create_partner(app.ctx, "Meta")
    operator = make_person(app, "operator1", "smc_operator")
    for n, text in enumerate(
        ["ab aur nahi hota yaar, sab khatam kar dunga aaj raat", "I feel so tired of everything"]
    ):
        post_alert(served, partner, reference=f"FB-{n}", subject={"handle": f"someone{n}"},
                   post={"text": text, "kind": "text"})  # fmt: skip

    sign_in(page, served, operator.username, operator.totp_secret)
    expect(page.get_by_role("heading", name="Live queue")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "lifeline_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"

    accepted = time.monotonic()
    case_id = post_alert(served, partner, reference="FB-LIVE-1")
    row = page.locator(f'tr[data-case="{case_id}"]')
    expect(row).to_be_visible(timeout=2000)  # the target: on the open queue within 2 s
    seen_after = time.monotonic() - accepted
    assert seen_after < 2.0
    expect(row).to_have_class(re.compile(r"\bfresh\b"))  # highlighted as new
    # for the screenshot only: give the triage job (run by the worker) a moment to score it
    with contextlib.suppress(AssertionError):
        expect(row.locator(".badge.level-imminent")).to_be_visible(timeout=3000)
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Case #{case_id}")).to_be_visible()
    page.get_by_label("Address or place").fill("Madeyganj, near the water tank")
    page.get_by_label("District").select_option(LUCKNOW)
    page.get_by_role("button", name="Record location").click()
    expect(page.locator("#done")).to_contain_text("Record location")
    page.get_by_label("Units (comma-separated)").fill("Madeyganj PS, UP-112")
    page.get_by_role("button", name="Dispatch to units").click()
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_role("button", name="Officers on scene").click()
    page.get_by_label("Record outcome").select_option("reached_safe")
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator(".case-head .status")).to_have_text("Resolved")
    timeline = page.locator("ol.timeline")
    for entry in ("Dispatched to Madeyganj PS, UP-112", "Officers on scene", "reached_safe"):
        expect(timeline).to_contain_text(entry)
    page.get_by_label("Add note").fill("Counsellor to call tomorrow")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Counsellor to call tomorrow")).to_be_visible()
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)


def test_the_queue_works_in_hindi_and_on_a_phone(served: Served, browser: Browser) -> None:
    app = served.app
    person = make_person(app, "operator2", "smc_operator")
    new_case(app, "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी", handle="hindi.case")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, served, person.username, person.totp_secret)
    page.get_by_role("button", name="Switch language").click()
    expect(page.get_by_role("heading", name="लाइव कतार")).to_be_visible()
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "case-link"
    page.screenshot(path=str(SHOTS / "queue-hindi-phone.png"), full_page=True)
    context.close()


def test_a_district_officer_is_refused_another_districts_case(served: Served, page: Page) -> None:
    app = served.app
    officer = make_person(app, "dsp.varanasi", "district_officer", VARANASI)
    theirs = new_case(app, "sab khatam", handle="in.varanasi")
    place_in(app, theirs, VARANASI)
    other = new_case(app, "main ja raha hu", handle="in.lucknow")
    place_in(app, other, LUCKNOW)
    sign_in(page, served, officer.username, officer.totp_secret)
    expect(page.locator(f'tr[data-case="{theirs}"]')).to_be_visible()
    expect(page.locator(f'tr[data-case="{other}"]')).to_have_count(0)

    response = page.goto(f"{served.url}/console/cases/{other}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    with app.ctx.uow(readonly=True) as uow:
        denied = [
            r for r in uow.audit.records() if r.action == "access.denied" and r.case_id == other
        ]
    assert [r.actor for r in denied] == [f"user:{officer.username}"]
    assert denied[0].details["reason"] == "jurisdiction"
