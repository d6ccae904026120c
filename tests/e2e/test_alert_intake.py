"""Partner alerts over HTTP against the real server: what a platform sends, what the SMC sees,
and what is refused (with an error that says why) without storing anything."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from e2e_harness import Deployment, Partner, Server

from lifeline.services.access.accounts import sign
from support import alert_body, dumps

pytestmark = pytest.mark.slow

DEVANAGARI = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"


def post(server: Server, partner: Partner, body: bytes, **kwargs: Any) -> httpx.Response:
    return httpx.post(
        server.url + "/api/v1/alerts", content=body, headers=partner.headers(body, **kwargs)
    )


def error_of(response: httpx.Response) -> dict[str, str]:
    """The {"error": {"code", "message"}} body every refusal carries."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return dict(error)


def test_a_signed_alert_opens_a_case_that_staff_see_in_full_and_the_partner_sees_without_personal_data(  # noqa: E501
    deployment: Deployment,
) -> None:
    server = deployment.start()
    partner = deployment.partner
    body = dumps(alert_body(reference="FB-1001", post={"text": DEVANAGARI, "kind": "text"}))

    first = post(server, partner, body)

    assert first.status_code == 202, first.text
    accepted = first.json()
    assert accepted["status"] == "accepted"
    assert accepted["merged"] is False and accepted["replayed"] is False
    alert_id, case_id = accepted["alert_id"], accepted["case_id"]
    assert first.headers["location"] == f"/api/v1/cases/{case_id}"

    # A second alert about the same account (another report id) joins the same case.
    again = dumps(alert_body(reference="FB-1002", post={"text": "फिर से पोस्ट", "kind": "text"}))
    second = post(server, partner, again)
    assert second.status_code == 202, second.text
    assert second.json()["case_id"] == case_id
    assert second.json()["merged"] is True
    second_alert_id = second.json()["alert_id"]
    assert second_alert_id != alert_id

    case = deployment.case(case_id)
    assert case["id"] == case_id
    # an imminent platform alert with a confident place may already have gone out (the worker
    # triages, locates and dispatches it in parallel: docs/dispatch.md)
    assert case["status"] in ("received", "dispatched")
    assert case["alert_count"] == 2
    alerts = {a["id"]: a for a in case["alerts"]}
    assert set(alerts) == {alert_id, second_alert_id}
    assert alerts[alert_id]["reference"] == "FB-1001"
    assert alerts[alert_id]["post"]["text"] == DEVANAGARI
    assert alerts[alert_id]["subject"]["handle"] == "ravi.k.1999"
    assert json.loads(alerts[alert_id]["raw_payload"]) == json.loads(body)
    assert [e["kind"] for e in case["timeline"]][:1] == ["case_opened"]
    assert "alert_merged" in {e["kind"] for e in case["timeline"]}

    listed = {c["id"]: c for c in deployment.cases()}
    assert listed[case_id]["alert_count"] == 2
    assert listed[case_id]["platform"] == "facebook"

    # The partner may follow its case, signed over "{ts}." + an empty body.
    ts = str(int(time.time()))
    view = httpx.get(
        f"{server.url}/api/v1/cases/{case_id}",
        headers={
            "X-Lifeline-Key": partner.key_id,
            "X-Lifeline-Timestamp": ts,
            "X-Lifeline-Signature": sign(partner.secret, ts, b""),
        },
    )
    assert view.status_code == 200, view.text
    seen = view.json()
    assert seen["id"] == case_id
    assert seen["status"] in ("received", "dispatched")
    assert {a["id"] for a in seen["alerts"]} == {alert_id, second_alert_id}
    text = view.text
    for personal in ("Ravi Kumar", "ravi.k.1999", "+919812345678", "आत्महत्या", "Madeyganj"):
        assert personal not in text, f"{personal!r} leaked to the partner: {text}"
    assert "subject" not in seen and "post" not in json.dumps(seen["alerts"])


