"""The server side of a rate limit: token buckets a fake spends one token from per request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

GLOBAL_KEY = "*"
# A client that waits exactly as long as the limit demands arrives a float rounding error early
# (0.1 s x 10/s = 0.9999999999999998 tokens); it must not be throttled for that.
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A platform's limit: bursts of `capacity` requests, refilled at `per_second`.

    Args:
        capacity: the most requests allowed back to back (the bucket size).
        per_second: tokens added per second of the fake's clock.
        per_credential: one bucket per credential (most platforms) instead of one for the whole server.
    """

    capacity: float
    per_second: float
    per_credential: bool = True

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.per_second <= 0:
            raise ValueError("a rate limit needs capacity >= 1 and per_second > 0")


class ServerBuckets:
    """Token buckets keyed by credential; `take` never blocks, it says how long the caller should wait."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (tokens, time of last refill)
        self._buckets: dict[str, tuple[float, float]] = {}

    def _key(self, credential: str | None) -> str:
        return credential if (self.limit.per_credential and credential is not None) else GLOBAL_KEY

    def _refilled(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (self.limit.capacity, now))
        # A clock that stepped backwards (a test reset) must not drain the bucket.
        return min(self.limit.capacity, tokens + max(0.0, now - last) * self.limit.per_second)

    def take(self, credential: str | None, cost: float = 1.0) -> float:
        """Spend `cost` tokens for `credential`; 0.0 when allowed, else the seconds until they are due.

        A cost above the capacity is charged as the capacity, so an expensive request is possible at all.
        """
        key = self._key(credential)
        cost = min(max(cost, 0.0), self.limit.capacity)
        with self._lock:
            now = self._clock()
            tokens = self._refilled(key, now)
            if tokens + _EPSILON >= cost:
                self._buckets[key] = (max(0.0, tokens - cost), now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / self.limit.per_second

    def available(self, credential: str | None) -> float:
        """Tokens left for `credential` now (a fake that reports its budget, as Shopify does, reads this)."""
        key = self._key(credential)
        with self._lock:
            return self._refilled(key, self._clock())
