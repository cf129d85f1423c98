"""The HTTP side of `syncd run`, assembled: receiver and worker on the inbox, readiness, metrics, and the server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from syncd.runtime import Runtime
from syncd.web.app import WebApp
from syncd.web.gate import JobGate
from syncd.web.health import Readiness
from syncd.web.metrics import Metrics
from syncd.web.receiver import Receiver
from syncd.web.server import HttpServer
from syncd.web.sources import WebhookSources
from syncd.web.worker import InboxWorker


class WebService:
    """Starts and stops the webhook server and the inbox worker together.

    The daemon passes its gate, metrics and stop event so webhook actions and scheduled runs share them;
    alone (tests, tools) the service makes its own. `host` and `port` override `http.host` / `http.port`.
    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        gate: JobGate | None = None,
        metrics: Metrics | None = None,
        stop: threading.Event | None = None,
        scheduler_running: Callable[[], bool] | None = None,
        host: str | None = None,
        port: int | None = None,
        debounce: float = 0.2,
        poll_interval: float = 10.0,
    ) -> None:
        http = runtime.settings.http
        self.metrics = metrics or Metrics(runtime, clock=runtime.clock)
        self.gate = gate or JobGate(runtime)
        self.sources = WebhookSources(runtime)
        self.worker = InboxWorker(
            runtime, self.sources, self.gate, self.metrics, stop=stop, debounce=debounce, poll_interval=poll_interval
        )
        self.receiver = Receiver(
            runtime, self.sources, self.metrics, on_stored=self.worker.notify, clock=self.metrics.clock
        )
        alive: dict[str, Callable[[], bool]] = {"webhook worker": lambda: self.worker.running}
        if scheduler_running is not None:
            alive["scheduler"] = scheduler_running
        self.readiness = Readiness(runtime, alive)
        self.app = WebApp(self.receiver, self.readiness, self.metrics, max_body_bytes=http.max_body_bytes)
        self.server = HttpServer(self.app, http.host if host is None else host, http.port if port is None else port)

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        host, port = self.server.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def start(self) -> None:
        """Open the connectors, start the worker, then serve; a failure leaves nothing running."""
        self.sources.open()
        try:
            self.worker.start()
            self.server.start()
        except BaseException:
            self.worker.stop()
            self.sources.close()
            raise

    def stop(self) -> None:
        """Stop serving, let the worker finish its action's page, and close the connectors."""
        self.server.stop()
        self.worker.stop()
        self.sources.close()

    def __enter__(self) -> WebService:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
