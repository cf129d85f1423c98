"""`syncd retry` against the emulators: quarantined records go through once their cause is fixed."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from order_support import link, open_quarantine, place, run, seed_hub, sku, store_orders_of, tiktok_fake

from connectors.shopify.fake import FakeShopify
from syncd.cli import main
from syncd.runtime import Runtime
from syncd.sandbox.merchant import CATEGORY_ID, Merchant
from syncd.store import cursors, quarantine
from syncd.store.engine import session_scope
from syncd.store.enums import OrderLinkState
from syncd.sync.context import JobContext, Window
from syncd.sync.jobs import catalog, fulfilment, orders, stock
from syncd.sync.retry import KINDS
from syncd.testing.faults import Fault
from syncd.testing.sandbox import SeedProduct, SeedVariant
from tests.sync.conftest import MakeRuntime

OpenContext = Callable[..., JobContext]
Syncd = Callable[..., Result]
GHOST = SeedProduct(title="Listed on TikTok only", variants=(SeedVariant(sku="GHOST-1", price=Decimal(9), stock=5),))
T_SHIRTS = {"match": {"product_type": "T-Shirts"}, "category_id": CATEGORY_ID}
MUGS = {"match": {"product_type": "Mugs"}, "category_id": CATEGORY_ID}
TIKTOK_LISTING_WRITES = frozenset({"create_product", "edit_product", "partial_edit_product", "update_prices"})


@pytest.fixture
def syncd(tmp_path: Path) -> Iterator[Syncd]:
    """Run the real CLI in-process on the config `make_runtime` wrote; the root logger is restored after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def invoke(*args: str) -> Result:
        config = tmp_path / "config.yaml"
        return CliRunner().invoke(main, ["--config", str(config), "--log-format", "text", *args])

    yield invoke
    root.handlers[:] = handlers
    root.setLevel(level)


def store_server(merchant: Merchant) -> FakeShopify:
    server = merchant.stores["main"].server
    assert isinstance(server, FakeShopify)
    return server


def as_mug(merchant: Merchant, product: int) -> str:
    """Make a seeded product a mug in the store (no category rule by default); return its product GID."""
    server = store_server(merchant)
    with server.lock:
        variant = server.data.variant_by_sku(sku(merchant, product))
    assert variant is not None
    gid = f"gid://shopify/Product/{variant.product_id}"
    server.touch_product(gid, product_type="Mugs")
    return gid


def listing_writes(merchant: Merchant) -> list[str]:
    return [call.route for call in merchant.tiktok.server.calls.all() if call.route in TIKTOK_LISTING_WRITES]


def providers(merchant: Merchant) -> dict[str, str]:
    """The TikTok emulator's shipping providers, name -> id."""
    return {p["name"]: p["id"] for p in tiktok_fake(merchant).catalog.shipping_providers}


def open_keys(runtime: Runtime) -> list[tuple[str, str]]:
    return sorted((entry.kind, entry.record_key) for entry in open_quarantine(runtime))


def test_an_order_with_an_unknown_sku_goes_through_once_the_catalog_has_it(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext, syncd: Syncd
) -> None:
    runtime = make_runtime(merchant)
    merchant.tiktok.list_existing([GHOST])
    assert catalog.run(context(runtime), Window()).ok
    bad = place(merchant, (sku(merchant), 1), ("GHOST-1", 1))
    assert run(orders.run, context(runtime)).quarantined == 1

    early = syncd("retry", "order", bad)

    assert early.exit_code == 1, early.output
    assert f"order {bad} (tiktok): still quarantined: TikTok order {bad}" in early.stdout
    assert "GHOST-1" in early.stdout
    [entry] = open_quarantine(runtime, "order")
    assert entry.attempts == 2  # tried again and set aside again, with the store's new answer
    assert store_orders_of(merchant, bad) == []

    merchant.stores["main"].seed_catalog([GHOST])
    assert catalog.run(context(runtime), Window()).ok
    fixed = syncd("retry", "order", bad)

    assert fixed.exit_code == 0, fixed.output
    assert f"order {bad} (tiktok): gone through" in fixed.stdout
    assert "1 gone through" in fixed.stdout
    assert len(store_orders_of(merchant, bad)) == 1
    assert link(runtime, bad).state is OrderLinkState.LINKED
    assert open_quarantine(runtime) == []


