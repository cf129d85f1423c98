"""Scripted faults a fake server injects: error statuses, throttling, slowness, cut connections, bad bodies.

Faults are checked in the order they were added. Each one filters requests (route, method, a predicate),
can let the first `after` matching requests through, fires `times` times (or forever) and, for chaos runs,
fires only with `probability`, drawn from the server's seeded RNG so a failing run can be replayed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict, Unpack

from syncd.testing.routing import Request


class FaultKind(StrEnum):
    """What a fault does to the request it hits."""

    STATUS = "status"  # answer with a fixed status and body
    THROTTLE = "throttle"  # answer as the platform does when it throttles (the fake's throttle_response)
    UNAUTHORIZED = "unauthorized"  # answer as the platform does to a bad or expired credential
    DELAY = "delay"  # hold the request (past the client's timeout), then drop it or answer it
    DROP = "drop"  # close the connection without a response
    MALFORMED = "malformed"  # run the handler, then send its body cut in half


class Where(TypedDict, total=False):
    """Which requests a fault applies to, and how often; every key is optional."""

    route: str | None  # the handler name; None matches every route
    method: str | None
    when: Callable[[Request], bool] | None
    times: int | None  # None fires forever
    after: int  # let this many matching requests through first
    probability: float


@dataclass(frozen=True, slots=True, eq=False)
class Fault:
    """One scripted fault; build it with the class methods, add it with `FakeServer.inject`."""

    kind: FaultKind
    route: str | None = None
    method: str | None = None
    when: Callable[[Request], bool] | None = None
    times: int | None = 1
    after: int = 0
    probability: float = 1.0
    status: int = 503
    body: bytes = b'{"error":"injected fault"}'
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    seconds: float = 0.0
    respond_after_delay: bool = False
    retry_after: float = 1.0

    def __post_init__(self) -> None:
        if self.times is not None and self.times < 1:
            raise ValueError("a fault fires at least once (times >= 1, or None for always)")
        if not 0.0 < self.probability <= 1.0:
            raise ValueError("probability must be in (0, 1]")

    def applies_to(self, request: Request) -> bool:
        """True when `request` passes the route, method and predicate filters."""
        return (
            (self.route is None or self.route == request.route)
            and (self.method is None or self.method.upper() == request.method)
            and (self.when is None or self.when(request))
        )

    @classmethod
    def error(cls, status: int = 503, body: bytes | None = None, **where: Unpack[Where]) -> Fault:
        """Answer `status` with `body` (a small JSON error by default)."""
        if body is None:
            return cls(FaultKind.STATUS, status=status, **where)
        return cls(FaultKind.STATUS, status=status, body=body, headers=(), **where)

    @classmethod
    def throttle(cls, retry_after: float = 1.0, **where: Unpack[Where]) -> Fault:
        """Answer with the platform's throttling response, advising `retry_after` seconds."""
        return cls(FaultKind.THROTTLE, retry_after=retry_after, **where)

    @classmethod
    def unauthorized(cls, **where: Unpack[Where]) -> Fault:
        """Answer with the platform's response to a rejected credential (an expired token, say)."""
        return cls(FaultKind.UNAUTHORIZED, **where)

    @classmethod
    def delay(cls, seconds: float, *, respond: bool = False, **where: Unpack[Where]) -> Fault:
        """Hold the request `seconds` (real time), then drop it, or answer it normally when `respond`."""
        return cls(FaultKind.DELAY, seconds=seconds, respond_after_delay=respond, **where)

    @classmethod
    def drop(cls, **where: Unpack[Where]) -> Fault:
        """Close the connection without sending a response."""
        return cls(FaultKind.DROP, **where)

    @classmethod
    def malformed(cls, **where: Unpack[Where]) -> Fault:
        """Let the handler run (its side effects happen), then send only the first half of its body."""
        return cls(FaultKind.MALFORMED, **where)


@dataclass(slots=True)
class _Armed:
    """A fault with its counters."""

    fault: Fault
    remaining: int | None
    seen: int = 0
    fired: int = 0


class FaultPlan:
    """The faults armed on one server; thread-safe, because every request thread consults it."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []

    def add(self, fault: Fault) -> Fault:
        """Arm `fault` after the ones already armed; returns it, to ask `fired(fault)` later."""
        with self._lock:
            self._armed.append(_Armed(fault, fault.times))
        return fault

    def clear(self) -> None:
        """Disarm every fault and forget the counters."""
        with self._lock:
            self._armed.clear()

    def select(self, request: Request) -> Fault | None:
        """The first armed fault that fires for `request`, spending one of its shots."""
        with self._lock:
            for armed in self._armed:
                fault = armed.fault
                if armed.remaining == 0 or not fault.applies_to(request):
                    continue
                armed.seen += 1
                if armed.seen <= fault.after:
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                if armed.remaining is not None:
                    armed.remaining -= 1
                armed.fired += 1
                return fault
        return None

    def fired(self, fault: Fault | None = None) -> int:
        """How many times `fault` fired (every fault when None)."""
        with self._lock:
            return sum(a.fired for a in self._armed if fault is None or a.fault is fault)

    def pending(self) -> list[Fault]:
        """Faults that can still fire."""
        with self._lock:
            return [a.fault for a in self._armed if a.remaining != 0]
