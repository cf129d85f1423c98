"""Stock reads and batch writes against the emulator: per-item results, chunks of 100, unmanaged stock."""

from __future__ import annotations

from woo_helpers import make_config

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from syncd.connector import WriteStatus
from syncd.domain import StockLevel, StockUpdate
from syncd.http import ManualClock


def _update(sku: str, quantity: int, variant: str | None = None, product: str | None = None) -> StockUpdate:
    return StockUpdate(
        sku=sku, location_id="default", quantity=quantity, variant_external_id=variant, product_external_id=product
    )


def test_writes_by_sku_reach_simple_products_and_variations_through_their_batch_endpoints(
    connector: WooCommerceConnector, store: FakeWooCommerce
) -> None:
    (simple,) = store.add_products(1)
    (variable,) = store.add_products(1, variations_per_product=2)
    updates = [_update(f"WOO-{simple}", 4), _update(f"WOO-{variable}-2", 0), _update(f"WOO-{variable}-1", 12)]
    results = connector.write_stock(updates)
    assert [(r.key, r.status) for r in results] == [(u.sku, WriteStatus.UPDATED) for u in updates]
    assert [store.product_by_sku(u.sku)["stock_quantity"] for u in updates] == [4, 0, 12]  # type: ignore[index]
    zero = store.product_by_sku(f"WOO-{variable}-2")
    assert zero is not None
    assert zero["stock_status"] == "outofstock"
    assert store.calls.by_route()["batch_products"] == 1
    assert store.calls.by_route()["batch_variations"] == 1


def test_more_than_100_updates_go_in_chunks_of_at_most_100(
    connector: WooCommerceConnector, store: FakeWooCommerce
) -> None:
    ids = store.add_products(150)
    results = connector.write_stock([_update(f"WOO-{i}", 5, i, i) for i in ids])
    assert len(results) == 150
    assert all(r.ok for r in results)
    assert store.calls.by_route()["batch_products"] == 2
    assert store.calls.count("batch_products", status=413) == 0


def test_per_item_batch_errors_fail_only_those_items_naming_the_sku(
    connector: WooCommerceConnector, store: FakeWooCommerce
) -> None:
    ids = store.add_products(3)
    gone = store.product_by_sku(f"WOO-{ids[1]}")
    assert gone is not None
    with store.lock:
        store.catalog.delete(gone["id"])  # deleted after the engine learnt its id
    results = connector.write_stock([_update(f"WOO-{i}", 2, i, i) for i in ids])
    assert [r.ok for r in results] == [True, False, True]
    failed = results[1]
    assert failed.key == f"WOO-{ids[1]}"
    assert f"WOO-{ids[1]}" in (failed.error or "")
    assert "woocommerce_rest_product_invalid_id" in (failed.error or "")
    assert store.calls.count("batch_products", status=200) == 1  # the batch itself succeeded


def test_items_that_do_not_manage_stock_are_reported_on_write_and_on_read(
    connector: WooCommerceConnector, store: FakeWooCommerce
) -> None:
    (managed,) = store.add_products(1)
    (unmanaged,) = store.add_products(1, stock=None)
    (engine_knows_id,) = store.add_products(1, stock=None)
    results = connector.write_stock(
        [
            _update(f"WOO-{managed}", 3),
            _update(f"WOO-{unmanaged}", 3),  # found by SKU: refused before writing
            _update(f"WOO-{engine_knows_id}", 3, engine_knows_id, engine_knows_id),  # WooCommerce drops it
        ]
    )
    assert [r.ok for r in results] == [True, False, False]
    assert all("does not manage stock" in (r.error or "") for r in results[1:])
    assert store.product_by_sku(f"WOO-{engine_knows_id}")["stock_quantity"] is None  # type: ignore[index]

    pages = list(connector.read_stock(None))
    levels = [level for page in pages for level in page.records]
    rejected = {r.key: r.reason for page in pages for r in page.rejected}
    assert [(level.sku, level.on_hand) for level in levels] == [(f"WOO-{managed}", 3)]
    assert set(rejected) == {f"WOO-{unmanaged}", f"WOO-{engine_knows_id}"}
    assert all("does not manage stock" in reason for reason in rejected.values())


def test_unknown_and_variable_parent_skus_fail_without_a_write(
    connector: WooCommerceConnector, store: FakeWooCommerce
) -> None:
    (variable,) = store.add_products(1, variations_per_product=1)
    results = connector.write_stock([_update("NOPE-1", 1), _update(f"WOO-{variable}", 1)])
    assert [r.ok for r in results] == [False, False]
    assert "unknown SKU 'NOPE-1'" in (results[0].error or "")
    assert "variable product" in (results[1].error or "")
    assert store.calls.by_route()["batch_products"] == 0


def test_read_stock_is_incremental_and_sees_variation_changes_through_the_parent(
    store: FakeWooCommerce, clock: ManualClock
) -> None:
    (variable,) = store.add_products(1, variations_per_product=3, spacing=60)
    store.add_products(2, spacing=60)
    with WooCommerceConnector(make_config(store), clock=clock) as connector:
        pages = list(connector.read_stock(None))
        assert sum(len(p.records) for p in pages) == 5
        checkpoint = pages[-1].checkpoint
        clock.advance(3600)
        store.set_stock(f"WOO-{variable}-2", 1)  # a variation save also saves its parent
        later = [level for page in connector.read_stock(checkpoint) for level in page.records]
    assert [(level.sku, level.on_hand) for level in later] == [(f"WOO-{variable}-2", 1)]
    assert isinstance(later[0], StockLevel)
    assert later[0].inventory_item_id == f"{variable}:{later[0].variant_external_id}"


def test_a_sku_with_a_slash_fails_alone_over_http_where_the_package_cannot_sign_it(
    connector: WooCommerceConnector, store: FakeWooCommerce
) -> None:
    connector.client.json("POST", "products", body={"name": "Slashed", "sku": "AB/12", "manage_stock": True})
    (plain,) = store.add_products(1)
    results = connector.write_stock([_update("AB/12", 5), _update(f"WOO-{plain}", 5)])
    assert [r.ok for r in results] == [False, True]
    assert "cannot be looked up over http" in (results[0].error or "")
    assert store.calls.unauthorized == 0  # never sent, so never refused as a bad signature
