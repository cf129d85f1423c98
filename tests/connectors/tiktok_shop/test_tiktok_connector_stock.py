"""The connector as a stock sink (one inventory call per product) and stock source (available per warehouse)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tts_connector_support import DEFAULT_WAREHOUSE, OVERFLOW_WAREHOUSE, make_connector

from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.connector import WriteStatus
from syncd.domain import StockLevel, StockUpdate
from syncd.http import ManualClock


@pytest.fixture
def connector(fake: FakeTikTokShop, clock: ManualClock) -> Iterator[TikTokShopConnector]:
    with make_connector(fake, clock, page_size=2) as made:
        yield made


def _update(
    fake: FakeTikTokShop, seller_sku: str, quantity: int, *, ids: bool = True, location: str = ""
) -> StockUpdate:
    sku = fake.find_sku(seller_sku)
    return StockUpdate(
        sku=seller_sku,
        location_id=location,
        quantity=quantity,
        variant_external_id=sku.id if ids else None,
        product_external_id=sku.product_id if ids else None,
    )


def test_one_inventory_call_per_product_carries_all_its_skus(
    fake: FakeTikTokShop, connector: TikTokShopConnector
) -> None:
    products = fake.add_products(3, skus_per_product=3)
    skus = [sku for product in products for sku in product.skus]
    updates = [_update(fake, sku.seller_sku, 40 + n, ids=n % 2 == 0) for n, sku in enumerate(skus)]

    results = connector.write_stock(updates)

    assert [(r.key, r.status) for r in results] == [(u.sku, WriteStatus.UPDATED) for u in updates]
    assert fake.calls.count("update_inventory") == 3
    assert [fake.sku_quantity(sku.id, DEFAULT_WAREHOUSE) for sku in skus] == [40 + n for n in range(9)]


def test_a_sku_in_two_warehouses_is_set_in_both_with_one_call(
    fake: FakeTikTokShop, connector: TikTokShopConnector
) -> None:
    fake.add_product(skus=[{"seller_sku": "MUG-SAGE"}, {"seller_sku": "MUG-BLUE"}])
    updates = [
        _update(fake, "MUG-SAGE", 5, location=DEFAULT_WAREHOUSE),
        _update(fake, "MUG-SAGE", 9, location=OVERFLOW_WAREHOUSE),
        _update(fake, "MUG-BLUE", 0),  # no location: the shop's default sales warehouse
    ]

    results = connector.write_stock(updates)

    assert all(r.ok for r in results)
    assert fake.calls.count("update_inventory") == 1
    assert fake.find_sku("MUG-SAGE").inventory == {DEFAULT_WAREHOUSE: 5, OVERFLOW_WAREHOUSE: 9}
    assert fake.find_sku("MUG-BLUE").inventory == {DEFAULT_WAREHOUSE: 0}


def test_a_bad_sku_id_fails_only_that_sku(fake: FakeTikTokShop, connector: TikTokShopConnector) -> None:
    product = fake.add_product(skus=3)
    good = [_update(fake, sku.seller_sku, 12) for sku in product.skus]
    bad = good[1].model_copy(update={"variant_external_id": "1729599999999999999"})

    results = connector.write_stock([good[0], bad, good[2]])

    assert [r.status for r in results] == [WriteStatus.UPDATED, WriteStatus.FAILED, WriteStatus.UPDATED]
    assert results[1].key == bad.sku
    assert results[1].error is not None
    assert results[1].error.startswith("TikTok 98001004: SKU 1729599999999999999 does not belong")
    assert fake.calls.count("update_inventory") == 1
    assert [fake.sku_quantity(s.id) for s in product.skus] == [12, 10, 12]


def test_skus_without_ids_are_looked_up_by_seller_sku(fake: FakeTikTokShop, connector: TikTokShopConnector) -> None:
    fake.add_products(2, skus_per_product=2)
    updates = [_update(fake, "SKU-00001-2", 4, ids=False), _update(fake, "SKU-00002-1", 6, ids=False)]
    unknown = StockUpdate(sku="NEVER-LISTED", location_id="", quantity=1)

    results = connector.write_stock([*updates, unknown])

    assert [r.status for r in results] == [WriteStatus.UPDATED, WriteStatus.UPDATED, WriteStatus.FAILED]
    assert results[2].error == "the SKU is not listed on TikTok Shop"
    assert (fake.sku_quantity(fake.find_sku("SKU-00001-2").id), fake.sku_quantity(fake.find_sku("SKU-00002-1").id)) == (
        4,
        6,
    )
    assert fake.calls.count("update_inventory") == 2


def test_the_default_warehouse_is_fetched_once(fake: FakeTikTokShop, connector: TikTokShopConnector) -> None:
    fake.add_product(skus=[{"seller_sku": "A"}])

    connector.write_stock([_update(fake, "A", 1)])
    connector.write_stock([_update(fake, "A", 2)])

    assert fake.calls.count("get_warehouses") == 1
    assert fake.sku_quantity(fake.find_sku("A").id, DEFAULT_WAREHOUSE) == 2


def test_quantities_above_tiktoks_maximum_are_capped(fake: FakeTikTokShop, connector: TikTokShopConnector) -> None:
    fake.add_product(skus=[{"seller_sku": "BULK"}])

    (result,) = connector.write_stock([_update(fake, "BULK", 250_000)])

    assert result.ok
    assert fake.sku_quantity(fake.find_sku("BULK").id) == 99_999


def test_stock_is_read_as_available_units_per_warehouse(fake: FakeTikTokShop, connector: TikTokShopConnector) -> None:
    fake.add_product(skus=[{"seller_sku": "TEE-S", "quantity": 5}, {"seller_sku": "TEE-M", "quantity": 8}])
    fake.add_product(skus=[{"seller_sku": "MUG", "quantity": 3, "warehouse_id": OVERFLOW_WAREHOUSE}])
    fake.add_product(skus=[{"seller_sku": "CAP", "quantity": 1}])
    fake.add_order([("TEE-M", 2)])  # a placed order takes units off the shelf

    pages = list(connector.read_stock(None))

    levels = {(level.sku, level.location_id): level for page in pages for level in page.records}
    assert {key: level.on_hand for key, level in levels.items()} == {
        ("TEE-S", DEFAULT_WAREHOUSE): 5,
        ("TEE-M", DEFAULT_WAREHOUSE): 6,
        ("MUG", OVERFLOW_WAREHOUSE): 3,
        ("CAP", DEFAULT_WAREHOUSE): 1,
    }
    assert levels[("MUG", OVERFLOW_WAREHOUSE)] == StockLevel(
        sku="MUG", location_id=OVERFLOW_WAREHOUSE, on_hand=3, variant_external_id=fake.find_sku("MUG").id
    )
    # A full read every time: only the last page carries a checkpoint, and it does not narrow the next read.
    assert [page.checkpoint is None for page in pages] == [True, False]
    again = {(lv.sku, lv.location_id) for page in connector.read_stock(pages[-1].checkpoint) for lv in page.records}
    assert again == set(levels)
