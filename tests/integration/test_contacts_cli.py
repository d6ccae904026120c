"""`lifeline registry contacts import`, `lifeline drill` and the demo seed's overlay, in-process
with Typer's runner on both databases; the drill's messages are sent by a real worker thread
to a real HTTP endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_support import cli_runner
from dispatch_support import receiver
from lifeline.bootstrap import bootstrap
from lifeline.domain.registry import RegistryUnit
from lifeline.services.location import registry
from lifeline.settings import load_settings
from lifeline.worker import Worker

Run = Callable[..., str]


def registry_in_force() -> tuple[list[RegistryUnit], str]:
    lifeline = bootstrap(load_settings())
    try:
        return registry.current_registry(lifeline.ctx)
    finally:
        lifeline.dispose()


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    return cli_runner(database_url, tmp_path, monkeypatch)


def test_contacts_import_reads_excel_csv_and_names_bad_rows(run: Run, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(
        "unit_id,name,role,channel\r\n"
        "up-smc,शिफ्ट प्रभारी,shift-in-charge,json://127.0.0.1:9/a\r\n"
        "up-smc,शिफ्ट प्रभारी,,json://127.0.0.1:9/b\r\n".encode("utf-8-sig")
    )
    checked = json.loads(run("registry", "contacts", "import", str(good), "--dry-run", "--json"))
    assert checked == {
        "dry_run": True, "units": 1, "contacts": 1, "channels": 2, "version": None,
    }  # fmt: skip
    done = json.loads(run("registry", "contacts", "import", str(good), "--json"))
    assert done["version"] and done["channels"] == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_id,name,role,channel\nup-smc,X,duty,ftp-ish\n", encoding="utf-8")
    error = json.loads(run("registry", "contacts", "import", str(bad), "--json", code=1))
    assert 'line 2, field "channel"' in error["error"]["message"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "unit_id,name,role,channel\nup-smc,Jos\xe9,duty,json://h/\n".encode("latin-1")
    )
    error = json.loads(run("registry", "contacts", "import", str(latin), "--json", code=1))
    assert "not UTF-8" in error["error"]["message"]
    units, version = registry_in_force()
    [smc] = [u for u in units if u.id == "up-smc"]
    assert version == done["version"] and [c.name for c in smc.contacts] == ["शिफ्ट प्रभारी"]


def test_drill_is_delivered_by_the_worker_and_timed(run: Run, tmp_path: Path) -> None:
    with receiver() as smc:
        contacts = tmp_path / "smc.csv"
        contacts.write_text(f"unit_id,name,role,channel\nup-smc,Shift,duty,{smc.url('/smc')}\n")
        run("registry", "contacts", "import", str(contacts))
        worker_app = bootstrap(load_settings())
        worker = Worker(worker_app)
        stop = threading.Event()

        def work() -> None:
            while not stop.is_set():
                if not worker.run_once():
                    stop.wait(0.05)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            report = json.loads(run("drill", "--json", "--deliver-timeout", "30"))
        finally:
            stop.set()
            thread.join(timeout=10)
            worker_app.dispose()
        assert report["unit"] == "up-smc" and report["delivered_seconds"] is not None
        assert report["acknowledged_seconds"] is None
        [message] = [m for m in smc.received if m.get("case_id") == report["case_id"]]
        assert message["title"].startswith("DRILL / अभ्यास")
        run("cases", "outcome", str(report["case_id"]), "false_alarm", "--reason", "drill")
        run("cases", "close", str(report["case_id"]))


def test_drill_refuses_an_unknown_unit(run: Run) -> None:
    error = json.loads(run("drill", "--unit", "up-nowhere", "--json", code=1))
    assert "not in the registry" in error["error"]["message"]


def test_demo_seed_in_demo_mode_gives_units_demo_inbox_contacts(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("demo", "seed")  # not demo mode: no overlay
    units, _ = registry_in_force()
    assert not any(c.channels[0].startswith("demo://") for u in units for c in u.contacts)
    monkeypatch.setenv("LIFELINE_DEMO", "true")
    seeded = json.loads(run("demo", "seed", "--json"))
    assert "/console/demo-inbox" in seeded["message"]
    units, _ = registry_in_force()
    [station] = [u for u in units if u.id == "up-lko-ps-madeyganj" and u.valid_to is None]
    assert [(c.role, c.channels) for c in station.contacts] == [
        ("sho", ("demo://inbox/up-lko-ps-madeyganj",))
    ]
    before = registry_in_force()[1]
    run("demo", "seed")  # again: nothing to add, nothing changes
    assert registry_in_force()[1] == before
