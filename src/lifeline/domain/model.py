"""Entities: Case, TimelineEntry, Outcome, and who acts (Actor). What arrives (Alert and its
parts) is in domain/alert.py.

Entities are plain classes that enforce their own rules and record events and timeline entries;
the repositories in adapters/db translate them to and from rows (and encrypt personal data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from lifeline.domain.alert import Alert, AlertSource
from lifeline.domain.errors import IllegalTransition, InvalidOutcome
from lifeline.domain.events import (
    AlertMerged,
    CaseOpened,
    CaseTransitioned,
    Event,
    MilestoneReached,
    OutcomeRecorded,
)
from lifeline.domain.lifecycle import (
    REOPEN,
    TRANSITIONS,
    CaseStatus,
    Milestone,
    Step,
    allowed_steps,
)
from lifeline.domain.review import (
    REASONS_NEEDING_NOTE,
    DismissReason,
    InvalidReview,
    Review,
    ReviewState,
)
from lifeline.domain.risk import RiskLevel, RiskSubject


class OutcomeKind(StrEnum):
    REACHED_SAFE = "reached_safe"
    ATTEMPT_INTERRUPTED = "attempt_interrupted"
    HOSPITALISED = "hospitalised"
    COUNSELLED_REMOTELY = "counselled_remotely"
    DECEASED = "deceased"
    FALSE_ALARM = "false_alarm"
    NOT_LOCATED = "not_located"
    HANDED_OVER_OUT_OF_STATE = "handed_over_out_of_state"
    DUPLICATE = "duplicate"


#: outcomes that must carry a short reason
OUTCOMES_NEEDING_REASON = frozenset(
    {
        OutcomeKind.DECEASED,
        OutcomeKind.FALSE_ALARM,
        OutcomeKind.NOT_LOCATED,
        OutcomeKind.HANDED_OVER_OUT_OF_STATE,
    }
)
#: outcomes that end a case without anyone being reached (allowed on dismissal)
DISMISSAL_OUTCOMES = frozenset({OutcomeKind.FALSE_ALARM, OutcomeKind.DUPLICATE})
#: outcomes in which officers or counsellors reached the person alive ("lives reached"); these
#: get a follow-up plan
ALIVE_OUTCOMES = frozenset(
    {
        OutcomeKind.REACHED_SAFE,
        OutcomeKind.ATTEMPT_INTERRUPTED,
        OutcomeKind.HOSPITALISED,
        OutcomeKind.COUNSELLED_REMOTELY,
    }
)


@dataclass(frozen=True)
class Actor:
    """Who did something: a person (user), a partner, the system, or a CLI operator."""

    kind: str  # "user" | "partner" | "system" | "cli"
    id: str
    role: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor("system", "lifeline")


@dataclass
class Outcome:
    kind: OutcomeKind
    recorded_at: datetime
    recorded_by: str
    reason: str | None = None


@dataclass
class TimelineEntry:
    """One line of a case's history. Details hold no personal data (that lives in alerts)."""

    at: datetime
    kind: str
    summary: str
    actor: str = str(SYSTEM)
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


