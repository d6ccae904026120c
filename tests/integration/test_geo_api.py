"""Places over HTTP: a district's GeoJSON, a case's resolutions, resolving on demand."""

from __future__ import annotations

from fastapi.testclient import TestClient

from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Subject
from lifeline.domain.model import Actor
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.web.app import create_app
from lifeline.worker import Worker
from staff_support import staff_token


def headers(app: Lifeline, role: str = "smc_operator") -> dict[str, str]:
    return {"Authorization": f"Bearer {staff_token(app, 'op', role)}"}


def test_district_geojson_for_a_candidate(lifeline: Lifeline) -> None:
    with TestClient(create_app(lifeline, embedded_worker=False)) as client:
        assert client.get("/api/v1/places/districts/157.geojson").status_code == 401
        response = client.get("/api/v1/places/districts/157.geojson", headers=headers(lifeline))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/geo+json")
        body = response.json()
        assert body["features"][0]["properties"]["district"] == "Lucknow"
        assert body["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
        missing = client.get("/api/v1/places/districts/9999.geojson", headers=headers(lifeline))
        assert missing.status_code == 404


def test_case_location_and_locate_endpoints(lifeline: Lifeline) -> None:
    alert = Alert(
        AlertSource.PLATFORM_API,
        lifeline.clock.now(),
        b"{}",
        "application/json",
        platform="instagram",
        reference="IG-1",
        subject=Subject(handle="x"),
        location=LocationHint(text="Hazratganj, Lucknow"),
    )
    case_id = receive_alert(lifeline.ctx, ReceiveAlert(alert, Actor("partner", "t"))).case_id
    Worker(lifeline).run_once()
    with TestClient(create_app(lifeline, embedded_worker=False)) as client:
        got = client.get(f"/api/v1/cases/{case_id}/location", headers=headers(lifeline))
        assert got.status_code == 200
        assert got.json()[0]["police_station"] == "Hazratganj"
        posted = client.post(
            "/api/v1/locate", json={"text": "Allahabad"}, headers=headers(lifeline)
        )
        assert posted.json()["district"] == "Prayagraj"
        denied = client.post("/api/v1/locate", json={}, headers=headers(lifeline, "partner_x"))
        assert denied.status_code == 403
