"""One job per alert (`process_alert`), on SQLite and PostgreSQL, against units' endpoints on
127.0.0.1: it locates, links, triages and dispatches in one transaction; a failing step is split
off so the others still go out; a run killed mid-way leaves nothing behind and runs again once;
and the per-step jobs queued before an upgrade still run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from dispatch_support import Receiver, drain, resolutions, take_alert, unit_endpoints
from lifeline.adapters.db.tables import jobs
from lifeline.bootstrap import Lifeline
from lifeline.domain.lifecycle import CaseStatus, Milestone
from lifeline.domain.model import Actor
from lifeline.domain.risk import AssessmentSource
from lifeline.services.cases import service as cases
from lifeline.services.jobs import DEFAULT_HANDLERS
from lifeline.services.triage.assessment import assessments_of
from lifeline.worker import Worker
from support import FakeClock

OP = Actor("user", "op", "smc_operator")
STEPS = ("resolve_location", "link_repeat_cases", "assess_risk")


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


class BrokenModel:
    """A triage model that cannot be loaded (a corrupt file): every reading raises."""

    version = "broken"

    def classify(self, text: str) -> Any:
        raise RuntimeError("model file is corrupt")


def job_rows(app: Lifeline, case_id: int) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        query = select(jobs).where(jobs.c.case_id == case_id).order_by(jobs.c.id)
        return [dict(r._mapping) for r in conn.execute(query)]


def audit_actions(app: Lifeline, case_id: int) -> list[str]:
    with app.ctx.uow(readonly=True) as uow:
        return [r.action for r in uow.audit.for_case(case_id, app.clock.now() - timedelta(days=1))]


def model_assessments(app: Lifeline, case_id: int) -> int:
    return sum(a.source is AssessmentSource.MODEL for a in assessments_of(app.ctx, case_id))


def test_an_alert_is_located_triaged_and_dispatched_by_one_job(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, smc, others = endpoints
    case_id = take_alert(lifeline)
    queued = [r["kind"] for r in job_rows(lifeline, case_id)]
    assert queued.count("process_alert") == 1 and not set(STEPS) & set(queued)
    (work,) = [r for r in job_rows(lifeline, case_id) if r["kind"] == "process_alert"]
    assert work["payload"]["steps"] == list(STEPS)
    drain(lifeline)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.DISPATCHED
    assert detail.case.risk_level is not None and detail.case.risk_level.at_risk
    assert {Milestone.LOCATED, Milestone.TRIAGED, Milestone.DISPATCHED} <= set(
        detail.case.milestones
    )
    assert len(station.received) == 1 and sorted(others.paths) == ["/cell", "/up112"]
    assert not smc.received
    actions = audit_actions(lifeline, case_id)
    for action in ("case.located", "case.risk_assessed", "case.dispatch_started"):
        assert actions.count(action) == 1, actions
    # the dispatch waited for both facts: it went out once, after the place and the level
    assert actions.index("case.dispatch_started") > actions.index("case.risk_assessed")
    assert actions.index("case.dispatch_started") > actions.index("case.located")
    assert model_assessments(lifeline, case_id) == 1 and resolutions(lifeline, case_id) == 1
    assert (
        next(r for r in job_rows(lifeline, case_id) if r["kind"] == "process_alert")["status"]
        == "done"
    )


def test_a_failing_step_is_split_off_and_the_place_still_dispatches_the_case(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    working = lifeline.ctx.classifier
    lifeline.ctx = replace(lifeline.ctx, classifier=BrokenModel())  # type: ignore[arg-type]
    case_id = take_alert(lifeline)
    drain(lifeline)
    rows = job_rows(lifeline, case_id)
    (work,) = [r for r in rows if r["kind"] == "process_alert"]
    assert work["status"] == "done" and work["attempts"] == 1
    by_kind = {r["kind"]: r for r in rows if r["kind"] in STEPS}
    assert by_kind["resolve_location"]["status"] == "done"
    assert by_kind["link_repeat_cases"]["status"] == "done"
    assert by_kind["assess_risk"]["status"] == "pending"  # retried with backoff
    assert "model file is corrupt" in by_kind["assess_risk"]["last_error"]
    # the platform's flag is the floor: located, the case went out without the model
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.DISPATCHED and len(station.received) == 1
    failed = [t for t in detail.timeline if t.kind == "job_failed"]
    assert "process_alert failed" in failed[0].summary
    assert failed[0].details["split_into"] == [by_kind[k]["id"] for k in STEPS]
    assert "assess_risk failed, will retry" in failed[1].summary
    lifeline.ctx = replace(lifeline.ctx, classifier=working)
    clock.advance(seconds=6)
    drain(lifeline)
    assert model_assessments(lifeline, case_id) == 1 and resolutions(lifeline, case_id) == 1
    assert len(station.received) == 1  # nobody told twice
    assert all(r["status"] == "done" for r in job_rows(lifeline, case_id) if r["kind"] in STEPS)


def test_a_run_killed_mid_way_leaves_nothing_and_the_job_runs_again_exactly_once(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    case_id = take_alert(lifeline)
    lease = timedelta(seconds=lifeline.settings.job_lease_seconds)
    with lifeline.ctx.uow() as uow:  # a worker claims the batch ...
        claimed = uow.jobs.claim(clock.now(), lease)
        uow.commit()
    (work,) = [j for j in claimed if j.kind == "process_alert"]
    with lifeline.ctx.uow() as uow:  # ... does all the work, and dies before COMMIT
        DEFAULT_HANDLERS["process_alert"](lifeline.ctx, uow, work)
    assert model_assessments(lifeline, case_id) == 0 and resolutions(lifeline, case_id) == 0
    drain(lifeline)
    assert station.received == []  # the lease still holds: nobody else runs it yet
    clock.advance(seconds=lifeline.settings.job_lease_seconds + 1)
    drain(lifeline)
    (row,) = [r for r in job_rows(lifeline, case_id) if r["kind"] == "process_alert"]
    assert row["status"] == "done" and row["attempts"] == 2
    assert model_assessments(lifeline, case_id) == 1 and resolutions(lifeline, case_id) == 1
    assert len(station.received) == 1 and sorted(others.paths) == ["/cell", "/up112"]
    assert audit_actions(lifeline, case_id).count("case.dispatch_started") == 1


def test_per_step_jobs_queued_before_an_upgrade_still_run(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    upgraded = lifeline.ctx
    # intake as it was before one_alert_job: one job per step, as left in the queue
    lifeline.ctx = replace(upgraded, config=replace(upgraded.config, one_alert_job=False))
    case_id = take_alert(lifeline)
    lifeline.ctx = upgraded
    assert sorted(r["kind"] for r in job_rows(lifeline, case_id) if r["kind"] in STEPS) == sorted(
        STEPS
    )
    drain(lifeline)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.DISPATCHED and len(station.received) == 1
    assert model_assessments(lifeline, case_id) == 1 and resolutions(lifeline, case_id) == 1
    assert all(r["status"] == "done" for r in job_rows(lifeline, case_id) if r["kind"] in STEPS)


def test_a_process_alert_job_naming_an_unknown_step_fails_for_good_without_running(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = take_alert(lifeline)
    drain(lifeline)
    with lifeline.ctx.uow() as uow:
        job_id = uow.jobs.enqueue(
            "process_alert",
            {"alert_id": 1, "case_id": case_id, "steps": ["resolve_location", "guess"]},
            now=clock.now(),
            case_id=case_id,
        )
        uow.commit()
    Worker(lifeline).run_once()
    (row,) = [r for r in job_rows(lifeline, case_id) if r["id"] == job_id]
    assert row["status"] == "failed"
    assert "steps" in row["last_error"] and "guess" in row["last_error"]
    assert resolutions(lifeline, case_id) == 1  # the known step did not run either


def test_the_messages_a_job_queued_are_claimed_in_its_completing_transaction(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    case_id = take_alert(lifeline)
    Worker(lifeline).run_once()  # one claim: the messages are claimed by process_alert's COMMIT
    sends = [r for r in job_rows(lifeline, case_id) if r["kind"] == "send_notifications"]
    assert len(sends) == 1 and sends[0]["status"] == "done" and sends[0]["attempts"] == 1
    assert len(sends[0]["payload"]["notification_ids"]) == 3
    assert len(station.received) == 1 and sorted(others.paths) == ["/cell", "/up112"]


def test_jobs_claimed_by_a_worker_that_died_after_the_commit_are_taken_over_and_sent_once(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    case_id = take_alert(lifeline)
    dying = Worker(lifeline)
    lease = timedelta(seconds=lifeline.settings.job_lease_seconds)
    with lifeline.ctx.uow() as uow:
        (work,) = [j for j in uow.jobs.claim(clock.now(), lease) if j.kind == "process_alert"]
        uow.commit()
    claimed = dying._run(work, claim_next=10)  # then the process is killed: none is sent
    assert [j.kind for j in claimed] == ["send_notifications"]  # the three messages, one job
    drain(lifeline)
    assert station.received == []  # leased to the dead worker until the lease runs out
    clock.advance(seconds=lifeline.settings.job_lease_seconds + 1)
    drain(lifeline)
    taken = {j.id for j in claimed}
    sends = [r for r in job_rows(lifeline, case_id) if r["id"] in taken]
    assert all(r["status"] == "done" and r["attempts"] == 2 for r in sends)
    wanted = sorted(n for r in sends for n in r["payload"]["notification_ids"])
    assert len(wanted) == 3
    arrived = [
        body.get("notification_id", body.get("incident", {}).get("notification_id"))
        for body in station.received + others.received
    ]
    assert sorted(n for n in arrived if n in wanted) == wanted  # each sent once


def test_a_completing_transaction_that_rolls_back_claims_nothing(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    case_id = take_alert(lifeline)
    lease = timedelta(seconds=lifeline.settings.job_lease_seconds)
    with lifeline.ctx.uow() as uow:
        (work,) = [j for j in uow.jobs.claim(clock.now(), lease) if j.kind == "process_alert"]
        uow.commit()
    with lifeline.ctx.uow() as uow:  # as the worker does, dying before COMMIT
        DEFAULT_HANDLERS["process_alert"](lifeline.ctx, uow, work)
        uow.jobs.complete(work, clock.now())
        assert len(uow.jobs.claim(clock.now(), lease, 10)) == 1  # the three messages' one job
    assert not [r for r in job_rows(lifeline, case_id) if r["kind"] == "send_notifications"]
    clock.advance(seconds=lifeline.settings.job_lease_seconds + 1)
    drain(lifeline)
    assert len(station.received) == 1
