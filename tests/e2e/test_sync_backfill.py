"""`syncd run-once` as a real subprocess against the emulators, with each store type as store of record: a
200-product backfill that creates or links every listing, TikTok orders imported once, tracking sent back, a
cancellation that restores stock, a sale in the second store, and runs with nothing to do that write nothing.
Every check reads the emulators' own state."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.sandbox import checks
from syncd.sandbox.scenario import ship_imported
from tests.e2e.e2e_support import CallWatch, Scene, scene, total_writes

PRODUCTS = 200
VARIANTS = 2
PRE_LISTED = 20  # products a person listed on TikTok by hand before syncd ran: linked, never duplicated


def sku(sc: Scene, product: int, variant: int = 0) -> str:
    """A seeded SKU."""
    return sc.merchant.products[product].variants[variant].sku


def assert_ok(result: checks.CheckResult) -> None:
    """A sandbox check passed (its first differences shown when not)."""
    assert result.ok, result.problems


def assert_quiet(sc: Scene, watch: CallWatch) -> None:
    """A run with nothing to do: every job ok, no writes reported, and no write call reached an emulator."""
    watch.start()
    report = sc.run_once()
    assert all(job["ok"] for job in report["jobs"].values()), report
    assert total_writes(report) == 0, {name: job["writes"] for name, job in report["jobs"].items()}
    assert watch.writes() == {}


@pytest.mark.parametrize(
    "stores",
    [
        pytest.param((("main", "shopify"), ("woo", "woocommerce")), id="shopify-of-record"),
        pytest.param((("main", "woocommerce"), ("shop", "shopify")), id="woocommerce-of-record"),
    ],
)
def test_backfill_orders_tracking_cancellation_and_sales(tmp_path: Path, stores: tuple[tuple[str, str], ...]) -> None:
    with scene(tmp_path, stores, products=PRODUCTS, variants=VARIANTS) as sc:
        merchant = sc.merchant
        record, second = merchant.stores["main"], merchant.stores[stores[1][0]]
        merchant.tiktok.list_existing(merchant.products[:PRE_LISTED])
        by_hand = merchant.tiktok.listings_by_sku()
        placed = [sc.place((sku(sc, n), 1)) for n in range(3)]
        placed.append(sc.place((sku(sc, 3), 2), (sku(sc, 4, 1), 1)))
        sc.upgrade()
        watch = CallWatch(merchant)

        # The backfill: every product listed (the hand-made listings linked), stock pushed, orders imported.
        backfill = sc.run_once()
        assert all(job["ok"] for job in backfill["jobs"].values()), backfill
        assert backfill["jobs"]["catalog"]["created"] == PRODUCTS - PRE_LISTED
        assert_ok(checks.listings_match(merchant))
        listed = merchant.tiktok.listings_by_sku()
        assert {s: listed[s] for s in by_hand} == by_hand
        assert_ok(checks.stock_match(merchant, sc.settings))
        assert_ok(checks.orders_imported_once(merchant, placed))
        assert_ok(checks.external_refs_match(merchant, placed))
        # Writes reached TikTok, the store of record (orders) and the second store (stock): the watch sees each.
        assert set(watch.writes()) == {"tiktok", *merchant.stores}
        assert_quiet(sc, watch)

        # Tracking added in the store of record reaches TikTok.
        shipped = ship_imported(merchant)
        assert set(shipped) == set(placed)
        sc.run_once()
        assert_ok(checks.tracking_match(merchant, shipped))

        # An imported, unshipped order cancelled on TikTok: the store order is cancelled and its stock restored.
        target = sku(sc, 150)
        before = record.stock_by_sku()[target]
        cancelled = sc.place((target, 2))
        sc.run_once()
        assert_ok(checks.orders_imported_once(merchant, [*placed, cancelled]))
        assert record.stock_by_sku()[target] == before - 2
        assert merchant.tiktok.stock_by_sku()[target] == before - 2
        merchant.tiktok.set_order_status(cancelled, "CANCELLED")
        sc.run_once()
        assert [o.status for o in record.orders() if o.source_order_id == cancelled] == ["cancelled"]
        assert record.stock_by_sku()[target] == before
        assert merchant.tiktok.stock_by_sku()[target] == before
        assert_ok(checks.stock_match(merchant, sc.settings))

        # A sale in the second store lowers the store of record's stock and what TikTok may sell.
        sold = sku(sc, 120, 1)
        on_hand, shown = record.stock_by_sku()[sold], second.stock_by_sku()[sold]
        assert shown == on_hand
        second.set_stock(sold, shown - 3)
        sc.run_once()
        assert record.stock_by_sku()[sold] == on_hand - 3
        assert merchant.tiktok.stock_by_sku()[sold] == on_hand - 3
        assert second.stock_by_sku()[sold] == on_hand - 3
        assert_ok(checks.stock_match(merchant, sc.settings))

        assert_quiet(sc, watch)