# -- refusals ------------------------------------------------------------------------------
def _oversized_chunks(size: int) -> Iterator[bytes]:
    piece = b" " * 1024
    for _ in range(size // len(piece)):
        yield piece


INVALID_BODIES: list[tuple[str, bytes, int, str, tuple[str, ...]]] = [
    # (what, raw body, status, code, words the message must contain)
    ("malformed JSON", b'{"platform": "facebook", ', 400, "invalid_json", ("not valid JSON",)),
    ("a JSON array", b'[{"platform": "facebook"}]', 422, "invalid_request", ("JSON object",)),
    (
        "no platform",
        dumps({k: v for k, v in alert_body().items() if k != "platform"}),
        422,
        "invalid_request",
        ("platform", "required"),
    ),
    (
        "latitude as a word",
        dumps(alert_body(location={"text": "Lucknow", "lat": "north of the river"})),
        422,
        "invalid_request",
        ("location.lat",),
    ),
    (
        "an audio post",
        dumps(alert_body(post={"text": "…", "kind": "audio"})),
        422,
        "invalid_request",
        ("post.kind",),
    ),
    (
        "an unknown platform",
        dumps(alert_body(platform="myspace")),
        422,
        "invalid_request",
        ("unknown platform", "myspace"),
    ),
    (
        "bytes that are not UTF-8",
        b'{"platform": "facebook", "post": {"text": "\xff\xfe"}}',
        400,
        "invalid_encoding",
        ("UTF-8",),
    ),
]


def test_bad_requests_are_refused_with_a_json_error_naming_the_problem_and_nothing_is_stored(
    deployment: Deployment,
) -> None:
    server = deployment.start(max_body_bytes=4096)
    partner = deployment.partner
    url = server.url + "/api/v1/alerts"
    answers: list[tuple[str, httpx.Response, int, str, tuple[str, ...]]] = []
    # (what was wrong, the answer, expected status, code, words the message must contain)

    for what, raw, status, code, words in INVALID_BODIES:
        answers.append((what, post(server, partner, raw), status, code, words))

    big = dumps(alert_body(post={"text": "x" * 5000, "kind": "text"}))
    answers.append(
        (
            "too large, with Content-Length",
            post(server, partner, big),
            413,
            "body_too_large",
            ("4096",),
        )
    )
    chunked = httpx.post(
        url,
        content=_oversized_chunks(10 * 1024),
        headers=partner.headers(b"".join(_oversized_chunks(10 * 1024))),
    )
    assert "content-length" not in chunked.request.headers
    answers.append(("too large, chunked", chunked, 413, "body_too_large", ("4096",)))

    body = dumps(alert_body())
    impostor = Partner("pk_0000000000000000", partner.secret)
    forger = Partner(partner.key_id, "not-the-secret")
    stale = int(time.time()) - 600
    auth_failed = "authentication_failed"
    answers += [
        (
            "unknown partner key",
            post(server, impostor, body),
            401,
            auth_failed,
            ("unknown", impostor.key_id),
        ),
        ("wrong secret", post(server, forger, body), 401, auth_failed, ("does not match",)),
        (
            "signed 10 minutes ago",
            post(server, partner, body, timestamp=stale),
            401,
            auth_failed,
            ("clock", "300"),
        ),
        ("not signed", httpx.post(url, content=body), 401, auth_failed, ("missing",)),
    ]

    problems = []
    for what, response, status, code, words in answers:
        if response.status_code != status:
            problems.append(f"{what}: {response.status_code} {response.text}")
            continue
        error = error_of(response)
        if error["code"] != code or not all(w in error["message"] for w in words):
            problems.append(f"{what}: {error} (expected {code} mentioning {words})")
    assert not problems, "\n".join(problems)
    assert deployment.cases() == []  # the database was empty and still is
    assert server.proc.poll() is None


def test_a_replayed_signed_request_is_refused_but_a_retry_with_its_idempotency_key_is_answered_again(  # noqa: E501
    deployment: Deployment,
) -> None:
    server = deployment.start()
    partner = deployment.partner
    body = dumps(alert_body(reference="FB-1", subject={"handle": "first.person"}))
    headers = partner.headers(body)

    original = httpx.post(server.url + "/api/v1/alerts", content=body, headers=headers)
    assert original.status_code == 202, original.text

    replay = httpx.post(server.url + "/api/v1/alerts", content=body, headers=headers)
    assert replay.status_code == 409, replay.text
    error = error_of(replay)
    assert error["code"] == "replayed_request"
    assert "Idempotency-Key" in error["message"]

    # With an Idempotency-Key the same signed request is a safe retry: same answer, no new alert.
    keyed_body = dumps(alert_body(reference="FB-2", subject={"handle": "second.person"}))
    keyed = partner.headers(keyed_body, idempotency_key="retry-me-7")
    first = httpx.post(server.url + "/api/v1/alerts", content=keyed_body, headers=keyed)
    assert first.status_code == 202, first.text
    assert first.json()["replayed"] is False
    retry = httpx.post(server.url + "/api/v1/alerts", content=keyed_body, headers=keyed)
    assert retry.status_code == 202, retry.text
    assert retry.json()["replayed"] is True
    assert retry.json()["alert_id"] == first.json()["alert_id"]
    assert retry.json()["case_id"] == first.json()["case_id"]

    # The same key with another body is a mistake by the sender, not a retry.
    other = dumps(alert_body(reference="FB-3", subject={"handle": "third.person"}))
    clash = httpx.post(
        server.url + "/api/v1/alerts",
        content=other,
        headers=partner.headers(other, idempotency_key="retry-me-7"),
    )
    assert clash.status_code == 409, clash.text
    error = error_of(clash)
    assert error["code"] == "conflict"
    assert "retry-me-7" in error["message"] and "different" in error["message"]

    cases = deployment.cases()
    assert sorted(c["alert_count"] for c in cases) == [1, 1]
    assert {c["id"] for c in cases} == {original.json()["case_id"], first.json()["case_id"]}
