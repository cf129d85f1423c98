"""`start_merchant` on the real emulators: the config it writes loads, and every connector built from it reaches
its emulator and sees the seeded catalog."""

from __future__ import annotations

from pathlib import Path

from sandbox_support import seeded_stock, stock_of

from syncd.config import load_settings
from syncd.config.models import TIKTOK_CHANNEL
from syncd.registry import ConnectorRegistry
from syncd.sandbox.merchant import Merchant, platform_of, start_merchant


def load_and_connect(merchant: Merchant, tmp_path: Path) -> dict[str, dict[str, int]]:
    """Write the merchant's config.yaml, load it as the daemon does, and read stock on every channel."""
    path = merchant.write_config(tmp_path / "config.yaml", f"sqlite:///{tmp_path / 'syncd.db'}")
    settings = load_settings(path, environ={})
    registry = ConnectorRegistry()
    stock: dict[str, dict[str, int]] = {}
    for channel in settings.channels:
        connector_class = registry.get(settings.channel_platform(channel))
        with connector_class(settings.connector_config(channel)) as connector:
            connector.check()
            stock[channel] = stock_of(connector)
    assert settings.catalog_store.name == merchant.catalog_store
    return stock


def test_a_merchant_with_a_shopify_store_of_record(tmp_path: Path) -> None:
    with start_merchant((("main", "shopify"),), products=3, variants=2) as merchant:
        expected = seeded_stock(merchant.products)
        assert len(expected) == 6
        assert merchant.stores["main"].stock_by_sku() == expected
        assert merchant.tiktok.listing_count() == 0

        stock = load_and_connect(merchant, tmp_path)

    assert stock == {TIKTOK_CHANNEL: {}, "main": expected}
    assert not merchant.tiktok.server.running
    assert not merchant.stores["main"].server.running


def test_a_merchant_with_two_stores_selling_the_same_skus(tmp_path: Path) -> None:
    stores = (("main", "woocommerce"), ("other", "shopify"))
    with start_merchant(stores, products=2, variants=3, seed=5) as merchant:
        expected = seeded_stock(merchant.products)
        config = merchant.config("sqlite:///unused.db")

        stock = load_and_connect(merchant, tmp_path)

    assert [(s["name"], s["platform"], s["catalog_source"]) for s in config["stores"]] == [
        ("main", "woocommerce", True),
        ("other", "shopify", False),
    ]
    assert [platform_of(store) for store in merchant.stores.values()] == ["woocommerce", "shopify"]
    assert stock == {TIKTOK_CHANNEL: {}, "main": expected, "other": expected}
