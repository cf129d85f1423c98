"""Retries above the client: every attempt is a freshly built (and re-signed) request, within a budget.

Rate limits wait for `Retry-After` or back off; 5xx and transport errors back off with full jitter until the
attempts or the time budget run out; an expired token is refreshed once; anything else fails at once.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from syncd.errors import AuthError, FatalApiError, RateLimited, TransientApiError
from syncd.http.classification import (
    NOT_SENT_ERRORS,
    Action,
    BodyRule,
    Resolution,
    ResponseClassifier,
    classify_exception,
    json_code_in,
    parse_retry_after,
)
from syncd.http.client import ApiClient, rebuild_request
from syncd.http.clock import Clock, SystemClock
from syncd.http.redaction import redact_text

__all__ = [
    "Action",
    "BodyRule",
    "Resolution",
    "ResponseClassifier",
    "RetryPolicy",
    "classify_exception",
    "json_code_in",
    "parse_retry_after",
    "retrying_sender",
    "send_with_retry",
]

logger = logging.getLogger("syncd.http.retry")


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to keep trying, and how long to wait in between."""

    max_attempts: int = 5
    max_elapsed: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: bool = True
    rng: random.Random = field(default_factory=random.Random)
    clock: Clock = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.max_elapsed, self.base_delay, self.max_delay) < 0:
            raise ValueError("max_elapsed, base_delay and max_delay must not be negative")

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt `attempt` (1-based): exponential, capped, with full jitter."""
        exponent = min(max(attempt - 1, 0), 64)  # 2**64 half-seconds is already far past any cap
        ceiling = min(self.max_delay, self.base_delay * 2.0**exponent)
        return self.rng.uniform(0.0, ceiling) if self.jitter else ceiling

    def delay(self, attempt: int, *, retry_after: float | None = None, remaining: float = math.inf) -> float:
        """The wait before the next attempt: `retry_after` if given, else backoff; capped by max and budget."""
        usable_hint = retry_after is not None and math.isfinite(retry_after)
        wait = retry_after if usable_hint and retry_after is not None else self.backoff(attempt)
        return max(0.0, min(wait, self.max_delay, remaining))


def _where(request: httpx.Request) -> str:
    # Path only: the query may carry a signature or token.
    return f"{request.method} {request.url.path}"


def _detail(resolution: Resolution, request: httpx.Request) -> str:
    # A platform's message can echo what it was sent; scrub it like a log line.
    return redact_text(f"{resolution.message or resolution.reason} ({_where(request)})")


def _fatal(resolution: Resolution, request: httpx.Request, platform: str) -> Exception:
    if resolution.status in (401, 403) or resolution.action is Action.REFRESH_AUTH:
        parts = (platform, f"HTTP {resolution.status}" if resolution.status else None, resolution.code)
        prefix = " ".join(p for p in parts if p)
        return AuthError(f"{prefix}: credentials rejected: {_detail(resolution, request)}")
    return FatalApiError(
        _detail(resolution, request), status=resolution.status, code=resolution.code, platform=platform
    )


def _gave_up(resolution: Resolution, request: httpx.Request, platform: str, why: str) -> TransientApiError:
    message = f"{_detail(resolution, request)}; {why}"
    if resolution.action is Action.RATE_LIMITED:
        return RateLimited(
            message,
            retry_after=resolution.retry_after,
            status=resolution.status,
            code=resolution.code,
            platform=platform,
        )
    return TransientApiError(message, status=resolution.status, code=resolution.code, platform=platform)


def send_with_retry(
    client: httpx.Client,
    build_request: Callable[[], httpx.Request],
    *,
    policy: RetryPolicy,
    classifier: ResponseClassifier,
    refresh_auth: Callable[[], None] | None = None,
    platform: str,
    idempotent: bool = True,
) -> httpx.Response:
    """Send a freshly built request until it succeeds, fails for good, or the policy's budget runs out.

    With `idempotent=False` (a create without an idempotency key), a failure after which the server may
    have applied the request (read timeout, dropped connection, 5xx) is raised at once instead of repeated.
    """
    clock = policy.clock
    stats = client.stats if isinstance(client, ApiClient) else None
    started = clock.monotonic()
    attempt = 0
    refreshed = False
    while True:
        attempt += 1
        request = build_request()
        try:
            response = client.send(request)
        except httpx.HTTPError as exc:
            resolution = classify_exception(exc)
            may_have_applied = not isinstance(exc, NOT_SENT_ERRORS)
            cause: Exception | None = exc
            if stats is not None:
                stats.record("transport_error")
        else:
            resolution = classifier.classify(response, now=clock.now())
            may_have_applied = resolution.action is Action.RETRY
            cause = None
        if resolution.action is Action.SUCCESS:
            return response
        if stats is not None:
            stats.record(resolution.action.value)

        if resolution.action is Action.REFRESH_AUTH:
            if refresh_auth is None or refreshed:
                raise _fatal(resolution, request, platform) from cause
            # One refresh per call: a token rejected right after refreshing will not get better.
            refreshed = True
            logger.warning("%s %s: %s; refreshing credentials", platform, _where(request), resolution.reason)
            refresh_auth()
            attempt -= 1  # the refreshed attempt is not charged to the budget
            continue
        if resolution.action is Action.FAIL:
            raise _fatal(resolution, request, platform) from cause

        remaining = policy.max_elapsed - (clock.monotonic() - started)
        if attempt >= policy.max_attempts or remaining <= 0:
            why = f"gave up after {attempt} attempt(s) in {clock.monotonic() - started:.1f}s"
            raise _gave_up(resolution, request, platform, why) from cause
        if not idempotent and may_have_applied:
            why = "not repeated: the request may already have been applied"
            raise _gave_up(resolution, request, platform, why) from cause
        if resolution.retry_after is not None and resolution.retry_after > remaining:
            why = f"asked to wait {resolution.retry_after:.1f}s, more than the {remaining:.1f}s left"
            raise _gave_up(resolution, request, platform, why) from cause

        wait = policy.delay(attempt, retry_after=resolution.retry_after, remaining=remaining)
        logger.warning(
            "%s %s: %s; retrying in %.2fs (attempt %d of %d)",
            platform,
            _where(request),
            resolution.reason,
            wait,
            attempt + 1,
            policy.max_attempts,
        )
        if stats is not None:
            stats.add_wait(wait)
        clock.sleep(wait)


def retrying_sender(
    client: httpx.Client,
    *,
    policy: RetryPolicy,
    classifier: ResponseClassifier,
    platform: str,
    refresh_auth: Callable[[], None] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """A `send` for `paginate`: each page goes through `send_with_retry`, a fresh copy per attempt."""

    def send(request: httpx.Request) -> httpx.Response:
        return send_with_retry(
            client,
            lambda: rebuild_request(request),
            policy=policy,
            classifier=classifier,
            refresh_auth=refresh_auth,
            platform=platform,
        )

    return send
