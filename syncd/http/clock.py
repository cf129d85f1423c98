"""Time as a dependency: the HTTP toolkit reads and waits through a `Clock` so tests never sleep for real."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """The three things the toolkit needs from time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences are meaningful."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for `seconds`."""
        ...

    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """`time.sleep()`; a zero or negative wait returns at once."""
        if seconds > 0:
            time.sleep(seconds)

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


class ManualClock:
    """A clock for tests: time moves only when told to, and `sleep` advances it instantly and is recorded."""

    def __init__(self, start: datetime = _EPOCH, monotonic_start: float = 1000.0) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._lock = threading.Lock()
        self._start = start.astimezone(UTC)
        self._monotonic_start = monotonic_start
        self._elapsed = 0.0
        self._sleeps: list[float] = []

    def monotonic(self) -> float:
        """The monotonic reading: the start value plus everything slept or advanced so far."""
        with self._lock:
            return self._monotonic_start + self._elapsed

    def now(self) -> datetime:
        """The start time plus everything slept or advanced so far, in UTC."""
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

    def sleep(self, seconds: float) -> None:
        """Record the wait and move time forward by it, without blocking."""
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds})")
        with self._lock:
            self._sleeps.append(seconds)
            self._elapsed += seconds

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep (time passing elsewhere)."""
        if seconds < 0:
            raise ValueError(f"time cannot go backwards ({seconds})")
        with self._lock:
            self._elapsed += seconds

    @property
    def sleeps(self) -> list[float]:
        """A copy of every sleep so far, in order."""
        with self._lock:
            return list(self._sleeps)

    @property
    def elapsed(self) -> float:
        """Total time advanced since creation (sleeps and `advance` calls)."""
        with self._lock:
            return self._elapsed
