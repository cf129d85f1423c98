"""The emulator throttles with code 36009002 (HTTP 429 by default) and injects the foundation's faults."""

from __future__ import annotations

import httpx
import pytest
from tts_harness import SignedApi, envelope

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.http import ManualClock
from syncd.testing import Fault, Outcome, RateLimit

WAREHOUSES = "/logistics/202309/warehouses"


def test_the_limit_answers_36009002_with_http_429(api: SignedApi, fake: FakeTikTokShop, clock: ManualClock) -> None:
    fake.set_rate_limit(RateLimit(capacity=3, per_second=1))
    for _ in range(3):
        api.ok("GET", WAREHOUSES)

    response = api.call("GET", WAREHOUSES)

    assert response.status_code == 429
    assert envelope(response)["code"] == 36009002
    assert "Retry-After" not in response.headers  # unverified for the platform, so off by default
    assert fake.calls.throttled == 1
    clock.advance(1.0)  # one token back
    assert api.ok("GET", WAREHOUSES)


def test_the_throttle_status_and_retry_after_are_knobs(clock: ManualClock) -> None:
    limit = RateLimit(capacity=1, per_second=0.5)
    now = lambda: clock.now().timestamp()  # noqa: E731
    with FakeTikTokShop(
        now=now, clock=clock.monotonic, rate_limit=limit, throttle_status=200, send_retry_after=True
    ) as fake:
        caller = SignedApi(fake.base_url, fake.app_key, fake.app_secret, fake.access_token, fake.shop["cipher"], now)
        caller.ok("GET", WAREHOUSES)

        response = caller.call("GET", WAREHOUSES)

        assert response.status_code == 200
        assert envelope(response)["code"] == 36009002
        assert response.headers["Retry-After"] == "2"
        caller.client.close()


def test_the_default_limit_is_generous(api: SignedApi, fake: FakeTikTokShop) -> None:
    # No numeric limit is published (reference §6.3); the default allows a burst of 50.
    assert fake.rate_limit == RateLimit(capacity=50, per_second=25)
    for _ in range(50):
        api.ok("GET", WAREHOUSES)
    assert api.call("GET", WAREHOUSES).status_code == 429


def test_a_throttle_fault_is_the_platform_throttle(api: SignedApi, fake: FakeTikTokShop) -> None:
    fault = fake.inject(Fault.throttle(route="get_warehouses", times=2))

    codes = [envelope(api.call("GET", WAREHOUSES))["code"] for _ in range(3)]

    assert codes == [36009002, 36009002, 0]
    assert fake.faults.fired(fault) == 2
    assert fake.calls.count("get_warehouses", outcome=Outcome.FAULT) == 2


@pytest.mark.parametrize("fault", [Fault.error(503), Fault.malformed(), Fault.drop()])
def test_the_base_faults_reach_the_client(api: SignedApi, fake: FakeTikTokShop, fault: Fault) -> None:
    fake.inject(Fault(fault.kind, route="get_warehouses", status=fault.status))

    try:
        response = api.call("GET", WAREHOUSES)
    except httpx.TransportError:
        assert fault.kind == "drop"
    else:
        assert response.status_code == 503 or response.content.count(b"{") > response.content.count(b"}")

    assert api.ok("GET", WAREHOUSES)["warehouses"]


def test_every_call_is_recorded(api: SignedApi, fake: FakeTikTokShop) -> None:
    api.ok("GET", WAREHOUSES)
    api.error("GET", WAREHOUSES, secret="wrong")

    assert fake.calls.by_route()["get_warehouses"] == 2
    assert fake.calls.unauthorized == 1
