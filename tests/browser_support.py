"""What the browser tests share: the real ASGI app under uvicorn on a free port (`Served`),
signing in with a real TOTP code, posting a signed alert, waiting for a unit's message.
The fixtures that start them are in tests/browser/conftest.py.

Screenshots go to a temporary folder, or to $LIFELINE_SCREENSHOT_DIR when set: `make screenshots`
sets it to docs/screenshots/ to refresh the README's pictures (a test run never rewrites
committed files).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import uvicorn
from playwright.sync_api import Page

from console_support import PASSWORD
from dispatch_support import Receiver
from lifeline.bootstrap import Lifeline
from lifeline.services.access import accounts as access
from lifeline.web.app import create_app
from support import alert_body, dumps, signed_headers

CHROMIUM = Path("/usr/bin/chromium")
#: where screenshots go: a temporary folder unless `make screenshots` names docs/screenshots/
SHOTS = Path(
    os.environ.get("LIFELINE_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="lifeline-shots-")
)


class ShiftedClock:
    """The system clock, moved back while a test writes a case's history (so the dashboard has
    minutes to show); at offset zero, as for TOTP codes, it is the system clock."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Served:
    def __init__(self, app: Lifeline, port: int, officers: Receiver) -> None:
        self.app = app
        self.port = port
        #: the local endpoint standing in for the units' SMS gateway
        self.officers = officers
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


def wait_for_message(officers: Receiver, path: str, case_id: int) -> dict[str, Any]:
    """The message a unit's endpoint received for a case (sent by the server's worker)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for got, body in zip(officers.paths, officers.received, strict=False):
            if got == path and body.get("case_id") == case_id:
                return body
        time.sleep(0.05)
    raise AssertionError(f"no message for case {case_id} at {path}: {officers.paths}")


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
