"""The case lifecycle: legal steps, milestone timestamps, and refusals that name the state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import IllegalTransition, InvalidAlert, InvalidOutcome
from lifeline.domain.lifecycle import CaseStatus, Milestone, allowed_steps
from lifeline.domain.model import Actor, Case, OutcomeKind
from lifeline.domain.risk import RiskLevel

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
OP = Actor("user", "op1", "smc_operator")


def alert(**kw: object) -> Alert:
    base: dict[str, object] = {
        "source": AlertSource.PLATFORM_API,
        "received_at": T0,
        "raw_payload": b"{}",
        "raw_content_type": "application/json",
        "platform": "facebook",
        "reference": "FB-1",
        "subject": Subject(handle="@Ravi.K"),
    }
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def located_case() -> Case:
    case = Case.open(alert())
    case.id = 7
    case.mark_located(at(1), "Thana Chinhat, Lucknow", OP)
    return case


def test_a_case_goes_from_received_to_closed_with_every_step_timestamped() -> None:
    case = located_case()
    case.dispatch(at(2), OP, ["Thana Chinhat"])
    case.acknowledge(at(3), OP, "Thana Chinhat")
    case.mark_on_scene(at(9), OP)
    case.record_outcome(OutcomeKind.REACHED_SAFE, at(12), OP)
    case.close(at(30), OP)
    assert case.status is CaseStatus.CLOSED
    assert case.milestones == {
        Milestone.RECEIVED: T0,
        Milestone.LOCATED: at(1),
        Milestone.DISPATCHED: at(2),
        Milestone.ACKNOWLEDGED: at(3),
        Milestone.ON_SCENE: at(9),
        Milestone.RESOLVED: at(12),
        Milestone.CLOSED: at(30),
    }
    kinds = [e.kind for e in case.new_timeline]
    assert kinds == [
        "case_opened",
        "located",
        "dispatched",
        "acknowledged",
        "on_scene",
        "outcome",
        "closed",
    ]


def test_milestones_keep_the_first_time_they_were_reached() -> None:
    case = located_case()
    case.mark_located(at(5), "somewhere else", OP)
    assert case.milestones[Milestone.LOCATED] == at(1)


def test_triage_and_location_are_reachable_in_either_order_alongside_dispatch() -> None:
    case = located_case()
    case.dispatch(at(2), OP, ["UP-112"])
    case.mark_triaged(at(4), RiskLevel.IMMINENT)
    assert case.status is CaseStatus.DISPATCHED
    assert case.milestones[Milestone.TRIAGED] == at(4)
    assert case.risk_level == "imminent"


def test_dispatch_without_location_or_trace_request_is_refused_naming_the_state() -> None:
    case = Case.open(alert())
    case.id = 3
    with pytest.raises(IllegalTransition) as err:
        case.dispatch(at(1), OP, ["Thana"])
    assert err.value.current == "received"
    assert err.value.attempted == "dispatch"
    assert "no location and no trace request" in str(err.value)
    assert "case 3" in str(err.value)


def test_a_trace_request_allows_dispatch_before_location() -> None:
    case = Case.open(alert())
    case.request_trace(at(1), OP)
    case.dispatch(at(2), OP, ["STF"])
    assert case.status is CaseStatus.DISPATCHED


def test_closing_without_an_outcome_is_refused() -> None:
    case = located_case()
    with pytest.raises(IllegalTransition, match="cannot close case 7: it is received"):
        case.close(at(2), OP)


def test_nothing_is_allowed_after_closed() -> None:
    case = located_case()
    case.dismiss(OutcomeKind.DUPLICATE, at(2), OP, "same as case 6")
    case.close(at(3), OP)
    assert allowed_steps(CaseStatus.CLOSED) == []
    for attempt in (
        lambda: case.dispatch(at(4), OP, ["X"]),
        lambda: case.acknowledge(at(4), OP),
        lambda: case.mark_on_scene(at(4), OP),
        lambda: case.close(at(4), OP),
        lambda: case.merge(alert()),
        lambda: case.mark_triaged(at(4), RiskLevel.NONE),
    ):
        with pytest.raises(IllegalTransition, match="it is closed"):
            attempt()


def test_acknowledging_before_dispatch_names_both_states() -> None:
    case = located_case()
    with pytest.raises(IllegalTransition) as err:
        case.acknowledge(at(2), OP)
    assert (err.value.current, err.value.attempted) == ("received", "acknowledge")


def test_outcome_needs_a_reason_for_deceased_false_alarm_not_located_and_hand_over() -> None:
    for kind in (OutcomeKind.DECEASED, OutcomeKind.FALSE_ALARM, OutcomeKind.NOT_LOCATED):
        case = located_case()
        case.dispatch(at(2), OP, ["Thana"])
        with pytest.raises(InvalidOutcome, match="needs a short reason"):
            case.record_outcome(kind, at(3), OP, "  ")
        assert case.status is CaseStatus.DISPATCHED and case.outcome is None


def test_an_outcome_cannot_be_recorded_twice_or_before_dispatch() -> None:
    case = located_case()
    with pytest.raises(IllegalTransition, match="record an outcome on case 7: it is received"):
        case.record_outcome(OutcomeKind.REACHED_SAFE, at(2), OP)
    case.dispatch(at(2), OP, ["Thana"])
    case.record_outcome(OutcomeKind.REACHED_SAFE, at(3), OP)
    with pytest.raises(IllegalTransition, match="already recorded as reached_safe"):
        case.record_outcome(OutcomeKind.HOSPITALISED, at(4), OP)


def test_dismissal_is_only_for_false_alarms_and_duplicates() -> None:
    case = located_case()
    with pytest.raises(InvalidOutcome, match="not reached_safe"):
        case.dismiss(OutcomeKind.REACHED_SAFE, at(2), OP, "x")
    case.dismiss(OutcomeKind.FALSE_ALARM, at(2), OP, "film dialogue")
    assert case.status is CaseStatus.DISMISSED


def test_hand_over_to_another_state_records_that_outcome() -> None:
    case = Case.open(alert())
    case.hand_over(at(5), OP, "Bihar", "IP and PIN in Patna")
    assert case.status is CaseStatus.HANDED_OVER
    assert case.outcome is not None
    assert case.outcome.kind is OutcomeKind.HANDED_OVER_OUT_OF_STATE
    assert case.outcome.reason == "Bihar: IP and PIN in Patna"
    case.close(at(6), OP)


def test_merging_counts_alerts_and_keeps_the_latest_time() -> None:
    case = Case.open(alert())
    case.merge(alert(received_at=at(10), reference="FB-2"))
    assert case.alert_count == 2
    assert case.last_alert_at == at(10)
    assert case.status is CaseStatus.RECEIVED


def test_an_alert_must_identify_someone_or_something() -> None:
    with pytest.raises(InvalidAlert):
        alert(reference=None, subject=Subject(), post=Post())


def test_merge_keys_normalise_handles_and_profile_urls() -> None:
    a = alert(subject=Subject(handle="@Ravi.K", profile_url="https://www.Facebook.com/ravi.k/"))
    b = alert(
        subject=Subject(handle="ravi.k", profile_url="http://m.facebook.com/ravi.k"),
        reference="FB-other",
    )
    shared = set(a.merge_keys()) & set(b.merge_keys())
    assert "account:facebook:ravi.k" in shared
    assert "profile:facebook.com/ravi.k" in shared
