"""What a person is told of a dispatch: "nobody reached" when none of its messages got to
anyone, never "waiting for acknowledgement" from a unit that was never told (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifeline.domain.dispatch import (
    DispatchState,
    Notification,
    NotificationState,
    Purpose,
    Reach,
    reach_of,
    shown_state,
)
from lifeline.domain.errors import DomainError

AT = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


def message(dispatch_id: int | None, state: NotificationState) -> Notification:
    purpose = Purpose.ALARM if dispatch_id is None else Purpose.RESPOND
    return Notification(1, dispatch_id, "up-smc", "Duty", "duty", ("json://x",), AT, state=state,
                        purpose=purpose)  # fmt: skip


def test_a_dispatch_without_messages_or_with_every_message_failed_reached_nobody() -> None:
    assert reach_of(7, []) is Reach.NOBODY
    failed = [message(7, NotificationState.FAILED), message(7, NotificationState.FAILED)]
    assert reach_of(7, failed) is Reach.NOBODY
    assert shown_state(DispatchState.ACTIVE, Reach.NOBODY) == "nobody_reached"
    assert shown_state(DispatchState.EXHAUSTED, Reach.NOBODY) == "nobody_reached"


def test_one_delivered_message_is_enough_and_others_dispatches_and_alarms_do_not_count() -> None:
    mixed = [message(7, NotificationState.FAILED), message(7, NotificationState.DELIVERED)]
    assert reach_of(7, mixed) is Reach.DELIVERED
    elsewhere = [
        message(8, NotificationState.DELIVERED),
        message(None, NotificationState.DELIVERED),
    ]
    assert reach_of(7, elsewhere) is Reach.NOBODY
    assert shown_state(DispatchState.ACTIVE, Reach.DELIVERED) == "active"


def test_messages_still_being_tried_are_sending_and_settled_dispatches_keep_their_state() -> None:
    trying = [message(7, NotificationState.FAILED), message(7, NotificationState.QUEUED)]
    assert reach_of(7, trying) is Reach.SENDING
    assert shown_state(DispatchState.ACTIVE, Reach.SENDING) == "sending"
    assert shown_state(DispatchState.ACKNOWLEDGED, Reach.NOBODY) == "acknowledged"
    assert shown_state(DispatchState.STOPPED, Reach.NOBODY) == "stopped"


def test_a_withdrawn_message_is_neither_delivered_nor_still_sending() -> None:
    withdrawn = message(7, NotificationState.QUEUED)
    withdrawn.withdraw()
    assert withdrawn.state is NotificationState.WITHDRAWN
    assert reach_of(7, [withdrawn]) is Reach.NOBODY
    assert reach_of(7, [withdrawn, message(7, NotificationState.DELIVERED)]) is Reach.DELIVERED
    assert shown_state(DispatchState.ACKNOWLEDGED, reach_of(7, [withdrawn])) == "acknowledged"


def test_only_a_message_still_to_send_can_be_withdrawn() -> None:
    for state in (NotificationState.DELIVERED, NotificationState.FAILED):
        done = message(7, state)
        with pytest.raises(DomainError, match=f"is {state.value}"):
            done.withdraw()
        assert done.state is state
