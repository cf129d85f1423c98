"""Serving an ASGI app with uvicorn from a background thread of the daemon."""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import uvicorn

from syncd.errors import ConfigError

log = logging.getLogger("syncd.web")

BACKLOG = 2048  # a burst of deliveries waits in the kernel's queue rather than being refused


class HttpServer:
    """uvicorn on a socket bound up front: a taken port fails `start` at once, and port 0 picks a free one.

    Binding before the thread starts also means connections made right after `start` returns wait in the
    backlog until uvicorn accepts them, instead of being refused, so nobody has to poll for readiness.
    """

    def __init__(self, app: Any, host: str, port: int, *, graceful_seconds: int = 5) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._graceful_seconds = graceful_seconds
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The host and port listened on (the real port when 0 was asked for)."""
        if self._socket is None:
            return self._host, self._port
        host, port = self._socket.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Bind, listen, and serve from a daemon thread; raises `ConfigError` when the address cannot be bound."""
        sock = _listen(self._host, self._port)
        config = uvicorn.Config(
            self._app,
            lifespan="off",
            log_config=None,  # the daemon configured logging already; uvicorn must not replace it
            access_log=False,  # one line per delivery would drown the log in a burst; metrics count them
            timeout_graceful_shutdown=self._graceful_seconds,
            backlog=BACKLOG,
        )
        self._socket = sock
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="syncd-http", daemon=True
        )
        self._thread.start()
        host, port = self.address
        log.info("serving webhooks, health and metrics on http://%s:%d", host, port)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop accepting, let requests in flight finish (up to the grace period), and join the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the HTTP server did not stop within %.0f s", timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (IPv4 or IPv6, as the host is written)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError([f"http.host: cannot listen on {host!r}: {exc.strerror or exc}"]) from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise ConfigError([f"http: cannot listen on {host}:{port}: {exc.strerror or exc}"]) from exc
    return sock
