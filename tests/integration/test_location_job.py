"""An alert stored by intake is located by the worker: the resolution is stored (encrypted)
and the case reaches the `located` milestone; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lifeline.adapters.db.tables import location_resolutions
from lifeline.adapters.geo.lazy import LazyGeoLocator
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.location import registry
from lifeline.services.location import resolution as location
from lifeline.settings import Settings
from lifeline.worker import Worker

OPERATOR = Actor("user", "op", "smc_operator")


def send(app: Lifeline, hint: LocationHint, handle: str, post: str = "") -> int:
    alert = Alert(
        AlertSource.PLATFORM_API,
        app.clock.now(),
        b'{"test": true}',
        "application/json",
        platform="facebook",
        reference=f"FB-{handle}",
        subject=Subject(handle=handle),
        post=Post(text=post or None),
        location=hint,
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, Actor("partner", "test"))).case_id


def drain(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def test_a_confident_location_is_stored_and_the_case_is_located(lifeline: Lifeline) -> None:
    case_id = send(
        lifeline, LocationHint(text="Madeyganj, Lucknow", lat=26.88, lon=80.91, pin="226020"), "a"
    )
    drain(lifeline)
    stored = location.case_resolutions(lifeline.ctx, OPERATOR, case_id)
    assert len(stored) == 1
    found = stored[0].resolution
    assert (found.district, found.police_station, found.needs_review) == (
        "Lucknow",
        "Madeyganj",
        False,
    )
    assert found.evidence and found.candidates[0].unit_id == "up-lko-ps-madeyganj"
    with lifeline.ctx.uow(readonly=True) as uow:
        case = uow.cases.get(case_id)
        assert Milestone.LOCATED in case.milestones
        assert any(t.kind == "located" for t in uow.cases.timeline(case_id))
    with lifeline.engine.connect() as conn:
        row = conn.execute(select(location_resolutions)).one()
    assert row.district_lgd == "157" and "Madeyganj" not in row.result_enc


def test_a_shared_name_leaves_the_case_unlocated_with_candidates(lifeline: Lifeline) -> None:
    case_id = send(lifeline, LocationHint(text="Vaishali"), "b", post="alvida")
    drain(lifeline)
    found = location.case_resolutions(lifeline.ctx, OPERATOR, case_id)[0].resolution
    assert found.needs_review and len(found.candidates) >= 2
    with lifeline.ctx.uow(readonly=True) as uow:
        assert Milestone.LOCATED not in uow.cases.get(case_id).milestones
        assert any(t.kind == "location_review" for t in uow.cases.timeline(case_id))


def test_the_post_text_is_read_when_the_alert_has_no_address(lifeline: Lifeline) -> None:
    case_id = send(lifeline, LocationHint(), "c", post="main lucknow ke chinhat me rehta hu")
    drain(lifeline)
    found = location.case_resolutions(lifeline.ctx, OPERATOR, case_id)[0].resolution
    assert found.district == "Lucknow" and found.police_station == "Chinhat"


def test_a_post_that_names_no_place_gives_the_case_no_candidate(lifeline: Lifeline) -> None:
    # issue #15: "kisi ko fark nahi padta" was read as "Kashi ≈ Varanasi (same sound)"
    case_id = send(lifeline, LocationHint(), "k", post="kisi ko fark nahi padta, main ja raha hu")
    drain(lifeline)
    found = location.case_resolutions(lifeline.ctx, OPERATOR, case_id)[0].resolution
    assert found.district is None and found.candidates == ()


def test_agreeing_fields_locate_the_case_though_a_locality_name_is_shared(
    lifeline: Lifeline,
) -> None:
    hint = LocationHint(
        text="Civil Lines, Bareilly", lat=28.359, lon=79.421, pin="243001", ip_city="Bareilly"
    )
    case_id = send(lifeline, hint, "cl", post="bas ab aur nahi, alvida")
    drain(lifeline)
    found = location.case_resolutions(lifeline.ctx, OPERATOR, case_id)[0].resolution
    assert found.district == "Bareilly" and not found.needs_review
    with lifeline.ctx.uow(readonly=True) as uow:
        assert Milestone.LOCATED in uow.cases.get(case_id).milestones


def test_an_approximate_place_is_kept_with_the_alert_and_read_as_evidence(
    lifeline: Lifeline,
) -> None:
    case_id = send(lifeline, LocationHint(approximate="Hazratganj, Lucknow"), "ap")
    drain(lifeline)
    with lifeline.ctx.uow(readonly=True) as uow:
        assert uow.alerts.for_case(case_id)[0].location.approximate == "Hazratganj, Lucknow"
    found = location.case_resolutions(lifeline.ctx, OPERATOR, case_id)[0].resolution
    assert found.district == "Lucknow" and found.needs_review
    assert any(e.source == "approximate" for e in found.evidence)


def test_an_imported_registry_is_used_by_the_next_job(lifeline: Lifeline) -> None:
    ctx = lifeline.ctx
    units, _ = registry.current_registry(ctx)
    station = next(u for u in units if u.id == "up-lko-ps-madeyganj")
    renamed = station.__class__(**{**station.__dict__, "name": "Madeyganj Kotwali"})
    registry.import_registry(ctx, Actor("cli", "op"), [renamed], source="t", replace=False)
    case_id = send(lifeline, LocationHint(text="Madeyganj, Lucknow"), "d")
    drain(lifeline)
    found = location.case_resolutions(ctx, OPERATOR, case_id)[0].resolution
    assert found.police_station == "Madeyganj Kotwali"


def test_lifeline_home_state_is_read_once_and_given_to_the_services_and_the_resolver(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings.home_state == "Uttar Pradesh"  # the default
    monkeypatch.setenv("LIFELINE_HOME_STATE", "Bihar")
    from_env = Settings(database_url=settings.database_url, _env_file=None)  # type: ignore[call-arg]
    app = bootstrap(settings.model_copy(update={"home_state": from_env.home_state}))
    try:
        assert app.ctx.config.home_state == "Bihar"
        assert isinstance(app.ctx.locator, LazyGeoLocator)
        assert app.ctx.locator.home_state == "Bihar"
    finally:
        app.dispose()
