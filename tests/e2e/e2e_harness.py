"""Helpers for end-to-end tests: the real `lifeline serve` and `lifeline` CLI run as
subprocesses against one database, and a webhook receiver that records delivered events."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.settings import Settings
from support import free_port, signed_headers


def _lifeline_bin() -> str:
    beside = Path(sys.executable).parent / "lifeline"
    if beside.exists():
        return str(beside)
    return shutil.which("lifeline") or "lifeline"


LIFELINE = _lifeline_bin()
READY_TIMEOUT = 60.0  # generous: a loaded CI machine starts a server in 10-20 s, an idle one in 2


@dataclass(frozen=True)
class Partner:
    key_id: str
    secret: str

    def headers(
        self, body: bytes, *, timestamp: int | None = None, idempotency_key: str | None = None
    ) -> dict[str, str]:
        return signed_headers(
            self.key_id, self.secret, body, timestamp=timestamp, idempotency_key=idempotency_key
        )


@dataclass
class Server:
    """A running `lifeline serve` process (the python process itself, not a shell)."""

    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def client(self, timeout: float = 15.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def logs(self) -> list[dict[str, Any]]:
        """The JSON log lines the server wrote (other lines are skipped)."""
        entries = []
        for line in self.log_text().splitlines():
            if line.startswith("{"):
                try:
                    entries.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return entries

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until /healthz answers at all (200, or 503 when degraded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"server exited with {self.proc.returncode} before it was ready:\n"
                    + self.log_text()[-4000:]
                )
            try:
                httpx.get(self.url + "/healthz", timeout=2.0)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError(f"server not ready after {timeout} s:\n" + self.log_text()[-4000:])

    def send_signal(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)


@dataclass
class Deployment:
    """One installation: a database, a data key file and the environment every process gets.
    Servers and CLI commands run with the same environment, in `tmp_path` as working
    directory (so no stray .env is read)."""

    database_url: str
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    servers: list[Server] = field(default_factory=list)
    _partner: Partner | None = None

    def __post_init__(self) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
        self.env = {
            **base,
            "LIFELINE_DATABASE_URL": self.database_url,
            "LIFELINE_DATA_KEY_FILE": str(self.key_file),
            "LIFELINE_LOG_JSON": "true",
            "LIFELINE_SQLITE_SYNCHRONOUS": "FULL",
        }

    @property
    def key_file(self) -> Path:
        return self.home / "keys" / "lifeline.key"

    # -- the command line ------------------------------------------------------------------
    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [LIFELINE, *args],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"lifeline {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )
        return result

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json").stdout)

    def cases(self) -> list[dict[str, Any]]:
        cases: list[dict[str, Any]] = self.cli_json("cases", "list", "--limit", "1000")
        return cases

    def case(self, case_id: int) -> dict[str, Any]:
        case: dict[str, Any] = self.cli_json("cases", "show", str(case_id))
        return case

    @property
    def partner(self) -> Partner:
        if self._partner is None:
            data = self.cli_json("partners", "create", "Meta Platforms")
            self._partner = Partner(data["key_id"], data["secret"])
        return self._partner

    # -- servers -------------------------------------------------------------------------
    def start(
        self, *args: str, partner: bool = True, port: int | None = None, **settings: object
    ) -> Server:
        """Start `lifeline serve --port P [args]` with LIFELINE_<NAME> for each setting, and
        wait until it answers. A partner is created (once) while the server boots."""
        env = dict(self.env)
        # each server its own SMTP port: tests run beside each other and beside `make run`
        env["LIFELINE_SMTP_PORT"] = str(free_port())
        env.update({f"LIFELINE_{k.upper()}": str(v) for k, v in settings.items()})
        port = port or free_port()
        log_path = self.home / f"server-{len(self.servers) + 1}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [LIFELINE, "serve", "--port", str(port), *args],
                cwd=self.home,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = Server(proc, port, log_path)
        self.servers.append(server)
        if partner:
            _ = self.partner
        server.wait_ready()
        return server

    def settings(self) -> Settings:
        return Settings(
            database_url=self.database_url,
            data_key_file=self.key_file,
            log_json=True,
            _env_file=None,  # type: ignore[call-arg]
        )

    def open_app(self) -> Lifeline:
        """The application wired in this process, to read the database through its services."""
        return bootstrap(self.settings())

    def migrate(self) -> None:
        """What `lifeline db upgrade` does (keys created, schema upgraded), in this process: a
        subprocess per test would start the CLI for nothing (tests/integration/test_cli.py
        runs the command itself)."""
        app = self.open_app()
        try:
            app.upgrade_db()
        finally:
            app.dispose()

    def close(self) -> None:
        for server in self.servers:
            server.kill()


# -- a webhook receiver ------------------------------------------------------------------------
@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every event POSTed to it."""

    delay: float = 0.0
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/events"

    def event_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(event_id for event_id, _ in self.received)

    def serve(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.started.set()
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.received.append(
                        (self.headers.get("X-Lifeline-Event-Id", ""), json.loads(body))
                    )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def uvicorn_process_check(server: Server) -> None:
    """Make sure the pid is the python process running `serve` (so a signal reaches it)."""
    cmdline = Path(f"/proc/{server.pid}/cmdline")
    if cmdline.exists():
        argv = cmdline.read_bytes().split(b"\0")
        assert b"serve" in argv, argv
        assert any(b"python" in a for a in argv[:2]), argv
