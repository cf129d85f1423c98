"""The socket side of a fake server: a threaded stdlib HTTP server that can be stopped at once.

`ThreadingHTTPServer.server_close` joins every handler thread, and a handler thread sits in a blocking read
for as long as the client keeps its connection alive. So the server tracks its open connections and shuts
them down on stop, which turns those reads into EOF and lets the threads end.

With a TLS context, each accepted connection is wrapped and its handshake done on the connection's own thread,
so a client that connects and never speaks cannot stall the accept loop (or `stop`, which joins it).
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from syncd.http.redaction import redact_text
from syncd.testing.routing import Request, Response

logger = logging.getLogger("syncd.testing.fakeserver")

# Given a parsed request, returns the response to send, or None to close the connection without one.
Dispatch = Callable[[Request], Response | None]


class WireServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer on 127.0.0.1 that hands each request to `dispatch` and stops promptly.

    `stop` sets `stopping`; a dispatch that holds a request on purpose waits on that event, not on a sleep.
    With `tls`, it serves https: every connection is wrapped in that server-side context.
    """

    # handle_request() must never block: the serve loop calls it only when the socket is readable.
    timeout = 0.0

    def __init__(
        self, dispatch: Dispatch, stopping: threading.Event, *, port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        self.dispatch = dispatch
        self.tls = tls
        self._open: set[socket.socket] = set()
        self._workers: list[threading.Thread] = []
        self._open_lock = threading.Lock()
        self._stopping = stopping
        # Binds here: a port in use raises OSError (EADDRINUSE), before the wake-up pair exists to leak.
        # HTTPServer sets SO_REUSEADDR, so a fixed port can be taken again right after a stop.
        super().__init__(("127.0.0.1", port), _Handler)
        self._wake_read, self._wake_write = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name=f"fake-server-{self.port}", daemon=True)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name, which can stall on a machine without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.port

    @property
    def port(self) -> int:
        """The port served on (the one asked for, or the one the OS picked for 0)."""
        return int(self.socket.getsockname()[1])

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, cut open connections, and wait for every thread to end."""
        self._stopping.set()
        self._wake_write.send(b"x")
        self._thread.join()
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            # OSError: already closed by the client or by its handler.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        with self._open_lock:
            workers = list(self._workers)
        for worker in workers:
            worker.join()
        self.server_close()
        self._wake_read.close()
        self._wake_write.close()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self and not self._stopping.is_set():
                        self.handle_request()

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()
        if self.tls is not None:
            # The handshake waits for the client, so it is left to the connection's thread (`finish_request`).
            connection = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            # A failed handshake raises ssl.SSLError, an OSError: socketserver logs it and drops the connection.
            request.do_handshake()
        super().finish_request(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        # ThreadingMixIn does not track daemon threads, and non-daemon ones would keep a test run alive
        # if a fake were never stopped: so daemon threads, tracked here and joined by `stop`.
        worker = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), name=self._thread.name, daemon=True
        )
        with self._open_lock:
            self._open.add(request)
            self._workers = [w for w in self._workers if w.is_alive()]
            self._workers.append(worker)
        worker.start()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; a client that hung up early is routine here.
        logger.debug("fake server connection error", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    """Parses each request into a `Request`, dispatches it, writes the `Response` (or hangs up)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as real platforms and httpx's pool expect
    # Headers and body go out in separate writes; with Nagle on, each response would wait ~40 ms for an ACK.
    disable_nagle_algorithm = True
    server: WireServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        body = self._read_body()
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=unquote(url.path),
            query=parse_qs(url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        response = self.server.dispatch(request)
        if response is None:
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
        except OSError:  # the client gave up (its timeout) before the answer was written
            self.close_connection = True

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: Any) -> None:
        # The request line carries the query, where platforms put keys and signatures.
        logger.debug("fake server: %s", redact_text(format % args))
