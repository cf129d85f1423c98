"""The manual and system clocks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from syncd.http import Clock, ManualClock, SystemClock


def test_manual_clock_sleep_moves_time_instantly_and_is_recorded() -> None:
    clock = ManualClock(start=datetime(2025, 6, 1, tzinfo=UTC), monotonic_start=50.0)

    clock.sleep(1.5)
    clock.advance(2.0)
    clock.sleep(0.0)

    assert clock.sleeps == [1.5, 0.0]
    assert clock.monotonic() == 53.5
    assert clock.now() == datetime(2025, 6, 1, tzinfo=UTC) + timedelta(seconds=3.5)
    assert clock.elapsed == 3.5


def test_manual_clock_refuses_to_go_backwards_or_be_naive() -> None:
    clock = ManualClock()
    with pytest.raises(ValueError, match="negative"):
        clock.sleep(-1)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(start=datetime(2025, 1, 1))


def test_manual_clock_is_thread_safe() -> None:
    clock = ManualClock(monotonic_start=0.0)

    def sleeper() -> None:
        for _ in range(1000):
            clock.sleep(0.5)

    workers = [threading.Thread(target=sleeper) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert clock.monotonic() == 4000.0
    assert len(clock.sleeps) == 8000


def test_system_clock() -> None:
    clock = SystemClock()
    before = clock.monotonic()
    clock.sleep(0)
    clock.sleep(-1)  # a computed wait that came out negative must not raise

    assert clock.monotonic() >= before
    assert clock.now().tzinfo is UTC
    assert isinstance(clock, Clock)
    assert isinstance(ManualClock(), Clock)
