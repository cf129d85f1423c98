"""The sandbox on webhooks: syncd's daemon served on loopback, and every emulator subscribed to deliver to it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
import httpx

from syncd.cli import AppContext
from syncd.config import Settings
from syncd.runtime import Runtime
from syncd.sync.scheduler import Daemon

log = logging.getLogger("syncd.sandbox")
HEALTH_TIMEOUT = 15.0  # seconds for the daemon's HTTP server to answer /healthz
STOP_TIMEOUT = 15.0


class WebhookSetupError(RuntimeError):
    """The daemon did not come up, or a platform refused a webhook subscription."""


def public_url(settings: Settings) -> str:
    """The configured `http.public_url`, without a trailing slash; the sandbox sets it to the loopback address."""
    if settings.http.public_url is None:
        raise WebhookSetupError("http.public_url is not set: write the config with webhooks=True")
    return str(settings.http.public_url).rstrip("/")


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    """Check `condition` every `interval` seconds until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def answers_health(url: str) -> bool:
    """True when `<url>/healthz` answers 200 now."""
    try:
        return httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200
    except httpx.TransportError:
        return False


class _Loaded(AppContext):
    """The command context of `syncd webhooks register`, on settings already loaded (the sandbox ignores the
    environment, so registering must see exactly the settings the daemon runs with)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(None)
        self._loaded = settings

    def settings(self) -> Settings:
        return self._loaded


def register_webhooks(settings: Settings) -> None:
    """Subscribe every configured platform's webhooks to `http.public_url`, exactly as `syncd webhooks register`
    does (it prints one line per channel and topic); raise `WebhookSetupError` if any subscription failed."""
    from syncd.commands.webhooks import register

    public_url(settings)  # the command would exit with a usage error; say what the sandbox got wrong instead
    with click.Context(register, obj=_Loaded(settings)) as ctx:
        try:
            ctx.invoke(register)
        except SystemExit as exc:
            if exc.code:
                raise WebhookSetupError("a webhook subscription failed (see the lines above)") from exc


def subscribe_when_healthy(settings: Settings, *, timeout: float = HEALTH_TIMEOUT) -> None:
    """Wait until the daemon answers /healthz, then register every platform's webhooks and print where they go."""
    url = public_url(settings)
    if not wait_for(lambda: answers_health(url), timeout, interval=0.05):
        raise WebhookSetupError(f"syncd did not answer {url}/healthz within {timeout:.0f} s")
    register_webhooks(settings)
    click.echo(f"sandbox: the emulators deliver webhooks to {url}/webhooks/<platform>; the polls are the safety net")


def start_subscriber(settings: Settings) -> threading.Thread:
    """`subscribe_when_healthy` in a background thread, for a daemon that runs on the main thread (`syncd sandbox`);
    a failure is logged, and syncd carries on with its polls."""

    def subscribe() -> None:
        try:
            subscribe_when_healthy(settings)
        except Exception:
            log.exception("sandbox: webhooks are not set up; syncd keeps syncing on its schedules")

    thread = threading.Thread(target=subscribe, name="sandbox-webhooks", daemon=True)
    thread.start()
    return thread


class DaemonThread:
    """`syncd run`'s daemon on a background thread, remembering why it stopped if it failed to start."""

    def __init__(self, runtime: Runtime) -> None:
        self.daemon = Daemon(runtime)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sandbox-daemon", daemon=True)

    def _run(self) -> None:
        try:
            self.daemon.start()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who reports it
            self.error = exc

    def start(self) -> None:
        """Start the daemon (scheduler and HTTP server) in the background."""
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the daemon and wait for its thread."""
        self.daemon.stop()
        self._thread.join(timeout)

    def healthy(self, url: str) -> bool:
        """True once `url` answers /healthz; raises when the daemon died instead."""
        if self.error is not None:
            raise WebhookSetupError(f"syncd did not start: {self.error}") from self.error
        return answers_health(url)


@contextmanager
def daemon_on_webhooks(runtime: Runtime, *, timeout: float = HEALTH_TIMEOUT) -> Iterator[str]:
    """Run syncd's daemon in a thread, wait until it answers /healthz, subscribe every platform's webhooks to it,
    and yield its public URL; the daemon is stopped on exit."""
    url = public_url(runtime.settings)
    running = DaemonThread(runtime)
    running.start()
    try:
        if not wait_for(lambda: running.healthy(url), timeout, interval=0.05):
            raise WebhookSetupError(f"syncd did not answer {url}/healthz within {timeout:.0f} s")
        register_webhooks(runtime.settings)
        yield url
    finally:
        running.stop()
