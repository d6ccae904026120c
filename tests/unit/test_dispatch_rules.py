"""Routing rules, escalation policies and a running dispatch, as the domain enforces them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lifeline.adapters.db.stored_config import stored_policy, stored_rules
from lifeline.adapters.geo.registry import parse_dispatch_rules, parse_registry
from lifeline.adapters.geo.registry_schema import read_dispatch_rules
from lifeline.adapters.geo.resolver import GeoLocator
from lifeline.domain.alert import AlertSource
from lifeline.domain.dispatch import (
    DEFAULT_POLICY,
    AcknowledgementRefused,
    Dispatch,
    DispatchError,
    DispatchState,
    EscalationPolicy,
    EscalationStep,
    Notification,
    NotificationState,
)
from lifeline.domain.place import DEFAULT_HOME_STATE
from lifeline.domain.registry import RegistryError, validate_units
from lifeline.domain.risk import RiskLevel
from lifeline.domain.routing import DEFAULT_RULES, DispatchRules, RoutingFacts, RoutingRule
from lifeline.services.location.registry import check_dispatch_rules

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
EXAMPLE = Path(__file__).parents[2] / "docs" / "registry-example.yaml"


def facts(**kw: object) -> RoutingFacts:
    base: dict[str, object] = {
        "source": AlertSource.PLATFORM_API,
        "level": RiskLevel.INTENT,
        "state": DEFAULT_HOME_STATE,
        "district_lgd": "157",
        "located": True,
        "hour_ist": 23,
        "home_state": DEFAULT_HOME_STATE,
    }
    base.update(kw)
    return RoutingFacts(**base)  # type: ignore[arg-type]


def read(
    routing: list[object] | None = None, policies: list[object] | None = None
) -> DispatchRules:
    """Rules as the `routing` and `escalation_policies` lists of a file give them."""
    return read_dispatch_rules(policies or [], routing or [], "rules.yaml")


def test_a_rule_matches_only_when_every_condition_holds() -> None:
    (rule,) = read(
        [
            {
                "name": "night imminent",
                "when": {"min_level": "imminent", "in_state": True, "hours": "22-06"},
                "notify": ["district_unit"],
            }
        ]
    ).rules
    assert rule.min_level is RiskLevel.IMMINENT
    assert rule.matches(facts(level=RiskLevel.IMMINENT, hour_ist=2))
    assert not rule.matches(facts(level=RiskLevel.INTENT, hour_ist=2))
    assert not rule.matches(facts(level=None, hour_ist=2))
    assert not rule.matches(facts(level=RiskLevel.IMMINENT, hour_ist=12))
    assert not rule.matches(facts(level=RiskLevel.IMMINENT, state="Bihar"))


def test_in_state_means_the_configured_home_state() -> None:
    home = RoutingRule("home", ("police_station",), in_state=True)
    away = RoutingRule("away", ("nodal_unit",), in_state=False)
    in_bihar = facts(state="Bihar", home_state="Bihar")
    assert home.matches(in_bihar) and not away.matches(in_bihar)
    in_up = facts(home_state="Bihar")
    assert away.matches(in_up) and not home.matches(in_up)


def test_sources_are_alert_sources_and_an_unknown_one_is_refused() -> None:
    phone = {"name": "phone", "when": {"sources": "phone_call"}, "notify": ["trace"]}
    (rule,) = read([phone]).rules
    assert rule.sources == (AlertSource.PHONE_CALL,)
    assert rule.as_dict()["when"] == {"sources": ["phone_call"]}
    assert rule.matches(facts(source=AlertSource.PHONE_CALL))
    assert not rule.matches(facts(source=AlertSource.MONITORING))
    with pytest.raises(RegistryError, match=r"unknown source .fax."):
        read([{"name": "fax", "when": {"sources": ["fax"]}, "notify": ["trace"]}])


def test_bad_rules_and_policies_are_refused_naming_every_fault() -> None:
    with pytest.raises(RegistryError) as err:
        read(
            [{"name": "x", "when": {"min_level": "panic"}, "notify": ["thana"]}],
            [{"id": "p", "steps": [{"notify": ["boss"], "wait_seconds": -1}]}],
        )
    text = str(err.value)
    assert "min_level" in text and "'thana'" in text and "'boss'" in text
    assert "wait_seconds" in text


def test_a_rule_or_policy_fault_names_the_file_the_record_and_the_field() -> None:
    text = """schema: lifeline-registry/1
