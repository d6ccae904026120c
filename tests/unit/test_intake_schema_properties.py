"""Properties of the alert intake schema, on the model and through the HTTP path.

(a) Any JSON value that is not a valid alert is refused with a 4xx whose message names the
    field or the problem, and nothing is stored.
(b) Any valid alert (unicode text including Devanagari, optional fields, coordinates in range,
    six-digit PINs) is accepted with 202 and reads back with the same text and name.
(c) No request body, whatever its bytes, makes the server fail (5xx).

Requests are signed by a partner, so bodies get past authentication to decoding and validation.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

import hypothesis.strategies as st
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from pydantic import ValidationError

from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access.accounts import NewPartner, create_partner
from lifeline.services.cases.service import list_cases, show_case
from lifeline.web.api.schemas import PLATFORMS, AlertIn
from lifeline.web.app import create_app
from staff_support import staff_token
from support import FakeClock, alert_body, dumps, signed_headers

ADMIN = Actor("cli", "test", "admin")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    """SQLite only: these properties are about the schema, not the database."""
    return f"sqlite:///{tmp_path / 'lifeline.db'}"


@pytest.fixture
def partner(lifeline: Lifeline) -> NewPartner:
    return create_partner(lifeline.ctx, "property tests")


@pytest.fixture
def client(lifeline: Lifeline) -> Iterator[TestClient]:
    with TestClient(create_app(lifeline, embedded_worker=False)) as test_client:
        yield test_client


@pytest.fixture
def post(client: TestClient, partner: NewPartner, clock: FakeClock) -> Any:
    """POST raw bytes to /api/v1/alerts, signed; each call one second later (no replays)."""

    def send(raw: bytes) -> Any:
        clock.advance(seconds=1)
        ts = int(clock.now().timestamp())
        headers = signed_headers(partner.key_id, partner.secret, raw, timestamp=ts)
        return client.post("/api/v1/alerts", content=raw, headers=headers)

    return send


def stored_cases(lifeline: Lifeline) -> int:
    return len(list_cases(lifeline.ctx, ADMIN, limit=1000))


def assert_error_shape(response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    return dict(error)


# -- strategies --------------------------------------------------------------------------------
DEVANAGARI = st.characters(min_codepoint=0x0900, max_codepoint=0x097F)
# Any character JSON and UTF-8 can carry (no lone surrogates) and a database can store (no NUL
# or other control character: refused, naming the field), with Devanagari well represented.
ANY_CHAR = st.characters(exclude_categories=("Cs", "Cc"))
TEXT = st.text(st.one_of(DEVANAGARI, ANY_CHAR), min_size=1, max_size=200)
OPTIONAL_TEXT = st.none() | st.text(st.one_of(DEVANAGARI, ANY_CHAR), max_size=100)
PIN = st.from_regex(r"\A[1-9][0-9]{5}\Z")
LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
LON = st.floats(min_value=-180, max_value=180, allow_nan=False)
TIMESTAMP = st.sampled_from(
    ["2022-09-06T21:41:09Z", "2024-01-31T10:00:00+05:30", "2025-12-31T23:59:59.123-03:00"]
)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def valid_alerts(draw: st.DrawFn) -> dict[str, Any]:
    """A valid v1 alert: platform and post text always, every other field optional."""
    platform = draw(st.sampled_from(PLATFORMS))
    body: dict[str, Any] = {
        "platform": draw(st.sampled_from([platform, platform.upper(), f" {platform} "])),
        "post": _drop_none(
            {
                "text": draw(TEXT),
                "url": draw(st.none() | st.just("https://example.com/p/1")),
                "posted_at": draw(st.none() | TIMESTAMP),
                "kind": draw(st.none() | st.sampled_from(["text", "image", "video", "live"])),
            }
        ),
    }
    if draw(st.booleans()):
        body["reference"] = draw(st.text(string.ascii_letters + string.digits + "-", max_size=30))
    if draw(st.booleans()):
        body["received_via"] = draw(
            st.sampled_from(["platform_api", "platform_email", "monitoring", "manual"])
        )
    subject = _drop_none(
        {
            "name": draw(OPTIONAL_TEXT),
            "handle": draw(st.none() | st.text(string.ascii_lowercase + "._", max_size=30)),
            "phone": draw(st.none() | st.from_regex(r"\A\+91[6-9][0-9]{9}\Z")),
        }
    )
    if subject or draw(st.booleans()):
        body["subject"] = subject
    location = _drop_none(
        {
            "text": draw(OPTIONAL_TEXT),
            "lat": draw(st.none() | LAT),
            "lon": draw(st.none() | LON),
            "pin": draw(st.none() | PIN),
            "ip_city": draw(st.none() | st.sampled_from(["Lucknow", "लखनऊ", "Kanpur"])),
        }
    )
    if location:
        body["location"] = location
    return body


JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

# A valid base alert broken in exactly one place: (the field path the message must name, body).
BROKEN_FIELDS: list[tuple[str, Any]] = [
    ("platform", {"platform": "myspace"}),
    ("platform", {"platform": 7}),
    ("platform", {"platform": None}),
    ("reference", {"reference": "x" * 201}),
    ("reference", {"reference": ["FB-1"]}),
    ("received_via", {"received_via": "carrier_pigeon"}),
    ("subject", {"subject": "Ravi"}),
    ("subject.name", {"subject": {"name": "r" * 301}}),
    ("subject.nickname", {"subject": {"nickname": "ravi"}}),
    ("subject.phone", {"subject": {"phone": 9812345678}}),
    ("post", {"post": ["text"]}),
    ("post.kind", {"post": {"text": "x", "kind": "story"}}),
    ("post.posted_at", {"post": {"text": "x", "posted_at": "2022-09-06T21:41:09"}}),
    ("post.posted_at", {"post": {"text": "x", "posted_at": "yesterday"}}),
    ("post.text", {"post": {"text": 42}}),
    ("location.lat", {"location": {"lat": 90.5}}),
    ("location.lat", {"location": {"lat": "north"}}),
    ("location.lon", {"location": {"lon": -180.01}}),
    ("location.pin", {"location": {"pin": "022602"}}),
    ("location.pin", {"location": {"pin": "22602"}}),
    ("location.pin", {"location": {"pin": 226020}}),
    ("location.altitude", {"location": {"altitude": 120}}),
    # accepted until issue 14, then a 500 (overflow; PostgreSQL cannot store NUL)
    ("reference", {"reference": "FB-\x00-1"}),
    ("subject.name", {"subject": {"name": "Ravi\x01"}}),
    ("post.text", {"post": {"text": "help\x00"}}),
    ("post.posted_at", {"post": {"text": "x", "posted_at": "0001-01-01T00:00:00+05:30"}}),
    ("post.posted_at", {"post": {"text": "x", "posted_at": "9999-12-31T23:59:59-05:30"}}),
    ("post.posted_at", {"post": {"text": "x", "posted_at": "1969-12-31T23:59:59Z"}}),
    ("note", {"note": "extra field with a NUL \x00"}),
]


def _is_valid_alert(value: Any) -> bool:
    """The oracle: the schema accepts it, and it names a subject, a reference or a post."""
    if not isinstance(value, dict):
        return False
    try:
        alert = AlertIn.model_validate(value)
    except ValidationError:
        return False
    s = alert.subject
    return bool(
        any((s.name, s.handle, s.profile_url, s.phone, s.email))
        or (alert.reference or "").strip()
        or alert.post.text
        or alert.post.url
    )


# -- (a) invalid JSON values are refused, naming the problem, and nothing is stored -----------
def test_invalid_json_values_are_refused_with_a_reason_and_store_nothing(
    lifeline: Lifeline, post: Any
) -> None:
    before = stored_cases(lifeline)

    @PROPERTY
    @given(value=JSON_VALUES.filter(lambda v: not _is_valid_alert(v)))
    @example(value=[alert_body()])
    @example(value="facebook")
    @example(value={})
    @example(value={"platform": "facebook"})  # names nobody
    @example(value={"platform": "facebook", "reference": "   "})
    def refused(value: Any) -> None:
        response = post(json.dumps(value, ensure_ascii=False).encode())
        error = assert_error_shape(response)
        assert response.status_code in (400, 422), response.text
        details = error.get("details") or []
        if not isinstance(value, dict):
            assert "JSON object" in error["message"]
        elif details:
            # The message names the first field at fault (or the body as a whole).
            assert (details[0]["field"] or "body") in error["message"], error
        else:
            assert error["code"] == "invalid_alert" and "identify" in error["message"], error

    refused()
    assert stored_cases(lifeline) == before


def test_a_valid_alert_broken_in_one_field_is_refused_naming_that_field(
    lifeline: Lifeline, post: Any
) -> None:
    before = stored_cases(lifeline)

    @PROPERTY
    @given(base=valid_alerts(), broken=st.sampled_from(BROKEN_FIELDS))
    def refused(base: dict[str, Any], broken: tuple[str, Any]) -> None:
        field, change = broken
        body = {**base}
        for key, value in change.items():
            body[key] = value
        response = post(dumps(body))
        error = assert_error_shape(response)
        assert response.status_code == 422, response.text
        assert error["code"] == "invalid_request", error
        named = [d["field"] for d in error.get("details") or []]
        assert field in error["message"] or field in named, (field, error)

    refused()
    assert stored_cases(lifeline) == before


# -- (b) valid alerts are accepted and read back identically ------------------------------------
def test_valid_alerts_are_accepted_and_read_back_identically(lifeline: Lifeline, post: Any) -> None:
    @PROPERTY
    @given(body=valid_alerts())
    @example(body=alert_body())
    def accepted(body: dict[str, Any]) -> None:
        assert _is_valid_alert(body)
        response = post(dumps(body))
        assert response.status_code == 202, response.text
        receipt = response.json()
        assert response.headers["Location"] == f"/api/v1/cases/{receipt['case_id']}"

        detail = show_case(lifeline.ctx, ADMIN, receipt["case_id"], purpose="test")
        (alert,) = [a for a in detail.alerts if a.id == receipt["alert_id"]]
        assert alert.post.text == body["post"]["text"]
        assert alert.subject.name == body.get("subject", {}).get("name")
        assert alert.platform == body["platform"].strip().lower()
        assert alert.reference == ((body.get("reference") or "").strip() or None)
        location = body.get("location", {})
        assert alert.location.pin == location.get("pin")
        assert alert.location.lat == location.get("lat")
        assert alert.location.lon == location.get("lon")
        assert alert.raw_payload == dumps(body)  # kept verbatim, byte for byte

    before = stored_cases(lifeline)
    accepted()
    assert stored_cases(lifeline) > before


def test_the_model_accepts_every_generated_valid_alert_and_keeps_its_text() -> None:
    @PROPERTY
    @given(body=valid_alerts())
    def model(body: dict[str, Any]) -> None:
        parsed = AlertIn.model_validate(body)
        assert parsed.post.text == body["post"]["text"]
        assert parsed.subject.name == body.get("subject", {}).get("name")
        assert parsed.platform in PLATFORMS
        again = AlertIn.model_validate_json(parsed.model_dump_json(exclude_none=True))
        assert again == parsed

    model()


# -- (c) arbitrary bytes never make the server fail ------------------------------------------
@st.composite
def spliced(draw: st.DrawFn) -> bytes:
    """A valid alert's JSON with a few random bytes written over it."""
    raw = bytearray(dumps(alert_body()))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw) - 1))
        raw[at : at + 1] = draw(st.binary(min_size=0, max_size=3))
    return bytes(raw)


