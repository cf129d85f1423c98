"""A client-side token bucket, so the daemon stays under a platform's limit instead of bouncing off it."""

from __future__ import annotations

import math
import threading

from syncd.http.clock import Clock, SystemClock

# Float refills land a hair under whole numbers (0.1 s x 10/s = 0.9999999999999998 tokens).
_EPSILON = 1e-9


class TokenBucket:
    """`capacity` tokens refilled at `rate` per second; thread-safe, and waiting callers are served in turn.

    Only one caller sleeps at a time while the others queue behind it, so a waiting caller cannot be starved
    by a stream of small ones, and the bucket never hands out more than `capacity + rate * elapsed`.
    """

    def __init__(
        self, rate: float, capacity: float, clock: Clock | None = None, *, initial: float | None = None
    ) -> None:
        _check_positive(rate=rate, capacity=capacity)
        self._clock = clock or SystemClock()
        self._rate = float(rate)
        self._capacity = float(capacity)
        self._tokens = self._capacity if initial is None else min(max(initial, 0.0), self._capacity)
        self._updated = self._clock.monotonic()
        self._state = threading.Lock()  # guards the numbers; never held while sleeping
        self._turn = threading.Lock()  # held by the one caller waiting for tokens
        self._sleeping = False
        self._total_waited = 0.0

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self._rate

    @property
    def capacity(self) -> float:
        """The most tokens the bucket holds."""
        return self._capacity

    @property
    def available(self) -> float:
        """Tokens available now."""
        with self._state:
            self._refill()
            return self._tokens

    @property
    def total_waited(self) -> float:
        """Seconds all callers together have slept waiting for tokens."""
        with self._state:
            return self._total_waited

    def _refill(self) -> None:
        now = self._clock.monotonic()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
        self._updated = now

    def _check_request(self, tokens: float) -> None:
        if not tokens > 0 or not math.isfinite(tokens):
            raise ValueError(f"tokens must be positive, got {tokens}")
        if tokens > self._capacity + _EPSILON:
            raise ValueError(f"cannot take {tokens} tokens from a bucket that holds {self._capacity}")

    def _wait_locked(self, tokens: float) -> float:
        return max(0.0, (tokens - self._tokens) / self._rate)

    def wait_time(self, tokens: float = 1.0) -> float:
        """Seconds until `tokens` would be available, if no one else takes any."""
        with self._state:
            self._check_request(tokens)
            self._refill()
            return self._wait_locked(tokens)

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take `tokens` if they are available now and no one is waiting ahead; never waits."""
        with self._state:
            self._check_request(tokens)
            self._refill()
            if self._sleeping or self._tokens + _EPSILON < tokens:
                return False
            self._tokens -= tokens
            return True

    def acquire(self, tokens: float = 1.0) -> float:
        """Wait (through the clock) exactly as long as needed, take `tokens`; returns the seconds this call slept."""
        waited = 0.0
        with self._turn:
            while True:
                with self._state:
                    self._check_request(tokens)  # inside the loop: `sync` may have shrunk the capacity
                    self._refill()
                    if self._tokens + _EPSILON >= tokens:
                        self._tokens -= tokens
                        return waited
                    wait = self._wait_locked(tokens)
                    self._sleeping = True
                try:
                    self._clock.sleep(wait)
                finally:
                    with self._state:
                        self._sleeping = False
                        self._total_waited += wait
                waited += wait

    def sync(self, available: float, rate: float | None = None, capacity: float | None = None) -> None:
        """Correct the bucket from the platform's own figures (Shopify `throttleStatus`).

        `available` is what the platform says is left now (`currentlyAvailable`); `rate` and `capacity` are
        its `restoreRate` and `maximumAvailable`, when it reports them.
        """
        _check_positive(
            rate=rate if rate is not None else self._rate,
            capacity=capacity if capacity is not None else self._capacity,
        )
        with self._state:
            if rate is not None:
                self._rate = float(rate)
            if capacity is not None:
                self._capacity = float(capacity)
            self._tokens = min(max(float(available), 0.0), self._capacity)
            self._updated = self._clock.monotonic()


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0 or not math.isfinite(value):
            raise ValueError(f"{name} must be a positive number, got {value}")
