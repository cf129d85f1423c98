"""Stock writes through inventorySetQuantities: compare-and-set per API version, read-back on a stale compare,
user errors as per-update failures; and the stock read's checkpoint."""

from __future__ import annotations

import pytest
from shopify_support import make_config

from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from syncd.connector import WriteStatus
from syncd.domain import StockUpdate
from syncd.errors import ConfigError
from syncd.http import ManualClock


def _level(fake: FakeShopify, available: int = 10) -> tuple[str, str]:
    location = fake.add_location("Main")
    product = fake.add_products(1, available=available, locations=[location])[0]
    return fake.variant_skus(product)[0], location


@pytest.mark.parametrize("version", ["2025-10", "2026-01", "2026-04", "2026-10"])
def test_write_uses_the_compare_field_of_the_pinned_version(
    fake: FakeShopify, clock: ManualClock, version: str
) -> None:
    """compareQuantity before 2026-04, changeFromQuantity (and @idempotent) from then on; the emulator refuses
    the other form on each version, so a passing write proves the right one was sent."""
    sku, location = _level(fake)
    config = make_config(fake, api_version=version)
    with ShopifyConnector(config, base_url=fake.base_url, clock=clock) as shop:
        [result] = shop.write_stock([StockUpdate(sku=sku, location_id=location, quantity=4)])
        [again] = shop.write_stock([StockUpdate(sku=sku, location_id=location, quantity=4)])

    assert result.status is WriteStatus.UPDATED, result.error
    assert again.status is WriteStatus.UNCHANGED
    assert fake.available(sku, location) == 4


def test_stale_expected_quantity_is_read_back_and_retried_once(fake: FakeShopify, connector: ShopifyConnector) -> None:
    sku, location = _level(fake, available=10)
    fake.set_available(sku, location, 7)  # changed since the engine last looked
    fake.calls.clear()

    [result] = connector.write_stock([StockUpdate(sku=sku, location_id=location, quantity=3, expected=10)])

    assert result.status is WriteStatus.UPDATED, result.error
    assert fake.available(sku, location) == 3
    sent = [c for c in fake.calls.all() if c.route == "graphql"]
    # look up, set (stale), read back, set again
    assert len(sent) == 4


def test_compare_mismatch_is_retried_only_once(fake: FakeShopify, connector: ShopifyConnector) -> None:
    """A level that keeps changing under every write fails after one retry, with Shopify's code."""
    sku, location = _level(fake, available=10)
    fake.interfere_with_inventory_writes(times=5)

    [result] = connector.write_stock([StockUpdate(sku=sku, location_id=location, quantity=3)])

    assert not result.ok
    assert result.error is not None
    assert result.error.startswith("CHANGE_FROM_QUANTITY_STALE")
    assert fake.available(sku, location) == 12  # two concurrent changes, none of ours
    assert fake.services.interference == 3


def test_user_errors_fail_only_their_updates(fake: FakeShopify, connector: ShopifyConnector) -> None:
    location = fake.add_location("Main")
    other = fake.add_location("Elsewhere")
    products = fake.add_products(4, locations=[location])
    skus = [fake.variant_skus(p)[0] for p in products]
    fake.reject_skus([skus[1]])
    updates = [
        StockUpdate(sku=skus[0], location_id=location, quantity=1),
        StockUpdate(sku=skus[1], location_id=location, quantity=2),  # INVALID_INVENTORY_ITEM
        StockUpdate(sku=skus[2], location_id=location, quantity=3),
        StockUpdate(sku="UNKNOWN-SKU", location_id=location, quantity=4),
        StockUpdate(sku=skus[3], location_id=other, quantity=5),  # not stocked there
    ]

    results = connector.write_stock(updates)

    assert [r.key for r in results] == [u.sku for u in updates]
    assert [r.ok for r in results] == [True, False, True, False, False]
    assert results[1].error is not None
    assert results[1].error.startswith("INVALID_INVENTORY_ITEM")
    assert results[3].error == "SKU UNKNOWN-SKU not found in the shop"
    assert results[4].error is not None
    assert "not stocked" in results[4].error
    assert (fake.available(skus[0], location), fake.available(skus[1], location)) == (1, 10)
    assert fake.available(skus[2], location) == 3


def test_stock_read_checkpoints_once_and_resumes_after_it(fake: FakeShopify, connector: ShopifyConnector) -> None:
    location = fake.add_location("Main")
    products = fake.add_products(12, locations=[location])
    pages = list(connector.read_stock(None))

    assert [p.checkpoint for p in pages[:-1]] == [None] * (len(pages) - 1)
    assert pages[-1].checkpoint is not None
    changed = fake.variant_skus(products[3])[0]
    fake.set_available(changed, location, 1)
    later = [level for page in connector.read_stock(pages[-1].checkpoint) for level in page.records]
    assert [(lv.sku, lv.on_hand) for lv in later] == [(changed, 1)]


def test_stock_read_covers_every_active_location_when_none_configured(
    fake: FakeShopify, connector: ShopifyConnector
) -> None:
    first, second = fake.add_location("A"), fake.add_location("B")
    closed = fake.add_location("Closed", active=False)
    fake.add_products(2, locations=[first, second, closed])

    levels = [level for page in connector.read_stock(None) for level in page.records]

    assert sorted({lv.location_id for lv in levels}) == sorted([first, second])
    assert len(levels) == 4


def test_configured_location_that_does_not_exist_is_a_config_error(fake: FakeShopify, clock: ManualClock) -> None:
    fake.add_location("Main")
    config = make_config(fake, location_ids=["123456789"])
    with ShopifyConnector(config, base_url=fake.base_url, clock=clock) as shop, pytest.raises(ConfigError) as error:
        list(shop.read_stock(None))
    assert error.value.problems == [
        "shopify location_ids: gid://shopify/Location/123456789 is not a location of this shop"
    ]
