"""Fixtures for end-to-end tests: the real `lifeline serve` and `lifeline` CLI as subprocesses,
on the database given by the shared `migrated_database_url` fixture (SQLite file or PostgreSQL).

Every server a test starts is killed in teardown, whatever the test did to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import Deployment, WebhookReceiver


@pytest.fixture
def deployment(migrated_database_url: str, tmp_path: Path) -> Iterator[Deployment]:
    """A fresh, migrated database with its key file; servers started on it die at teardown."""
    dep = Deployment(migrated_database_url, tmp_path)
    dep.migrate()
    try:
        yield dep
    finally:
        dep.close()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    """An event receiver on 127.0.0.1 that records X-Lifeline-Event-Id of every delivery."""
    receiver = WebhookReceiver()
    receiver.serve()
    try:
        yield receiver
    finally:
        receiver.close()
