"""Prometheus Alertmanager for bench/peer.py: found on PATH, run on 127.0.0.1 with a generated
configuration (every alert its own group, flushed at once, to one webhook), fed alerts that
carry a sequence number the webhook receiver reads back."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from intake import free_port, stop

BINARIES = ("prometheus-alertmanager", "alertmanager")  # Debian's name, then upstream's
INSTALL_HINT = "apt-get install prometheus-alertmanager"
ALERTNAME = "PersonAtRisk"


def find_binary(given: str | None) -> str | None:
    if given:
        return given if shutil.which(given) else None
    return next((b for b in map(shutil.which, BINARIES) if b), None)


def alertmanager_config(webhook: str) -> str:
    """One route to one webhook; every label set is its own group, flushed at once."""
    return (
        "route:\n"
        "  receiver: bench\n"
        "  group_by: ['...']\n"
        "  group_wait: 0s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 24h\n"
        "receivers:\n"
        "- name: bench\n"
        "  webhook_configs:\n"
        f"  - url: '{webhook}'\n"
        "    send_resolved: false\n"
    )


@contextmanager
def running_alertmanager(
    binary: str, workdir: Path, webhook: str, timeout: float = 30
) -> Iterator[tuple[subprocess.Popen[Any], str]]:
    """Alertmanager on 127.0.0.1 (clustering off: it would listen on all interfaces), ready;
    yields (process, base URL) and stops it afterwards."""
    config = workdir / "alertmanager.yml"
    config.write_text(alertmanager_config(webhook), encoding="utf-8")
    data = workdir / "alertmanager-data"
    data.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = workdir / "alertmanager.log"
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.path={data}",
        f"--web.listen-address=127.0.0.1:{port}",
        f"--web.external-url={base}",
        "--cluster.listen-address=",
        "--log.level=warn",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"alertmanager exited ({proc.returncode}):\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"alertmanager not ready after {timeout} s:\n{log.read_text()}")
            time.sleep(0.1)
        yield proc, base
    finally:
        stop(proc)


def alertmanager_bodies(first: int, count: int, run: str) -> list[tuple[int, bytes]]:
    """Alerts numbered first.. (label `seq`, the key the receiver reads), one per POST."""
    bodies = []
    for seq in range(first, first + count):
        alert = {
            "labels": {
                "alertname": ALERTNAME,
                "run": run,
                "seq": str(seq),
                "severity": "imminent",
                "police_station": "Madeyganj",
                "district": "Lucknow",
            },
            "annotations": {"summary": "I am going to end my life tonight, the rope is ready"},
        }
        bodies.append((seq, json.dumps([alert]).encode()))
    return bodies


def alertmanager_seq(body: Any) -> int | None:
    """The `seq` label of the first alert in a webhook message (one alert per group)."""
    try:
        return int(body["alerts"][0]["labels"]["seq"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
