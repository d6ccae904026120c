"""A circuit breaker per notification provider.

When an SMS gateway or a UP-112 endpoint is down, every notification of every case would
otherwise wait out its full timeout on it, and the escalation (the next channel, the next unit)
would start that much later. After `failure_threshold` consecutive provider faults (timeouts,
connection errors, 5xx: not a 4xx refusal of one message) the circuit opens: sends to that
provider fail at once for `reset_after` seconds, so the dispatch service moves straight on to
the contact's next channel. Then one trial request is let through (half-open); its success
closes the circuit, its failure opens it again for another `reset_after`.

Hand-written, small and thread-safe (the worker sends from several threads), because the
breaker libraries are built around wrapping a call that raises, while a channel returns a
`DeliveryResult` and must never raise, and the message to the operator needs the moment an open
circuit will let a trial through. State is per process: each worker process learns that a
provider is down from its own attempts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class Admission:
    """Whether a request may go to the provider; if not, when (clock seconds) the circuit
    lets a trial through, or None while another thread's trial is still in flight."""

    allowed: bool
    retry_at: float | None = None


@dataclass
class _Circuit:
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_until: float = 0.0
    trial_in_flight: bool = False


class CircuitBreakers:
    """One circuit per provider key (e.g. ``json://127.0.0.1:8099``)."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or reset_after <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_after > 0")
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.clock = clock
        self._circuits: dict[str, _Circuit] = {}
        self._lock = threading.Lock()

    def admit(self, provider: str) -> Admission:
        with self._lock:
            circuit = self._circuits.setdefault(provider, _Circuit())
            if circuit.state is BreakerState.CLOSED:
                return Admission(True)
            if circuit.state is BreakerState.OPEN and self.clock() >= circuit.opened_until:
                circuit.state = BreakerState.HALF_OPEN
                circuit.trial_in_flight = False
            if circuit.state is BreakerState.HALF_OPEN and not circuit.trial_in_flight:
                circuit.trial_in_flight = True
                return Admission(True)
            if circuit.state is BreakerState.HALF_OPEN:
                return Admission(False, None)
            return Admission(False, circuit.opened_until)

    def record(self, provider: str, *, provider_fault: bool) -> None:
        """Report the outcome of an admitted request: `provider_fault` when the provider did
        not answer usefully (timeout, connection error, 5xx); any answer at all otherwise."""
        with self._lock:
            circuit = self._circuits.setdefault(provider, _Circuit())
            if not provider_fault:
                self._circuits[provider] = _Circuit()
                return
            circuit.failures += 1
            if circuit.state is BreakerState.HALF_OPEN or (
                circuit.failures >= self.failure_threshold
            ):
                circuit.state = BreakerState.OPEN
                circuit.opened_until = self.clock() + self.reset_after
                circuit.trial_in_flight = False

    def state(self, provider: str) -> BreakerState:
        with self._lock:
            circuit = self._circuits.get(provider)
            return circuit.state if circuit else BreakerState.CLOSED
