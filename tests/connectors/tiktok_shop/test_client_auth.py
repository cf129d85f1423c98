"""The client library against the emulator: credentials, tokens, seller calls, and riding out throttling.

Everything goes over real HTTP on 127.0.0.1; the client and the emulator share one ManualClock, so backoff
and rate-limit waits advance time instead of sleeping.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from pydantic import SecretStr

from connectors.tiktok_shop import (
    InMemoryTokenStore,
    ShopClient,
    TikTokAPIError,
    TikTokAuthError,
    TikTokRateLimitedError,
    TikTokShopClient,
    TikTokTokenExpiredError,
)
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.http import ManualClock, RetryPolicy
from syncd.testing import Fault, Outcome, RateLimit, Request


def test_seller_calls_send_no_cipher_and_read_the_shop(client: TikTokShopClient, fake: FakeTikTokShop) -> None:
    [shop] = client.seller.shops()
    active = client.seller.active_shops()
    permissions = client.seller.permissions()
    assets = client.seller.category_assets()

    assert (shop.id, shop.cipher, shop.region) == (fake.shop["id"], fake.shop["cipher"], "US")
    assert [s.id for s in active] == [fake.shop["id"]]
    assert permissions == []
    assert {a.category.id for a in assets if a.category} == {"601152", "600001", "700645"}
    # The emulator refuses a cipher on these paths (reference §3.3), so none was sent.
    assert all("shop_cipher" not in call.query for call in fake.calls.all())


def test_a_wrong_secret_gets_106001_and_is_not_retried(
    fake: FakeTikTokShop, clock: ManualClock, store: InMemoryTokenStore
) -> None:
    with (
        TikTokShopClient(
            fake.app_key,
            SecretStr("not-the-secret"),
            token_store=store,
            base_url=fake.base_url,
            auth_base_url=fake.base_url,
            clock=clock,
        ) as wrong,
        pytest.raises(TikTokAPIError) as raised,
    ):
        wrong.for_shop(fake.shop["cipher"]).logistics.warehouses()

    assert isinstance(raised.value, TikTokAuthError)
    assert (raised.value.code, raised.value.http_status) == ("106001", 401)
    assert fake.calls.count("get_warehouses", outcome=Outcome.UNAUTHORIZED) == 1
    assert "not-the-secret" not in str(raised.value)


def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(
    shop: ShopClient, fake: FakeTikTokShop, store: InMemoryTokenStore
) -> None:
    old_refresh = fake.refresh_token
    fake.expire_access_token()

    warehouses = shop.logistics.warehouses()

    assert warehouses
    assert fake.calls.count("token_refresh") == 1
    assert fake.calls.count("get_warehouses", status=401) == 1
    saved = store.load()
    assert saved is not None
    # Refresh tokens rotate in the emulator: the client must keep the new one.
    assert saved.refresh_token.get_secret_value() == fake.refresh_token != old_refresh
    assert saved.access_token.get_secret_value() == fake.access_token


def test_a_token_near_expiry_is_refreshed_before_the_call(
    shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock
) -> None:
    clock.advance(fake.access_token_ttl - 30 * 60)  # inside the client's one-hour margin

    shop.logistics.warehouses()

    assert fake.calls.count("token_refresh") == 1
    assert fake.calls.count("get_warehouses", status=401) == 0


def test_get_token_exchanges_an_auth_code(
    client: TikTokShopClient, fake: FakeTikTokShop, store: InMemoryTokenStore
) -> None:
    tokens = client.auth.get_token(fake.issue_auth_code())

    assert tokens.access_token.get_secret_value() == fake.access_token
    assert tokens.access_token_expires_at.timestamp() == fake.grant.access_expires_at
    assert tokens.open_id == fake.open_id
    assert store.load() == tokens
    assert client.seller.shops()


def test_a_forced_refresh_and_a_spent_refresh_token(client: TikTokShopClient, fake: FakeTikTokShop) -> None:
    first = client.auth.refresh()
    second = client.auth.refresh()

    assert first.refresh_token != second.refresh_token
    assert second.access_token.get_secret_value() == fake.access_token
    with pytest.raises(TikTokAPIError) as raised:
        client.auth.refresh_with(first.refresh_token)  # already rotated away
    assert raised.value.code == "36004005"
    # "can not find related auth record": only the seller can fix it by authorising again.
    assert isinstance(raised.value, TikTokAuthError)
    assert fake.calls.count("token_refresh") == 3  # not retried


def test_a_refresh_token_the_platform_expired_fails_the_call_as_an_auth_error(
    shop: ShopClient, fake: FakeTikTokShop, store: InMemoryTokenStore
) -> None:
    # The stored expiry still looks valid, but the platform has ended the grant (say, the seller's access
    # was cut short): the refresh forced by 105002 answers 36004001 "rt has expired".
    fake.grant.refresh_expires_at = fake.unix_now() - 1
    fake.expire_access_token()

    with pytest.raises(TikTokAPIError) as raised:
        shop.logistics.warehouses()

    assert isinstance(raised.value, TikTokAuthError)
    assert not isinstance(raised.value, TikTokTokenExpiredError)
    assert raised.value.code == "36004001"
    assert fake.calls.count("token_refresh") == 1
    assert fake.calls.count("get_warehouses") == 1


def test_authorization_urls(client: TikTokShopClient, fake: FakeTikTokShop) -> None:
    legacy = client.auth.authorization_url("csrf-1")
    service = client.auth.authorization_url(
        "csrf-2", service_id="7123", market="US", base_url=fake.url("/open/authorize")
    )

    assert legacy.startswith("https://auth.tiktok-shops.com/oauth/authorize?app_key=")
    assert service == f"{fake.base_url}/open/authorize?service_id=7123&state=csrf-2"


def test_a_36009002_storm_is_ridden_out(shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock) -> None:
    turn = itertools.count()
    # Three of every four calls throttled, for the first 24 calls.
    fault = fake.inject(Fault.throttle(when=lambda _request: next(turn) % 4 != 3, times=18))

    results = [shop.logistics.warehouses() for _ in range(6)]

    assert all(results)
    assert fake.faults.fired(fault) == 18
    assert fake.calls.count("get_warehouses", status=429) == 18
    assert sum(clock.sleeps) > 0  # the client backed off through the shared clock: nothing slept for real


def test_a_storm_past_the_retry_budget_raises_rate_limited(
    fake: FakeTikTokShop, clock: ManualClock, store: InMemoryTokenStore
) -> None:
    fake.inject(Fault.throttle(route="get_warehouses", times=None))
    policy = RetryPolicy(max_attempts=3, clock=clock)
    with (
        TikTokShopClient(
            fake.app_key,
            SecretStr(fake.app_secret),
            token_store=store,
            base_url=fake.base_url,
            auth_base_url=fake.base_url,
            clock=clock,
            retry_policy=policy,
        ) as limited,
        pytest.raises(TikTokRateLimitedError) as raised,
    ):
        limited.for_shop(fake.shop["cipher"]).logistics.warehouses()

    assert raised.value.code == "36009002"
    assert fake.calls.count("get_warehouses") == 3


def test_the_emulators_rate_limit_and_the_clients_limiter_agree(
    shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock
) -> None:
    # The client allows 10 per second with a burst of 10; a stricter emulator still lets it through.
    fake.set_rate_limit(RateLimit(capacity=5, per_second=5))

    for _ in range(30):
        shop.logistics.warehouses()

    assert fake.calls.count("get_warehouses", outcome=Outcome.HANDLED) == 30
    assert clock.elapsed >= timedelta(seconds=2).total_seconds()


def test_server_errors_are_retried_for_reads(shop: ShopClient, fake: FakeTikTokShop) -> None:
    fake.inject(Fault.error(503, route="get_warehouses", times=2))
    fake.inject(Fault.drop(route="get_warehouses"))

    assert shop.logistics.warehouses()
    assert fake.calls.count("get_warehouses") == 4


def test_every_shop_call_carries_the_cipher_header_and_signature(shop: ShopClient, fake: FakeTikTokShop) -> None:
    seen: list[Request] = []

    def record(request: Request) -> bool:
        seen.append(request)
        return False  # a fault that only looks: it never fires

    fake.inject(Fault.error(599, when=record))

    shop.logistics.warehouses()

    [request] = seen
    assert request.arg("shop_cipher") == fake.shop["cipher"]
    assert request.header("x-tts-access-token") == fake.access_token
    assert len(request.arg("sign") or "") == 64