class KeepsTimeline:
    """An entity that notes timeline entries until its repository saves them."""

    new_timeline: list[TimelineEntry]

    def _note(
        self,
        at: datetime,
        kind: str,
        summary: str,
        actor: Actor = SYSTEM,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.new_timeline.append(TimelineEntry(at, kind, summary, str(actor), details or {}))


@dataclass
class Case(KeepsTimeline):
    """One episode of risk for one subject. Enforces the lifecycle; records events and timeline."""

    opened_at: datetime
    platform: str = "other"
    status: CaseStatus = CaseStatus.RECEIVED
    subject_id: int | None = None
    last_alert_at: datetime | None = None
    alert_count: int = 0
    milestones: dict[Milestone, datetime] = field(default_factory=dict)
    outcome: Outcome | None = None
    trace_requested_at: datetime | None = None
    risk_level: RiskLevel | None = None
    #: a drill: a marked test alert sent through the real path (`lifeline drill`), never from
    #: an intake; left out of reports, dashboards and metrics
    drill: bool = False
    #: the operator's review of a case the SMC's own monitoring found (None: another source)
    review: Review | None = None
    version: int = 0
    id: int | None = None
    events: list[Event] = field(default_factory=list, repr=False)
    new_timeline: list[TimelineEntry] = field(default_factory=list, repr=False)

    # -- opening and merging -------------------------------------------------------------
    @classmethod
    def open(cls, alert: Alert) -> Case:
        case = cls(opened_at=alert.received_at, platform=alert.platform)
        case.last_alert_at = alert.received_at
        case.alert_count = 1
        case.milestones[Milestone.RECEIVED] = alert.received_at
        if alert.source is AlertSource.MONITORING:
            case.review = Review()  # a model's find never sends police by itself
        case._note(
            alert.received_at,
            "case_opened",
            f"Case opened from a {alert.source.value} alert ({alert.platform})",
            details={"source": alert.source.value, "platform": alert.platform},
        )
        return case

    def opened_by(self, alert: Alert) -> None:
        """Record the opening event once ids are known (after the repository assigned them)."""
        self.events.append(
            CaseOpened(self.id, alert.received_at, alert.id, alert.source.value, alert.platform)
        )

    def merge(self, alert: Alert) -> None:
        self._require(Step.MERGE_ALERT)
        self.last_alert_at = max(self.last_alert_at or alert.received_at, alert.received_at)
        self.alert_count += 1
        self._note(
            alert.received_at,
            "alert_merged",
            f"Further {alert.source.value} alert merged ({alert.platform})",
            details={
                "source": alert.source.value,
                "alert_id": alert.id,
                "post_text": alert.post.text,
            },
        )
        self.events.append(
            AlertMerged(self.id, alert.received_at, alert.id, alert.source.value, alert.platform)
        )
        pending = self.review is not None and self.review.pending
        if pending and alert.source is not AlertSource.MONITORING:
            self._lift_review(alert)

    # -- milestones ----------------------------------------------------------------------
    def reach(self, milestone: Milestone, at: datetime) -> bool:
        """Timestamp a milestone the first time it is reached; later calls change nothing."""
        if milestone in self.milestones:
            return False
        self.milestones[milestone] = at
        self.events.append(MilestoneReached(self.id, at, milestone.value))
        return True

    def mark_triaged(
        self, at: datetime, level: RiskLevel, actor: Actor = SYSTEM, why: str = ""
    ) -> None:
        """`why`: what set the level when it is not the assessment itself (the floor)."""
        self._refuse_if_closed("record a risk assessment on")
        self.risk_level = level
        self.reach(Milestone.TRIAGED, at)
        summary = f"Risk assessed: {level.value}" + (f" ({why})" if why else "")
        details: dict[str, Any] = {"level": level.value} | ({"why": why} if why else {})
        self._note(at, "triaged", summary, actor, details)

    def raise_to_floor(self, at: datetime, level: RiskLevel, why: str) -> bool:
        """Raise the case's level to `level` without an assessment (a platform's flag is
        the floor: domain/floor.py); never lowers it and reaches no milestone."""
        self._refuse_if_closed("raise the risk level of")
        if self.risk_level is not None and self.risk_level.rank >= level.rank:
            return False
        self.risk_level = level
        self._note(
            at,
            "risk_floor",
            f"Counted as at least {level.value}: {why} / प्लेटफ़ॉर्म की सूचना: कम से कम "
            f"{level.value} माना गया, मॉडल जो भी आँके",
            details={"level": level.value, "why": why},
        )
        return True

    def mark_located(self, at: datetime, place: str, actor: Actor = SYSTEM) -> None:
        self._refuse_if_closed("record a location on")
        self.reach(Milestone.LOCATED, at)
        self._note(at, "located", f"Located: {place}", actor, {"place": place})

    def request_trace(self, at: datetime, actor: Actor) -> None:
        self._refuse_if_closed("request a trace for")
        if self.trace_requested_at is None:
            self.trace_requested_at = at
        self._note(at, "trace_requested", "Trace requested from STF", actor)

    # -- lifecycle steps -----------------------------------------------------------------
    def dispatch(self, at: datetime, actor: Actor, units: list[str]) -> None:
        self._refuse_if_pending(
            Step.DISPATCH, "escalate it from the review queue (/console/monitoring) first"
        )
        if Milestone.LOCATED not in self.milestones and self.trace_requested_at is None:
            raise IllegalTransition(
                self.id, self.status, Step.DISPATCH, "no location and no trace request"
            )
        if not units:
            raise IllegalTransition(self.id, self.status, Step.DISPATCH, "no unit named")
        to = self._require(Step.DISPATCH)
        if self.status is CaseStatus.RECEIVED:
            self._move(to, Step.DISPATCH, at, actor)
        self._note(at, "dispatched", "Dispatched to " + ", ".join(units), actor, {"units": units})

    def acknowledge(
        self,
        at: datetime,
        actor: Actor,
        unit: str = "",
        how: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        """`how` (SMS, link) marks an acknowledgement by one of the unit's contacts: the
        summary names the unit only; who it was goes in `details` (stored encrypted)."""
        to = self._require(Step.ACKNOWLEDGE)
        if self.status is not to:
            self._move(to, Step.ACKNOWLEDGE, at, actor)
        if how:
            summary = f"Acknowledged by a contact of {unit} ({how}) / {unit} द्वारा स्वीकार"
        else:
            summary = f"Acknowledged by {unit or actor.id}"
        self._note(at, "acknowledged", summary, actor, {"unit": unit, **(details or {})})

    def mark_on_scene(self, at: datetime, actor: Actor) -> None:
        self._move(self._require(Step.ARRIVE), Step.ARRIVE, at, actor)
        self._note(at, "on_scene", "Officers on scene", actor)

    def record_outcome(
        self, kind: OutcomeKind, at: datetime, actor: Actor, reason: str | None = None
    ) -> None:
        if self.outcome is not None:
            raise IllegalTransition(
                self.id,
                self.status,
                Step.RECORD_OUTCOME,
                f"outcome already recorded as {self.outcome.kind.value}",
            )
        if self.status is CaseStatus.RECEIVED:
            why = "it was never dispatched; dismiss it or hand it over instead"
            if Milestone.DISPATCHED in self.milestones:
                why = "it was reopened and not dispatched again"
            raise IllegalTransition(self.id, self.status, Step.RECORD_OUTCOME, why)
        to = self._require(Step.RECORD_OUTCOME)
        self._set_outcome(kind, at, actor, reason)
        self._move(to, Step.RECORD_OUTCOME, at, actor)

    def hand_over(self, at: datetime, actor: Actor, state: str, reason: str) -> None:
        to = self._require(Step.HAND_OVER)
        if not state.strip():
            raise IllegalTransition(self.id, self.status, Step.HAND_OVER, "no state named")
        self._set_outcome(
            OutcomeKind.HANDED_OVER_OUT_OF_STATE, at, actor, f"{state.strip()}: {reason}".strip()
        )
        self._move(to, Step.HAND_OVER, at, actor)

    def dismiss(self, kind: OutcomeKind, at: datetime, actor: Actor, reason: str) -> None:
        if kind not in DISMISSAL_OUTCOMES:
            raise InvalidOutcome(
                f"a case can be dismissed only as {' or '.join(sorted(DISMISSAL_OUTCOMES))}, "
                f"not {kind.value}"
            )
        self._refuse_if_pending(
            Step.DISMISS, "dismiss it with a reason in the review queue (/console/monitoring)"
        )
        self._dismiss(kind, at, actor, reason)

    def _dismiss(self, kind: OutcomeKind, at: datetime, actor: Actor, reason: str) -> None:
        to = self._require(Step.DISMISS)
        self._set_outcome(kind, at, actor, reason)
        self._move(to, Step.DISMISS, at, actor)

    def close(self, at: datetime, actor: Actor) -> None:
        if self.outcome is None:
            raise IllegalTransition(self.id, self.status, Step.CLOSE, "no outcome recorded")
        self._move(self._require(Step.CLOSE), Step.CLOSE, at, actor)

    def reopen(self, at: datetime, actor: Actor, reason: str) -> Outcome:
        """Put a resolved or closed case back on the SMC's queue (a follow-up found the person
        at risk again). The outcome is set aside and returned (the follow-up plan keeps it) so
        the next response records its own; milestones keep their first timestamps, so the
        first response's times still count."""
        sources, to = REOPEN
        if self.status not in sources or self.outcome is None:
            raise IllegalTransition(
                self.id, self.status, Step.REOPEN, "only a resolved or closed case is reopened"
            )
        if not reason.strip():
            raise IllegalTransition(self.id, self.status, Step.REOPEN, "no reason given")
        previous, self.outcome = self.outcome, None
        self._move(to, Step.REOPEN, at, actor)
        self._note(
            at,
            "reopened",
            f"Reopened at the SMC after {previous.kind.value} / SMC पर फिर से खोला गया",
            actor,
            {"reason": reason.strip(), "previous_outcome": previous.kind.value},
        )
        return previous

    # -- the review of a monitoring case ------------------------------------------------------
    def steps(self) -> list[Step]:
        """The steps this case may take now: its state's, less dispatch and dismissal while
        its review is pending (those go through the review queue)."""
        found = allowed_steps(self.status)
        if self.review is not None and self.review.pending:
            return [s for s in found if s not in (Step.DISPATCH, Step.DISMISS)]
        return found

    def escalate_review(
        self, at: datetime, actor: Actor, subject: RiskSubject, note: str | None = None
    ) -> None:
        """An operator confirms a monitoring find: the case may now be dispatched like any
        other (it joins the live queue)."""
        self._require_pending("escalate")
        self._require(Step.DISPATCH)
        self.review = Review(
            ReviewState.ESCALATED, str(actor), at, None, (note or "").strip() or None, subject
        )
        about = "about the author" if subject is RiskSubject.SELF else "about someone else"
        hindi = "लेखक के बारे में" if subject is RiskSubject.SELF else "किसी और के बारे में"
        self._note(
            at,
            "review_escalated",
            f"Review: escalated, {about} / समीक्षा: आगे बढ़ाया गया, {hindi}",
            actor,
            {"subject": subject.value} | ({"note": self.review.note} if self.review.note else {}),
        )

    def dismiss_review(
        self, at: datetime, actor: Actor, reason: DismissReason, note: str | None = None
    ) -> None:
        """An operator dismisses a monitoring find with a reason: the case leaves the queues
        as dismissed (outcome false_alarm, the reason as its reason)."""
        self._require_pending("dismiss the review of")
        note = (note or "").strip() or None
        if reason in REASONS_NEEDING_NOTE and note is None:
            raise InvalidReview(f"reason {reason.value} needs a note saying what the post was")
        self._dismiss(OutcomeKind.FALSE_ALARM, at, actor, f"review: {reason.value}")
        self.review = Review(ReviewState.DISMISSED, str(actor), at, reason, note)
        self._note(
            at,
            "review_dismissed",
            f"Review: dismissed ({reason.value}) / समीक्षा: ख़ारिज ({reason.value})",
            actor,
            {"reason": reason.value} | ({"note": note} if note else {}),
        )

    def _lift_review(self, alert: Alert) -> None:
        """A platform's (or a caller's) alert about the same person joined a case waiting for
        review: it is a platform case now, and nothing waits on a person that need not."""
        self.review = Review(ReviewState.ESCALATED, str(SYSTEM), alert.received_at)
        self._note(
            alert.received_at,
            "review_lifted",
            f"Review not needed: a {alert.source.value} alert joined / समीक्षा की ज़रूरत नहीं: "
            f"{alert.source.value} अलर्ट जुड़ा",
            details={"source": alert.source.value},
        )

    def _require_pending(self, attempted: str) -> None:
        if self.review is None:
            raise IllegalTransition(
                self.id, self.status, attempted, "not a monitoring case: it has no review"
            )
        if not self.review.pending:
            raise IllegalTransition(
                self.id, f"review {self.review.state.value}", attempted, "already reviewed"
            )

    def _refuse_if_pending(self, step: Step, fix: str) -> None:
        if self.review is not None and self.review.pending:
            raise IllegalTransition(self.id, "pending review", step, fix)

    # -- internals -----------------------------------------------------------------------
    def _require(self, step: Step) -> CaseStatus:
        sources, target = TRANSITIONS[step]
        if self.status not in sources:
            why = "the case is closed" if self.status is CaseStatus.CLOSED else ""
            raise IllegalTransition(self.id, self.status, step, why)
        return target

    def _refuse_if_closed(self, attempted: str) -> None:
        if self.status is CaseStatus.CLOSED:
            raise IllegalTransition(self.id, self.status, attempted, "the case is closed")

    def _set_outcome(
        self, kind: OutcomeKind, at: datetime, actor: Actor, reason: str | None
    ) -> None:
        reason = (reason or "").strip() or None
        if kind in OUTCOMES_NEEDING_REASON and not reason:
            raise InvalidOutcome(f"outcome {kind.value} needs a short reason")
        opened = self.opened_at
        if at < opened - timedelta(minutes=5):
            raise InvalidOutcome("outcome time is before the case was opened")
        self.outcome = Outcome(kind, at, str(actor), reason)
        self.events.append(OutcomeRecorded(self.id, at, kind.value, str(actor)))
        self._note(at, "outcome", f"Outcome: {kind.value}", actor, {"outcome": kind.value})

    def _move(self, to: CaseStatus, step: Step, at: datetime, actor: Actor) -> None:
        before = self.status
        self.status = to
        self.reach(Milestone(to.value), at)
        self.events.append(
            CaseTransitioned(self.id, at, step.name.lower(), before.value, to.value, str(actor))
        )
        if step in (Step.CLOSE,):
            self._note(at, "closed", "Case closed", actor)
