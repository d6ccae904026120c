"""Dispatch: routing rules, escalation policies, and the per-unit escalation that runs on a case.

A case is dispatched to one or more units (police station, district cell, UP-112, STF...). Each
unit gets a `Dispatch` that carries a snapshot of its escalation policy, taken when it starts,
so editing the registry never changes an escalation already running (as Grafana OnCall's
escalation snapshot). Timers are durable jobs carrying the dispatch's `timer_token`; a timer
whose token is not the dispatch's current one is stale and does nothing. Each `Notification`
is one message to one contact, tried channel by channel.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from lifeline.domain.errors import Conflict, DomainError

#: risk levels in order (DESIGN.md §2); routing compares positions in this tuple
LEVELS = ("none", "discussion", "distress", "ideation", "intent", "imminent")
#: sources of alerts that a platform has already reviewed (dispatched without waiting)
PLATFORM_SOURCES = frozenset({"platform_api", "platform_email", "phone_call"})
#: what a routing rule may name as a target (besides `unit:<registry id>`)
ROUTE_TARGETS = (
    "police_station",  # the resolved police station (or the district unit if none is known)
    "district_unit",  # the commissionerate or district police covering the district
    "district_cell",  # the district's social-media cell
    "nodal_unit",  # another state's nodal officer (a case outside Uttar Pradesh)
    "trace",  # the STF, asked to trace the person (no confident location)
)
#: what an escalation step may notify (besides `unit:<registry id>` and `role:<contact role>`)
STEP_TARGETS = ("unit", "parent", "smc")
_TARGET = re.compile(r"^(unit|role):[A-Za-z0-9_.\-]+$")


class DispatchError(DomainError):
    """A dispatch, acknowledgement or routing configuration that cannot be used."""

    code = "dispatch_error"


class AcknowledgementRefused(Conflict):
    """An acknowledgement that cannot be taken (already taken, case closed, token spent)."""

    code = "acknowledgement_refused"


@dataclass(frozen=True)
class Contact:
    """A person or endpoint of a unit: `channels` are apprise-style URLs tried in order;
    `phones` the numbers an SMS reply from this contact may come from, besides those its SMS
    channels send to."""

    name: str
    role: str
    channels: tuple[str, ...]
    phones: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "role": self.role,
            "channels": list(self.channels),
        }
        if self.phones:
            out["phones"] = list(self.phones)
        return out

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Contact:
        phones = data.get("phones") or ()
        if isinstance(phones, str | int):
            phones = [phones]
        return Contact(
            name=str(data.get("name") or "").strip(),
            role=str(data.get("role") or "").strip(),
            channels=tuple(str(c).strip() for c in data.get("channels") or () if str(c).strip()),
            phones=tuple(str(p).strip() for p in phones if str(p).strip()),
        )


# -- escalation policies ----------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationStep:
    """Notify `notify`, wait `wait_seconds`; the pair runs `repeat` times before the next step."""

    notify: tuple[str, ...]
    wait_seconds: int
    repeat: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "notify": list(self.notify),
            "wait_seconds": self.wait_seconds,
            "repeat": self.repeat,
        }


@dataclass(frozen=True)
class EscalationPolicy:
    id: str
    steps: tuple[EscalationStep, ...]
    name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "steps": [s.as_dict() for s in self.steps]}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> EscalationPolicy:
        """Read a policy (from the registry file or a dispatch's snapshot); raises
        DispatchError naming every fault."""
        problems: list[str] = []
        pid = str(data.get("id") or "").strip()
        where = f"escalation policy {pid or '(no id)'!r}"
        if not pid:
            problems.append(f"{where}: needs an id")
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            problems.append(f"{where}: needs a non-empty list of steps")
            raw_steps = []
        steps: list[EscalationStep] = []
        for n, raw in enumerate(raw_steps, start=1):
            at = f"{where} step {n}"
            if not isinstance(raw, dict):
                problems.append(f"{at}: must be a mapping with notify, wait_seconds, repeat")
                continue
            unknown = sorted(set(raw) - {"notify", "wait_seconds", "repeat"})
            if unknown:
                problems.append(f"{at}: unknown field(s) {', '.join(unknown)}")
            notify = raw.get("notify")
            if isinstance(notify, str):
                notify = [notify]
            if not isinstance(notify, list) or not notify:
                problems.append(f"{at}: notify must list targets ({', '.join(STEP_TARGETS)}, ...)")
                notify = []
            for target in notify:
                if str(target) not in STEP_TARGETS and not _TARGET.match(str(target)):
                    problems.append(
                        f"{at}: unknown target {target!r} (use {', '.join(STEP_TARGETS)}, "
                        "unit:<registry id> or role:<contact role>)"
                    )
            wait, repeat = raw.get("wait_seconds", 0), raw.get("repeat", 1)
            if not isinstance(wait, int) or isinstance(wait, bool) or not 0 <= wait <= 86_400:
                problems.append(f"{at}: wait_seconds must be a whole number from 0 to 86400")
                wait = 0
            if not isinstance(repeat, int) or isinstance(repeat, bool) or not 1 <= repeat <= 20:
                problems.append(f"{at}: repeat must be a whole number from 1 to 20")
                repeat = 1
            steps.append(EscalationStep(tuple(str(t) for t in notify), wait, repeat))
        if problems:
            raise DispatchError("; ".join(problems))
        return EscalationPolicy(pid, tuple(steps), str(data.get("name") or ""))


#: used when the registry defines no policy named "default"
DEFAULT_POLICY = EscalationPolicy(
    "default",
    (
        EscalationStep(("unit",), 120, 2),
        EscalationStep(("unit", "parent"), 180, 1),
        EscalationStep(("smc",), 300, 1),
    ),
    "Unit twice, then unit and its parent, then the SMC",
)


# -- routing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingFacts:
    """What routing looks at for one case."""

    source: str
    level: str | None
    state: str | None
    district_lgd: str | None
    located: bool
    hour_ist: int
    #: whether any alert of the case comes from a proven sender (domain/email_trust.py); if
    #: none does, nothing is dispatched without an operator
    sender_verified: bool = True
    sender_verification: str = ""


@dataclass(frozen=True)
class RoutingRule:
    """If every condition in `when` holds, the case goes to `targets` under `policy`."""

    name: str
    targets: tuple[str, ...]
    policy: str = "default"
    min_level: str | None = None
    sources: tuple[str, ...] = ()
    in_state: bool | None = None  # True: Uttar Pradesh only; False: other states only
    districts: tuple[str, ...] = ()  # LGD codes
    located: bool | None = None
    hours: tuple[int, int] | None = None  # IST, [start, end) and may wrap midnight

    def matches(self, facts: RoutingFacts) -> bool:
        if self.min_level is not None and (
            facts.level not in LEVELS or LEVELS.index(facts.level) < LEVELS.index(self.min_level)
        ):
            return False
        if self.sources and facts.source not in self.sources:
            return False
        if self.in_state is not None and (
            facts.state is None or (facts.state == "Uttar Pradesh") is not self.in_state
        ):
            return False
        if self.districts and facts.district_lgd not in self.districts:
            return False
        if self.located is not None and facts.located is not self.located:
            return False
        if self.hours is not None:
            start, end = self.hours
            inside = (
                start <= facts.hour_ist < end if start <= end else not end <= facts.hour_ist < start
            )
            if not inside:
                return False
        return True

    def as_dict(self) -> dict[str, Any]:
        when: dict[str, Any] = {}
        if self.min_level is not None:
            when["min_level"] = self.min_level
        if self.sources:
            when["sources"] = list(self.sources)
        if self.in_state is not None:
            when["in_state"] = self.in_state
        if self.districts:
            when["districts"] = list(self.districts)
        if self.located is not None:
            when["located"] = self.located
        if self.hours is not None:
            when["hours"] = f"{self.hours[0]:02d}-{self.hours[1]:02d}"
        return {
            "name": self.name,
            "when": when,
            "notify": list(self.targets),
            "policy": self.policy,
        }

    @staticmethod
    def from_dict(data: dict[str, Any], policies: set[str]) -> RoutingRule:
        problems: list[str] = []
        name = str(data.get("name") or "").strip()
        where = f"routing rule {name or '(no name)'!r}"
        if not name:
            problems.append(f"{where}: needs a name")
        unknown = sorted(set(data) - {"name", "when", "notify", "policy"})
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        targets = data.get("notify")
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, list) or not targets:
            problems.append(f"{where}: notify must list targets ({', '.join(ROUTE_TARGETS)}, ...)")
            targets = []
        for target in targets:
            if str(target) not in ROUTE_TARGETS and not str(target).startswith("unit:"):
                problems.append(
                    f"{where}: unknown target {target!r} (use {', '.join(ROUTE_TARGETS)} "
                    "or unit:<registry id>)"
                )
        policy = str(data.get("policy") or "default")
        if policy != "default" and policy not in policies:
            problems.append(f"{where}: escalation policy {policy!r} is not defined")
        when = data.get("when") or {}
        if not isinstance(when, dict):
            problems.append(f"{where}: when must be a mapping of conditions")
            when = {}
        known = {"min_level", "sources", "in_state", "districts", "located", "hours"}
        for key in sorted(set(when) - known):
            problems.append(
                f"{where}: unknown condition {key!r} (known: {', '.join(sorted(known))})"
            )
        min_level = when.get("min_level")
        if min_level is not None and min_level not in LEVELS:
            problems.append(f"{where}: min_level must be one of {', '.join(LEVELS)}")
        sources = when.get("sources") or []
        if isinstance(sources, str):
            sources = [sources]
        hours = _hours(when.get("hours"), where, problems)
        for key in ("in_state", "located"):
            if key in when and not isinstance(when[key], bool):
                problems.append(f"{where}: {key} must be true or false")
        if problems:
            raise DispatchError("; ".join(problems))
        return RoutingRule(
            name=name,
            targets=tuple(str(t) for t in targets),
            policy=policy,
            min_level=min_level,
            sources=tuple(str(s) for s in sources),
            in_state=when.get("in_state"),
            districts=tuple(str(d) for d in when.get("districts") or ()),
            located=when.get("located"),
            hours=hours,
        )


def _hours(value: Any, where: str, problems: list[str]) -> tuple[int, int] | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", str(value))
    if not match or not all(0 <= int(g) <= 24 for g in match.groups()):
        problems.append(f'{where}: hours must look like "22-06" (IST, start-end)')
        return None
    return int(match.group(1)), int(match.group(2))


#: used when the registry defines no routing rules
DEFAULT_RULES = (
    RoutingRule(
        "located in Uttar Pradesh",
        ("police_station", "district_cell", "unit:up-112"),
        in_state=True,
        located=True,
    ),
    RoutingRule("another state", ("nodal_unit",), in_state=False, located=True),
    RoutingRule("location unknown: trace", ("trace",), located=False),
)


@dataclass(frozen=True)
class DispatchRules:
    """The routing rules and escalation policies in force (from the registry file)."""

    rules: tuple[RoutingRule, ...] = DEFAULT_RULES
    policies: tuple[EscalationPolicy, ...] = (DEFAULT_POLICY,)

    def policy(self, policy_id: str) -> EscalationPolicy:
        found = next((p for p in self.policies if p.id == policy_id), None)
        if found is None:
            if policy_id == "default":
                return DEFAULT_POLICY
            raise DispatchError(f"escalation policy {policy_id!r} is not defined")
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "routing": [r.as_dict() for r in self.rules],
            "escalation_policies": [p.as_dict() for p in self.policies],
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> DispatchRules:
        """Read `routing` and `escalation_policies` (either may be absent: the default)."""
        problems: list[str] = []
        policies: list[EscalationPolicy] = []
        for raw in data.get("escalation_policies") or []:
            try:
                policies.append(EscalationPolicy.from_dict(raw if isinstance(raw, dict) else {}))
            except DispatchError as exc:
                problems.append(str(exc))
        ids = [p.id for p in policies]
        problems += [
            f"escalation policy {i!r} is defined twice" for i in set(ids) if ids.count(i) > 1
        ]
        rules: list[RoutingRule] = []
        for raw in data.get("routing") or []:
            try:
                rules.append(RoutingRule.from_dict(raw if isinstance(raw, dict) else {}, set(ids)))
            except DispatchError as exc:
                problems.append(str(exc))
        if problems:
            raise DispatchError("; ".join(problems))
        if "default" not in ids:
            policies.insert(0, DEFAULT_POLICY)
        return DispatchRules(
            tuple(rules) if data.get("routing") else DEFAULT_RULES, tuple(policies)
        )


# -- a running dispatch -----------------------------------------------------------------------


class DispatchState(StrEnum):
    ACTIVE = "active"  # escalating: waiting for an acknowledgement
    ACKNOWLEDGED = "acknowledged"
    STOPPED = "stopped"  # the case moved on (on scene, outcome, closed, re-routed)
    EXHAUSTED = "exhausted"  # every step ran and nobody acknowledged: the SMC was alarmed


@dataclass(frozen=True)
class Firing:
    """What one timer firing decided: whom to notify now, and when the next timer is due."""

    step_index: int
    round: int
    notify: tuple[str, ...]
    next_at: datetime | None
    exhausted: bool = False


@dataclass
class Dispatch:
    case_id: int
    unit_id: str
    unit_name: str
    policy: EscalationPolicy
    started_at: datetime
    started_by: str
    reason: str = ""  # the routing rule or the operator's choice that sent the case here
    purpose: str = "respond"  # respond | trace
    state: DispatchState = DispatchState.ACTIVE
    step_index: int = 0
    round: int = 0
    timer_token: str = field(default_factory=lambda: secrets.token_hex(8))
    next_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    id: int | None = None

    def fire(self, now: datetime) -> Firing:
        """Run the step that is due: which targets to notify, when the next timer falls due
        (a new token is drawn, so any other timer for this dispatch is now stale)."""
        if self.state is not DispatchState.ACTIVE:
            raise DispatchError(f"dispatch {self.id} to {self.unit_id} is {self.state.value}")
        steps = self.policy.steps
        if self.step_index >= len(steps):
            self.state, self.ended_at, self.next_at = DispatchState.EXHAUSTED, now, None
            self.end_reason = "no acknowledgement after every escalation step"
            return Firing(self.step_index, self.round, (), None, exhausted=True)
        step = steps[self.step_index]
        firing_step, firing_round = self.step_index, self.round
        self.round += 1
        if self.round >= step.repeat:
            self.step_index, self.round = self.step_index + 1, 0
        self.next_at = now + timedelta(seconds=step.wait_seconds)
        self.timer_token = secrets.token_hex(8)
        return Firing(firing_step, firing_round, step.notify, self.next_at)

    def acknowledge(self, at: datetime, by: str) -> None:
        if self.state is DispatchState.ACKNOWLEDGED:
            raise AcknowledgementRefused(
                f"case {self.case_id} was already acknowledged for {self.unit_name} by "
                f"{self.acknowledged_by} at {self.acknowledged_at:%Y-%m-%d %H:%M} UTC"
            )
        if self.state is DispatchState.STOPPED:
            raise AcknowledgementRefused(
                f"the dispatch of case {self.case_id} to {self.unit_name} has ended "
                f"({self.end_reason})"
            )
        self.state, self.acknowledged_at, self.acknowledged_by = DispatchState.ACKNOWLEDGED, at, by
        self.next_at = None

    def stop(self, at: datetime, reason: str) -> bool:
        if self.state is not DispatchState.ACTIVE:
            return False
        self.state, self.ended_at, self.end_reason, self.next_at = (
            DispatchState.STOPPED,
            at,
            reason,
            None,
        )
        return True


# -- notifications ----------------------------------------------------------------------------


class NotificationState(StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    FAILED = "failed"  # every channel of the contact failed


@dataclass
class Notification:
    """One message to one contact of a unit, for one escalation step (or an SMC alarm)."""

    case_id: int
    dispatch_id: int | None
    unit_id: str
    contact_name: str
    contact_role: str
    channels: tuple[str, ...]
    created_at: datetime
    step_index: int = 0
    purpose: str = "respond"  # respond | trace | alarm
    state: NotificationState = NotificationState.QUEUED
    channel_index: int = 0
    attempts: int = 0  # on the current channel
    detail: str = ""
    delivered_at: datetime | None = None
    delivered_via: str | None = None
    ack_code: str | None = None  # only known when created (the store keeps a hash)
    #: what the message says about the case, read when the step fired (services/briefs.py);
    #: None: read when it is sent. Loaded with the one notification, not in lists.
    brief: dict[str, Any] | None = None
    id: int | None = None

    def record_attempt(
        self,
        at: datetime,
        delivered: bool,
        detail: str,
        retryable: bool,
        via: str,
        max_attempts: int,
    ) -> str:
        """Record one attempt; answer what to do next: "done", "retry" (same channel),
        "next" (the contact's next channel) or "failed" (no channel left)."""
        self.attempts += 1
        self.detail = detail[:500]
        if delivered:
            self.state, self.delivered_at, self.delivered_via = (
                NotificationState.DELIVERED,
                at,
                via,
            )
            return "done"
        if retryable and self.attempts < max_attempts:
            return "retry"
        if self.channel_index + 1 < len(self.channels):
            self.channel_index, self.attempts = self.channel_index + 1, 0
            return "next"
        self.state = NotificationState.FAILED
        return "failed"
