"""An SMC operator signs in with two factors, records an alert phoned in by a platform, and takes
the case from location to close; the clock of the case starts when the call came in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pyotp
import pytest
from e2e_harness import Deployment

from support import alert_body

pytestmark = pytest.mark.slow


def test_an_operator_records_a_phoned_in_alert_and_takes_the_case_to_close_and_no_further(
    deployment: Deployment,
) -> None:
    # the operator's own steps, one by one: automatic dispatch off (LIFELINE_AUTO_DISPATCH)
    server = deployment.start(partner=False, auto_dispatch="false")
    operator = deployment.cli_json("users", "create", "op1", "--role", "smc_operator")
    assert operator["username"] == "op1"

    with server.client() as api:
        signed_in = api.post(
            "/api/v1/auth/token",
            json={
                "username": "op1",
                "password": operator["password"],
                "totp": pyotp.TOTP(operator["totp_secret"]).now(),
            },
        )
        assert signed_in.status_code == 200, signed_in.text
        api.headers["Authorization"] = f"Bearer {signed_in.json()['token']}"

        called_at = datetime.now(UTC) - timedelta(minutes=3)
        ist = timezone(timedelta(hours=5, minutes=30), "IST")  # as the desk in Lucknow writes it
        alert = alert_body(
            platform="instagram",
            reference="IG-CALL-17",
            received_via="phone_call",
            caller={
                "name": "Trust & Safety desk",
                "organisation": "Meta",
                "callback_number": "+16505550100",
                "call_received_at": called_at.astimezone(ist).isoformat(),
                "notes": "User posted a farewell story 10 minutes ago",
            },
        )
        accepted = api.post("/api/v1/phone-alerts", json=alert)
        assert accepted.status_code == 202, accepted.text
        case_id = accepted.json()["case_id"]

        case = api.get(f"/api/v1/cases/{case_id}")
        assert case.status_code == 200, case.text
        assert datetime.fromisoformat(case.json()["opened_at"]) == called_at
        (stored,) = case.json()["alerts"]
        assert stored["source"] == "phone_call"
        assert stored["caller"]["organisation"] == "Meta"
        assert datetime.fromisoformat(stored["caller"]["call_received_at"]) == called_at

        def step(path: str, body: dict[str, Any] | None = None) -> httpx.Response:
            return api.post(f"/api/v1/cases/{case_id}/{path}", json=body)

        steps: list[tuple[str, dict[str, Any] | None, str]] = [
            ("location", {"place": "Madeyganj, Lucknow (PS Madeyganj)"}, "received"),
            ("dispatch", {"units": ["PS Madeyganj", "UP-112"]}, "dispatched"),
            ("acknowledge", {"unit": "PS Madeyganj"}, "acknowledged"),
            ("on-scene", {}, "on_scene"),
            ("outcome", {"outcome": "reached_safe"}, "resolved"),
            ("close", None, "closed"),
        ]
        for path, body, status in steps:
            response = step(path, body)
            assert response.status_code == 200, f"{path}: {response.text}"
            assert response.json()["status"] == status, f"{path}: {response.text}"
        final = response.json()
        assert final["outcome"] == "reached_safe"
        assert {"located", "dispatched", "on_scene", "resolved", "closed"} <= set(
            final["milestones"]
        )

        for path, body in (("dispatch", {"units": ["PS Madeyganj"]}), ("location", {"place": "x"})):
            refused = step(path, body)
            assert refused.status_code == 409, f"{path}: {refused.text}"
            error = refused.json()["error"]
            assert error["code"] == "illegal_transition"
            assert "closed" in error["message"], error
            assert f"case {case_id}" in error["message"], error

        closed = api.get(f"/api/v1/cases/{case_id}").json()
        assert closed["status"] == "closed"
        assert closed["outcome"]["outcome"] == "reached_safe"
        kinds = [e["kind"] for e in closed["timeline"]]
        assert kinds[0] == "case_opened"
        assert "outcome" in kinds
