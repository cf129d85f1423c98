"""The one way syncd builds an HTTP client: timeouts always set, redacted request logs, optional limiter."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

import syncd
from syncd.http.clock import Clock, SystemClock
from syncd.http.redaction import redact_url

logger = logging.getLogger("syncd.http")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_USER_AGENT = f"syncd/{syncd.__version__}"

# Request extension a caller sets to take more than one token from the limiter (e.g. a GraphQL query cost).
COST_EXTENSION = "syncd.cost"
_STARTED_EXTENSION = "syncd.started"


class Limiter(Protocol):
    """Anything that can hold a request back until the platform's budget allows it (see `TokenBucket`)."""

    def acquire(self, tokens: float = 1.0) -> float:
        """Wait until `tokens` are available and take them; returns the seconds waited."""
        ...


class CallStats:
    """Thread-safe counters of one client's calls by outcome, for metrics."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._waited = 0.0

    def record(self, outcome: str) -> None:
        """Count one call with this outcome (`2xx`, `4xx`, `transport_error`, `retry`, ...)."""
        with self._lock:
            self._counts[outcome] += 1

    def add_wait(self, seconds: float) -> None:
        """Add time spent waiting before a retry."""
        with self._lock:
            self._waited += seconds

    def calls(self) -> int:
        """Requests that reached the wire: every response by status class, plus transport errors."""
        with self._lock:
            return sum(n for key, n in self._counts.items() if key.endswith("xx") or key == "transport_error")

    def counts(self) -> dict[str, int]:
        """A snapshot of the counters."""
        with self._lock:
            return dict(self._counts)

    @property
    def waited_seconds(self) -> float:
        """Total seconds spent waiting before retries."""
        with self._lock:
            return self._waited


class ApiClient(httpx.Client):
    """An `httpx.Client` that knows its platform and keeps `CallStats`."""

    def __init__(self, *, platform: str, stats: CallStats, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.platform = platform
        self.stats = stats


def _checked_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    # A missing timeout turns one stuck platform into a stuck daemon, so None is never accepted.
    if isinstance(timeout, bool) or timeout is None:
        raise ValueError("a timeout is required (got None)")
    if isinstance(timeout, int | float):
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        return httpx.Timeout(float(timeout))
    if not isinstance(timeout, httpx.Timeout):
        raise TypeError(f"timeout must be a number or httpx.Timeout, got {type(timeout).__name__}")
    for phase in ("connect", "read", "write", "pool"):
        value = getattr(timeout, phase)
        if value is None or value <= 0:
            raise ValueError(f"the {phase} timeout must be set and positive, got {value}")
    return timeout


def build_client(
    *,
    platform: str,
    base_url: str,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    user_agent: str = DEFAULT_USER_AGENT,
    clock: Clock | None = None,
) -> ApiClient:
    """A client for one platform account: timeouts on every phase, redacted DEBUG logs, limiter, stats."""
    clock = clock or SystemClock()
    stats = CallStats()

    def take_budget(request: httpx.Request) -> None:
        if limiter is not None:
            limiter.acquire(float(request.extensions.get(COST_EXTENSION, 1.0)))

    def mark_start(request: httpx.Request) -> None:
        # After the limiter, so the logged time is the platform's, not our own queueing.
        request.extensions[_STARTED_EXTENSION] = clock.monotonic()

    def log_response(response: httpx.Response) -> None:
        request = response.request
        started = request.extensions.get(_STARTED_EXTENSION)
        elapsed = clock.monotonic() - started if isinstance(started, float) else float("nan")
        stats.record(f"{response.status_code // 100}xx")
        # Auth has already run: the URL carries signature and token, hence redact_url.
        logger.debug(
            "%s %s %s -> %d in %.3fs",
            platform,
            request.method,
            redact_url(request.url),
            response.status_code,
            elapsed,
        )

    all_headers = {"User-Agent": user_agent, **(headers or {})}
    return ApiClient(
        platform=platform,
        stats=stats,
        base_url=base_url,
        timeout=_checked_timeout(timeout),
        auth=auth,
        headers=all_headers,
        transport=transport,
        follow_redirects=False,
        event_hooks={"request": [take_budget, mark_start], "response": [log_response]},
    )


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
# Headers httpx derives from the URL and body; copying them onto a changed request would make it lie.
_DERIVED_HEADERS = ("content-length", "transfer-encoding", "host")


def rebuild_request(
    request: httpx.Request,
    *,
    params: Mapping[str, str | int | None] | None = None,
    json: Any = KEEP,
) -> httpx.Request:
    """A new request like `request`, with query `params` merged (None removes one) and the JSON body replaced.

    Use it for every attempt and every page: auth may modify a request as it sends it, and a changed body
    needs a new Content-Length.
    """
    url = request.url
    for name, value in (params or {}).items():
        url = url.copy_remove_param(name) if value is None else url.copy_set_param(name, str(value))
    headers = httpx.Headers(request.headers)
    for name in _DERIVED_HEADERS:
        headers.pop(name, None)
    extensions = dict(request.extensions)
    extensions.pop(_STARTED_EXTENSION, None)
    if json is KEEP:
        return httpx.Request(request.method, url, headers=headers, content=request.read(), extensions=extensions)
    return httpx.Request(request.method, url, headers=headers, json=json, extensions=extensions)
