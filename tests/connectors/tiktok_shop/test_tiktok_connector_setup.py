"""Building the connector: the shop by cipher or id, health checks, and where its tokens come from."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from tts_connector_support import make_config, make_connector

from connectors.tiktok_shop import InMemoryTokenStore, TokenSet
from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.connector import InMemoryVault, capabilities_of
from syncd.errors import AuthError
from syncd.http import ManualClock


def test_the_connector_declares_its_capabilities(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with make_connector(fake, clock) as connector:
        assert sorted(capabilities_of(connector)) == [
            "AccountDirectory",
            "CatalogSink",
            "FulfilmentSink",
            "InteractiveAuth",
            "OrderReferenceSink",
            "OrderSource",
            "ReturnSource",
            "StockSink",
            "StockSource",
            "WebhookRegistrar",
            "WebhookSource",
        ]


def test_a_shop_id_is_resolved_to_its_cipher_once(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with make_connector(fake, clock, shop_cipher=None, shop_id=fake.shop["id"]) as connector:
        connector.check()
        list(connector.read_orders(None))
        list(connector.read_returns(None))

    assert fake.calls.count("get_authorized_shops") == 1
    assert fake.calls.count("search_orders") == 1


def test_check_refuses_a_shop_the_authorisation_does_not_cover(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with (
        make_connector(fake, clock, shop_cipher=None, shop_id="7494049642642449999") as connector,
        pytest.raises(AuthError, match="does not cover shop 7494049642642449999"),
    ):
        connector.check()


def test_check_raises_auth_error_when_tiktok_refuses_the_credentials(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with make_connector(fake, clock, valid=False) as connector, pytest.raises(AuthError):
        connector.check()

    assert fake.calls.unauthorized == 1


def test_an_injected_token_store_is_used_and_receives_refreshed_tokens(
    fake: FakeTikTokShop, clock: ManualClock
) -> None:
    grant = fake.grant
    store = InMemoryTokenStore(
        TokenSet(
            access_token=SecretStr(grant.access_token),
            access_token_expires_at=datetime.fromtimestamp(grant.access_expires_at, UTC),
            refresh_token=SecretStr(grant.refresh_token),
            refresh_token_expires_at=datetime.fromtimestamp(grant.refresh_expires_at, UTC),
        )
    )
    config = make_config(fake, access_token=None, refresh_token=None)
    fake.expire_access_token()

    with TikTokShopConnector(config, clock=clock, token_store=store) as connector:
        connector.check()

    assert fake.calls.count("token_refresh") == 1
    saved = store.load()
    assert saved is not None
    assert saved.access_token.get_secret_value() == fake.access_token


def test_config_tokens_of_unknown_lifetime_are_refreshed_when_tiktok_says_they_expired(
    fake: FakeTikTokShop, clock: ManualClock
) -> None:
    with make_connector(fake, clock) as connector:
        connector.check()
        assert fake.calls.count("token_refresh") == 0
        fake.expire_access_token()
        connector.check()

    assert fake.calls.count("token_refresh") == 1


def test_a_refresh_token_alone_is_exchanged_before_the_first_call(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with make_connector(fake, clock, access_token=None) as connector:
        connector.check()

    assert fake.calls.count("token_refresh") == 1
    assert fake.calls.unauthorized == 0


def test_without_tokens_every_call_is_an_auth_error(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with (
        make_connector(fake, clock, access_token=None, refresh_token=None) as connector,
        pytest.raises(AuthError, match="authorise"),
    ):
        connector.check()

    assert len(fake.calls) == 0


def test_consent_flow_saves_tokens_to_the_vault_and_a_new_connector_uses_them(
    fake: FakeTikTokShop, clock: ManualClock
) -> None:
    vault = InMemoryVault()
    config = make_config(fake, access_token=None, refresh_token=None, service_id="7100000000000000001")
    with TikTokShopConnector(config, clock=clock, vault=vault) as connector:
        url = connector.authorization_url("state-1")
        assert "service_id=7100000000000000001" in url
        assert "state=state-1" in url
        with pytest.raises(AuthError):
            connector.check()
        grant = connector.exchange_code(fake.issue_auth_code())
    assert grant["access token expires"]
    stored = vault.load()
    assert stored is not None
    assert stored["access_token"] == fake.access_token
    assert fake.access_token not in str(grant)

    with TikTokShopConnector(config, clock=clock, vault=vault) as connector:
        connector.check()
        fake.expire_access_token()
        connector.check()
    # The refresh rotated the tokens, and the vault has the new ones.
    assert (vault.load() or {})["access_token"] == fake.access_token


def test_accounts_lists_the_authorised_shops_with_their_ciphers(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with make_connector(fake, clock) as connector:
        accounts = connector.accounts()
    assert [(a.id, a.handle) for a in accounts] == [(fake.shop["id"], fake.shop["cipher"])]


def test_api_calls_counts_every_request_sent(fake: FakeTikTokShop, clock: ManualClock) -> None:
    with make_connector(fake, clock) as connector:
        before = len(fake.calls.all())
        connector.check()
        list(connector.read_orders(None))
        assert connector.api_calls() == len(fake.calls.all()) - before
        assert connector.api_calls() > 0
