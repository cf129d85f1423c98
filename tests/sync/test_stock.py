"""The stock job against the emulators: sellable quantities, pushes of changes only, sales in a second store."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from connectors.shopify import fake_seed
from connectors.shopify.fake import FakeShopify
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import catalog as catalog_repo
from syncd.store import quarantine, reservations
from syncd.store import stock as stock_repo
from syncd.store.engine import session_scope
from syncd.sync.context import JobContext, Window
from syncd.sync.jobs import catalog, stock
from syncd.sync.jobs.stock_confirm import confirm_from_channel
from syncd.sync.report import RunReport
from syncd.sync.stock_push import STOCK_KIND, Push, batches, split_quantity, warehouse_of
from syncd.testing.faults import Fault
from tests.sync.conftest import MakeRuntime

OpenContext = Callable[..., JobContext]
TIKTOK_WRITES = ("update_inventory",)


def run_stock(runtime: Runtime, context: OpenContext, *, dry_run: bool = False) -> RunReport:
    """One stock run in a fresh context, with its API calls counted; the context is closed (a dry run's
    transaction holds SQLite's write lock until then)."""
    ctx = context(runtime, dry_run=dry_run)
    report = stock.run(ctx, Window())
    ctx.collect_api_calls(report)
    ctx.close()
    return report


def sync_all(runtime: Runtime, context: OpenContext) -> RunReport:
    """The catalog (which lists every product on TikTok and binds it), then a first stock run."""
    listed = catalog.run(context(runtime), Window())
    assert listed.ok, listed.notes
    return run_stock(runtime, context)


def tiktok_server(merchant: Merchant) -> FakeTikTokShop:
    server = merchant.tiktok.server
    assert isinstance(server, FakeTikTokShop)
    return server


def shopify_server(merchant: Merchant) -> FakeShopify:
    server = merchant.stores["main"].server
    assert isinstance(server, FakeShopify)
    return server


def tiktok_writes(merchant: Merchant) -> int:
    """Inventory calls TikTok received since its call log was last cleared."""
    return sum(tiktok_server(merchant).calls.count(route) for route in TIKTOK_WRITES)


def seeded(merchant: Merchant) -> dict[str, int]:
    """SKU -> the stock it was seeded with."""
    return {v.sku: v.stock for product in merchant.products for v in product.variants}


def skus_of(merchant: Merchant, product: int) -> list[str]:
    return [v.sku for v in merchant.products[product].variants]


def variant_id(runtime: Runtime, sku: str) -> int:
    with session_scope(runtime.engine) as session:
        variant = catalog_repo.get_variant_by_sku(session, sku)
        assert variant is not None
        assert variant.id is not None
        return variant.id


def test_sellable_rules_shape_what_tiktok_shows(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant, stock={"channels": {"tiktok": {"buffer": 2, "percent": 50, "max": 12}}})

    def expected(on_hand: int) -> int:
        return min(12, max(0, (on_hand - 2) * 50 // 100))

    first = sync_all(runtime, context)

    assert first.ok
    assert merchant.tiktok.stock_by_sku() == {sku: expected(q) for sku, q in seeded(merchant).items()}
    shop = merchant.stores["main"]
    changes = {skus_of(merchant, 0)[0]: 5, skus_of(merchant, 0)[1]: 0, skus_of(merchant, 1)[0]: 8}
    for sku, quantity in changes.items():
        shop.set_stock(sku, quantity)
    tiktok_server(merchant).calls.clear()

    changed = run_stock(runtime, context)

    assert changed.updated == 3
    assert changed.writes == {"tiktok_shop": 3}
    shown = merchant.tiktok.stock_by_sku()
    assert {sku: shown[sku] for sku in changes} == {sku: expected(q) for sku, q in changes.items()}
    assert tiktok_writes(merchant) == 2  # one inventory call per product

    tiktok_server(merchant).calls.clear()
    again = run_stock(runtime, context)

    assert again.writes == {}
    assert again.updated == 0
    assert again.ok
    assert tiktok_writes(merchant) == 0


def test_only_changed_skus_are_pushed_one_call_per_product(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    sync_all(runtime, context)
    shop = merchant.stores["main"]
    first, second, third = skus_of(merchant, 2), skus_of(merchant, 3), skus_of(merchant, 4)
    shop.set_stock(first[0], 7)
    shop.set_stock(first[2], 8)
    shop.set_stock(second[1], 150_000)  # above TikTok's ceiling
    shop.set_stock(third[0], seeded(merchant)[third[0]])  # saved without a change
    tiktok_server(merchant).calls.clear()

    report = run_stock(runtime, context)

    assert report.updated == 3
    assert report.unchanged == 15
    assert tiktok_writes(merchant) == 2
    shown = merchant.tiktok.stock_by_sku()
    assert (shown[first[0]], shown[first[2]], shown[second[1]]) == (7, 8, 99_999)
    untouched = {sku: q for sku, q in seeded(merchant).items() if sku not in (first[0], first[2], second[1])}
    assert {sku: shown[sku] for sku in untouched} == untouched

    tiktok_server(merchant).calls.clear()
    assert run_stock(runtime, context).writes == {}
    assert tiktok_writes(merchant) == 0


def test_open_reservation_lowers_tiktok_until_released(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    sync_all(runtime, context)
    sku = skus_of(merchant, 0)[1]
    on_hand = seeded(merchant)[sku]
    with session_scope(runtime.engine) as session:
        reservations.reserve(session, "TT-1001", variant_id(runtime, sku), 3)

    reserved = run_stock(runtime, context)

    assert reserved.updated == 1
    assert merchant.tiktok.stock_by_sku()[sku] == on_hand - 3
    assert merchant.stores["main"].stock_by_sku()[sku] == on_hand  # the store of record is not touched

    with session_scope(runtime.engine) as session:
        reservations.release(session, "TT-1001")
    released = run_stock(runtime, context)

    assert released.updated == 1
    assert merchant.tiktok.stock_by_sku()[sku] == on_hand


def test_excluded_sku_is_never_pushed(merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext) -> None:
    excluded, other = skus_of(merchant, 1)[0], skus_of(merchant, 1)[1]
    runtime = make_runtime(merchant, stock={"exclude_skus": [excluded]})
    sync_all(runtime, context)
    shown_before = merchant.tiktok.stock_by_sku()[excluded]
    merchant.stores["main"].set_stock(excluded, 3)
    merchant.stores["main"].set_stock(other, 4)

    report = run_stock(runtime, context)

    shown = merchant.tiktok.stock_by_sku()
    assert shown[excluded] == shown_before != 3
    assert shown[other] == 4
    assert report.updated == 1


def test_refused_push_is_quarantined_until_retried(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    sync_all(runtime, context)
    shop, server = merchant.stores["main"], tiktok_server(merchant)
    refused, accepted = skus_of(merchant, 5), skus_of(merchant, 4)[0]
    product_id = merchant.tiktok.listings_by_sku()[refused[0]]
    body = {"code": 12019001, "message": "The product is under review.", "request_id": "req-1", "data": {}}
    server.inject(
        Fault.error(
            200, json.dumps(body).encode(), route="update_inventory", when=lambda r: product_id in r.path, times=None
        )
    )
    for sku in [*refused, accepted]:
        shop.set_stock(sku, 2)

    failed = run_stock(runtime, context)

    assert failed.updated == 1
    assert failed.quarantined == 3
    shown = merchant.tiktok.stock_by_sku()
    assert shown[accepted] == 2
    assert [shown[sku] for sku in refused] == [seeded(merchant)[sku] for sku in refused]
    tiktok_id = runtime.channel_id("tiktok")
    with session_scope(runtime.engine) as session:
        entries = quarantine.list_open(session, channel_id=tiktok_id, kind=STOCK_KIND)
    assert sorted(e.record_key for e in entries) == sorted(refused)
    assert all(e.record_key in e.reason and "under review" in e.reason for e in entries)

    server.faults.clear()
    server.calls.clear()
    waiting = run_stock(runtime, context)

    assert waiting.deferred == 3  # the same quantity is not sent again on its own
    assert waiting.writes == {}
    assert tiktok_writes(merchant) == 0

    with session_scope(runtime.engine) as session:  # what `syncd retry` does
        for sku in refused:
            quarantine.resolve(session, tiktok_id, STOCK_KIND, sku)
    retried = run_stock(runtime, context)

    assert retried.updated == 3
    assert retried.ok
    assert [merchant.tiktok.stock_by_sku()[sku] for sku in refused] == [2, 2, 2]
    with session_scope(runtime.engine) as session:
        assert quarantine.list_open(session, channel_id=tiktok_id, kind=STOCK_KIND) == []


def test_quantity_changed_on_tiktok_is_pushed_again_after_read_back(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    sync_all(runtime, context)
    sku = skus_of(merchant, 2)[1]
    server = tiktok_server(merchant)
    with server.lock:  # a write TikTok dropped, or a person editing the quantity in Seller Center
        listed = next(s for s in server.skus.values() if s.seller_sku == sku)
        for warehouse in listed.inventory:
            listed.inventory[warehouse] = 0

    blind = run_stock(runtime, context)
    assert blind.writes == {}
    assert merchant.tiktok.stock_by_sku()[sku] == 0

    ctx = context(runtime)
    read_back = RunReport(job="reconcile")
    assert confirm_from_channel(ctx, read_back, "tiktok")
    assert read_back.read == 18
    assert any(sku in note for note in read_back.notes)

    repaired = run_stock(runtime, context)

    assert repaired.updated == 1
    assert repaired.writes == {"tiktok_shop": 1}
    assert merchant.tiktok.stock_by_sku()[sku] == seeded(merchant)[sku]


def test_sale_in_another_store_lowers_store_of_record_and_tiktok(
    two_store_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = two_store_merchant
    runtime = make_runtime(merchant)
    first = sync_all(runtime, context)
    assert first.ok
    assert "woocommerce" not in first.writes
    shop, woo = merchant.stores["main"], merchant.stores["woo"]
    sold, raised = skus_of(merchant, 1)[0], skus_of(merchant, 2)[1]
    stock = seeded(merchant)
    woo.set_stock(sold, stock[sold] - 3)  # three sold in the WooCommerce store
    woo.set_stock(raised, stock[raised] + 5)  # raised by hand there

    report = run_stock(runtime, context)

    assert report.ok, report.notes
    assert shop.stock_by_sku()[sold] == stock[sold] - 3
    assert merchant.tiktok.stock_by_sku()[sold] == stock[sold] - 3
    assert woo.stock_by_sku()[sold] == stock[sold] - 3
    assert woo.stock_by_sku()[raised] == stock[raised]  # set back to what may be sold
    assert shop.stock_by_sku()[raised] == stock[raised]
    assert report.writes == {"shopify": 1, "tiktok_shop": 1, "woocommerce": 1}

    again = run_stock(runtime, context)
    assert again.writes == {}
    assert again.ok


def test_own_write_seen_before_its_confirmation_is_not_a_sale(
    two_store_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = two_store_merchant
    runtime = make_runtime(merchant)
    sync_all(runtime, context)
    sku = skus_of(merchant, 0)[1]
    on_hand = seeded(merchant)[sku]
    # A push of 4 reached the store, and the run stopped before recording that the store confirmed it.
    with session_scope(runtime.engine) as session:
        stock_repo.record_pushed(session, runtime.channel_id("woo"), variant_id(runtime, sku), on_hand - 4)
    merchant.stores["woo"].set_stock(sku, on_hand - 4)

    report = run_stock(runtime, context)

    assert merchant.stores["main"].stock_by_sku()[sku] == on_hand  # nothing taken off the store of record
    assert merchant.stores["woo"].stock_by_sku()[sku] == on_hand  # and the store gets its real quantity back
    assert report.writes == {"woocommerce": 1}


def test_dry_run_plans_and_writes_nothing(
    two_store_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = two_store_merchant
    runtime = make_runtime(merchant)
    sync_all(runtime, context)
    shop, woo = merchant.stores["main"], merchant.stores["woo"]
    changed, sold = skus_of(merchant, 0)[0], skus_of(merchant, 3)[1]
    shop.set_stock(changed, 4)
    woo.set_stock(sold, seeded(merchant)[sold] - 2)
    before = (shop.stock_by_sku(), woo.stock_by_sku(), merchant.tiktok.stock_by_sku())
    tiktok_server(merchant).calls.clear()

    planned = run_stock(runtime, context, dry_run=True)

    assert planned.writes == {}
    assert {(p.channel, p.key) for p in planned.planned} == {
        ("main", sold),
        ("tiktok", changed),
        ("tiktok", sold),
        ("woo", changed),
    }
    assert (shop.stock_by_sku(), woo.stock_by_sku(), merchant.tiktok.stock_by_sku()) == before
    assert tiktok_writes(merchant) == 0

    applied = run_stock(runtime, context)  # the dry run left the database as it was

    assert applied.writes == {"shopify": 1, "tiktok_shop": 2, "woocommerce": 1}
    assert merchant.tiktok.stock_by_sku()[changed] == 4
    assert shop.stock_by_sku()[sold] == seeded(merchant)[sold] - 2


def test_store_locations_feed_their_tiktok_warehouses(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    server = tiktok_server(merchant)
    main_warehouse, second_warehouse = server.catalog.sales_warehouse_ids()[:2]
    shopify = shopify_server(merchant)
    with shopify.lock:
        first_location = min(shopify.data.locations)
    mapping = {str(first_location): main_warehouse, "gid://shopify/Location/2000": second_warehouse}
    runtime = make_runtime(merchant, stock={"location_warehouses": mapping})
    sku = skus_of(merchant, 0)[0]
    catalog.run(context(runtime), Window())
    with shopify.lock:
        fake_seed.ensure_location(shopify.data, 2000, "Back room")
    shopify.set_available(sku, "gid://shopify/Location/2000", 11)

    run_stock(runtime, context)

    with server.lock:
        listed = next(s for s in server.skus.values() if s.seller_sku == sku)
        inventory = dict(listed.inventory)
    assert inventory == {main_warehouse: seeded(merchant)[sku], second_warehouse: 11}

    on_hand = seeded(merchant)[sku]
    shopify.set_available(sku, f"gid://shopify/Location/{first_location}", on_hand - 5)
    shopify.set_available(sku, "gid://shopify/Location/2000", 16)  # five moved to the back room: same total
    moved = run_stock(runtime, context)

    assert moved.updated == 1
    with server.lock:
        assert listed.inventory == {main_warehouse: on_hand - 5, second_warehouse: 16}
    assert run_stock(runtime, context).writes == {}


# -- the pure parts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "cap", "shares"),
    [
        (10, {"a": 5, "b": 5}, 99, {"a": 5, "b": 5}),
        (7, {"a": 10, "b": 4}, 99, {"a": 5, "b": 2}),
        (5, {"a": 1, "b": 1, "c": 1}, 99, {"a": 2, "b": 2, "c": 1}),
        (4, {"a": 6, "b": -2}, 99, {"a": 4, "b": 0}),
        (0, {"a": 6}, 99, {"a": 0}),
        (300, {"a": 300}, 100, {"a": 100}),
    ],
)
def test_split_quantity(total: int, weights: dict[str, int], cap: int, shares: dict[str, int]) -> None:
    assert split_quantity(total, weights, cap) == shares


def test_warehouse_of_follows_the_mapping() -> None:
    mapping = {"1003": "W1", "gid://shopify/Location/7": "W2", "default": "W3"}

    assert warehouse_of("gid://shopify/Location/1003", {}) == ""
    assert warehouse_of("gid://shopify/Location/1003", mapping) == "W1"
    assert warehouse_of("gid://shopify/Location/7", mapping) == "W2"
    assert warehouse_of("default", mapping) == "W3"
    assert warehouse_of("gid://shopify/Location/8", mapping) is None


def test_batches_never_split_a_product() -> None:
    def push(sku: str, group: str) -> Push:
        return Push(variant_id=0, sku=sku, quantity=1, updates=(), group=group)

    pushes = [push(f"{group}-{n}", group) for group in "abc" for n in range(3)]
    # `updates` are empty here, so size with `limit` 0: every product closes a batch.
    assert [[p.group for p in batch] for batch in batches(pushes, 0)] == [["a"] * 3, ["b"] * 3, ["c"] * 3]
