"""The case lifecycle as an explicit state machine.

States: received → dispatched → acknowledged → on_scene → resolved → closed, with
handed_over and dismissed as exits. `triaged` and `located` are milestones reached in any order
alongside the states. Every state and milestone is timestamped the first time it is reached;
those timestamps are the response-time metrics.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    HANDED_OVER = "handed_over"
    DISMISSED = "dismissed"
    CLOSED = "closed"


class Step(StrEnum):
    """What someone attempts to do to a case; the verbs used in errors and timeline entries."""

    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    ARRIVE = "mark on scene"
    RECORD_OUTCOME = "record an outcome on"
    HAND_OVER = "hand over"
    DISMISS = "dismiss"
    CLOSE = "close"
    MERGE_ALERT = "merge an alert into"
    REOPEN = "reopen"


class Milestone(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    LOCATED = "located"
    DISPATCHED = "dispatched"  # the decision to send the case to a unit
    #: the first message of a dispatch delivered to a contact (alarms to the SMC not counted)
    FIRST_DELIVERED = "first_delivered"
    ACKNOWLEDGED = "acknowledged"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    HANDED_OVER = "handed_over"
    DISMISSED = "dismissed"
    CLOSED = "closed"


S = CaseStatus

#: step -> (states it may start from, state it leads to)
TRANSITIONS: dict[Step, tuple[frozenset[CaseStatus], CaseStatus]] = {
    # Dispatching again (re-route, more units) keeps later states; see Case.dispatch.
    Step.DISPATCH: (frozenset({S.RECEIVED, S.DISPATCHED, S.ACKNOWLEDGED}), S.DISPATCHED),
    Step.ACKNOWLEDGE: (frozenset({S.DISPATCHED, S.ACKNOWLEDGED}), S.ACKNOWLEDGED),
    Step.ARRIVE: (frozenset({S.DISPATCHED, S.ACKNOWLEDGED}), S.ON_SCENE),
    Step.RECORD_OUTCOME: (frozenset({S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SCENE}), S.RESOLVED),
    Step.HAND_OVER: (frozenset({S.RECEIVED, S.DISPATCHED, S.ACKNOWLEDGED}), S.HANDED_OVER),
    Step.DISMISS: (frozenset({S.RECEIVED}), S.DISMISSED),
    Step.CLOSE: (frozenset({S.RESOLVED, S.HANDED_OVER, S.DISMISSED}), S.CLOSED),
    Step.MERGE_ALERT: (
        frozenset({S.RECEIVED, S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SCENE}),
        S.RECEIVED,  # unused: merging does not move the state
    ),
}

#: Reopening is no step staff take on the case page (so it is not in TRANSITIONS nor in
#: allowed_steps): only a follow-up check-in that needs escalation reopens a resolved or closed
#: case, back to `received` on the SMC's queue (see docs/aftercare.md).
REOPEN: tuple[frozenset[CaseStatus], CaseStatus] = (frozenset({S.RESOLVED, S.CLOSED}), S.RECEIVED)

#: states in which the case is still being worked (shown on the live queue)
OPEN_STATES = frozenset({S.RECEIVED, S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SCENE})
#: states into which a new alert about the same subject may merge
MERGEABLE_STATES = TRANSITIONS[Step.MERGE_ALERT][0]


def allowed_steps(status: CaseStatus) -> list[Step]:
    """The steps a case in `status` may take, in lifecycle order."""
    return [step for step, (sources, _) in TRANSITIONS.items() if status in sources]