def test_a_shipment_with_an_unmapped_carrier_goes_through_once_the_config_maps_it(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext, syncd: Syncd
) -> None:
    ids = providers(merchant)
    runtime = make_runtime(merchant, fulfilment={"carriers": {"UPS": ids["UPS"]}})
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 2))
    run(orders.run, context(runtime))
    [store_order] = store_orders_of(merchant, order_id)
    merchant.stores["main"].fulfil(store_order, "PP-1234", "Pigeon Post")
    assert run(fulfilment.run, context(runtime)).quarantined == 1

    make_runtime(merchant, fulfilment={"carriers": {"UPS": ids["UPS"], "Pigeon Post": ids["USPS"]}})
    result = syncd("retry", "fulfilment", order_id)

    assert result.exit_code == 0, result.output
    assert f"fulfilment {order_id} (tiktok): gone through" in result.stdout
    assert merchant.tiktok.tracking() == {order_id: "PP-1234"}
    assert link(runtime, order_id).shipped_at is not None
    assert open_quarantine(runtime) == []


def test_a_product_without_a_category_rule_is_listed_once_the_rule_exists(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext, syncd: Syncd
) -> None:
    mug = as_mug(merchant, 1)
    runtime = make_runtime(merchant)
    report = catalog.run(context(runtime), Window())
    assert (report.created, report.quarantined) == (5, 1)
    with session_scope(runtime.engine) as session:
        cursor = cursors.get_cursor(session, runtime.channel_id("main"), catalog.STREAM)
    assert cursor is not None

    make_runtime(merchant, catalog={"categories": [T_SHIRTS, MUGS]})
    merchant.tiktok.server.calls.clear()
    result = syncd("retry", "listing", mug)

    assert result.exit_code == 0, result.output
    assert f"listing {mug} (tiktok): gone through" in result.stdout
    assert "catalog: read 6, created 1, unchanged 5" in result.stdout
    assert merchant.tiktok.listing_count() == 6
    # The full re-read skipped the five listings already in step, and left the cursor where it was.
    assert listing_writes(merchant) == ["create_product"]
    with session_scope(runtime.engine) as session:
        assert cursors.get_cursor(session, runtime.channel_id("main"), catalog.STREAM) == cursor
    assert open_quarantine(runtime) == []


def test_a_refused_quantity_is_pushed_again_only_for_the_entry_retried(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext, syncd: Syncd
) -> None:
    runtime = make_runtime(merchant)
    assert catalog.run(context(runtime), Window()).ok
    refused = [v.sku for v in merchant.products[5].variants]
    product_id = merchant.tiktok.listings_by_sku()[refused[0]]
    body = {"code": 12019001, "message": "The product is under review.", "request_id": "req-1", "data": {}}
    server = tiktok_fake(merchant)
    under_review = Fault.error(
        200, json.dumps(body).encode(), route="update_inventory", when=lambda r: product_id in r.path, times=None
    )
    server.inject(under_review)
    before = merchant.tiktok.stock_by_sku()
    for one in refused:
        merchant.stores["main"].set_stock(one, 2)
    assert run(stock.run, context(runtime)).quarantined == 3

    still_refused = syncd("retry", "stock", refused[0])

    assert still_refused.exit_code == 1, still_refused.output
    assert f"stock {refused[0]} (tiktok): still quarantined: tiktok refused quantity 2" in still_refused.stdout
    assert len(open_quarantine(runtime, "stock")) == 3

    server.faults.clear()
    fixed = syncd("retry", "stock", refused[0])

    assert fixed.exit_code == 0, fixed.output
    assert f"stock {refused[0]} (tiktok): gone through" in fixed.stdout
    shown = merchant.tiktok.stock_by_sku()
    assert shown[refused[0]] == 2
    # The other two were not retried: they wait, still quarantined, with the quantity TikTok refused.
    assert sorted(e.record_key for e in open_quarantine(runtime, "stock")) == sorted(refused[1:])
    assert [shown[one] for one in refused[1:]] == [before[one] for one in refused[1:]] != [2, 2]


