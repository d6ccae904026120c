"""Telling a database outage from a bug: which driver errors mean "the database cannot be
reached or written just now" (answered 503 with Retry-After) rather than a fault in the code.

SQLite reports the failure as its result code (Python 3.11's `sqlite_errorcode`): busy or
locked past the busy timeout, read-only, I/O error, disk full, cannot open the file.
PostgreSQL reports it as a lost or refused connection (no SQLSTATE), or by SQLSTATE: class 08
(connection), 53 (insufficient resources: disk full, out of memory, too many connections),
57P01-57P03 (shutting down, cannot connect now), 55P03 (lock not available) and 25006 (a
read-only transaction: a standby after failover). Serialisation failures and deadlocks (class
40) are not outages and are left to the callers that retry them.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

from lifeline.services.ports import StorageUnavailable

#: primary SQLite result codes: https://www.sqlite.org/rescode.html
_SQLITE: dict[int, tuple[str, int]] = {
    5: ("busy: locked by another writer for too long", 5),  # SQLITE_BUSY
    6: ("locked", 5),  # SQLITE_LOCKED
    7: ("out of memory", 30),  # SQLITE_NOMEM
    8: ("read-only: the database file cannot be written", 30),  # SQLITE_READONLY
    10: ("disk I/O error", 30),  # SQLITE_IOERR
    13: ("disk full", 60),  # SQLITE_FULL
    14: ("cannot open the database file", 30),  # SQLITE_CANTOPEN
}
_PG_STATES: dict[str, tuple[str, int]] = {
    "53100": ("disk full", 60),
    "53200": ("out of memory", 30),
    "53300": ("too many connections", 5),
    "57P01": ("server shutting down", 30),
    "57P02": ("server crashed", 30),
    "57P03": ("server not accepting connections yet", 30),
    "55P03": ("lock not available", 5),
    "25006": ("read-only: the server is in recovery or a standby", 30),
}


def classify(error: BaseException) -> StorageUnavailable | None:
    """The outage `error` reports, or None if it is not one."""
    if isinstance(error, StorageUnavailable):
        return error
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection free in time
        return StorageUnavailable("all connections busy", 5)
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        found = None if code is None else _SQLITE.get(code & 0xFF)
        return None if found is None else StorageUnavailable(*found)
    state = getattr(orig, "sqlstate", None)
    if state in _PG_STATES:
        return StorageUnavailable(*_PG_STATES[state])
    if isinstance(state, str) and state.startswith("08"):
        return StorageUnavailable("connection lost", 30)
    if error.connection_invalidated or (
        state is None and isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError))
    ):
        return StorageUnavailable("cannot connect", 30)
    return None
