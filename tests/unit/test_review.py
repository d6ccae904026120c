"""The review of a monitoring case as the domain enforces it (domain/review.py, Case.review):
a find waits for a person, a platform's alert lifts it, escalate and dismiss happen once and
say why when refused, and a dismissal's reason is a training label."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import IllegalTransition
from lifeline.domain.lifecycle import CaseStatus, Milestone, Step
from lifeline.domain.model import Actor, Case, OutcomeKind
from lifeline.domain.review import (
    DISMISSAL_LABELS,
    DismissReason,
    InvalidReview,
    ReviewState,
    parse_escalation_subject,
    parse_reason,
)
from lifeline.domain.risk import LabelledExample, RiskLevel, RiskSubject

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
OP = Actor("user", "op", "smc_operator")


def alert(source: AlertSource, at: datetime = T0) -> Alert:
    return Alert(
        source, at, b"{}", "application/json", platform="x",
        subject=Subject(handle="asha_k"), post=Post("I want to die"),
    )  # fmt: skip


def find() -> Case:
    case = Case.open(alert(AlertSource.MONITORING))
    case.id = 7
    case.reach(Milestone.LOCATED, T0)
    return case


def test_only_a_monitoring_find_waits_for_review() -> None:
    review = find().review
    assert review is not None and review.state is ReviewState.PENDING
    assert Case.open(alert(AlertSource.PLATFORM_API)).review is None
    assert Case.open(alert(AlertSource.PHONE_CALL)).review is None


def test_a_waiting_find_cannot_be_dispatched_or_dismissed_by_the_case_page() -> None:
    case = find()
    with pytest.raises(IllegalTransition, match=r"pending review \(escalate it from the review"):
        case.dispatch(T0, OP, ["Madeyganj PS"])
    with pytest.raises(IllegalTransition, match="dismiss it with a reason in the review queue"):
        case.dismiss(OutcomeKind.FALSE_ALARM, T0, OP, "film")
    assert Step.DISPATCH not in case.steps() and Step.DISMISS not in case.steps()
    assert Step.HAND_OVER in case.steps()


def test_escalating_makes_it_dispatchable_once() -> None:
    case = find()
    case.escalate_review(T0 + timedelta(minutes=2), OP, RiskSubject.OTHER, "  the sister  ")
    assert case.review is not None and case.review.state is ReviewState.ESCALATED
    assert (case.review.by, case.review.note, case.review.subject) == (
        "user:op",
        "the sister",
        RiskSubject.OTHER,
    )
    assert case.new_timeline[-1].kind == "review_escalated"
    assert "someone else" in case.new_timeline[-1].summary
    case.dispatch(T0 + timedelta(minutes=3), OP, ["Madeyganj PS"])
    assert case.status is CaseStatus.DISPATCHED
    with pytest.raises(IllegalTransition, match=r"review escalated.*already reviewed"):
        case.dismiss_review(T0, OP, DismissReason.NOT_AT_RISK)


def test_dismissing_needs_a_known_reason_and_a_note_for_other() -> None:
    case = find()
    with pytest.raises(InvalidReview, match="needs a note"):
        case.dismiss_review(T0, OP, DismissReason.OTHER, "   ")
    assert case.status is CaseStatus.RECEIVED and case.review is not None
    assert case.review.pending
    case.dismiss_review(T0, OP, DismissReason.THREAT_TO_OTHERS)
    assert case.status is CaseStatus.DISMISSED
    assert case.outcome is not None and case.outcome.reason == "review: threat_to_others"
    assert case.review.label() == (RiskLevel.NONE, RiskSubject.GENERAL)
    with pytest.raises(InvalidReview, match="unknown dismiss reason 'meh'"):
        parse_reason("meh")
    assert parse_escalation_subject("author") is RiskSubject.SELF
    with pytest.raises(InvalidReview, match="'general'"):
        parse_escalation_subject("general")


def test_a_platform_alert_about_the_same_person_lifts_the_review() -> None:
    case = find()
    case.merge(alert(AlertSource.MONITORING, T0 + timedelta(minutes=1)))
    assert case.review is not None and case.review.pending
    case.merge(alert(AlertSource.PLATFORM_EMAIL, T0 + timedelta(minutes=2)))
    assert case.review.state is ReviewState.ESCALATED and case.review.by == "system:lifeline"
    assert case.review.label() is None
    case.dispatch(T0 + timedelta(minutes=3), Actor("system", "lifeline"), ["Madeyganj PS"])


def test_the_reasons_that_teach_and_those_that_do_not() -> None:
    assert set(DISMISSAL_LABELS) | {DismissReason.SPAM_OR_DUPLICATE, DismissReason.OTHER} == set(
        DismissReason
    )
    assert all(
        level in (RiskLevel.NONE, RiskLevel.DISCUSSION) for level, _ in DISMISSAL_LABELS.values()
    )
    assert DISMISSAL_LABELS[DismissReason.ABOUT_SOMEONE_ELSE_SAFE][1] is RiskSubject.OTHER


def test_each_decision_is_its_own_training_example() -> None:
    assessed = LabelledExample("x", RiskLevel.INTENT, 12, RiskSubject.OTHER, 3)
    dismissed = LabelledExample("x", RiskLevel.NONE, None, RiskSubject.GENERAL, 3)
    assert (assessed.key, dismissed.key) == ("feedback:12", "feedback:review:3")