ANY_BYTES = st.one_of(
    st.binary(max_size=300),
    spliced(),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
)


def test_no_body_makes_the_server_fail(lifeline: Lifeline, post: Any) -> None:
    @PROPERTY
    @given(raw=ANY_BYTES)
    @example(raw=b"")
    @example(raw=b"\xff\xfe{}")
    @example(raw=b"\xef\xbb\xbf" + dumps(alert_body()))  # a UTF-8 byte order mark
    @example(raw=b'{"platform": "facebook", "reference": "\\ud800"}')  # a lone surrogate
    @example(raw=b'{"platform": "facebook", "reference": "x", "location": {"lat": NaN}}')
    @example(raw=b'{"platform": "facebook", "reference": "x", "location": {"lat": 1e999}}')
    @example(raw=b"[" * 5000 + b"]" * 5000)  # deeper than the JSON parser recurses
    @example(raw=b'{"platform": "facebook", "reference": "x", "n": ' + b"9" * 5000 + b"}")
    @example(raw=b'{"platform": "x", "reference": "x", "deep": ' + b"[" * 900 + b"]" * 900 + b"}")
    def never_a_server_error(raw: bytes) -> None:
        response = post(raw)
        assert response.status_code < 500, (response.status_code, raw[:200], response.text)
        if response.status_code != 202:
            assert_error_shape(response)

    never_a_server_error()


def test_unknown_fields_nested_too_deep_to_show_again_are_refused_at_intake(
    lifeline: Lifeline, client: TestClient, post: Any
) -> None:
    """Unknown fields are stored and shown back with the case; nesting the API could not render
    (about 255 levels) must be refused at intake, not stored to break every later read."""
    token = staff_token(lifeline, "admin", "admin")

    def with_extra(depth: int) -> bytes:
        body = dumps(alert_body(reference=f"FB-deep-{depth}"))
        return body[:-1] + b', "deep": ' + b"[" * depth + b"]" * depth + b"}"

    refused = post(with_extra(300))
    assert refused.status_code == 422
    assert "nested deeper" in assert_error_shape(refused)["message"]

    accepted = post(with_extra(20))
    assert accepted.status_code == 202, accepted.text
    shown = client.get(
        f"/api/v1/cases/{accepted.json()['case_id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert shown.status_code == 200, shown.text
