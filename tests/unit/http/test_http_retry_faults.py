"""send_with_retry through transport faults, non-idempotent calls, and what it logs."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest
from http_fakes import PLATFORM, Reply, ScriptedServer, send_retrying

from syncd.errors import FatalApiError, TransientApiError
from syncd.http import ApiClient, ManualClock, build_client


@pytest.mark.parametrize("fault", [Reply(drop=True), Reply(200, {"data": "x" * 200}, truncate=True)])
def test_dropped_connection_is_retried(
    fault: Reply, server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(fault, Reply(200, {"ok": 1}))

    assert send_retrying(client, clock).json() == {"ok": 1}
    assert len(server.received) == 2
    assert client.stats.counts()["transport_error"] == 1


def test_read_timeout_is_retried(server: ScriptedServer, clock: ManualClock) -> None:
    server.enqueue(Reply(200, delay=5.0), Reply(200, {"ok": 2}))

    with build_client(platform=PLATFORM, base_url=server.url, timeout=0.2, clock=clock) as client:
        assert send_retrying(client, clock).json() == {"ok": 2}
        assert client.stats.counts()["transport_error"] == 1
    assert len(server.received) == 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_retries_then_raises_transient(clock: ManualClock) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with (
        build_client(platform=PLATFORM, base_url=url, timeout=1.0, clock=clock) as client,
        pytest.raises(TransientApiError) as caught,
    ):
        send_retrying(client, clock, max_attempts=3)

    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.status is None
    assert len(clock.sleeps) == 2


def test_non_idempotent_call_is_not_repeated_after_a_read_timeout(server: ScriptedServer, clock: ManualClock) -> None:
    server.enqueue(Reply(201, delay=5.0), Reply(201))

    with build_client(platform=PLATFORM, base_url=server.url, timeout=0.2, clock=clock) as client:

        def create() -> httpx.Request:
            return client.build_request("POST", "/orders", json={"sku": "A-1"})

        with pytest.raises(TransientApiError, match="may already have been applied"):
            send_retrying(client, clock, create, idempotent=False)

    assert len(server.received) == 1


def test_non_idempotent_call_is_repeated_after_a_rate_limit(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(Reply(429, headers={"Retry-After": "2"}), Reply(201, {"id": 9}))

    def create() -> httpx.Request:
        return client.build_request("POST", "/orders", json={"sku": "A-1"})

    assert send_retrying(client, clock, create, idempotent=False).json() == {"id": 9}
    assert [r.json() for r in server.received] == [{"sku": "A-1"}, {"sku": "A-1"}]


def test_logs_and_errors_never_show_query_secrets(
    server: ScriptedServer, client: ApiClient, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="syncd.http")
    server.enqueue(Reply(500), Reply(400, {"code": 36009004, "message": "invalid param error"}))
    secret_query = {"access_token": "TOKEN-abc123", "sign": "deadbeefsign", "page_size": "20"}

    def build() -> httpx.Request:
        return client.build_request("GET", "/orders/search", params=secret_query)

    with pytest.raises(FatalApiError) as caught:
        send_retrying(client, clock, build)

    assert server.received[0].param("access_token") == "TOKEN-abc123"  # it was really sent
    for text in (caplog.text, str(caught.value)):
        assert "TOKEN-abc123" not in text
        assert "deadbeefsign" not in text
    retry_logs = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(retry_logs) == 1
    assert "HTTP 500" in retry_logs[0].getMessage()
    assert "retrying in" in retry_logs[0].getMessage()
    assert "/orders/search" in str(caught.value)
