"""The published OpenAPI schema, fuzzed with Schemathesis against the in-process ASGI app.

Whatever a client sends to any operation, anonymously or as a signed-in admin, the answer is
never a server error. POST /api/v1/alerts is also fuzzed as a signed partner, so that generated
bodies (valid and invalid) get past authentication to the validation layer: they are accepted
(202) or refused with a 4xx in the one JSON error shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet

from lifeline.bootstrap import Lifeline
from lifeline.services.access import NewPartner, create_partner
from lifeline.settings import Settings
from lifeline.web.api.schemas import PLATFORMS
from lifeline.web.app import create_app
from lifeline.worker import Worker
from staff_support import staff_token
from support import FakeClock, alert_body, dumps, signed_headers

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the schema, not the database, is under test here."""
    return f"sqlite:///{tmp_path / 'lifeline.db'}"


@pytest.fixture(name="settings")
def deployed_settings(settings: Settings) -> Settings:
    """Configured as deployed: with the SMS gateway's secret unset, /api/v1/inbound/sms would
    answer every request with its deliberate 503 "not configured" and never be fuzzed."""
    settings.sms_inbound_token = SecretStr("contract-tests-gateway-secret")
    return settings


@pytest.fixture
def partner(lifeline: Lifeline) -> NewPartner:
    return create_partner(lifeline.ctx, "contract tests")


@pytest.fixture
def app(lifeline: Lifeline, partner: NewPartner, clock: FakeClock) -> FastAPI:
    """The API with a fresh worker heartbeat (so /healthz is 200) and one case (so some case ids
    exist and the lifecycle endpoints get past "not found")."""
    Worker(lifeline).beat()
    api = create_app(lifeline, embedded_worker=False)
    with TestClient(api) as client:
        raw = dumps(alert_body())
        ts = int(clock.now().timestamp())
        response = client.post(
            "/api/v1/alerts",
            content=raw,
            headers=signed_headers(*_keys(partner), raw, timestamp=ts),
        )
        assert response.status_code == 202, response.text
    return api


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def admin_headers(lifeline: Lifeline) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff_token(lifeline, 'admin', 'admin')}"}


def _keys(partner: NewPartner) -> tuple[str, str]:
    return partner.key_id, partner.secret


def _fuzz_every_operation(api_schema: Any, subtests: Any, headers: dict[str, str]) -> None:
    """Positive and negative cases for each operation, each operation a subtest.

    (Schemathesis' `from_fixture(...).parametrize()` would do this, but it reads the private
    `Node._nodeid` that pytest 9.2 no longer has, so the loop is written out here.)"""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @FUZZ
        @given(case=strategy)
        def no_server_error(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        with subtests.test(msg=operation.label):
            no_server_error()


def test_no_operation_answers_an_anonymous_client_with_a_server_error(
    api_schema: Any, subtests: Any
) -> None:
    _fuzz_every_operation(api_schema, subtests, {})


def test_no_operation_answers_a_signed_in_admin_with_a_server_error(
    api_schema: Any, subtests: Any, admin_headers: dict[str, str]
) -> None:
    _fuzz_every_operation(api_schema, subtests, admin_headers)


# -- POST /api/v1/alerts as a signed partner ------------------------------------------------------
def _raw(body: Any) -> bytes:
    """The bytes to send (and sign): negative cases may be no body or raw bytes."""
    if isinstance(body, NotSet):
        return b""
    if isinstance(body, bytes):
        return body
    return json.dumps(body, ensure_ascii=False).encode()


def _identifies_someone(body: dict[str, Any]) -> bool:
    """The domain rule beyond the schema: an alert names a subject, a reference or a post."""
    subject, post = body.get("subject") or {}, body.get("post") or {}
    return bool(
        any(subject.values())
        or (body.get("reference") or "").strip()
        or post.get("text")
        or post.get("url")
    )


def test_signed_generated_alerts_are_accepted_or_refused_with_the_error_shape(
    app: FastAPI, api_schema: Any, partner: NewPartner, clock: FakeClock
) -> None:
    operation = api_schema["/api/v1/alerts"]["POST"]
    cases = st.one_of(
        # Schema-valid bodies, half of them with a known platform (the schema types it as a
        # string; the validator also checks it is one of PLATFORMS).
        st.tuples(
            operation.as_strategy(GenerationMode.POSITIVE),
            st.sampled_from([None, *PLATFORMS]),
        ),
        st.tuples(operation.as_strategy(GenerationMode.NEGATIVE), st.none()),
    )
    seen: dict[str, int] = {"accepted": 0, "refused": 0}

    with TestClient(app) as client:

        @given(generated=cases)
        @settings(
            max_examples=80,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(generated: tuple[Any, str | None]) -> None:
            case, platform = generated
            body = case.body
            if platform is not None and isinstance(body, dict):
                body = {**body, "platform": platform}
            raw = _raw(body)
            clock.advance(seconds=1)  # a new timestamp: never a replayed signature
            headers = signed_headers(*_keys(partner), raw, timestamp=int(clock.now().timestamp()))
            response = client.post("/api/v1/alerts", content=raw, headers=headers)
            assert response.status_code < 500, (response.status_code, raw, response.text)
            if response.status_code == 202:
                seen["accepted"] += 1
                assert response.json()["status"] == "accepted"
                return
            seen["refused"] += 1
            assert 400 <= response.status_code < 500, response.text
            error = response.json()["error"]
            assert isinstance(error["code"], str) and error["code"]
            assert isinstance(error["message"], str) and error["message"]
            # Past authentication: a signed request is never refused as unauthenticated.
            assert error["code"] != "authentication_failed", error
            if platform is not None and isinstance(body, dict):
                # A schema-valid alert with a known platform is refused only for naming nobody.
                assert (response.status_code, error["code"]) == (422, "invalid_alert"), error
                assert not _identifies_someone(body), (error, raw)

        check()

    assert seen["accepted"] > 0 and seen["refused"] > 0, seen
