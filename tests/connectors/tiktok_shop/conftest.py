"""Fixtures for the TikTok Shop tests: a ManualClock shared by the emulator and its callers, the emulator
itself on 127.0.0.1, a signed caller written independently of both the emulator and the client, and the
client library pointed at the emulator (API and auth host alike)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from tts_harness import SignedApi, WebhookReceiver

from connectors.tiktok_shop import InMemoryTokenStore, ShopClient, TikTokShopClient, TokenSet
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.http import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """Time for the emulator and the caller; it moves only when a test or a client's sleep moves it."""
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[FakeTikTokShop]:
    """A running emulator driven by `clock` (wall time for signatures and tokens, monotonic for limits)."""
    with FakeTikTokShop(now=lambda: clock.now().timestamp(), clock=clock.monotonic) as server:
        yield server


@pytest.fixture
def api(fake: FakeTikTokShop, clock: ManualClock) -> Iterator[SignedApi]:
    """Signed calls to `fake` with its own credentials."""
    caller = SignedApi(
        fake.base_url,
        fake.app_key,
        fake.app_secret,
        fake.access_token,
        fake.shop["cipher"],
        now=lambda: clock.now().timestamp(),
    )
    yield caller
    caller.client.close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A webhook endpoint on 127.0.0.1 that records deliveries."""
    with WebhookReceiver() as server:
        yield server


def fake_tokens(fake: FakeTikTokShop) -> TokenSet:
    """The emulator's current grant as the client stores tokens."""
    grant = fake.grant
    return TokenSet(
        access_token=SecretStr(grant.access_token),
        access_token_expires_at=datetime.fromtimestamp(grant.access_expires_at, UTC),
        refresh_token=SecretStr(grant.refresh_token),
        refresh_token_expires_at=datetime.fromtimestamp(grant.refresh_expires_at, UTC),
    )


@pytest.fixture
def store(fake: FakeTikTokShop) -> InMemoryTokenStore:
    """A token store holding the emulator's initial tokens."""
    return InMemoryTokenStore(fake_tokens(fake))


@pytest.fixture
def client(fake: FakeTikTokShop, clock: ManualClock, store: InMemoryTokenStore) -> Iterator[TikTokShopClient]:
    """The client library on the emulator, with the emulator's app credentials and the shared clock."""
    with TikTokShopClient(
        fake.app_key,
        SecretStr(fake.app_secret),
        token_store=store,
        base_url=fake.base_url,
        auth_base_url=fake.base_url,
        timeout=5.0,
        clock=clock,
    ) as api_client:
        yield api_client


@pytest.fixture
def shop(client: TikTokShopClient, fake: FakeTikTokShop) -> ShopClient:
    """The client's view of the emulator's shop."""
    return client.for_shop(fake.shop["cipher"])
