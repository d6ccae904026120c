"""Cross-process wake-ups for the job workers on PostgreSQL (LISTEN/NOTIFY).

A process that has just committed jobs due now (an API taking an alert, a person dispatching)
says so with `NOTIFY lifeline_jobs`; every worker LISTENs and claims at once, instead of
finding the jobs at its next poll. An idle worker then sleeps until the next job is due (its
poll's read) or a notification comes, at most a second (worker.py), where it used to claim
twenty times a second. A notification lost (a connection down) costs that much delay, no
job: the poll still finds every due job. SQLite has no such channel: there the worker keeps
polling every `LIFELINE_WORKER_POLL_SECONDS`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import Engine

log = structlog.get_logger("lifeline.jobs")

CHANNEL = "lifeline_jobs"


class JobsReady(threading.Event):
    """Set when jobs a worker should claim now were committed: wakes this process's worker at
    once and, on PostgreSQL, every worker process (`notify`: `PgJobNotifier.poke`).
    `wake` wakes this process's only (what a notification received or a stop does)."""

    def __init__(self) -> None:
        super().__init__()
        self.notify: Callable[[], None] | None = None
        #: stops what `notify` runs on (`Lifeline.dispose`)
        self.close: Callable[[], None] | None = None

    def set(self) -> None:
        super().set()
        if self.notify is not None:
            self.notify()

    def wake(self) -> None:
        super().set()


def _driver_connection(engine: Engine) -> Any:
    """A psycopg connection of the engine's own settings, outside its pool, in autocommit."""
    raw = engine.raw_connection()
    conn = raw.driver_connection
    assert conn is not None
    raw.detach()  # kept for good: the pool neither hands it out nor closes it
    conn.autocommit = True
    return conn


class PgJobNotifier:
    """Sends `NOTIFY lifeline_jobs` from a thread of its own, on a connection of its own, so a
    request never waits for it; pokes that come while one is being sent are sent as one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._poked = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def poke(self) -> None:
        if self._closed:
            return
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="lifeline-notify", daemon=True
                    )
                    self._thread.start()
        self._poked.set()

    def close(self) -> None:
        """Stop the thread and close its connection (the application is disposed)."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._poked.set()
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        conn: Any = None
        while True:
            self._poked.wait()
            self._poked.clear()
            if self._closed:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
                return
            try:
                if conn is None:
                    conn = _driver_connection(self.engine)
                conn.execute(f"NOTIFY {CHANNEL}")
            except Exception:  # database away: the workers' poll finds the jobs
                log.warning("jobs.notify_failed", exc_info=True)
                with contextlib.suppress(Exception):
                    if conn is not None:
                        conn.close()
                conn = None


class PgJobListener:
    """LISTENs on a connection of its own and calls `on_wake` for every notification, until
    `stop` is set; `listening` tells whether notifications can come now (reconnecting after
    the database went away, they cannot: the worker then polls as on SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.listening = False

    def run(self, on_wake: Callable[[], None], stop: threading.Event) -> None:
        while not stop.is_set():
            conn: Any = None
            try:
                conn = _driver_connection(self.engine)
                conn.execute(f"LISTEN {CHANNEL}")
                self.listening = True
                on_wake()  # anything committed while not listening
                while not stop.is_set():
                    for _ in conn.notifies(timeout=0.5, stop_after=1):
                        on_wake()
            except Exception:
                if not stop.is_set():
                    log.warning("jobs.listen_failed", exc_info=True)
                    stop.wait(1.0)
            finally:
                self.listening = False
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
