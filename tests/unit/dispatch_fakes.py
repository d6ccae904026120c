"""An in-memory DispatchRepository and SMS acknowledgement throttle (the same Protocols as the
SQL ones) for unit tests."""

from __future__ import annotations

import copy
from collections.abc import Collection
from datetime import datetime
from typing import Any

from lifeline.domain.dispatch import (
    Alarm,
    AlarmKind,
    Dispatch,
    Notification,
    reach_of,
    shown_state,
)
from lifeline.domain.errors import NotFound


class DispatchStore:
    def __init__(self) -> None:
        self.dispatches: dict[int, Dispatch] = {}
        self.notifications: dict[int, Notification] = {}
        self.alarms: list[dict[str, Any]] = []
        #: refused SMS acknowledgements: (sender hash, a contact's number, when)
        self.sms_failures: list[tuple[str, bool, datetime]] = []
        self.next_id = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class FakeDispatches:
    def __init__(self, store: DispatchStore) -> None:
        self.s = store

    def add(self, dispatch: Dispatch) -> Dispatch:
        dispatch.id = self.s.new_id()
        self.s.dispatches[dispatch.id] = copy.deepcopy(dispatch)
        return dispatch

    def add_all(self, dispatches: list[Dispatch]) -> list[Dispatch]:
        return [self.add(d) for d in dispatches]

    def get(self, dispatch_id: int, *, for_update: bool = False) -> Dispatch:
        if dispatch_id not in self.s.dispatches:
            raise NotFound(f"dispatch {dispatch_id} not found")
        return copy.deepcopy(self.s.dispatches[dispatch_id])

    def save(self, dispatch: Dispatch) -> None:
        assert dispatch.id is not None
        self.s.dispatches[dispatch.id] = copy.deepcopy(dispatch)

    def for_case(self, case_id: int, *, for_update: bool = False) -> list[Dispatch]:
        return [copy.deepcopy(d) for d in self.s.dispatches.values() if d.case_id == case_id]

    def unit_states(self, case_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        wanted = set(case_ids)
        found: dict[int, list[tuple[str, str]]] = {}
        for d in sorted(self.s.dispatches.values(), key=lambda d: d.id or 0):
            if d.case_id in wanted:
                reach = reach_of(d.id, self.s.notifications.values())
                found.setdefault(d.case_id, []).append((d.unit_name, shown_state(d.state, reach)))
        return found

    def add_notification(self, notification: Notification) -> Notification:
        notification.id = self.s.new_id()
        if notification.dispatch_id is not None:
            notification.ack_code = f"{notification.id}0000"
        self.s.notifications[notification.id] = copy.deepcopy(notification)
        return notification

    def add_notifications(self, notifications: list[Notification]) -> list[Notification]:
        return [self.add_notification(n) for n in notifications]

    def notification(self, notification_id: int, *, for_update: bool = False) -> Notification:
        if notification_id not in self.s.notifications:
            raise NotFound(f"notification {notification_id} not found")
        return copy.deepcopy(self.s.notifications[notification_id])

    def notifications(
        self, notification_ids: Collection[int], *, for_update: bool = False
    ) -> list[Notification]:
        wanted = sorted(set(notification_ids))
        return [copy.deepcopy(self.s.notifications[i]) for i in wanted if i in self.s.notifications]

    def save_notification(self, notification: Notification) -> None:
        assert notification.id is not None
        self.s.notifications[notification.id] = copy.deepcopy(notification)

    def save_notifications(self, changed: Collection[Notification]) -> None:
        for notification in changed:
            self.save_notification(notification)

    def notifications_for_case(self, case_id: int) -> list[Notification]:
        listed = [copy.deepcopy(n) for n in self.s.notifications.values() if n.case_id == case_id]
        for n in listed:
            n.brief = None  # as stored: lists do not carry the brief
        return listed

    def delivered_before(self, case_id: int, notification_id: int) -> bool:
        return any(
            n.case_id == case_id
            and n.id != notification_id
            and n.delivered_at is not None
            and n.purpose != "alarm"
            for n in self.s.notifications.values()
        )

    def notification_by_code(self, code: str) -> Notification | None:
        return next((n for n in self.s.notifications.values() if n.ack_code == code), None)

    def raise_alarm(
        self,
        case_id: int,
        dispatch_id: int | None,
        reason: str,
        at: datetime,
        *,
        kind: AlarmKind = AlarmKind.OTHER,
        details: dict[str, Any] | None = None,
    ) -> int | None:
        for alarm in self.s.alarms:
            if (alarm["case_id"], alarm["dispatch_id"], alarm["kind"], alarm["cleared"]) == (
                case_id,
                dispatch_id,
                kind,
                False,
            ):
                return None
        alarm_id = self.s.new_id()
        self.s.alarms.append(
            {
                "id": alarm_id,
                "case_id": case_id,
                "dispatch_id": dispatch_id,
                "reason": reason,
                "at": at,
                "kind": kind,
                "details": dict(details or {}),
                "acknowledged_at": None,
                "acknowledged_by": None,
                "cleared": False,
            }
        )
        return alarm_id

    def alarmed_case_ids(self) -> set[int]:
        return {a.case_id for a in self.open_alarms()}

    def open_alarms(self, case_ids: set[int] | None = None) -> list[Alarm]:
        return [
            Alarm(
                a["id"],
                a["case_id"],
                a["dispatch_id"],
                a["reason"],
                a["at"],
                a["kind"],
                a["details"],
                a["acknowledged_at"],
                a["acknowledged_by"],
            )
            for a in self.s.alarms
            if not a["cleared"] and (case_ids is None or a["case_id"] in case_ids)
        ]

    def ever_alarmed(self, case_id: int, kind: AlarmKind) -> bool:
        return any(a["case_id"] == case_id and a["kind"] == kind for a in self.s.alarms)

    def acknowledge_alarms(self, case_id: int, at: datetime, by: str) -> list[int]:
        done = []
        for alarm in self.s.alarms:
            fresh = alarm["acknowledged_at"] is None and not alarm["cleared"]
            if alarm["case_id"] == case_id and fresh:
                alarm["acknowledged_at"], alarm["acknowledged_by"] = at, by
                done.append(alarm["id"])
        return done

    def clear_alarms(
        self, case_id: int, at: datetime, by: str, *, kind: AlarmKind | None = None
    ) -> int:
        cleared = 0
        for alarm in self.s.alarms:
            if alarm["case_id"] == case_id and not alarm["cleared"]:
                if kind is not None and alarm["kind"] != kind:
                    continue
                alarm["cleared"] = True
                cleared += 1
        return cleared


class FakeSmsAckFailures:
    def __init__(self, store: DispatchStore) -> None:
        self.s = store

    def sender_hash(self, number: str) -> str:
        return "sender:" + number

    def since(
        self, at: datetime, *, sender_hash: str | None = None, contacts_only: bool = False
    ) -> list[datetime]:
        return sorted(
            when
            for sender, contact, when in self.s.sms_failures
            if when > at
            and (sender_hash is None or sender == sender_hash)
            and (contact or not contacts_only)
        )

    def record(self, sender_hash: str, contact: bool, at: datetime) -> None:
        self.s.sms_failures.append((sender_hash, contact, at))

    def forget_before(self, at: datetime) -> int:
        kept = [f for f in self.s.sms_failures if f[2] >= at]
        dropped = len(self.s.sms_failures) - len(kept)
        self.s.sms_failures = kept
        return dropped