units: []
escalation_policies:
- id: urgent
  steps:
  - {notify: [unit], wait_seconds: 60}
  - {notify: [unit, parent], repeat: 0}
- id: urgent
  steps: [{notify: smc}]
routing:
- {name: night, when: {min_level: panic, hours: late, weekday: sunday}, notify: [thana]}
- {notify: [trace], policy: slow}
"""
    with pytest.raises(RegistryError) as caught:
        parse_dispatch_rules(text, "rules.yaml")
    assert caught.value.problems == [
        'rules.yaml: escalation policy "urgent": step 2: field "repeat": must be a whole number '
        "from 1 to 20",
        'rules.yaml: routing rule "night": field "when.min_level": must be one of none, '
        "discussion, distress, ideation, intent, imminent",
        'rules.yaml: routing rule "night": field "when.hours": must look like "22-06" (IST '
        "hours, start-end)",
        'rules.yaml: routing rule "night": field "when.weekday": unknown condition (known: '
        "min_level, sources, in_state, districts, located, hours)",
        'rules.yaml: routing rule "night": field "notify": unknown target \'thana\' (use '
        "police_station, district_unit, district_cell, nodal_unit, trace or unit:<registry id>)",
        'rules.yaml: routing rule #2: field "name": is required',
        "rules.yaml: routing rule #2: field \"policy\": escalation policy 'slow' is not defined",
    ]
    fixed = text.replace("repeat: 0", "repeat: 1")
    with pytest.raises(RegistryError, match='escalation policy "urgent": is defined twice'):
        parse_dispatch_rules(fixed, "rules.yaml")


def test_a_rule_naming_an_undefined_policy_is_refused() -> None:
    with pytest.raises(RegistryError, match="'urgent' is not defined"):
        read([{"name": "x", "notify": ["police_station"], "policy": "urgent"}])


def test_a_file_without_rules_or_a_default_policy_keeps_the_defaults() -> None:
    rules = read(policies=[{"id": "slow", "steps": [{"notify": "unit", "wait_seconds": 600}]}])
    assert rules.rules == DEFAULT_RULES
    assert [p.id for p in rules.policies] == ["default", "slow"]
    assert rules.policy("slow").steps == (EscalationStep(("unit",), 600, 1),)


def policy() -> EscalationPolicy:
    return EscalationPolicy(
        "p",
        (EscalationStep(("unit",), 60, 2), EscalationStep(("unit", "parent"), 30)),
    )


def test_steps_repeat_then_advance_then_the_dispatch_is_exhausted() -> None:
    d = Dispatch(1, "ps", "PS", policy(), T0, "system:lifeline", id=7)
    fired = []
    at = T0
    while d.state is DispatchState.ACTIVE:
        token = d.timer_token
        f = d.fire(at)
        assert f.exhausted or d.timer_token != token  # every timer gets a new token
        fired.append((f.step_index, f.round, f.notify, f.exhausted))
        at = f.next_at or at
    assert fired == [
        (0, 0, ("unit",), False),
        (0, 1, ("unit",), False),
        (1, 0, ("unit", "parent"), False),
        (2, 0, (), True),
    ]
    assert at == T0 + timedelta(seconds=150)


def test_acknowledging_twice_or_after_the_case_moved_on_is_refused() -> None:
    d = Dispatch(1, "ps", "PS", policy(), T0, "system:lifeline")
    d.acknowledge(T0, "SI Verma")
    with pytest.raises(AcknowledgementRefused, match=r"already acknowledged .* SI Verma"):
        d.acknowledge(T0, "someone else")
    stopped = Dispatch(1, "ps", "PS", policy(), T0, "system:lifeline")
    stopped.stop(T0, "case is on_scene")
    with pytest.raises(AcknowledgementRefused, match="on_scene"):
        stopped.acknowledge(T0, "x")
    with pytest.raises(DispatchError, match="stopped"):
        stopped.fire(T0)


def test_a_failing_channel_is_retried_then_the_next_channel_then_it_fails() -> None:
    n = Notification(1, 2, "ps", "Duty", "duty", ("json://a", "mailto://b"), T0)
    assert n.record_attempt(T0, False, "HTTP 500", True, "json://a", 2) == "retry"
    assert n.record_attempt(T0, False, "HTTP 500", True, "json://a", 2) == "next"
    assert n.channel_index == 1
    assert n.record_attempt(T0, False, "bad address", False, "mailto://b", 2) == "failed"
    assert n.state is NotificationState.FAILED and n.detail == "bad address"


def test_the_documented_example_registry_is_valid() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    units = parse_registry(text, EXAMPLE.name)
    rules = parse_dispatch_rules(text, EXAMPLE.name)
    assert rules is not None and {p.id for p in rules.policies} == {"default", "urgent"}
    locator = GeoLocator()
    merged = {(u.id, u.valid_from): u for u in locator.default_registry()}
    merged.update({(u.id, u.valid_from): u for u in units})
    assert validate_units(list(merged.values()), locator.known_districts()) == []
    assert check_dispatch_rules(rules, list(merged.values())) == []
    station = next(u for u in units if u.id == "up-lko-ps-madeyganj")
    assert [c.role for c in station.contacts] == ["duty", "sho"]


def test_a_rule_naming_a_unit_the_registry_lacks_is_reported() -> None:
    rules = read([{"name": "x", "notify": ["unit:up-nowhere"]}])
    assert check_dispatch_rules(rules, []) == [
        'routing rule "x": field "notify": unit \'up-nowhere\' is not in the registry'
    ]


def test_rules_and_snapshots_read_back_from_the_database_are_those_stored() -> None:
    # the stored JSON is what `as_dict` wrote, in databases of every earlier version too
    rules = parse_dispatch_rules(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)
    assert rules is not None
    stored = rules.as_dict()
    assert stored_rules(stored) == rules and stored_rules(stored).as_dict() == stored
    assert stored_policy(DEFAULT_POLICY.as_dict()) == DEFAULT_POLICY
    assert stored_rules(DispatchRules().as_dict()) == DispatchRules()
    with pytest.raises(DispatchError, match="cannot be read"):
        stored_policy({"id": "p", "steps": "unit"})


#: as a database written before the rules were read by Pydantic models holds them
STORED = {
    "routing": [
        {
            "name": "night imminent",
            "when": {"min_level": "imminent", "sources": ["platform_api"], "hours": "22-06"},
            "notify": ["district_unit", "unit:up-112"],
            "policy": "urgent",
        },
        {"name": "trace", "when": {"located": False}, "notify": ["trace"], "policy": "default"},
    ],
    "escalation_policies": [
        {
            "id": "default",
            "name": "",
            "steps": [{"notify": ["unit"], "wait_seconds": 120, "repeat": 2}],
        },
        {
            "id": "urgent",
            "name": "Urgent",
            "steps": [{"notify": ["role:sho"], "wait_seconds": 60, "repeat": 1}],
        },
    ],
}


def test_rules_stored_by_earlier_versions_read_the_same_and_store_the_same() -> None:
    rules = stored_rules(STORED)
    night = rules.rules[0]
    assert night.hours == (22, 6) and night.sources == (AlertSource.PLATFORM_API,)
    assert night.min_level is RiskLevel.IMMINENT
    assert night.matches(facts(level=RiskLevel.IMMINENT, hour_ist=23))
    assert rules.policy("urgent").steps == (EscalationStep(("role:sho",), 60, 1),)
    assert json.dumps(rules.as_dict(), sort_keys=True) == json.dumps(STORED, sort_keys=True)
