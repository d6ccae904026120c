"""Fixtures of the browser tests: one server per test module (`served`), on a real SQLite
database with the registry overlay whose units' endpoints are a local receiver, and Debian's
Chromium driven by Playwright (never a downloaded build)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from browser_support import CHROMIUM, Served, ShiftedClock
from dispatch_support import receiver, registry_overlay
from lifeline.bootstrap import bootstrap
from lifeline.domain.model import Actor
from lifeline.services.location import registry
from lifeline.settings import Settings
from support import free_port

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("Debian's chromium is not installed; .ci/run installs it")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("console")
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{home / 'lifeline.db'}",
        data_key_file=home / "lifeline.key",
        sqlite_synchronous="NORMAL",
        log_json=False,
        console_poll_seconds=0.5,
        public_url=f"http://127.0.0.1:{port}",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = bootstrap(settings, clock=ShiftedClock())
    app.upgrade_db()
    with receiver() as officers:
        overlay = registry_overlay(
            officers.url("/station"),
            officers.url("/smc"),
            cell=officers.url("/cell"),
            trace=officers.url("/stf"),
            up112=officers.url("/up112"),
            commissionerate=officers.url("/commissionerate"),
        )
        units = registry.read_registry(app.ctx, overlay, "contacts.yaml")
        rules = registry.read_dispatch_rules(app.ctx, overlay, "contacts.yaml")
        registry.import_registry(
            app.ctx, Actor("cli", "test"), units, source="test", replace=False, rules=rules
        )
        with Served(app, port, officers) as running:
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
