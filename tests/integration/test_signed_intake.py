"""A partner's signed alert is checked in the transaction that stores it (issue 18's hot path):
the partner's key is read there, not in a transaction of its own, and is never cached, so a
partner disabled is refused by its next request; a request that is not the partner's is told so
(401) before anything about its body; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from lifeline.adapters.db.tables import partners
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access.accounts import NewPartner, create_partner
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
