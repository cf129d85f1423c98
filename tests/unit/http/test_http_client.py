"""build_client and rebuild_request against a real server."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import httpx
import pytest
from http_fakes import Reply, ScriptedServer

from syncd.http import (
    COST_EXTENSION,
    DEFAULT_TIMEOUT,
    ManualClock,
    TokenBucket,
    build_client,
    rebuild_request,
)


@pytest.mark.parametrize(
    "timeout",
    [None, 0, -1.0, True, httpx.Timeout(None), httpx.Timeout(5.0, read=None), httpx.Timeout(5.0, pool=None)],
)
def test_rejects_missing_or_partial_timeouts(timeout: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        build_client(platform="t", base_url="http://127.0.0.1:1", timeout=timeout)


def test_timeouts_are_set_on_every_phase() -> None:
    with build_client(platform="t", base_url="http://127.0.0.1:1", timeout=3) as client:
        assert client.timeout == httpx.Timeout(3.0)
    with build_client(platform="t", base_url="http://127.0.0.1:1") as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert None not in (client.timeout.connect, client.timeout.read, client.timeout.write, client.timeout.pool)


def test_sends_user_agent_and_default_headers(server: ScriptedServer) -> None:
    with build_client(
        platform="t", base_url=server.url, timeout=2.0, headers={"Accept": "application/json"}, user_agent="ua/1"
    ) as client:
        client.get("/x")

    assert server.received[0].headers["user-agent"] == "ua/1"
    assert server.received[0].headers["accept"] == "application/json"


class BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.url = request.url.copy_merge_params({"sign": "c0ffee" + self.token})
        yield request


def test_debug_log_has_method_redacted_url_status_elapsed_and_no_secret(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="syncd.http")
    server.enqueue(Reply(404, {"message": "not found"}))

    with build_client(platform="shopify", base_url=server.url, timeout=2.0, auth=BearerAuth("SHPAT-42")) as client:
        response = client.get("/products/1.json", params={"access_token": "TOK-99", "fields": "id"})

    assert response.status_code == 404
    assert server.received[0].param("sign") == "c0ffeeSHPAT-42"  # auth really ran before the hook
    ours = [r for r in caplog.records if r.name == "syncd.http"]
    assert len(ours) == 1
    message = ours[0].getMessage()
    assert ours[0].levelno == logging.DEBUG
    assert message.startswith(
        f"shopify GET {server.url}/products/1.json?access_token=***&fields=id&sign=*** -> 404 in "
    )
    assert message.endswith("s")
    for secret in ("SHPAT-42", "TOK-99", "c0ffee"):
        assert secret not in caplog.text


def test_counts_calls_by_outcome(server: ScriptedServer) -> None:
    server.enqueue(Reply(200), Reply(201), Reply(404), Reply(503))

    with build_client(platform="t", base_url=server.url, timeout=2.0) as client:
        for _ in range(4):
            client.get("/x")
        assert client.stats.counts() == {"2xx": 2, "4xx": 1, "5xx": 1}
        assert client.platform == "t"


def test_limiter_is_acquired_before_each_request(server: ScriptedServer, clock: ManualClock) -> None:
    bucket = TokenBucket(rate=10.0, capacity=2.0, clock=clock)

    with build_client(platform="t", base_url=server.url, timeout=2.0, limiter=bucket, clock=clock) as client:
        for _ in range(4):
            client.get("/x")
        # A request may say what it costs (Shopify: the query's estimated cost).
        client.send(client.build_request("POST", "/graphql", json={}, extensions={COST_EXTENSION: 2.0}))

    assert len(server.received) == 5
    assert clock.sleeps == pytest.approx([0.1, 0.1, 0.2])
    assert bucket.total_waited == pytest.approx(0.4)


def test_rebuilt_json_request_has_a_correct_content_length(server: ScriptedServer) -> None:
    with build_client(platform="t", base_url=server.url, timeout=2.0) as client:
        original = client.build_request("POST", "/search?page_size=2", json={"status": "AWAITING"})
        longer = rebuild_request(original, json={"status": "AWAITING", "page_token": "x" * 300})
        shorter = rebuild_request(longer, params={"page_size": 50}, json={"s": 1})
        client.send(longer)
        client.send(shorter)

    assert longer.headers["content-length"] == str(len(longer.content))
    assert [r.json() for r in server.received] == [{"status": "AWAITING", "page_token": "x" * 300}, {"s": 1}]
    assert [r.param("page_size") for r in server.received] == ["2", "50"]
    assert server.received[0].headers["content-type"] == "application/json"


def test_rebuild_keeps_body_headers_and_removes_none_params() -> None:
    original = httpx.Request(
        "PUT", "http://h/items?a=1&b=2", headers={"X-Key": "v"}, content=b"raw-bytes", extensions={"k": 1}
    )

    copy = rebuild_request(original, params={"a": None, "c": 3})

    assert copy is not original
    assert str(copy.url) == "http://h/items?b=2&c=3"
    assert copy.content == b"raw-bytes"
    assert copy.headers["x-key"] == "v"
    assert copy.headers["content-length"] == "9"
    assert copy.extensions == {"k": 1}
