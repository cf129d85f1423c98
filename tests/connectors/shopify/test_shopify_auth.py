"""The OAuth install flow against the emulator: install URL, callback verification, code exchange."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from shopify_support import make_config

from connectors.shopify.auth import ShopifyApp, exchange_code, install_url, missing_scopes, verify_callback
from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from syncd.errors import AuthError
from syncd.http import ManualClock

REDIRECT = "https://syncd.example/auth/shopify/callback"
SCOPES = ("read_products", "write_inventory", "write_orders")


@pytest.fixture
def app(fake: FakeShopify) -> ShopifyApp:
    """The app whose key and secret the emulator knows."""
    return ShopifyApp(api_key=fake.api_key, api_secret=SecretStr(fake.api_secret), scopes=SCOPES, redirect_uri=REDIRECT)


def _authorize(fake: FakeShopify, app: ShopifyApp, state: str) -> dict[str, str]:
    """Follow the install URL as the merchant's browser would, up to the redirect back to the app."""
    url = install_url(app, fake.shop_domain, state, base_url=fake.base_url)
    response = httpx.get(url, follow_redirects=False, timeout=5.0)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return dict(parse_qsl(location.query))


def test_install_url_carries_key_scopes_redirect_and_state(fake: FakeShopify, app: ShopifyApp) -> None:
    url = urlsplit(install_url(app, fake.shop_domain, "nonce-1"))
    assert (url.scheme, url.netloc, url.path) == ("https", fake.shop_domain, "/admin/oauth/authorize")
    query = dict(parse_qsl(url.query))
    assert query == {
        "client_id": fake.api_key,
        "scope": "read_products,write_inventory,write_orders",
        "redirect_uri": REDIRECT,
        "state": "nonce-1",
    }
    with pytest.raises(ValueError, match=r"myshopify\.com"):
        install_url(app, "evil.example.com", "nonce-1")


def test_install_flow_yields_a_working_token(fake: FakeShopify, app: ShopifyApp, clock: ManualClock) -> None:
    params = _authorize(fake, app, "nonce-2")
    assert verify_callback(app, params, state="nonce-2", now=clock.now())

    grant = exchange_code(app, params["shop"], params["code"], base_url=fake.base_url, clock=clock)

    assert grant.shop_domain == fake.shop_domain
    assert missing_scopes(grant, ["read_products", "read_inventory", "write_orders"]) == []
    config = make_config(fake, token=grant.access_token.get_secret_value())
    with ShopifyConnector(config, base_url=fake.base_url, clock=clock) as shop:
        shop.check()
    with pytest.raises(AuthError, match="refused"):
        exchange_code(app, params["shop"], params["code"], base_url=fake.base_url, clock=clock)  # single use


def test_callback_is_rejected_when_tampered_stale_or_foreign(
    fake: FakeShopify, app: ShopifyApp, clock: ManualClock
) -> None:
    params = _authorize(fake, app, "nonce-3")
    now = clock.now()
    assert verify_callback(app, params, state="nonce-3", now=now)
    assert not verify_callback(app, {**params, "code": "forged"}, state="nonce-3", now=now)
    assert not verify_callback(app, params, state="another-nonce", now=now)
    assert not verify_callback(app, {**params, "shop": "evil.example.com"}, state="nonce-3", now=now)
    later = clock.now().replace(year=clock.now().year + 1)
    assert not verify_callback(app, params, state="nonce-3", now=later)
    other_app = ShopifyApp(api_key=app.api_key, api_secret=SecretStr("other"), scopes=SCOPES, redirect_uri=REDIRECT)
    assert not verify_callback(other_app, params, state="nonce-3", now=now)


def test_exchange_with_wrong_app_secret_is_refused(fake: FakeShopify, app: ShopifyApp, clock: ManualClock) -> None:
    params = _authorize(fake, app, "nonce-4")
    secret = "shpss_wrong_secret_7c1d"
    wrong = ShopifyApp(api_key=app.api_key, api_secret=SecretStr(secret), scopes=SCOPES, redirect_uri=REDIRECT)
    with pytest.raises(AuthError) as refused:
        exchange_code(wrong, params["shop"], params["code"], base_url=fake.base_url, clock=clock)
    assert secret not in str(refused.value)


def test_connector_consent_flow_stores_the_token_in_its_vault(fake: FakeShopify, clock: ManualClock) -> None:
    from syncd.connector import InMemoryVault, InteractiveAuth

    config = make_config(
        fake,
        access_token=None,
        client_id=fake.api_key,
        client_secret=SecretStr(fake.api_secret),
        redirect_uri=REDIRECT,
        scopes=list(SCOPES),
    )
    vault = InMemoryVault()
    with ShopifyConnector(config, clock=clock, vault=vault) as connector:
        assert isinstance(connector, InteractiveAuth)
        with pytest.raises(AuthError, match="no access token"):
            connector.check()
        response = httpx.get(connector.authorization_url("nonce-9"), follow_redirects=False, timeout=5.0)
        params = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
        summary = connector.exchange_code(params["code"])
    assert summary["shop"] == fake.shop_domain
    assert "missing scopes" not in summary
    stored = vault.load()
    assert stored is not None
    assert stored["access_token"]
    # A new connector on the same vault works without a token in its config.
    with ShopifyConnector(config, clock=clock, vault=vault) as connector:
        connector.check()
        assert connector.currency()
