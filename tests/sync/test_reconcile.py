"""The reconcile job against the emulators: drift made behind syncd's back is repaired, and an in-step merchant
is left alone (nothing repaired, nothing written)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.config import TIKTOK_CHANNEL
from syncd.runtime import Runtime
from syncd.sandbox import checks
from syncd.sandbox.merchant import Merchant
from syncd.store import cursors
from syncd.store.engine import session_scope
from syncd.sync.context import JobContext
from syncd.sync.jobs import orders
from syncd.sync.report import RunReport
from syncd.sync.runner import run_job
from syncd.testing.sandbox import SeedOrderLine
from tests.e2e.e2e_support import CallWatch
from tests.sync.conftest import MakeRuntime

OpenContext = Callable[..., JobContext]
SYNC = ("catalog", "orders", "stock")


@pytest.fixture(params=["merchant", "woo_merchant"])
def any_merchant(request: pytest.FixtureRequest) -> Merchant:
    """Each store of record in turn: Shopify, then WooCommerce."""
    seeded: Merchant = request.getfixturevalue(request.param)
    return seeded


def run(runtime: Runtime, context: OpenContext, *jobs: str) -> RunReport:
    """Run jobs in order in one context, as the runner does; each must come out ok. Returns the last report."""
    ctx = context(runtime)
    reports = [run_job(ctx, job) for job in jobs]
    for report in reports:
        assert report.ok, (report.job, report.notes)
    ctx.close()
    return reports[-1]


def synced(merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext) -> Runtime:
    """A runtime whose merchant is fully in step: every product listed, one order imported, stock pushed."""
    runtime = make_runtime(merchant)
    run(runtime, context, "catalog")
    merchant.tiktok.place_order([SeedOrderLine(merchant.products[0].variants[0].sku, 1)])
    run(runtime, context, *SYNC)
    assert in_step(merchant, runtime)
    return runtime


def in_step(merchant: Merchant, runtime: Runtime) -> bool:
    """Every listing and quantity as the store of record says."""
    return checks.listings_match(merchant).ok and checks.stock_match(merchant, runtime.settings).ok


def assert_ok(result: checks.CheckResult) -> None:
    """A sandbox check passed (its first differences shown when not)."""
    assert result.ok, result.problems


def tiktok(merchant: Merchant) -> FakeTikTokShop:
    """The TikTok emulator's server, to change the shop behind syncd's back."""
    server = merchant.tiktok.server
    assert isinstance(server, FakeTikTokShop)
    return server


@pytest.mark.parametrize("name", ["merchant", "woo_merchant", "two_store_merchant"])
def test_in_step_merchant_is_left_alone(
    name: str, request: pytest.FixtureRequest, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant: Merchant = request.getfixturevalue(name)
    runtime = synced(merchant, make_runtime, context)
    watch = CallWatch(merchant)

    report = run(runtime, context, "reconcile")

    assert report.created == report.updated == 0
    assert sum(report.writes.values()) == 0
    assert watch.writes() == {}
    assert "no drift found" in report.notes
    assert in_step(merchant, runtime)


def test_quantities_changed_on_tiktok_are_put_back(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = synced(merchant, make_runtime, context)
    expected = merchant.tiktok.stock_by_sku()
    raised, dropped = merchant.products[1].variants[0].sku, merchant.products[2].variants[1].sku
    server = tiktok(merchant)
    with server.lock:
        # A person edits one quantity in Seller Center; another write was accepted but never applied.
        for seller_sku, quantity in ((raised, 999), (dropped, 0)):
            sku = server.find_sku(seller_sku)
            sku.inventory = dict.fromkeys(sku.inventory, 0) | {next(iter(sku.inventory)): quantity}
    assert merchant.tiktok.stock_by_sku()[raised] == 999
    watch = CallWatch(merchant)

    report = run(runtime, context, "reconcile")

    assert merchant.tiktok.stock_by_sku() == expected
    assert_ok(checks.stock_match(merchant, runtime.settings))
    assert report.writes == {"tiktok_shop": 2}  # one inventory call per product
    assert len(watch.writes()["tiktok"]) == 2
    assert any(f"999 x {raised}" in note for note in report.notes), report.notes
    watch.start()
    again = run(runtime, context, "reconcile")
    assert sum(again.writes.values()) == 0
    assert watch.writes() == {}


def test_listing_title_edited_on_tiktok_is_put_back(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = synced(merchant, make_runtime, context)
    product = merchant.products[3]
    product_id = merchant.tiktok.listings_by_sku()[product.variants[0].sku]
    server = tiktok(merchant)
    with server.lock:
        server.products[product_id].title = "Edited by hand in Seller Center"

    report = run(runtime, context, "reconcile")

    with server.lock:
        assert server.products[product_id].title == product.title
    assert report.updated >= 1
    again = run(runtime, context, "reconcile")
    assert sum(again.writes.values()) == 0


def test_order_missed_by_the_poll_is_imported(
    any_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = any_merchant
    runtime = synced(merchant, make_runtime, context)
    imported = [o.source_order_id for o in merchant.stores["main"].orders() if o.source_order_id]
    missed = merchant.tiktok.place_order([SeedOrderLine(merchant.products[4].variants[2].sku, 2)])
    with session_scope(runtime.engine) as session:
        # A cursor moved past the order (a webhook that never came, a clock jump): the poll never sees it.
        channel_id = runtime.channel_id(TIKTOK_CHANNEL)
        cursors.set_cursor(session, channel_id, orders.STREAM, str(int(time.time()) + 3600))
    run(runtime, context, "orders")
    assert not checks.orders_imported_once(merchant, [missed]).ok

    report = run(runtime, context, "reconcile")

    placed = [*imported, missed]
    assert_ok(checks.orders_imported_once(merchant, placed))
    assert_ok(checks.external_refs_match(merchant, placed))
    assert report.created >= 1
    # The order took its units from the store of record; TikTok must not go on offering them.
    assert_ok(checks.stock_match(merchant, runtime.settings))
    watch = CallWatch(merchant)
    again = run(runtime, context, "reconcile")
    assert sum(again.writes.values()) == 0
    assert watch.writes() == {}
