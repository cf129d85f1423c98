"""send_with_retry against a real server on 127.0.0.1, with time on a manual clock."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Generator
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest
from http_fakes import PLATFORM, CountingBuilder, Reply, ScriptedServer, send_retrying

from syncd.errors import AuthError, FatalApiError, RateLimited, TransientApiError
from syncd.http import (
    Action,
    ApiClient,
    BodyRule,
    ManualClock,
    ResponseClassifier,
    build_client,
    is_malformed_json,
    json_code_in,
)


def test_retries_5xx_then_succeeds(server: ScriptedServer, client: ApiClient, clock: ManualClock) -> None:
    server.enqueue(Reply(503), Reply(500), Reply(200, {"ok": True}))
    builder = CountingBuilder(client)

    response = send_retrying(client, clock, builder, jitter=False)

    assert response.json() == {"ok": True}
    assert builder.calls == 3
    assert [r.headers["x-attempt"] for r in server.received] == ["1", "2", "3"]
    assert clock.sleeps == [0.5, 1.0]  # base_delay, then doubled
    assert client.stats.counts() == {"5xx": 2, "2xx": 1, "retry": 2}
    assert client.stats.waited_seconds == pytest.approx(1.5)


def test_full_jitter_waits_stay_under_the_exponential_ceiling(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(Reply(502), Reply(504), Reply(500), Reply(200))

    send_retrying(client, clock, base_delay=1.0)

    ceilings = [1.0, 2.0, 4.0]
    assert len(clock.sleeps) == 3
    assert all(0.0 <= wait <= ceiling for wait, ceiling in zip(clock.sleeps, ceilings, strict=True))


class ClockSigningAuth(httpx.Auth):
    """Signs with the current time, like a platform that rejects stale signatures."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = str(int(self.clock.now().timestamp()))
        sign = hmac.new(b"app-secret", (request.url.path + timestamp).encode(), hashlib.sha256).hexdigest()
        request.url = request.url.copy_merge_params({"timestamp": timestamp, "sign": sign})
        yield request


def test_every_attempt_is_rebuilt_and_signed_again(server: ScriptedServer, clock: ManualClock) -> None:
    server.enqueue(Reply(503), Reply(503), Reply(200))
    with build_client(
        platform=PLATFORM, base_url=server.url, timeout=2.0, auth=ClockSigningAuth(clock), clock=clock
    ) as client:
        builder = CountingBuilder(client)
        send_retrying(client, clock, builder, base_delay=2.0, jitter=False)

    assert builder.calls == 3
    timestamps = [r.param("timestamp") for r in server.received]
    signs = [r.param("sign") for r in server.received]
    assert timestamps == ["1735689600", "1735689602", "1735689606"]  # moved on by each 2 s, 4 s wait
    assert len(set(signs)) == 3
    # Each request carries exactly one signature: nothing left over from the previous attempt.
    assert all(len(r.query["sign"]) == 1 for r in server.received)


def test_429_waits_for_retry_after_seconds(server: ScriptedServer, client: ApiClient, clock: ManualClock) -> None:
    server.enqueue(Reply(429, headers={"Retry-After": "7"}), Reply(200))

    assert send_retrying(client, clock).status_code == 200
    assert clock.sleeps == [7.0]
    assert client.stats.counts()["rate_limited"] == 1


def test_429_waits_until_retry_after_http_date(server: ScriptedServer, client: ApiClient, clock: ManualClock) -> None:
    when = format_datetime(clock.now() + timedelta(seconds=12), usegmt=True)
    server.enqueue(Reply(429, headers={"Retry-After": when}), Reply(200))

    assert send_retrying(client, clock).status_code == 200
    assert clock.sleeps == [12.0]


def test_retry_after_is_capped_by_max_delay(server: ScriptedServer, client: ApiClient, clock: ManualClock) -> None:
    server.enqueue(Reply(429, headers={"Retry-After": "100"}), Reply(200))

    send_retrying(client, clock, max_delay=10.0, max_elapsed=300.0)

    assert clock.sleeps == [10.0]


