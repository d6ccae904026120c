"""What a long-running process (`lifeline serve`, `lifeline worker`) does once at start-up,
apart from wiring the application (bootstrap.py): import the adapters it will use, and hand
the objects it keeps for its whole life to the garbage collector's permanent generation."""

from __future__ import annotations

import gc
import importlib

#: the adapter modules imported when first used that a server uses sooner or later
SERVER_ADAPTERS = (
    "lifeline.adapters.db.migrate",
    "lifeline.adapters.classifier.model",
    "lifeline.adapters.geo.resolver",
    "lifeline.adapters.channels.notifiers",
    "lifeline.adapters.intake.authenticity",
    "lifeline.adapters.intake.email_alert",
    "lifeline.adapters.intake.smtp",
    "lifeline.adapters.intake.imap",
    "lifeline.adapters.reports.pdf",
)


def import_server_adapters() -> None:
    """Import SERVER_ADAPTERS now. `lifeline serve` does so before it takes requests, as when
    bootstrap imported every adapter: its worker then warms up (loads the model file, builds
    the resolver) without first spending seconds on imports while jobs wait."""
    for name in SERVER_ADAPTERS:
        importlib.import_module(name)


#: allocations (less deallocations) of container objects between two collections of the
#: youngest generation in a long-running process (CPython's default: 700); see freeze_heap
YOUNG_GC_THRESHOLD = 10_000


def freeze_heap() -> None:
    """Hand every object alive now to the garbage collector's permanent generation (gc.freeze).

    A started server holds some 330,000 long-lived objects (modules, routes, templates; after
    warm-up also the resolver's indexes and the triage model). CPython's full collection walks
    all of them, about 250 ms on the 2-CPU machine, and a request that allocates a lot (the live
    queue with 500 open cases) set one off every few requests: that pause was the queue page's
    p95. Frozen objects are not walked again; they live as long as the process, as they would
    anyway. Garbage is collected first, so none is frozen. For long-running processes (`lifeline
    serve`, `lifeline worker`) once start-up has built what they keep; not for tests, which
    build many short-lived applications.

    It also raises the youngest generation's threshold from 700 to YOUNG_GC_THRESHOLD
    allocations: a live queue page (500 cases) holds many thousands of objects while it is
    built, nearly all freed by reference counting when the request ends; at 700 the collector
    ran ~25 times a page, promoting the page's live objects to older generations and so setting
    off the older generations' collections too (about 10 ms a page, 25-40 ms on the pages that
    got a full one). The pending young objects stay a few MB at most."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, middle, oldest)
