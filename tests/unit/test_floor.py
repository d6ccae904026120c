"""The platform's flag is the floor, and posts the model cannot read say so (issue 16): the
rules in the domain, and assess_risk with in-memory fakes and a stub classifier."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fakes import FakeUowFactory, make_context

from lifeline.domain.alert import Alert, AlertSource, Post, PostKind, Subject
from lifeline.domain.floor import (
    PlatformFlag,
    disagrees,
    level_basis,
    model_reading,
    platform_flag,
    score_band,
)
from lifeline.domain.model import Actor
from lifeline.domain.readability import unreadable_reason
from lifeline.domain.risk import AssessmentSource, RiskAssessment, RiskLevel, RiskResult
from lifeline.services.context import Context
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.ports import Job
from lifeline.services.reports.disagreements import platform_model
from lifeline.services.reports.ports import AlertFacts, ReadingFacts
from lifeline.services.triage.assessment import (
    assess_risk,
    assessments_of,
    feedback_examples,
    record_operator_assessment,
)
from support import FakeClock

OPERATOR = Actor("user", "asha", "smc_operator")
AT = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        ("[video]", "text", "video"),
        ("[Live Video]", "text", "live video"),
        ("[image]", "text", "image"),
        ("(photo) 😢", "text", "image"),
        ("<media omitted>", "text", "media"),
        ("[वीडियो]", "text", "video"),
        ("[लाइव वीडियो]", "video", "live video"),
        ("[video]", "live", "live video"),
        ("[तस्वीर]", "text", "image"),
        ("https://facebook.com/ravi/videos/1", "text", "link only"),
        ("😭😭 https://fb.watch/x 🙏", "text", "link only"),
        ("😭💔", "text", "emoji only"),
        ("👨‍👩‍👧", "text", "emoji only"),
        ("...!!", "text", "no words"),
        ("", "text", "empty"),
        (None, "text", "empty"),
        ("", "video", "video"),
        ("   ", "live", "live video"),
        ("", "image", "image"),
    ],
)
def test_a_post_without_words_is_unreadable_and_says_what_it_is(
    text: str | None, kind: str, reason: str
) -> None:
    assert unreadable_reason(text, kind) == reason


@pytest.mark.parametrize(
    "text",
    [
        "I am so tired of everything",
        "bas ab aur nahi",
        "बस अब और नहीं",
        "[video] alvida sabko",
        "(sorry) 😢",
        "https://fb.com/x bye",
    ],
)
def test_a_post_with_words_is_readable_whatever_else_it_holds(text: str) -> None:
    assert unreadable_reason(text) is None
    assert unreadable_reason(text, "video") is None  # a video's caption is read


def alert(
    source: AlertSource = AlertSource.PLATFORM_API,
    text: str = "I am so tired of everything",
    *,
    at: datetime = AT,
    ref: str = "FB-1",
    kind: PostKind = PostKind.TEXT,
) -> Alert:
    return Alert(
        source=source,
        received_at=at,
        raw_payload=b"{}",
        raw_content_type="application/json",
        platform="facebook",
        reference=ref,
        subject=Subject(handle="ravi.k"),
        post=Post(text, kind=kind),
        partner_id=1 if source is AlertSource.PLATFORM_API else None,
    )


def model(level: RiskLevel, score: float = 0.1, unreadable: str | None = None) -> RiskAssessment:
    return RiskAssessment(
        1, level, "model:x", AT, AssessmentSource.MODEL, 1, score, unreadable=unreadable
    )


def test_platform_sources_are_flagged_and_the_smcs_own_finds_are_not() -> None:
    for source in (AlertSource.PLATFORM_API, AlertSource.PLATFORM_EMAIL, AlertSource.PHONE_CALL):
        flag = platform_flag([alert(source)])
        assert flag.flagged and flag.floor is RiskLevel.INTENT and flag.source is source
    for source in (AlertSource.MONITORING, AlertSource.MANUAL):
        assert platform_flag([alert(source)]) == PlatformFlag(False)


def test_an_unverified_email_is_flagged_but_not_as_a_proven_sender() -> None:
    mail = alert(AlertSource.PLATFORM_EMAIL)
    mail.sender_verified = False
    flag = platform_flag([mail])
    assert flag.flagged and flag.sender_verified is False


def test_the_models_reading_is_its_riskiest_readable_one_and_disagreement_is_below_intent() -> None:
    flag = platform_flag([alert()])
    readings = [model(RiskLevel.DISTRESS), model(RiskLevel.NONE, 0.0, "video")]
    reading = model_reading(readings)
    assert reading is not None and reading.level is RiskLevel.DISTRESS
    assert disagrees(flag, reading)
    assert not disagrees(flag, model(RiskLevel.IMMINENT, 0.9))
    assert disagrees(flag, model(RiskLevel.NONE, 0.0, "video"))  # could not read it
    assert not disagrees(platform_flag([alert(AlertSource.MONITORING)]), reading)
    assert level_basis(RiskLevel.INTENT, flag, reading, readings) == "platform_floor"
    assert level_basis(RiskLevel.IMMINENT, flag, model(RiskLevel.IMMINENT), []) == "model"


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (None, None),
        (0.0, "low"),
        (0.249, "low"),
        (0.25, "moderate"),
        (0.6, "elevated"),
        (0.9, "high"),
    ],
)
def test_score_bands(score: float | None, band: str | None) -> None:
    assert score_band(score) == band


# -- assess_risk with fakes --------------------------------------------------------------------


class ReadsAsTold:
    """Reads every text as the level its first word names ("distress ..."), else distress."""

    version = "stub-floor"

    def classify(self, text: str) -> RiskResult:
        first = text.split()[0].casefold()
        level = RiskLevel(first) if first in list(RiskLevel) else RiskLevel.DISTRESS
        return RiskResult(level, 0.9 if level.at_risk else 0.05, "en", (), self.version)


def context(clock: FakeClock) -> tuple[Context, FakeUowFactory]:
    ctx, factory, _ = make_context(clock)
    ctx = replace(
        ctx, classifier=ReadsAsTold(), config=replace(ctx.config, alert_jobs=("assess_risk",))
    )
    return ctx, factory


def take(ctx: Context, factory: FakeUowFactory, new: Alert) -> int:
    receipt = receive_alert(ctx, ReceiveAlert(new, Actor("cli", "test")))
    run_assessments(ctx, factory)
    return receipt.case_id


def run_assessments(ctx: Context, factory: FakeUowFactory) -> None:
    for job in [
        j for j in factory.store.jobs if j["kind"] == "assess_risk" and j["status"] == "pending"
    ]:
        with ctx.uow() as uow:
            now = ctx.clock.now()
            payload = job["payload"]
            assess_risk.run(
                ctx,
                uow,
                Job(job["id"], "assess_risk", payload, job["case_id"], 1, 8, "t", now, now),
            )
            uow.commit()
        job["status"] = "done"


def level_of(factory: FakeUowFactory, case_id: int) -> str | None:
    return factory.store.cases[case_id].risk_level


def test_a_platform_alert_counts_as_intent_from_intake_and_the_model_cannot_lower_it() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    case_id = receive_alert(ctx, ReceiveAlert(alert(at=clock.now()), Actor("cli", "t"))).case_id
    assert level_of(factory, case_id) == "intent"  # before the model has read anything
    take(ctx, factory, alert(at=clock.now(), ref="FB-2", text="none of this"))
    (reading, *_) = assessments_of(ctx, case_id)
    assert reading.level is RiskLevel.DISTRESS  # the model's own reading is kept
    assert level_of(factory, case_id) == "intent"
    floor = [t for t in factory.store.timeline[case_id] if t.kind == "risk_floor"]
    assert [t.details["level"] for t in floor] == ["intent"]  # once: the merge changed nothing
    triaged = [t.summary for t in factory.store.timeline[case_id] if t.kind == "triaged"]
    assert "model: distress; platform's flag: at least intent" in triaged[0]
    assert "model: none; platform's flag: at least intent" in triaged[1]


def test_the_model_may_raise_a_flagged_case_above_the_floor() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    case_id = take(ctx, factory, alert(at=clock.now(), text="imminent abhi"))
    assert level_of(factory, case_id) == "imminent"


def test_an_unreadable_platform_post_is_intent_and_its_assessment_has_no_level() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    case_id = take(ctx, factory, alert(at=clock.now(), text="[video]"))
    (reading,) = assessments_of(ctx, case_id)
    assert reading.readable is False and reading.unreadable == "video" and reading.score is None
    assert level_of(factory, case_id) == "intent"


def test_a_platforms_live_broadcast_is_imminent_even_unread() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    case_id = take(ctx, factory, alert(at=clock.now(), text="[video]", kind=PostKind.LIVE))
    (reading,) = assessments_of(ctx, case_id)
    assert reading.unreadable == "live video"
    assert level_of(factory, case_id) == "imminent"
    find = alert(AlertSource.MONITORING, "", at=clock.now(), ref="X-1", kind=PostKind.LIVE)
    find.subject = Subject(handle="someone.else", platform="facebook")
    found = take(ctx, factory, find)
    assert found != case_id and level_of(factory, found) is None  # the SMC's find: no floor


def test_an_unreadable_monitoring_post_stays_unassessed_for_a_person_not_none() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    case_id = take(ctx, factory, alert(AlertSource.MONITORING, "😭😭", at=clock.now()))
    (reading,) = assessments_of(ctx, case_id)
    assert reading.unreadable == "emoji only"
    assert level_of(factory, case_id) is None  # unassessed sorts first in the queue


def test_a_monitoring_find_gets_no_floor() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    case_id = take(ctx, factory, alert(AlertSource.MONITORING, at=clock.now()))
    assert level_of(factory, case_id) == "distress"


def test_an_operator_may_lower_a_flagged_case_and_a_late_model_reading_does_not_undo_it() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    case_id = receive_alert(ctx, ReceiveAlert(alert(at=clock.now()), Actor("cli", "t"))).case_id
    clock.advance(minutes=1)
    record_operator_assessment(ctx, OPERATOR, case_id, "distress")
    run_assessments(ctx, factory)  # the model's job for the alert runs after the operator's word
    assert level_of(factory, case_id) == "distress"
    # a new escalation from the platform after the operator's word raises it again
    clock.advance(minutes=5)
    take(ctx, factory, alert(at=clock.now(), ref="FB-9"))
    assert level_of(factory, case_id) == "intent"


def test_the_floor_and_unreadable_posts_never_become_training_labels() -> None:
    clock = FakeClock()
    ctx, factory = context(clock)
    take(ctx, factory, alert(at=clock.now()))
    video = take(ctx, factory, alert(at=clock.now(), ref="FB-2", text="[image]"))
    assert feedback_examples(ctx) == []
    clock.advance(minutes=1)
    record_operator_assessment(ctx, OPERATOR, video, "intent")
    assert feedback_examples(ctx) == []


def test_the_report_figure_names_the_cases_where_platform_and_model_disagree() -> None:
    alerts = [
        AlertFacts(1, 1, "platform_api", "facebook", AT),
        AlertFacts(2, 2, "platform_email", "instagram", AT),
        AlertFacts(3, 3, "phone_call", "facebook", AT),
        AlertFacts(4, 4, "monitoring", "x", AT),
    ]
    readings = [
        ReadingFacts(1, 1, "distress", None),
        ReadingFacts(2, 2, "none", "video"),
        ReadingFacts(3, 3, "imminent", None),
        ReadingFacts(4, 4, "none", "emoji only"),
    ]
    section = platform_model(alerts, readings)
    counted, unreadable = section.figures
    assert counted.key == "platform_model_disagreements" and counted.value == 2
    assert counted.case_ids == (1, 2)
    assert counted.extra["below_intent_case_ids"] == [1]
    assert counted.extra["unreadable_case_ids"] == [2]
    assert counted.extra["flagged_case_ids"] == [1, 2, 3]
    assert unreadable.case_ids == (2, 4)