def test_retry_after_beyond_the_budget_raises_rate_limited_at_once(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(Reply(429, {"code": "THROTTLED"}, headers={"Retry-After": "120"}))

    with pytest.raises(RateLimited) as caught:
        send_retrying(client, clock, max_elapsed=60.0, max_delay=300.0)

    assert caught.value.retry_after == 120.0
    assert caught.value.status == 429
    assert caught.value.code == "THROTTLED"
    assert caught.value.platform == PLATFORM
    assert len(server.received) == 1
    assert clock.sleeps == []


def test_attempt_budget_exhaustion_raises_transient_with_status_and_code(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    down = Reply(503, {"code": 36009003, "message": "Internal error. Please try again."})
    server.enqueue(down, down, down, down)

    with pytest.raises(TransientApiError) as caught:
        send_retrying(client, clock, max_attempts=3)

    error = caught.value
    assert type(error) is TransientApiError
    assert (error.status, error.code, error.platform) == (503, "36009003", PLATFORM)
    assert "Internal error. Please try again." in str(error)
    assert "3 attempt" in str(error)
    assert len(server.received) == 3
    assert len(clock.sleeps) == 2


def test_time_budget_exhaustion_never_sleeps_past_the_budget(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(*[Reply(500)] * 10)

    with pytest.raises(TransientApiError) as caught:
        send_retrying(client, clock, max_attempts=10, max_elapsed=5.0, base_delay=4.0, jitter=False)

    assert clock.sleeps == [4.0, 1.0]  # the second wait is cut to what is left of the 5 s
    assert caught.value.status == 500
    assert len(server.received) == 3


def test_rate_limit_budget_exhaustion_raises_rate_limited(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(*[Reply(429, headers={"Retry-After": "1"})] * 3)

    with pytest.raises(RateLimited) as caught:
        send_retrying(client, clock, max_attempts=3)

    assert caught.value.status == 429
    assert caught.value.retry_after == 1.0
    assert clock.sleeps == [1.0, 1.0]


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_client_errors_are_fatal_and_not_retried(
    status: int, server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(Reply(status, {"code": 98001004, "message": "Parameter page_size is invalid."}))

    with pytest.raises(FatalApiError) as caught:
        send_retrying(client, clock)

    assert (caught.value.status, caught.value.code) == (status, "98001004")
    assert "Parameter page_size is invalid." in str(caught.value)
    assert len(server.received) == 1
    assert clock.sleeps == []


def test_403_is_an_auth_error_and_not_retried(server: ScriptedServer, client: ApiClient, clock: ManualClock) -> None:
    server.enqueue(Reply(403, {"errors": "[API] This action requires merchant approval for read_orders scope."}))
    refreshes: list[int] = []

    with pytest.raises(AuthError, match="read_orders scope"):
        send_retrying(client, clock, refresh_auth=lambda: refreshes.append(1))

    assert refreshes == []
    assert len(server.received) == 1


class TokenHolder:
    """An access token the refresh callback replaces, as a connector's auth would."""

    def __init__(self) -> None:
        self.token = "expired-token"
        self.refreshes = 0

    def refresh(self) -> None:
        self.refreshes += 1
        self.token = f"fresh-token-{self.refreshes}"


def test_401_refreshes_once_then_succeeds(server: ScriptedServer, client: ApiClient, clock: ManualClock) -> None:
    server.enqueue(Reply(401, {"code": 105002, "message": "access token is expired"}), Reply(200))
    holder = TokenHolder()

    def build() -> httpx.Request:
        return client.build_request("GET", "/orders", headers={"x-tts-access-token": holder.token})

    response = send_retrying(client, clock, build, refresh_auth=holder.refresh, max_attempts=1)

    assert response.status_code == 200
    assert holder.refreshes == 1
    assert [r.headers["x-tts-access-token"] for r in server.received] == ["expired-token", "fresh-token-1"]
    assert clock.sleeps == []


def test_second_401_after_refresh_is_an_auth_error(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(Reply(401), Reply(401, {"code": 105002, "message": "access token is expired"}))
    holder = TokenHolder()

    with pytest.raises(AuthError, match="105002"):
        send_retrying(client, clock, refresh_auth=holder.refresh)

    assert holder.refreshes == 1
    assert len(server.received) == 2


def test_401_without_a_way_to_refresh_is_an_auth_error(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(Reply(401, {"errors": "[API] Invalid API key or access token"}))

    with pytest.raises(AuthError, match="HTTP 401"):
        send_retrying(client, clock)

    assert len(server.received) == 1


TIKTOK_LIKE = ResponseClassifier(
    rules=[
        BodyRule(Action.RATE_LIMITED, json_code_in(36009002), "too many requests"),
        BodyRule(Action.REFRESH_AUTH, json_code_in(105002), "access token expired"),
        BodyRule(Action.FAIL, lambda body: isinstance(body, dict) and body.get("code") != 0, "error code"),
    ]
)


def test_throttle_code_on_http_200_is_rate_limited(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(
        Reply(200, {"code": 36009002, "message": "Too many requests", "data": None}),
        Reply(200, {"code": 0, "message": "Success", "data": {"orders": []}}),
    )

    response = send_retrying(client, clock, classifier=TIKTOK_LIKE, jitter=False)

    assert response.json()["code"] == 0
    assert clock.sleeps == [0.5]


def test_expired_token_code_on_http_200_refreshes(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(
        Reply(200, {"code": 105002, "message": "access token is expired, please refresh it"}),
        Reply(200, {"code": 0, "data": {}}),
    )
    holder = TokenHolder()

    send_retrying(client, clock, classifier=TIKTOK_LIKE, refresh_auth=holder.refresh)

    assert holder.refreshes == 1


def test_business_error_code_on_http_200_is_fatal_with_platform_code(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    server.enqueue(Reply(200, {"code": 12052055, "message": "inventory quantity out of range"}))

    with pytest.raises(FatalApiError) as caught:
        send_retrying(client, clock, classifier=TIKTOK_LIKE)

    assert (caught.value.status, caught.value.code) == (200, "12052055")
    assert "inventory quantity out of range" in str(caught.value)


def test_malformed_json_is_retried_when_the_caller_says_so(
    server: ScriptedServer, client: ApiClient, clock: ManualClock
) -> None:
    classifier = ResponseClassifier(
        rules=[BodyRule(Action.RETRY, is_malformed_json, "malformed JSON", statuses=frozenset({200}))]
    )
    server.enqueue(Reply(200, '{"code": 0, "data": {"orders": ['), Reply(200, {"code": 0}))

    assert send_retrying(client, clock, classifier=classifier).json() == {"code": 0}
    assert len(server.received) == 2
