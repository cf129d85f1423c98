"""The daemon's ASGI application: `POST /webhooks/<platform>`, `GET /healthz`, `GET /readyz`, `GET /metrics`.

Hand-written on the ASGI interface: four routes do not need a framework, and reading the body ourselves is
what lets an oversized delivery be refused without reading the rest. Everything that touches the database or a
connector runs in a worker thread, so the event loop keeps accepting deliveries while the inbox is written.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST

from syncd.web.health import Readiness
from syncd.web.metrics import Metrics
from syncd.web.receiver import Receiver, Reply

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("syncd.web")

WEBHOOKS = "/webhooks/"
JSON_TYPE = b"application/json"


class ClientGone(Exception):
    """The client disconnected before sending its whole body."""


class WebApp:
    """Routes requests to the receiver, the readiness checks and the metrics."""

    def __init__(self, receiver: Receiver, readiness: Readiness, metrics: Metrics, *, max_body_bytes: int) -> None:
        self.receiver = receiver
        self.readiness = readiness
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets are not served
        path, method = scope["path"], scope["method"]
        if path.startswith(WEBHOOKS):
            if method != "POST":
                await _json(send, Reply(405, {"error": "use POST"}), [(b"allow", b"POST")])
                return
            await self._webhook(path[len(WEBHOOKS) :], scope, receive, send)
            return
        route = {"/healthz": self._healthz, "/readyz": self._readyz, "/metrics": self._metrics}.get(path)
        if route is None:
            await _json(send, Reply(404, {"error": f"no route {path}"}))
        elif method not in ("GET", "HEAD"):
            await _json(send, Reply(405, {"error": "use GET"}), [(b"allow", b"GET, HEAD")])
        else:
            await route(send)

    async def _webhook(self, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        if not name or "/" in name:
            await _json(send, Reply(404, {"error": "no such webhook path"}))
            return
        headers = _headers(scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _json(send, self.receiver.too_large(name, self.max_body_bytes))
            return
        try:
            body = await _read_body(receive, self.max_body_bytes)
        except ClientGone:
            return
        if body is None:
            # Chunked bodies declare no length: stop reading at the cap.
            await _json(send, self.receiver.too_large(name, self.max_body_bytes))
            return
        try:
            reply = await asyncio.to_thread(self.receiver.deliver, name, body, headers)
        except Exception:  # a bug in one connector's parsing: answer 500 so the platform redelivers it later
            log.exception("webhook to /webhooks/%s failed unexpectedly", name)
            reply = Reply(500, {"error": "internal error; redeliver later"})
        await _json(send, reply)

    async def _healthz(self, send: Send) -> None:
        await _json(send, Reply(200, {"status": "alive"}))

    async def _readyz(self, send: Send) -> None:
        problems = await asyncio.to_thread(self.readiness.problems)
        if problems:
            await _respond(send, 503, json.dumps({"ready": False, "problems": problems}).encode(), JSON_TYPE)
        else:
            await _respond(send, 200, json.dumps({"ready": True, "problems": []}).encode(), JSON_TYPE)

    async def _metrics(self, send: Send) -> None:
        body = await asyncio.to_thread(self.metrics.exposition)
        await _respond(send, 200, body, CONTENT_TYPE_LATEST.encode())


def _headers(scope: Scope) -> dict[str, str]:
    """Request headers with lower-case names; repeated ones joined with commas, as HTTP allows."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past `limit` bytes (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _json(send: Send, reply: Reply, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await _respond(send, reply.status, json.dumps(reply.body).encode(), JSON_TYPE, extra)


async def _respond(
    send: Send, status: int, body: bytes, content_type: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown: the service starts and stops its parts itself, outside the loop."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
