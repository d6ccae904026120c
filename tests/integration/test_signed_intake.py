"""A partner's signed alert is checked in the transaction that stores it (issue 18's hot path):
the partner's key is read there, not in a transaction of its own, so a partner disabled is
refused by its next request; a request not signed with a secret the process last found valid
is checked in a read transaction first (a forgery never holds the write lock); a request that
is not the partner's is told so (401) before anything about its body; on SQLite and
PostgreSQL."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from lifeline.adapters.db.tables import partners
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access.accounts import NewPartner, SignedRequest, create_partner, sign
from lifeline.services.cases.service import list_cases
from lifeline.web.app import create_app
from support import FakeClock, alert_body, dumps, signed_headers

ADMIN = Actor("cli", "test", "admin")


@pytest.fixture
def partner(lifeline: Lifeline) -> NewPartner:
    return create_partner(lifeline.ctx, "signed intake tests")


@pytest.fixture
def web(lifeline: Lifeline) -> TestClient:
    return TestClient(create_app(lifeline, embedded_worker=False), raise_server_exceptions=False)


def post(
    web: TestClient, clock: FakeClock, raw: bytes, key_id: str, secret: str, **headers: str
) -> Any:
    clock.advance(seconds=1)
    signed = signed_headers(key_id, secret, raw, timestamp=int(clock.now().timestamp()))
    return web.post("/api/v1/alerts", content=raw, headers={**signed, **headers})


def stored(lifeline: Lifeline) -> int:
    return len(list_cases(lifeline.ctx, ADMIN, limit=1000))


def test_a_signed_alert_is_checked_and_stored_in_one_transaction(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    warm = dumps(alert_body(reference="FB-1", subject={"handle": "first.person"}))
    assert post(web, clock, warm, partner.key_id, partner.secret).status_code == 202
    begun: list[object] = []

    def count(conn: object) -> None:
        begun.append(conn)

    event.listen(lifeline.engine, "begin", count)
    try:
        raw = dumps(alert_body(reference="FB-2", subject={"handle": "second.person"}))
        answer = post(web, clock, raw, partner.key_id, partner.secret)
    finally:
        event.remove(lifeline.engine, "begin", count)
    assert answer.status_code == 202, answer.text
    assert len(begun) == 1  # before: a read of the key, then the intake
    assert stored(lifeline) == 2


def test_a_partner_disabled_is_refused_by_its_next_request_and_nothing_is_stored(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    first = post(web, clock, dumps(alert_body(reference="A")), partner.key_id, partner.secret)
    assert first.status_code == 202, first.text
    with lifeline.engine.begin() as conn:
        conn.execute(
            update(partners).where(partners.c.key_id == partner.key_id).values(active=False)
        )
    refused = post(web, clock, dumps(alert_body(reference="B")), partner.key_id, partner.secret)
    assert refused.status_code == 401, refused.text
    error = refused.json()["error"]
    assert error["code"] == "authentication_failed"
    assert "disabled" in error["message"] and partner.key_id in error["message"]
    assert stored(lifeline) == 1


@pytest.mark.parametrize(
    ("raw", "headers"),
    [
        (b"{not json", {}),
        (dumps({"platform": "facebook"}), {}),  # no post, no subject
        (dumps(alert_body()), {"Idempotency-Key": "x" * 201}),
    ],
    ids=["not json", "invalid alert", "idempotency key too long"],
)
def test_a_bad_request_with_a_wrong_signature_is_told_the_signature_first(
    lifeline: Lifeline,
    web: TestClient,
    partner: NewPartner,
    clock: FakeClock,
    raw: bytes,
    headers: dict[str, str],
) -> None:
    forged = post(web, clock, raw, partner.key_id, "not-the-secret", **headers)
    assert forged.status_code == 401, forged.text
    assert "does not match" in forged.json()["error"]["message"]
    unknown = post(web, clock, raw, "pk_0000000000000000", partner.secret, **headers)
    assert unknown.status_code == 401, unknown.text
    assert "unknown" in unknown.json()["error"]["message"]
    signed = post(web, clock, raw, partner.key_id, partner.secret, **headers)
    assert signed.status_code in (400, 422), signed.text  # the partner's: told what is wrong
    assert stored(lifeline) == 0


def test_a_wrong_signature_on_a_valid_alert_is_refused_and_nothing_is_stored(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    raw = dumps(alert_body())
    forged = post(web, clock, raw, partner.key_id, "not-the-secret")
    assert forged.status_code == 401, forged.text
    assert "does not match" in forged.json()["error"]["message"]
    assert stored(lifeline) == 0
    # the same body, signed, is taken (the refused one left no signature behind)
    assert post(web, clock, raw, partner.key_id, partner.secret).status_code == 202
    assert stored(lifeline) == 1


def test_a_forged_alert_is_refused_without_waiting_for_the_write_lock(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    """A request signed with anything but the partner's secret is checked in a read transaction
    before the intake's write one: on SQLite a flood of them never holds (or waits for) the
    write lock that genuine alerts need, even for a key this process knows."""
    if lifeline.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock (PostgreSQL locks rows)")
    first = post(web, clock, dumps(alert_body(reference="A")), partner.key_id, partner.secret)
    assert first.status_code == 202, first.text  # the key is known good in this process
    holder = sqlite3.connect(str(lifeline.engine.url.database), timeout=1)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
        raw = dumps(alert_body(reference="B", subject={"handle": "second.person"}))
        forged = post(web, clock, raw, partner.key_id, "not-the-secret")
        assert forged.status_code == 401, forged.text
        assert "does not match" in forged.json()["error"]["message"]
        unknown = post(web, clock, raw, "pk_0000000000000000", partner.secret)
        assert unknown.status_code == 401, unknown.text
    finally:
        holder.rollback()
        holder.close()
    assert post(web, clock, raw, partner.key_id, partner.secret).status_code == 202
    assert stored(lifeline) == 2


def test_a_remembered_secret_never_lets_a_disabled_partner_in(
    lifeline: Lifeline, web: TestClient, partner: NewPartner, clock: FakeClock
) -> None:
    """The process remembers secrets it found valid only to refuse forgeries early: a request
    signed with one is still checked against the key read in the intake transaction."""
    assert post(web, clock, dumps(alert_body()), partner.key_id, partner.secret).status_code == 202
    request = SignedRequest(partner.key_id, "1", "0" * 64, b"{}")
    assert lifeline.known_secrets.signed(
        SignedRequest(partner.key_id, "1", sign(partner.secret, "1", b"{}"), b"{}")
    )
    assert not lifeline.known_secrets.signed(request)
    with lifeline.engine.begin() as conn:
        conn.execute(
            update(partners).where(partners.c.key_id == partner.key_id).values(active=False)
        )
    refused = post(web, clock, dumps(alert_body(reference="C")), partner.key_id, partner.secret)
    assert refused.status_code == 401 and "disabled" in refused.json()["error"]["message"]
    assert stored(lifeline) == 1
    # forgotten: the next request of that key is checked in a read transaction first again
    assert not lifeline.known_secrets.signed(
        SignedRequest(partner.key_id, "1", sign(partner.secret, "1", b"{}"), b"{}")
    )
