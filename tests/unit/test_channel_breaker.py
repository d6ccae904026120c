"""The per-provider circuit breaker of the notification channels, on a fake clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from lifeline.adapters.channels.breaker import BreakerState, CircuitBreakers
from lifeline.adapters.channels.notifiers import AppriseNotificationChannels
from lifeline.services.dispatch.ports import OutgoingMessage

P = "json://127.0.0.1:8099"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_provider_faults_only() -> None:
    clock = Clock()
    breakers = CircuitBreakers(failure_threshold=3, reset_after=60, clock=clock)
    for _ in range(2):
        assert breakers.admit(P).allowed
        breakers.record(P, provider_fault=True)
    breakers.record(P, provider_fault=False)  # an answer resets the count
    for _ in range(2):
        breakers.record(P, provider_fault=True)
    assert breakers.state(P) is BreakerState.CLOSED
    breakers.record(P, provider_fault=True)
    assert breakers.state(P) is BreakerState.OPEN
    admission = breakers.admit(P)
    assert not admission.allowed and admission.retry_at == clock.now + 60
    assert breakers.admit("json://other:1").allowed  # per provider


def test_half_open_lets_exactly_one_trial_through_even_under_concurrency() -> None:
    clock = Clock()
    breakers = CircuitBreakers(failure_threshold=1, reset_after=5, clock=clock)
    breakers.record(P, provider_fault=True)
    clock.now += 5
    results: list[bool] = []
    lock = threading.Lock()

    def try_once() -> None:
        allowed = breakers.admit(P).allowed
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=try_once) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert breakers.state(P) is BreakerState.HALF_OPEN


def test_failed_trial_reopens_and_successful_trial_closes() -> None:
    clock = Clock()
    breakers = CircuitBreakers(failure_threshold=2, reset_after=10, clock=clock)
    breakers.record(P, provider_fault=True)
    breakers.record(P, provider_fault=True)
    clock.now += 10
    assert breakers.admit(P).allowed
    breakers.record(P, provider_fault=True)  # one failed trial is enough to reopen
    assert breakers.state(P) is BreakerState.OPEN
    assert not breakers.admit(P).allowed
    clock.now += 10
    assert breakers.admit(P).allowed
    breakers.record(P, provider_fault=False)
    assert breakers.state(P) is BreakerState.CLOSED
    assert breakers.admit(P).allowed


def test_open_circuit_answers_at_once_with_the_reopening_time_in_ist() -> None:
    clock = Clock()
    channels = AppriseNotificationChannels(
        failure_threshold=1,
        reset_after=90,
        clock=clock,
        now=lambda: datetime(2026, 11, 28, 3, 0, 0, tzinfo=UTC),
    )
    url = "json://user:SuperSecret99@127.0.0.1:8099/hook"
    channels.breakers.record(channels.describe(url), provider_fault=True)
    result = channels.send(url, OutgoingMessage(1, 2, "t", "b", "s"), timeout=1)
    assert not result.delivered and not result.retryable
    assert result.detail == "circuit open for json://127.0.0.1:8099 until 08:31:30 IST"
    channels.close()
