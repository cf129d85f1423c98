"""Test helpers: a scriptable HTTP server on 127.0.0.1 (queued replies or a route, faults, requests recorded)
and a shorthand for send_with_retry on a manual clock."""

from __future__ import annotations

import json
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from syncd.http import ManualClock, ResponseClassifier, RetryPolicy, send_with_retry


@dataclass(frozen=True)
class Reply:
    """One scripted response, or a fault instead of one."""

    status: int = 200
    body: bytes | str | Any = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to stall before answering (for client timeouts)
    drop: bool = False  # close the connection without answering
    truncate: bool = False  # promise the whole body, send half of it, close

    def encoded(self) -> bytes:
        """The body as bytes; anything but bytes/str is sent as JSON."""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        """The single value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


Route = Callable[[Received], Reply]


class ScriptedServer(ThreadingHTTPServer):
    """Answers from a queue of replies (or a route function), recording every request it gets."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: deque[Reply] = deque()
        self.route: Route | None = None
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        """Base URL of the server."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def enqueue(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order."""
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, request: Received) -> Reply:
        """The scripted answer for `request`: queued replies first, then the route, then an empty 200."""
        with self.lock:
            self.received.append(request)
            if self.replies:
                return self.replies.popleft()
        if self.route is not None:
            return self.route(request)
        return Reply()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so dropped connections are a real fault for the client
    disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait on delayed ACKs
    server: ScriptedServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        split = urlsplit(self.path)
        received = Received(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        reply = self.server.next_reply(received)
        if reply.delay and self.server.stopping.wait(reply.delay):
            return
        if reply.drop:
            self.close_connection = True
            return
        body = reply.encoded()
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if reply.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its timeout fired); nothing left to answer.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _handle


PLATFORM = "testshop"  # the platform name the helpers pass


def retry_policy(clock: ManualClock, **overrides: Any) -> RetryPolicy:
    """A policy on the manual clock with a seeded jitter source; `overrides` replace any field."""
    settings: dict[str, Any] = {
        "max_attempts": 5,
        "max_elapsed": 60.0,
        "base_delay": 0.5,
        "max_delay": 30.0,
        "rng": random.Random(7),
        "clock": clock,
    }
    settings.update(overrides)
    return RetryPolicy(**settings)


class CountingBuilder:
    """Builds a fresh GET per attempt and counts how often it was asked."""

    def __init__(self, client: httpx.Client, url: str = "/items", **kwargs: Any) -> None:
        self.client, self.url, self.kwargs, self.calls = client, url, kwargs, 0

    def __call__(self) -> httpx.Request:
        self.calls += 1
        return self.client.build_request("GET", self.url, headers={"X-Attempt": str(self.calls)}, **self.kwargs)


def send_retrying(
    client: httpx.Client,
    clock: ManualClock,
    builder: Callable[[], httpx.Request] | None = None,
    *,
    classifier: ResponseClassifier | None = None,
    refresh_auth: Callable[[], None] | None = None,
    idempotent: bool = True,
    **policy_overrides: Any,
) -> httpx.Response:
    """`send_with_retry` with test defaults: a counting GET builder and the default classifier."""
    return send_with_retry(
        client,
        builder or CountingBuilder(client),
        policy=retry_policy(clock, **policy_overrides),
        classifier=classifier or ResponseClassifier(),
        refresh_auth=refresh_auth,
        platform=PLATFORM,
        idempotent=idempotent,
    )
