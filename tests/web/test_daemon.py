"""`syncd run`'s daemon serves HTTP beside its scheduler: ready once the scheduler runs, scheduled runs counted in
its metrics, the server stopped with the scheduler, and a port already taken refused before anything starts."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest
from web_support import MakeRuntime, sync_catalog, wait_until

from syncd.errors import ConfigError
from syncd.sandbox.merchant import Merchant
from syncd.sync.scheduler import Daemon


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers_ready(client: httpx.Client, url: str) -> bool:
    """True once `/readyz` answers 200 (the server may not be listening yet)."""
    try:
        return client.get(f"{url}/readyz").status_code == 200
    except httpx.TransportError:
        return False


def test_the_daemon_serves_while_it_runs_and_stops_serving_with_the_scheduler(
    merchant: Merchant, make_runtime: MakeRuntime, client: httpx.Client
) -> None:
    port = free_port()
    runtime = make_runtime(merchant, http={"host": "127.0.0.1", "port": port})
    sync_catalog(runtime)
    daemon = Daemon(runtime)
    running = threading.Thread(target=daemon.start, name="test-daemon")
    running.start()
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: answers_ready(client, url), 10.0)
        daemon.run("stock")  # what the scheduler calls on the job's schedule
        scraped = client.get(f"{url}/metrics").text
    finally:
        daemon.stop()
        running.join(15.0)

    assert 'syncd_job_runs_total{job="stock",outcome="ok"} 1.0' in scraped
    assert not running.is_alive()
    with pytest.raises(httpx.ConnectError):
        client.get(f"{url}/healthz")


def test_a_taken_port_stops_the_daemon_before_it_starts(merchant: Merchant, make_runtime: MakeRuntime) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        daemon = Daemon(make_runtime(merchant, http={"host": "127.0.0.1", "port": port}))

        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            daemon.start()

    assert not daemon.scheduler.running
