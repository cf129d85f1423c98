"""The call log of a fake server: every request it received, what it answered, and counters over them."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """How the fake dealt with a request."""

    HANDLED = "handled"  # the route's handler answered
    NOT_FOUND = "not_found"  # no route for this method and path (404 or 405)
    UNAUTHORIZED = "unauthorized"  # the credential check failed
    THROTTLED = "throttled"  # the rate limit refused it
    FAULT = "fault"  # a scripted fault decided the answer


@dataclass(frozen=True, slots=True)
class Call:
    """One request as the fake recorded it."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    route: str | None
    # None when no response was sent (dropped connection, request held past the client's timeout).
    status: int | None
    outcome: Outcome
    # The fault kind when `outcome` is FAULT, else None.
    fault: str | None
    # The identity the credential check returned (for per-credential limits), None if it was not run.
    credential: str | None
    # Time on the fake's clock when the request arrived.
    at: float


class CallLog:
    """A thread-safe, append-only list of calls with counters by route and outcome."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def record(self, call: Call) -> None:
        """Append `call`."""
        with self._lock:
            self._calls.append(call)

    def all(self) -> list[Call]:
        """A snapshot of every call so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def clear(self) -> None:
        """Forget every call (between phases of a test)."""
        with self._lock:
            self._calls.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def count(
        self,
        route: str | None = None,
        *,
        outcome: Outcome | None = None,
        status: int | None = None,
        fault: str | None = None,
    ) -> int:
        """How many calls match every filter given."""
        return sum(
            1
            for call in self.all()
            if (route is None or call.route == route)
            and (outcome is None or call.outcome is outcome)
            and (status is None or call.status == status)
            and (fault is None or call.fault == fault)
        )

    def by_route(self) -> Counter[str]:
        """Calls per route name; requests that matched no route count under `""`."""
        return Counter(call.route or "" for call in self.all())

    @property
    def throttled(self) -> int:
        """Requests the rate limit refused."""
        return self.count(outcome=Outcome.THROTTLED)

    @property
    def unauthorized(self) -> int:
        """Requests the credential check refused."""
        return self.count(outcome=Outcome.UNAUTHORIZED)
