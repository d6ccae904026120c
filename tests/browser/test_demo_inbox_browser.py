"""The newcomer's first minutes (`make run`): in demo mode, after `lifeline demo seed` and an
alert, the demo inbox shows the message the Madeyganj SHO would get, and acknowledging from
its link works. Its own server: demo mode, the demo seed, no receiver."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect

from browser_support import SHOTS, Served, ShiftedClock
from dispatch_support import Receiver
from lifeline.bootstrap import bootstrap
from lifeline.demo import seed_demo
from lifeline.domain.lifecycle import Milestone
from support import alert_body, dumps, free_port, signed_headers


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, dict[str, Any]]]:
    from lifeline.settings import Settings  # noqa: PLC0415

    home = tmp_path_factory.mktemp("demo")
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{home / 'lifeline.db'}",
        data_key_file=home / "lifeline.key",
        sqlite_synchronous="NORMAL",
        log_json=False,
        public_url=f"http://127.0.0.1:{port}",
        demo=True,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = bootstrap(settings, clock=ShiftedClock())
    app.upgrade_db()
    info = seed_demo(app)
    with Served(app, port, Receiver()) as running:
        yield running, info
    app.dispose()


def _sign_in(page: Page, served: Served, admin: dict[str, Any]) -> None:
    page.goto(served.url + "/console/sign-in")
    page.locator("#username").fill(admin["username"])
    page.locator("#password").fill(admin["password"])
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(admin["totp_secret"]).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(served.url + "/console/queue")


def test_the_demo_inbox_shows_the_shos_message_its_link_acknowledges_and_test_messages_land(
    demo: tuple[Served, dict[str, Any]], page: Page
) -> None:
    served, info = demo
    partner = info["partner"]
    body = dumps(
        alert_body(
            reference="FB-DEMO-INBOX",
            subject={"name": "Inbox Test", "handle": "inbox.test.demo"},
        )
    )
    response = httpx.post(
        served.url + "/api/v1/alerts",
        content=body,
        headers=signed_headers(partner["key_id"], partner["secret"], body),
    )
    assert response.status_code == 202, response.text
    case_id = int(response.json()["case_id"])
    _sign_in(page, served, info["admin"])
    # the SHO's message (the other units the routing rules name get theirs too)
    message = page.locator(
        f"article.demo-message[data-case='{case_id}']", has_text="up-lko-ps-madeyganj"
    ).first
    deadline = time.monotonic() + 20
    while True:
        page.goto(served.url + "/console/demo-inbox")
        if message.count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    expect(message).to_contain_text("please reach them")
    page.screenshot(path=str(SHOTS / "demo-inbox.png"), full_page=True)
    message.locator("a.demo-ack").click()
    page.locator("#name").fill("SHO Madeyganj (demo)")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".card.done")).to_be_visible()
    with served.app.ctx.uow(readonly=True) as uow:
        assert Milestone.ACKNOWLEDGED in uow.cases.get(case_id).milestones

    # the demo seed gave the station a demo contact: a test message lands in the inbox too
    page.goto(served.url + "/console/admin/contacts")
    row = page.locator("#contact-up-lko-ps-madeyganj-0")
    expect(row).to_contain_text("demo://inbox")
    row.get_by_role("button", name="Send test message").click()
    expect(page.locator("#contacts-tested")).to_contain_text("delivered")
    page.goto(served.url + "/console/demo-inbox")
    expect(page.locator("article.demo-message").first).to_contain_text("TEST / परीक्षण")
