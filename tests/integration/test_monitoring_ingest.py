"""The monitoring stream's use case (services/monitoring) on SQLite and PostgreSQL, with the real
triage model: dedupe, the threshold, what is kept of a post and for how long, joining the
author's open case, and that a monitoring case is never dispatched on the model alone."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, select, text

from dispatch_support import AT_RISK, Receiver, drain, unit_endpoints
from dispatch_support import take_alert as platform_alert
from lifeline.adapters.db.tables import audit_log, monitoring_seen, monitoring_window
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import AlertSource
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor
from lifeline.domain.monitoring import MonitoringPolicy, MonitoringPost
from lifeline.domain.risk import AssessmentSource, RiskLevel, RiskSubject
from lifeline.services.cases import service as cases
from lifeline.services.dispatch import escalations as dispatch
from lifeline.services.job_types import JobKind
from lifeline.services.monitoring.ingest import ingest_posts
from lifeline.services.monitoring.window import author_window
from lifeline.services.triage.assessment import assessments_of
from support import FakeClock

OP = Actor("user", "op", "smc_operator")
IDEATION = "I want to die, nothing matters anymore and I cannot go on"
HARMLESS = "Beautiful sunset at Marine Drive today with friends"
CRICKET = "match dekha kal, kya khela Kohli ne"
HELPLINE = "Suicide prevention helpline numbers: call Tele-MANAS 14416, you are not alone"


def post(post_id: str, text: str, author: str = "asha_k", **extra: object) -> MonitoringPost:
    return MonitoringPost("x", post_id, author, text, **extra)  # type: ignore[arg-type]


def policy(app: Lifeline, **changes: object) -> None:
    config = app.ctx.config
    monitoring = dataclasses.replace(config.monitoring, **changes)  # type: ignore[arg-type]
    app.ctx = dataclasses.replace(
        app.ctx, config=dataclasses.replace(config, monitoring=monitoring)
    )


def every_text_column(app: Lifeline) -> str:
    """Every value of every table, as one string: what a copy of the database would show."""
    found: list[str] = []
    with app.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                found.extend(str(v) for v in row if v is not None)
    return "\n".join(found)


def test_a_post_seen_twice_is_taken_once_in_one_input_and_across_inputs(
    lifeline: Lifeline,
) -> None:
    first = ingest_posts(
        lifeline.ctx, [post("1", HARMLESS), post("2", CRICKET), post("1", HARMLESS)]
    )
    assert (first.accepted, first.duplicates, first.flagged) == (2, 1, 0)
    again = ingest_posts(lifeline.ctx, [post("2", CRICKET), post("3", HARMLESS)])
    assert (again.accepted, again.duplicates) == (1, 1)
    # the same id on another platform is another post
    other = ingest_posts(lifeline.ctx, [MonitoringPost("facebook", "1", "asha_k", HARMLESS)])
    assert other.accepted == 1
    with lifeline.engine.connect() as conn:
        assert conn.execute(select(monitoring_seen)).all().__len__() == 4


def test_posts_below_the_level_leave_only_a_keyed_hash(lifeline: Lifeline) -> None:
    secret = "Quiet evening, reading Premchand's Godaan again at the Lucknow library"
    result = ingest_posts(
        lifeline.ctx,
        [post("77812093", secret, author="rare.author.name", url="https://x.com/p/77812093")],
    )
    assert (result.accepted, result.flagged) == (1, 0)
    stored = every_text_column(lifeline)
    for part in ("Premchand", "77812093", "rare.author.name", "x.com/p"):
        assert part not in stored
    with lifeline.engine.connect() as conn:
        (row,) = conn.execute(select(monitoring_seen)).all()
        assert len(row.post_hash) == 64
        assert not conn.execute(select(monitoring_window)).all()


def test_ideation_about_oneself_opens_a_monitoring_case_assessed_once(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    result = ingest_posts(
        lifeline.ctx,
        [
            post("10", HARMLESS),
            post("11", IDEATION, place="Aliganj, Lucknow"),
            post("12", HELPLINE),
        ],
    )
    assert (result.accepted, result.flagged) == (3, 1)
    (case_id,) = result.case_ids
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    (alert,) = detail.alerts
    assert alert.source is AlertSource.MONITORING
    assert alert.subject.handle == "asha_k" and alert.post.text == IDEATION
    assert alert.location.text == "Aliganj, Lucknow"
    assert detail.case.risk_level is RiskLevel.IDEATION
    (assessment,) = assessments_of(lifeline.ctx, case_id)
    assert assessment.source is AssessmentSource.MODEL and assessment.alert_id == alert.id
    with lifeline.ctx.uow(readonly=True) as uow:
        (work,) = [job for job in uow.jobs.recent() if job["kind"] == JobKind.PROCESS_ALERT]
    # the post was read at once: the alert's job resolves its place but never reads it again
    assert JobKind.ASSESS_RISK not in work["payload"]["steps"]
    assert JobKind.RESOLVE_LOCATION in work["payload"]["steps"]
    drain(lifeline)  # the worker does not score it again
    assert len(assessments_of(lifeline.ctx, case_id)) == 1


def test_the_level_setting_is_respected(lifeline: Lifeline) -> None:
    policy(lifeline, min_level=RiskLevel.IMMINENT)
    result = ingest_posts(lifeline.ctx, [post("1", IDEATION, "a"), post("2", AT_RISK, "b")])
    assert result.flagged == 1
    (case_id,) = result.case_ids
    assert cases.show_case(lifeline.ctx, OP, case_id).case.risk_level is RiskLevel.IMMINENT


def test_a_second_flagged_post_joins_the_authors_open_case(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    first = ingest_posts(lifeline.ctx, [post("1", IDEATION)])
    clock.advance(days=2)  # past the platform merge window, inside the monitoring window
    second = ingest_posts(lifeline.ctx, [post("2", AT_RISK), post("3", IDEATION, "someone_else")])
    assert second.flagged == 2 and first.case_ids[0] in second.case_ids
    assert len(second.case_ids) == 2
    detail = cases.show_case(lifeline.ctx, OP, first.case_ids[0])
    assert len(detail.alerts) == 2
    assert detail.case.risk_level is RiskLevel.IMMINENT


def test_a_flagged_authors_posts_are_kept_encrypted_and_expire_with_the_window(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    before = "Had chai with my cousins at Hazratganj this evening"
    later = "Sitting alone at Gomti riverfront, thinking"
    result = ingest_posts(
        lifeline.ctx, [post("1", before), post("2", IDEATION), post("3", HARMLESS, "bystander")]
    )
    (case_id,) = result.case_ids
    clock.advance(days=3)
    ingest_posts(lifeline.ctx, [post("4", later)])
    window = author_window(lifeline.ctx, case_id)
    assert [p.text for p in window] == [later, IDEATION, before]  # newest first
    assert [p.flagged for p in window] == [False, True, False]
    assert window[1].level is RiskLevel.IDEATION and window[1].score is not None
    with lifeline.engine.connect() as conn:
        raw = conn.execute(select(monitoring_window.c.post_enc)).scalars().all()
    assert len(raw) == 3 and all(v.startswith("v1.") for v in raw)
    assert not any(word in v for v in raw for word in ("Gomti", "Hazratganj", "die"))
    assert "Marine Drive" not in every_text_column(lifeline)  # the bystander's post
    # the window closes 7 days after the flagged post; what comes later is not kept
    clock.advance(days=4, seconds=1)
    ingest_posts(lifeline.ctx, [post("5", "Another quiet day at home")])
    assert author_window(lifeline.ctx, case_id) == []
    with lifeline.engine.connect() as conn:
        assert not conn.execute(select(monitoring_window)).all()


def test_a_new_flag_keeps_the_whole_window_open_longer(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    (case_id,) = ingest_posts(lifeline.ctx, [post("1", IDEATION)]).case_ids
    clock.advance(days=5)
    ingest_posts(lifeline.ctx, [post("2", AT_RISK)])
    clock.advance(days=5)  # 10 days after the first flag, 5 after the second
    assert len(author_window(lifeline.ctx, case_id)) == 2


def test_each_batch_is_audited_with_counts_and_no_content(lifeline: Lifeline) -> None:
    policy(lifeline, batch_size=2)
    ingest_posts(lifeline.ctx, [post(str(i), HARMLESS + f" {i}") for i in range(5)])
    with lifeline.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.action == "monitoring.batch_ingested")
        ).all()
    assert len(rows) == 3
    assert "Marine" not in every_text_column(lifeline)


def test_two_concurrent_ingests_of_the_same_posts_take_each_once(lifeline: Lifeline) -> None:
    posts = [post(str(i), f"{HARMLESS} {i}", author=f"a{i}") for i in range(40)]
    posts.append(post("flag", IDEATION))
    results = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(order: list[MonitoringPost]) -> None:
        start.wait()
        try:
            results.append(ingest_posts(lifeline.ctx, order))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(o,)) for o in (posts, posts[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r.accepted for r in results) == 41
    assert sum(r.duplicates for r in results) == 41
    assert sum(r.flagged for r in results) == 1


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


def test_a_monitoring_case_is_never_dispatched_on_the_model_alone(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, others = endpoints
    assert lifeline.ctx.config.auto_dispatch
    result = ingest_posts(
        lifeline.ctx, [post("1", AT_RISK, place="Madeyganj, Lucknow 226020", author="ravi")]
    )
    (case_id,) = result.case_ids
    drain(lifeline)
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.risk_level is RiskLevel.IMMINENT
    assert detail.case.status is CaseStatus.RECEIVED
    assert not station.received and not others.received
    plan = dispatch.preview_dispatch(lifeline.ctx, OP, case_id)
    assert not plan.automatic and "monitoring case waits" in plan.why
    # the same post from a platform, same place, goes out at once: the hold is the source's
    platform = platform_alert(lifeline, "ravi.platform", text=AT_RISK)
    drain(lifeline)
    assert cases.show_case(lifeline.ctx, OP, platform).case.status is CaseStatus.DISPATCHED
    assert station.received


def test_policy_flags_other_people_at_risk_but_not_general_posts() -> None:
    rule = MonitoringPolicy()
    assert rule.flags(RiskLevel.IDEATION, RiskSubject.SELF)
    assert rule.flags(RiskLevel.IMMINENT, RiskSubject.OTHER)
    assert rule.flags(RiskLevel.INTENT, None)
    assert not rule.flags(RiskLevel.IMMINENT, RiskSubject.GENERAL)
    assert not rule.flags(RiskLevel.DISTRESS, RiskSubject.SELF)
