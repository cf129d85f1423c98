"""Base class of the platform emulators: a real HTTP server on 127.0.0.1 with routing, a call log, a rate
limit, scripted faults and a credential check.

A request goes through, in order: routing (404/405), scripted faults, the credential check (401), the rate
limit (the platform's throttle response), and the route's handler. Handlers run one at a time under
`self.lock`, so a fake's in-memory state needs no locking of its own; tests that touch that state while the
server runs take the same lock.
"""

from __future__ import annotations

import logging
import math
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import ClassVar, Literal, Self

from syncd.testing._wire import WireServer
from syncd.testing.calllog import Call, CallLog, Outcome
from syncd.testing.faults import Fault, FaultKind, FaultPlan
from syncd.testing.routing import Request, Response, Router, RouteSpec
from syncd.testing.throttle import RateLimit, ServerBuckets

logger = logging.getLogger("syncd.testing.fakeserver")


class FakeServerError(AssertionError):
    """A fake's handler raised: a bug in the fake (or a payload it should have rejected with a 4xx)."""


class FakeServer:
    """A platform emulator served over real HTTP; subclasses declare routes with `@route`.

    Args:
        rate_limit: the limit to enforce; "platform" (the default) uses the class's `platform_rate_limit`,
            None disables limiting.
        clock: monotonic time for the rate limit and the call log; pass a test's manual clock so a
            connector that waits through that clock refills the fake's buckets without real sleeping.
        seed: seeds `self.rng`, which probabilistic faults draw from, so chaos runs replay.
    """

    # The limit the real platform enforces; subclasses set it so connectors are tested against it.
    platform_rate_limit: ClassVar[RateLimit | None] = None
    router: ClassVar[Router]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.router = Router(cls)

    def __init__(
        self,
        *,
        rate_limit: RateLimit | Literal["platform"] | None = "platform",
        clock: Callable[[], float] | None = None,
        seed: int = 0,
    ) -> None:
        self.clock: Callable[[], float] = clock or time.monotonic
        self.rng = random.Random(seed)  # noqa: S311 - fault injection, not cryptography
        self.lock = threading.RLock()
        self.calls = CallLog()
        self.faults = FaultPlan(self.rng)
        self.handler_errors: list[BaseException] = []
        self._buckets: ServerBuckets | None = None
        self.set_rate_limit(self.platform_rate_limit if rate_limit == "platform" else rate_limit)
        self._wire: WireServer | None = None
        # Set when stopping; requests held by a delay fault wait on it so that stop is prompt.
        self._stopping = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> Self:
        """Bind `port` on 127.0.0.1 (0, the default: a free port) and serve in a background thread.

        Tests leave `port` at 0 so parallel runs never collide; a fixed port is for an emulator run by hand.
        With `tls` (a server-side context holding the certificate) it serves https instead of http.
        Raises OSError if `port` is taken.
        """
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port}")
        if self._wire is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._stopping = threading.Event()
        self._wire = WireServer(self.dispatch, self._stopping, port=port, tls=tls)
        self._wire.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and wait for every server thread; safe to call twice."""
        wire, self._wire = self._wire, None
        if wire is not None:
            wire.stop()

    @property
    def running(self) -> bool:
        """True between `start` and `stop`."""
        return self._wire is not None

    def __enter__(self) -> Self:
        return self if self.running else self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        if exc is None:
            self.raise_handler_errors()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` (`https://` when serving TLS), without a trailing slash."""
        if self._wire is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        scheme = "https" if self._wire.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._wire.port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path

    def raise_handler_errors(self) -> None:
        """Raise `FakeServerError` if any handler raised while serving."""
        if self.handler_errors:
            first = self.handler_errors[0]
            raise FakeServerError(
                f"{len(self.handler_errors)} handler error(s) in {type(self).__name__}; first: {first!r}"
            ) from first

    # -- configuration ---------------------------------------------------------------------------------

    def set_rate_limit(self, limit: RateLimit | None) -> None:
        """Enforce `limit` from now on with full buckets (None: no limit)."""
        self._buckets = ServerBuckets(limit, self.clock) if limit is not None else None

    @property
    def rate_limit(self) -> RateLimit | None:
        """The limit in force, if any."""
        return self._buckets.limit if self._buckets is not None else None

    def budget_left(self, credential: str | None) -> float | None:
        """Rate-limit tokens `credential` has left now; None without a limit."""
        return self._buckets.available(credential) if self._buckets is not None else None

    def inject(self, fault: Fault) -> Fault:
        """Arm `fault` (after those already armed); returns it, for `self.faults.fired(fault)`."""
        return self.faults.add(fault)

    # -- hooks for subclasses --------------------------------------------------------------------------

    def authenticate(self, request: Request) -> str | None:
        """Check the request's credentials; return an identity (the rate-limit key) or None to refuse."""
        return "anonymous"

    def unauthorized_response(self, request: Request) -> Response:
        """What the platform answers to missing, wrong or expired credentials."""
        return Response.json({"error": "unauthorized"}, status=401)

    def request_cost(self, request: Request) -> float:
        """Tokens a request takes from the rate limit; override for cost-based limits (GraphQL)."""
        return 1.0

    def throttle_response(self, request: Request, retry_after: float) -> Response:
        """What the platform answers when it throttles; the default is 429 with Retry-After in seconds."""
        seconds = max(1, math.ceil(retry_after))
        return Response.json({"error": "rate limited"}, status=429, headers={"Retry-After": str(seconds)})

    def not_found_response(self, request: Request, status: int) -> Response:
        """The answer to a path no route serves (404) or a method the path does not take (405)."""
        return Response.json({"error": "not found" if status == 404 else "method not allowed"}, status=status)

    # -- the request pipeline ------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response | None:
        """Answer one request; None means close the connection without a response."""
        try:
            return self._dispatch(request)
        except Exception as exc:  # a bug in a hook (authenticate, request_cost, ...): fail loudly, not hang
            logger.debug("fake %s failed on %s %s", type(self).__name__, request.method, request.path, exc_info=True)
            self.handler_errors.append(exc)
            return Response.json({"error": f"fake server error: {type(exc).__name__}"}, status=500)

    def _dispatch(self, request: Request) -> Response | None:
        arrived = self.clock()
        found = self.router.match(request.method, request.path)
        if found.spec is None:
            response = self.not_found_response(request, found.status)
            self._record(request, arrived, response.status, Outcome.NOT_FOUND)
            return response
        request = replace(request, route=found.spec.name, path_params=dict(found.params))
        fault = self.faults.select(request)
        if fault is None:
            return self._serve(found.spec, request, arrived)
        return self._apply(fault, found.spec, request, arrived)

    def _apply(self, fault: Fault, spec: RouteSpec, request: Request, arrived: float) -> Response | None:
        kind = fault.kind
        response: Response | None
        if kind is FaultKind.DELAY:
            if not fault.respond_after_delay:
                # Logged before the wait: the client times out while we hold it, and may look at the log.
                self._record(request, arrived, None, Outcome.FAULT, fault=kind)
            if self._stopping.wait(fault.seconds) or not fault.respond_after_delay:
                return None
            return self._serve(spec, request, arrived, fault=kind)
        if kind is FaultKind.MALFORMED:
            response = self._serve(spec, request, arrived, fault=kind)
            response.body = response.body[: len(response.body) // 2]
            return response
        if kind is FaultKind.STATUS:
            response = Response(fault.status, fault.body, dict(fault.headers))
        elif kind is FaultKind.THROTTLE:
            response = self.throttle_response(request, fault.retry_after)
        elif kind is FaultKind.UNAUTHORIZED:
            response = self.unauthorized_response(request)
        else:  # DROP
            response = None
        self._record(request, arrived, response.status if response else None, Outcome.FAULT, fault=kind)
        return response

    def _serve(self, spec: RouteSpec, request: Request, arrived: float, *, fault: FaultKind | None = None) -> Response:
        """Credential check, rate limit, handler; records the call."""
        credential: str | None = None
        if spec.auth:
            credential = self.authenticate(request)
            if credential is None:
                response = self.unauthorized_response(request)
                self._record(request, arrived, response.status, Outcome.UNAUTHORIZED, fault=fault)
                return response
            request = replace(request, credential=credential)
        wait = self._buckets.take(credential, self.request_cost(request)) if self._buckets is not None else 0.0
        if wait > 0:
            response = self.throttle_response(request, wait)
            self._record(request, arrived, response.status, Outcome.THROTTLED, credential, fault)
            return response
        handler: Callable[[Request], Response] = getattr(self, spec.name)
        try:
            with self.lock:
                response = handler(request)
        except Exception as exc:  # a fake bug must fail the test, not hang it: answer 500 and keep it
            logger.debug("fake handler %s raised", spec.name, exc_info=True)
            self.handler_errors.append(exc)
            response = Response.json({"error": f"fake handler error: {type(exc).__name__}"}, status=500)
        outcome = Outcome.FAULT if fault is not None else Outcome.HANDLED
        self._record(request, arrived, response.status, outcome, credential, fault)
        return response

    def _record(
        self,
        request: Request,
        arrived: float,
        status: int | None,
        outcome: Outcome,
        credential: str | None = None,
        fault: FaultKind | None = None,
    ) -> None:
        self.calls.record(
            Call(
                method=request.method,
                path=request.path,
                query=request.query,
                route=request.route,
                status=status,
                outcome=outcome,
                fault=str(fault) if fault is not None else None,
                credential=credential,
                at=arrived,
            )
        )


FakeServer.router = Router(FakeServer)
