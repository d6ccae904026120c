"""The published OpenAPI schema, fuzzed with Schemathesis against the in-process ASGI app.

Whatever a client sends to any operation, anonymously or as a signed-in admin, the answer is
never a server error, and its body is what the document says (the read models are the
operations' response models, so a field they lose or gain fails here). POST /api/v1/alerts
is also fuzzed as a signed partner, so that generated bodies (valid and invalid) get past
authentication to the validation layer: they are accepted (202) or refused with a 4xx in the
one JSON error shape.

Beyond Schemathesis' own strategies: every `date-time` is drawn from the whole range Python
holds, with offsets up to ±14 h (years 0001 and 9999 with an offset overflowed, a 500 before
issue 14), and a third of the cases have a NUL byte, another control character or (in JSON
bodies) a lone surrogate put into one of their strings (PostgreSQL cannot store a NUL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
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
from schemathesis.specs.openapi import unregister_string_format
from schemathesis.specs.openapi.checks import response_schema_conformance

from lifeline.bootstrap import Lifeline
from lifeline.domain.inputs import moment_problem
from lifeline.services.access.accounts import NewPartner, create_partner
from lifeline.settings import Settings
from lifeline.web.api.schemas import PLATFORMS
from lifeline.web.app import create_app
from lifeline.worker import Worker
from staff_support import staff_token
from support import FakeClock, alert_body, dumps, signed_headers

OFFSETS = [UTC] + [timezone(timedelta(minutes=m)) for m in (330, -330, 14 * 60, -12 * 60, 345, -1)]
#: every date-time: ordinary ones, any year Python holds, and the edges that overflowed
DATE_TIMES = st.one_of(
    st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.sampled_from(OFFSETS)),
    st.datetimes(timezones=st.sampled_from(OFFSETS)),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+05:30",
            "9999-12-31T23:59:59-05:30",
            "9999-12-31T23:59:59.999999-14:00",
            "1969-12-31T23:59:59Z",
            "2101-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
        ]
    ),
).map(lambda value: value if isinstance(value, str) else value.isoformat())
#: what is put into one string of a poisoned case
POISON = st.sampled_from(["\x00", "\x00\x00", "\x01", "\x1b[31m", "\x7f", "\x0b"])
SURROGATES = st.sampled_from(["\ud800", "\udfff"])


@pytest.fixture(autouse=True)
def extreme_date_times() -> Iterator[None]:
    """Schemathesis draws every `format: date-time` string from DATE_TIMES (a registry of
    formats, process-wide: put back afterwards)."""
    schemathesis.openapi.format("date-time", DATE_TIMES)
    try:
        yield
    finally:
        unregister_string_format("date-time")


def _strings(value: Any) -> int:
    if isinstance(value, str):
        return 1
    if isinstance(value, dict):
        return sum(_strings(v) for v in value.values())
    if isinstance(value, list):
        return sum(_strings(v) for v in value)
    return 0


def _poisoned(value: Any) -> bool:
    """Holds a string with a character no field takes (DEL is allowed: it is not C0)."""
    if isinstance(value, str):
        return any(c in value for c in "\x00\x01\x1b\x0b\ud800\udfff")
    if isinstance(value, dict):
        return any(_poisoned(v) for v in value.values())
    if isinstance(value, list):
        return any(_poisoned(v) for v in value)
    return False


KNOWN_FIELDS = {"platform", "reference", "received_via", "subject", "post", "location"}


def _poisoned_keys_or_values(value: Any) -> bool:
    """A C0 control character other than tab/newline/CR in a value, or any in a key."""
    if isinstance(value, str):
        return any(ord(c) < 0x20 and c not in "\t\n\r" for c in value)
    if isinstance(value, dict):
        return any(
            any(ord(c) < 0x20 and c != "\t" for c in str(k)) or _poisoned_keys_or_values(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_poisoned_keys_or_values(v) for v in value)
    return False


def _inject(value: Any, index: int, bad: str) -> tuple[Any, int]:
    """`value` with `bad` put into the middle of its index-th string (depth first)."""
    if isinstance(value, str):
        if index == 0:
            middle = len(value) // 2
            return value[:middle] + bad + value[middle:], -1
        return value, index - 1
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            out[key], index = _inject(inner, index, bad)
        return out, index
    if isinstance(value, list):
        items = []
        for inner in value:
            new, index = _inject(inner, index, bad)
            items.append(new)
        return items, index
    return value, index


def poisoned(strategy: Any, *, surrogates: bool = False) -> Any:
    """Cases of `strategy` with a NUL byte or another control character put into one of the
    strings of their body, query or path parameters; with `surrogates`, also a lone surrogate
    in a JSON body (for bodies these tests serialise: Schemathesis' client cannot send one)."""

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        case = draw(strategy)
        parts = [
            name
            for name in ("body", "query", "path_parameters")
            if isinstance(getattr(case, name, None), dict | list) and _strings(getattr(case, name))
        ]
        if not parts:
            return case
        part = draw(st.sampled_from(parts))
        value = getattr(case, part)
        bad = draw(POISON | SURROGATES) if part == "body" and surrogates else draw(POISON)
        which = draw(st.integers(0, _strings(value) - 1))
        setattr(case, part, _inject(value, which, bad)[0])
        return case

    return build()


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
    """Positive and negative cases for each operation, each operation a subtest: never a
    server error, and every answer (a read model, or the one error shape) is what the document
    says for its status code and content type.

    (Schemathesis' `from_fixture(...).parametrize()` would do this, but it reads the private
    `Node._nodeid` that pytest 9.2 no longer has, so the loop is written out here.)"""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
            poisoned(operation.as_strategy(GenerationMode.POSITIVE)),
        )

        @FUZZ
        @given(case=strategy)
        def no_server_error(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

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
    try:
        return json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: only escaped JSON carries it
        return json.dumps(body).encode()


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
        st.tuples(
            poisoned(operation.as_strategy(GenerationMode.POSITIVE), surrogates=True),
            st.just("poisoned"),
        ),
    )
    seen_poisoned = {"refused": 0}
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
            poison = platform == "poisoned"
            if poison:
                platform = None
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
            if poison and response.status_code == 422:
                seen_poisoned["refused"] += 1
            assert 400 <= response.status_code < 500, response.text
            error = response.json()["error"]
            assert isinstance(error["code"], str) and error["code"]
            assert isinstance(error["message"], str) and error["message"]
            # Past authentication: a signed request is never refused as unauthenticated.
            assert error["code"] != "authentication_failed", error
            if platform is not None and isinstance(body, dict):
                # A schema-valid alert with a known platform is refused only for naming nobody,
                # or for an unknown field (which the schema allows, any JSON) holding a
                # control character: the declared fields carry that rule as a `pattern`.
                types = {d.get("type") for d in error.get("details") or []}
                posted = (body.get("post") or {}).get("posted_at")
                if types == {"date_out_of_range"} and isinstance(posted, str):
                    # the schema says date-time; the range 1970-2100 is the validator's
                    assert moment_problem(datetime.fromisoformat(posted)), error
                    return
                unknown = {k: v for k, v in body.items() if k not in KNOWN_FIELDS}
                if error["code"] == "invalid_request" and _poisoned_keys_or_values(unknown):
                    assert response.status_code == 422
                    assert "control character" in str(error) or "NUL" in str(error), error
                    return
                assert (response.status_code, error["code"]) == (422, "invalid_alert"), error
                assert not _identifies_someone(body), (error, raw)

        check()

    assert seen["accepted"] > 0 and seen["refused"] > 0, seen
    assert seen_poisoned["refused"] > 0, seen_poisoned


def test_a_poisoned_string_in_an_alert_is_never_accepted(
    app: FastAPI, api_schema: Any, partner: NewPartner, clock: FakeClock
) -> None:
    """Every string of a schema-valid alert, poisoned, is refused (422) naming a field."""
    operation = api_schema["/api/v1/alerts"]["POST"]
    with TestClient(app) as client:

        @given(case=poisoned(operation.as_strategy(GenerationMode.POSITIVE), surrogates=True))
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            body = case.body
            if not isinstance(body, dict):
                return
            raw = _raw({**body, "platform": "facebook"})
            clock.advance(seconds=1)
            headers = signed_headers(*_keys(partner), raw, timestamp=int(clock.now().timestamp()))
            response = client.post("/api/v1/alerts", content=raw, headers=headers)
            assert response.status_code < 500, (raw, response.text)
            if _poisoned({k: v for k, v in body.items() if k != "platform"}):
                assert response.status_code == 422, (raw, response.text)

        check()
