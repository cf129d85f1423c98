"""TokenBucket on a manual clock: rates, sync from platform figures, thread safety."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from syncd.http import ManualClock, SystemClock, TokenBucket


def test_full_bucket_serves_capacity_at_once_then_waits_one_interval_each(clock: ManualClock) -> None:
    bucket = TokenBucket(rate=4.0, capacity=3.0, clock=clock)

    waits = [bucket.acquire() for _ in range(5)]

    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.25, 0.25])
    assert clock.sleeps == pytest.approx([0.25, 0.25])
    assert bucket.total_waited == pytest.approx(0.5)


def test_acquire_waits_exactly_the_deficit(clock: ManualClock) -> None:
    bucket = TokenBucket(rate=2.0, capacity=4.0, clock=clock, initial=0.5)

    assert bucket.wait_time(3.0) == pytest.approx(1.25)
    assert bucket.acquire(3.0) == pytest.approx(1.25)
    assert bucket.available == pytest.approx(0.0)


def test_refills_with_time_up_to_capacity(clock: ManualClock) -> None:
    bucket = TokenBucket(rate=5.0, capacity=10.0, clock=clock, initial=0)

    clock.advance(1.0)
    assert bucket.available == pytest.approx(5.0)
    clock.advance(100.0)
    assert bucket.available == pytest.approx(10.0)
    assert clock.sleeps == []


def test_try_acquire_never_waits(clock: ManualClock) -> None:
    bucket = TokenBucket(rate=1.0, capacity=2.0, clock=clock)

    assert [bucket.try_acquire() for _ in range(3)] == [True, True, False]
    clock.advance(1.0)
    assert bucket.try_acquire()
    assert not bucket.try_acquire(0.5)
    assert clock.sleeps == []


def test_rejects_impossible_requests(clock: ManualClock) -> None:
    bucket = TokenBucket(rate=1.0, capacity=2.0, clock=clock)
    with pytest.raises(ValueError, match=r"holds 2\.0"):
        bucket.acquire(3.0)
    with pytest.raises(ValueError, match="positive"):
        bucket.try_acquire(0)
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0, capacity=1.0, clock=clock)
    with pytest.raises(ValueError, match="capacity"):
        bucket.sync(1.0, capacity=0)


def test_sync_from_shopify_throttle_status(clock: ManualClock) -> None:
    # Shopify reports throttleStatus {maximumAvailable, currentlyAvailable, restoreRate} with every response.
    bucket = TokenBucket(rate=50.0, capacity=1000.0, clock=clock)
    bucket.acquire(10.0)  # we think 990 are left; another app on the store used most of the budget

    bucket.sync(available=100.0, rate=100.0, capacity=2000.0)

    assert (bucket.rate, bucket.capacity) == (100.0, 2000.0)
    assert bucket.available == pytest.approx(100.0)
    assert bucket.acquire(300.0) == pytest.approx(2.0)  # 200 short at 100/s


def test_sync_clamps_to_capacity_and_zero(clock: ManualClock) -> None:
    bucket = TokenBucket(rate=1.0, capacity=10.0, clock=clock)
    bucket.sync(50.0)
    assert bucket.available == 10.0
    bucket.sync(-3.0)
    assert bucket.available == 0.0


def test_threads_share_the_budget_exactly(clock: ManualClock) -> None:
    bucket = TokenBucket(rate=10.0, capacity=5.0, clock=clock)
    threads, per_thread = 8, 5

    def work() -> float:
        return sum(bucket.acquire() for _ in range(per_thread))

    with ThreadPoolExecutor(max_workers=threads) as pool:
        waited = [f.result() for f in [pool.submit(work) for _ in range(threads)]]

    # 40 tokens: 5 from the full bucket, 35 at 10/s. Each wait is one 0.1 s interval, never more.
    assert sum(waited) == pytest.approx(3.5)
    assert bucket.total_waited == pytest.approx(3.5)
    assert sum(clock.sleeps) == pytest.approx(3.5)
    assert clock.elapsed == pytest.approx(3.5)
    assert clock.sleeps == pytest.approx([0.1] * 35)
    assert bucket.available == pytest.approx(0.0, abs=1e-6)


class GatedClock(ManualClock):
    """A manual clock whose sleep blocks until the test lets it finish."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeping = threading.Event()
        self.release = threading.Event()

    def sleep(self, seconds: float) -> None:
        self.sleeping.set()
        assert self.release.wait(10), "test never released the sleeper"
        super().sleep(seconds)


def test_a_waiting_caller_is_not_overtaken() -> None:
    clock = GatedClock()
    bucket = TokenBucket(rate=1.0, capacity=5.0, clock=clock, initial=0)
    result: list[float] = []
    waiter = threading.Thread(target=lambda: result.append(bucket.acquire(5.0)))
    waiter.start()
    assert clock.sleeping.wait(10)

    clock.advance(1.0)  # one token has arrived, but it belongs to the caller already waiting
    overtaken = bucket.try_acquire(1.0)
    clock.release.set()
    waiter.join(10)

    assert not overtaken
    assert result == [5.0]
    assert bucket.total_waited == 5.0


def test_really_blocks_on_the_system_clock() -> None:
    bucket = TokenBucket(rate=200.0, capacity=1.0, clock=SystemClock())
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: bucket.acquire(), range(21)))

    # 21 tokens from a bucket holding 1 at 200/s cannot take less than 20 intervals of 5 ms.
    assert time.monotonic() - started >= 0.1 - 0.005
    assert bucket.total_waited > 0
