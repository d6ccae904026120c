"""The resolve_location job and the registry use cases, driven with in-memory fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fakes import make_context

from lifeline.domain.alert import Alert, AlertSource, LocationHint, Subject
from lifeline.domain.lifecycle import Milestone
from lifeline.domain.model import Actor
from lifeline.domain.place import Candidate, LocationQuery, Resolution
from lifeline.domain.registry import RegistryError, RegistryUnit, UnitKind
from lifeline.services.context import Context
from lifeline.services.dispatch import relocation
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.job_types import BadJobPayload
from lifeline.services.location import registry
from lifeline.services.location import resolution as location
from lifeline.services.ports import Job

PARTNER = Actor("partner", "1")
LUCKNOW = Candidate("Uttar Pradesh", "Lucknow", "157", 0.97, police_station="Madeyganj")
VARANASI = Candidate("Uttar Pradesh", "Varanasi", "197", 0.9)


class FakeLocator:
    """Answers what it is told to; remembers what it was asked."""

    version = "fake"

    def __init__(self, answer: Resolution) -> None:
        self.answer = answer
        self.queries: list[LocationQuery] = []
        self.registry_version = "shipped"
        self.units: Sequence[RegistryUnit] | None = None

    def resolve(self, query: LocationQuery, *, on: date | None = None) -> Resolution:
        self.queries.append(query)
        return self.answer

    def use_registry(self, units: Sequence[RegistryUnit] | None, version: str) -> None:
        self.units, self.registry_version = units, version

    def default_registry(self) -> list[RegistryUnit]:
        return [RegistryUnit("up", UnitKind.STATE, "Uttar Pradesh", date(1950, 1, 26))]

    def known_districts(self) -> set[str]:
        return {"157", "197"}

    def district_geojson(self, lgd: str) -> dict[str, Any] | None:
        return None

    def read_registry(self, text: str, name: str) -> list[RegistryUnit]:
        raise NotImplementedError

    def write_registry(self, units: Sequence[RegistryUnit], fmt: str) -> str:
        raise NotImplementedError


def resolution(*candidates: Candidate, review: bool = False) -> Resolution:
    top = candidates[0] if candidates else None
    return Resolution(
        top.state if top else None,
        top.district if top else None,
        top.district_lgd if top else None,
        None,
        None,
        top.police_station if top else None,
        top.confidence if top else 0.0,
        review,
        candidates,
    )


def setup(answer: Resolution) -> tuple[Context, Any, FakeLocator, Job]:
    ctx, factory, _ = make_context(webhooks=())
    locator = FakeLocator(answer)
    ctx = replace(
        ctx, locator=locator, config=replace(ctx.config, alert_jobs=("resolve_location",))
    )
    alert = Alert(
        AlertSource.PLATFORM_API,
        ctx.clock.now(),
        b"{}",
        "application/json",
        platform="facebook",
        subject=Subject(handle="ravi", phone="+919812345678"),
        location=LocationHint(text="Madeyganj, Lucknow", pin="226020"),
    )
    receipt = receive_alert(ctx, ReceiveAlert(alert, PARTNER))
    queued = next(j for j in factory.store.jobs if j["kind"] == "resolve_location")
    job = Job(
        queued["id"],
        "resolve_location",
        queued["payload"],
        receipt.case_id,
        1,
        8,
        "t",
        ctx.clock.now(),
        ctx.clock.now(),
    )
    return ctx, factory, locator, job


def run(ctx: Context, job: Job) -> None:
    with ctx.uow() as uow:
        relocation.resolve_location.run(ctx, uow, job)
        uow.commit()


def test_every_stored_alert_gets_a_location_job() -> None:
    _, _, _, job = setup(resolution(LUCKNOW))
    assert set(job.payload) == {"alert_id", "case_id"}


def test_a_confident_resolution_is_stored_and_the_case_is_located() -> None:
    ctx, factory, locator, job = setup(resolution(LUCKNOW))
    run(ctx, job)
    assert locator.queries[0].text == "Madeyganj, Lucknow" and locator.queries[0].pin == "226020"
    case = factory.store.cases[job.payload["case_id"]]
    assert Milestone.LOCATED in case.milestones
    stored = factory.store.resolutions
    assert len(stored) == 1 and stored[0].resolution.district == "Lucknow"
    timeline = factory.store.timeline[case.id]
    assert any(t.kind == "located" and "Madeyganj PS, Lucknow" in t.summary for t in timeline)


def test_a_resolution_that_needs_review_records_the_candidates_for_the_operator() -> None:
    ctx, factory, _, job = setup(resolution(LUCKNOW, VARANASI, review=True))
    run(ctx, job)
    case = factory.store.cases[job.payload["case_id"]]
    assert Milestone.LOCATED not in case.milestones
    note = next(t for t in factory.store.timeline[case.id] if t.kind == "location_review")
    assert "Lucknow" in note.summary and "Varanasi" in note.summary
    assert factory.store.resolutions[0].resolution.needs_review


def test_a_bad_payload_fails_for_good() -> None:
    ctx, _, _, job = setup(resolution(LUCKNOW))
    with pytest.raises(BadJobPayload, match=r"resolve_location job \d+: .*'alert_id' must be int"):
        run(ctx, replace(job, payload={"alert_id": "x"}))


def test_the_resolver_switches_to_an_imported_registry_and_back() -> None:
    ctx, _, locator, _ = setup(resolution(LUCKNOW))
    version, count = registry.import_registry(
        ctx, Actor("cli", "op"), [], source="test.yaml", replace=False
    )
    assert count == 1
    location.locate(ctx, LocationQuery(text="x"))
    assert locator.registry_version == version and locator.units is not None


def test_an_import_with_problems_changes_nothing() -> None:
    ctx, factory, _, _ = setup(resolution(LUCKNOW))
    orphan = RegistryUnit("ps", UnitKind.POLICE_STATION, "PS", date(2022, 1, 1), parent="nowhere")
    with pytest.raises(RegistryError):
        registry.import_registry(ctx, Actor("cli", "op"), [orphan], source="x", replace=False)
    assert factory.store.registry == []
