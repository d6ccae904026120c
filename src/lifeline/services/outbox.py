"""The events outbox: the unit of work collects the new events of every aggregate it saw (cases,
follow-up plans) and, just before COMMIT and in the same transaction, writes one
`deliver_event` job per event and webhook. No use case publishes by hand, so none can forget
to, and a rolled-back change delivers nothing (docs/events.md, ADR 0001)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from lifeline.domain.events import Event
from lifeline.services.job_types import EventJob, JobKind, enqueue
from lifeline.services.ports import Clock, JobQueue


class HasEvents(Protocol):
    """An aggregate that records what happened to it (`Case`, `FollowUpPlan`)."""

    events: list[Event]


def collect_new_events(aggregates: Iterable[HasEvents]) -> Iterator[Event]:
    """Each aggregate's events in the order recorded, taken off it (an aggregate seen twice
    gives them once)."""
    for aggregate in aggregates:
        while aggregate.events:
            yield aggregate.events.pop(0)


@dataclass(frozen=True)
class EventOutbox:
    """Where a transaction's events go (bootstrap builds it from LIFELINE_EVENT_WEBHOOKS)."""

    webhooks: tuple[str, ...]
    clock: Clock

    def write(self, jobs: JobQueue, events: Iterable[Event]) -> int:
        """Write the delivery jobs of `events` (`collect_new_events`); returns how many."""
        now = self.clock.now()
        written = 0
        for event in events:
            for url in self.webhooks:
                enqueue(
                    jobs,
                    JobKind.DELIVER_EVENT,
                    EventJob(url, event.as_dict()),
                    now=now,
                    case_id=event.case_id,
                )
                written += 1
        return written
