"""Credentials are checked for real: OAuth 1.0a signatures over http, Basic auth and query keys over https."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import woocommerce  # type: ignore[import-untyped]
from woo_helpers import make_config
from woocommerce.oauth import OAuth  # type: ignore[import-untyped]

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from connectors.woocommerce.fake_auth import ApiKey
from syncd.domain import StockUpdate
from syncd.errors import AuthError
from syncd.http import ManualClock
from syncd.testing.tls import self_signed_tls


def test_oauth_with_the_right_secret_passes_and_a_wrong_secret_is_refused(
    store: FakeWooCommerce, clock: ManualClock
) -> None:
    with WooCommerceConnector(make_config(store), clock=clock) as good:
        good.check()
    with WooCommerceConnector(make_config(store, valid=False), clock=clock) as bad, pytest.raises(AuthError) as refused:
        bad.check()
    assert "woocommerce_rest_authentication_error" in str(refused.value)
    assert "Invalid signature" in str(refused.value)
    assert store.auth.methods == {"oauth1": 2}
    assert store.calls.unauthorized == 1


def test_oauth_signs_the_home_url_the_store_reports(clock: ManualClock) -> None:
    # Behind a proxy the store may call itself https://shop.example; a client signing another URL is refused.
    with FakeWooCommerce(clock=clock.monotonic, rate_limit=None, store_url="http://shop.example") as fake:
        with WooCommerceConnector(make_config(fake), clock=clock) as connector, pytest.raises(AuthError):
            connector.check()
        index = httpx.get(fake.url("/wp-json/")).json()
        assert index["home"] == "http://shop.example"


def test_a_reused_nonce_and_a_stale_timestamp_are_refused(store: FakeWooCommerce) -> None:
    url = f"{store.base_url}/wp-json/wc/v3/products?per_page=1"
    signed = OAuth(url, store.key.consumer_key, store.key.consumer_secret, version="wc/v3").get_oauth_url()
    assert httpx.get(signed).status_code == 200
    replayed = httpx.get(signed)
    assert replayed.status_code == 401
    assert replayed.json()["message"] == "Invalid nonce - nonce has already been used."

    stale = OAuth(
        url, store.key.consumer_key, store.key.consumer_secret, version="wc/v3", oauth_timestamp=int(time.time()) - 3600
    ).get_oauth_url()
    refused = httpx.get(stale)
    assert (refused.status_code, refused.json()["message"]) == (401, "Invalid timestamp.")


def test_requests_without_credentials_get_the_routes_own_refusal(store: FakeWooCommerce) -> None:
    listing = httpx.get(store.url("/wp-json/wc/v3/products"))
    assert listing.status_code == 401
    assert listing.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }
    batch = httpx.post(store.url("/wp-json/wc/v3/products/batch"), json={"update": []})
    assert (batch.status_code, batch.json()["code"]) == (401, "woocommerce_rest_cannot_batch")
    missing = httpx.get(store.url("/wp-json/wc/v3/nothing-here"))
    assert (missing.status_code, missing.json()["code"]) == (404, "rest_no_route")


def test_basic_auth_is_accepted_over_plain_http_and_an_unknown_key_goes_unauthenticated(
    store: FakeWooCommerce,
) -> None:
    url = store.url("/wp-json/wc/v3/products")
    assert httpx.get(url, auth=(store.key.consumer_key, store.key.consumer_secret)).status_code == 200
    wrong = httpx.get(url, auth=(store.key.consumer_key, "cs_not_it_at_all"))
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Consumer secret is invalid.")
    unknown = httpx.get(url, auth=("ck_nobody_0000000", "cs_nobody_0000000"))
    assert (unknown.status_code, unknown.json()["code"]) == (401, "woocommerce_rest_cannot_view")


def test_a_read_only_key_cannot_write(clock: ManualClock) -> None:
    key = ApiKey("ck_readonly_key_0000000000", "cs_readonly_secret_000000", permissions="read")
    with FakeWooCommerce(keys=[key], clock=clock.monotonic, rate_limit=None) as fake:
        api = woocommerce.API(url=fake.base_url, consumer_key=key.consumer_key, consumer_secret=key.consumer_secret)
        assert api.get("products").status_code == 200
        refused = api.post("products", {"name": "Nope"})
        assert refused.status_code == 401
        assert refused.json()["message"] == "The API key provided does not have write permissions."


@pytest.fixture
def tls_store(tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWooCommerce]:
    """The emulator behind TLS, its certificate trusted through the CA bundle variable `requests` reads."""
    context, certificate = self_signed_tls(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))
    with FakeWooCommerce(clock=clock.monotonic, now=clock.now, rate_limit=None, tls=context) as fake:
        yield fake


def test_over_https_the_package_uses_basic_auth_with_certificate_checks(
    tls_store: FakeWooCommerce, clock: ManualClock
) -> None:
    assert tls_store.base_url.startswith("https://")
    (product_id,) = tls_store.add_products(1)
    with WooCommerceConnector(make_config(tls_store), clock=clock) as connector:
        connector.check()
        assert [p.external_id for page in connector.read_products(None) for p in page.records] == [product_id]
    with (
        WooCommerceConnector(make_config(tls_store, valid=False), clock=clock) as bad,
        pytest.raises(AuthError) as refused,
    ):
        bad.check()
    assert "Consumer secret is invalid." in str(refused.value)
    assert set(tls_store.auth.methods) == {"basic"}


def test_over_https_a_sku_with_a_slash_is_found(tls_store: FakeWooCommerce, clock: ManualClock) -> None:
    with WooCommerceConnector(make_config(tls_store), clock=clock) as connector:
        connector.client.json("POST", "products", body={"name": "Slashed", "sku": "AB/12", "manage_stock": True})
        (result,) = connector.write_stock([StockUpdate(sku="AB/12", location_id="default", quantity=6)])
    assert result.ok, result.error
    assert tls_store.product_by_sku("AB/12")["stock_quantity"] == 6  # type: ignore[index]


def test_over_https_query_string_auth_sends_the_keys_as_parameters(
    tls_store: FakeWooCommerce, clock: ManualClock
) -> None:
    with WooCommerceConnector(make_config(tls_store, query_string_auth=True), clock=clock) as connector:
        connector.check()
    assert set(tls_store.auth.methods) == {"query"}