def test_all_retries_every_entry_with_one_catalog_run_before_the_orders(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext, syncd: Syncd
) -> None:
    mugs = [as_mug(merchant, 1), as_mug(merchant, 2)]
    merchant.tiktok.list_existing([GHOST])
    runtime = make_runtime(merchant)
    assert catalog.run(context(runtime), Window()).quarantined == 2
    bad = place(merchant, (sku(merchant), 1), ("GHOST-1", 1))
    assert run(orders.run, context(runtime)).quarantined == 1

    # The fixes: the SKU reaches the store (not yet the hub) and the config gets a rule for mugs.
    merchant.stores["main"].seed_catalog([GHOST])
    make_runtime(merchant, catalog={"categories": [T_SHIRTS, MUGS]})
    merchant.tiktok.server.calls.clear()
    result = syncd("retry", "--all")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # The catalog ran first, once for both listings, and brought the SKU the order was waiting for.
    assert lines[:3] == [
        f"listing {mugs[0]} (tiktok): gone through",
        f"listing {mugs[1]} (tiktok): gone through",
        f"order {bad} (tiktok): gone through",
    ]
    assert sum(line.startswith("catalog: ") for line in lines) == 1
    assert lines[-1] == "3 gone through"
    assert listing_writes(merchant).count("create_product") == 2
    assert len(store_orders_of(merchant, bad)) == 1
    assert open_quarantine(runtime) == []

    again = syncd("retry", "--all")

    assert again.exit_code == 0
    assert again.stdout == "nothing is quarantined\n"


def test_a_refused_sale_needs_a_fix_by_hand_and_is_dismissed(
    two_store_merchant: Merchant, make_runtime: MakeRuntime, syncd: Syncd
) -> None:
    merchant = two_store_merchant
    runtime = make_runtime(merchant)
    sold = sku(merchant)
    with session_scope(runtime.engine) as session:  # as the stock job records a write-down the store refused
        reason = f"main refused to take 2 x {sold} sold in woo off its stock: locked"
        quarantine.quarantine(
            session, runtime.channel_id("woo"), "stock_sale", sold, reason, payload={"units": 2, "store": "woo"}
        )

    shown = syncd("retry", "stock_sale", sold)

    assert shown.exit_code == 1
    assert f"stock_sale {sold} (woo): needs a fix by hand: {reason}" in shown.stdout
    assert '{"store": "woo", "units": 2}' in shown.stdout
    assert (
        f"lower {sold}'s stock in main by 2 by hand, then run `syncd retry stock_sale {sold} --dismiss`" in shown.stdout
    )
    assert open_keys(runtime) == [("stock_sale", sold)]

    dismissed = syncd("retry", "stock_sale", sold, "--dismiss")

    assert dismissed.exit_code == 0, dismissed.output
    assert f"stock_sale {sold} (woo): dismissed" in dismissed.stdout
    assert open_quarantine(runtime) == []


def test_unknown_kinds_records_and_arguments_exit_2(
    merchant: Merchant, make_runtime: MakeRuntime, syncd: Syncd
) -> None:
    make_runtime(merchant)

    unknown_kind = syncd("retry", "parcel", "1")
    assert unknown_kind.exit_code == 2
    assert "unknown kind 'parcel'" in unknown_kind.stderr
    for kind in KINDS:
        assert f"  {kind}: " in unknown_kind.stderr

    unknown_record = syncd("retry", "order", "576000000000000001")
    assert unknown_record.exit_code == 2
    assert "no open quarantine entry order 576000000000000001" in unknown_record.stderr

    for args in ([], ["order"], ["order", "1", "--all"], ["--all", "--dismiss"]):
        misuse = syncd("retry", *args)
        assert misuse.exit_code == 2, args
        assert "Usage:" in misuse.stderr


def test_a_catalog_run_that_fails_as_a_whole_leaves_its_entries_quarantined(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext, syncd: Syncd
) -> None:
    mug = as_mug(merchant, 1)
    runtime = make_runtime(merchant)
    assert catalog.run(context(runtime), Window()).quarantined == 1
    make_runtime(merchant, catalog={"categories": [T_SHIRTS, MUGS]})
    store_server(merchant).inject(Fault.unauthorized(times=None))

    result = syncd("retry", "listing", mug)

    assert result.exit_code == 1, result.output
    assert f"listing {mug} (tiktok): still quarantined: no category rule" in result.stdout
    assert "  the retry failed: " in result.stdout
    [entry] = open_quarantine(runtime, "listing")
    assert (entry.record_key, entry.attempts) == (mug, 2)
    assert merchant.tiktok.listing_count() == 5
