"""The orders job against the emulators: TikTok orders reach the store of record exactly once (DESIGN 2.2)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from order_support import (
    TIKTOK_WRITES,
    all_links,
    link,
    open_quarantine,
    place,
    reserved,
    run,
    seed_hub,
    sku,
    store_orders_of,
    tiktok_fake,
    tiktok_writes,
)
from sqlalchemy import update

from syncd.config import load_settings
from syncd.domain import Money, Order, OrderLine, OrderStatus
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import cursors, migrate
from syncd.store.engine import session_scope
from syncd.store.enums import OrderLinkState
from syncd.store.models import OrderLink
from syncd.store.sql import table_of
from syncd.sync.context import JobContext, Window
from syncd.sync.jobs import orders
from syncd.sync.order_protocol import OrderSteps
from syncd.sync.report import RunReport
from syncd.testing import Fault
from syncd.testing.sandbox import SeedProduct, SeedVariant

MakeRuntime = Callable[..., Runtime]
OpenContext = Callable[..., JobContext]
S = OrderLinkState


@pytest.fixture(params=["merchant", "woo_merchant"])
def any_merchant(request: pytest.FixtureRequest) -> Merchant:
    """Each store of record in turn: Shopify, then WooCommerce."""
    seeded: Merchant = request.getfixturevalue(request.param)
    return seeded


def test_orders_become_store_orders_once_with_references(
    any_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = any_merchant
    store = merchant.stores["main"]
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    a, b = sku(merchant, 0, 0), sku(merchant, 1, 1)
    stock_before = store.stock_by_sku()
    first = place(merchant, (a, 2))
    second = place(merchant, (a, 1), (b, 3))

    report = run(orders.run, context(runtime))

    assert (report.read, report.created, report.failed, report.quarantined) == (2, 2, 0, 0)
    by_source = {o.source_order_id: o for o in store.orders()}
    assert set(by_source) == {first, second}
    assert by_source[second].lines == {a: 1, b: 3}
    references = merchant.tiktok.external_references()
    assert references == {first: [by_source[first].id], second: [by_source[second].id]}
    assert [link(runtime, i).state for i in (first, second)] == [S.LINKED, S.LINKED]
    # The store took the units from its own stock, so nothing stays reserved in the hub.
    assert store.stock_by_sku()[a] == stock_before[a] - 3
    assert store.stock_by_sku()[b] == stock_before[b] - 3
    assert reserved(runtime) == {}
    assert report.api_calls[store_platform(merchant)] > 0
    with session_scope(runtime.engine) as session:
        assert cursors.get_cursor(session, runtime.channel_id("tiktok"), orders.STREAM) is not None

    writes_before = tiktok_writes(merchant)
    again = run(orders.run, context(runtime))

    assert not again.writes
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert tiktok_writes(merchant) == writes_before
    assert len(store.orders()) == 2
    assert merchant.tiktok.external_references() == references


def test_a_crash_between_create_and_record_adopts_the_store_order(
    any_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = any_merchant
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 1))
    run(orders.run, context(runtime))
    store_order = link(runtime, order_id).store_order_id
    # As if the process died after the store created the order and before `created` was committed.
    forget_store_order(runtime, order_id)

    report = run(orders.run, context(runtime))

    assert store_orders_of(merchant, order_id) == [store_order]
    assert (link(runtime, order_id).state, link(runtime, order_id).store_order_id) == (S.LINKED, store_order)
    assert report.created == 0
    assert any("adopted" in note for note in report.notes)
    assert merchant.tiktok.external_references() == {order_id: [store_order]}


def test_a_failed_reference_stays_created_and_the_next_run_repairs_it(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 1))
    merchant.tiktok.server.inject(Fault.error(400, route="add_external_orders", times=1))

    first = run(orders.run, context(runtime))

    assert (first.created, first.failed) == (1, 1)
    assert link(runtime, order_id).state is S.CREATED
    assert merchant.tiktok.external_references() == {}

    second = run(orders.run, context(runtime))

    store_order = link(runtime, order_id).store_order_id
    assert link(runtime, order_id).state is S.LINKED
    assert (second.created, second.failed) == (0, 0)
    assert store_orders_of(merchant, order_id) == [store_order]
    assert merchant.tiktok.external_references() == {order_id: [store_order]}


def test_unpaid_orders_reserve_stock_and_import_once_paid(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    wanted = sku(merchant)
    order_id = place(merchant, (wanted, 2), status="UNPAID")

    waiting = run(orders.run, context(runtime))

    assert (waiting.deferred, waiting.created) == (1, 0)
    assert reserved(runtime) == {wanted: 2}
    assert link(runtime, order_id).state is S.PENDING
    assert store_orders_of(merchant, order_id) == []

    merchant.tiktok.set_order_status(order_id, "AWAITING_SHIPMENT")
    paid = run(orders.run, context(runtime))

    assert paid.created == 1
    assert len(store_orders_of(merchant, order_id)) == 1
    assert reserved(runtime) == {}


def test_the_on_hold_window_defers_recent_orders_until_it_has_passed(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant, orders={"on_hold_window": "1h"})
    seed_hub(runtime, merchant)
    server = tiktok_fake(merchant)
    listed = merchant.tiktok.listings_by_sku()
    sku_id = next(
        s.id for s in server.skus.values() if s.seller_sku == sku(merchant) and s.product_id in listed.values()
    )
    recent = server.add_order([(sku_id, 1)]).id
    two_hours_ago = server.unix_now() - 7200
    old = server.add_order([(sku_id, 1)], create_time=two_hours_ago, update_time=server.unix_now()).id

    report = run(orders.run, context(runtime))

    assert (report.created, report.deferred) == (1, 1)
    assert len(store_orders_of(merchant, old)) == 1
    assert store_orders_of(merchant, recent) == []
    assert link(runtime, recent).state is S.PENDING

    # Later: the window has passed. The order did not change on TikTok; the sweep of waiting links finds it.
    later = make_runtime(merchant, orders={"on_hold_window": "0s"})
    swept = run(orders.run, context(later))
    assert swept.created == 1
    assert len(store_orders_of(merchant, recent)) == 1


def test_an_unknown_sku_quarantines_only_its_order_until_retried(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    ghost = SeedProduct(
        title="Listed on TikTok only", variants=(SeedVariant(sku="GHOST-1", price=Decimal(9), stock=5),)
    )
    merchant.tiktok.list_existing([ghost])
    bad = place(merchant, (sku(merchant), 1), ("GHOST-1", 1))
    good = place(merchant, (sku(merchant, 1), 1))

    report = run(orders.run, context(runtime))

    assert (report.created, report.quarantined) == (1, 1)
    assert len(store_orders_of(merchant, good)) == 1
    assert store_orders_of(merchant, bad) == []
    entries = open_quarantine(runtime, "order")
    assert [e.record_key for e in entries] == [bad]
    assert "GHOST-1" in entries[0].reason
    assert link(runtime, bad).state is S.QUARANTINED
    # The sweep leaves quarantined orders to `syncd retry`: nothing is sent for it on the next run.
    assert not run(orders.run, context(runtime)).writes

    merchant.stores["main"].seed_catalog([ghost])
    retried = orders.retry_order(context(runtime), bad)

    assert retried.created == 1
    assert len(store_orders_of(merchant, bad)) == 1
    assert link(runtime, bad).state is S.LINKED
    assert open_quarantine(runtime, "order") == []


def test_a_tiktok_cancellation_cancels_the_store_order_and_restores_stock(
    any_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = any_merchant
    store = merchant.stores["main"]
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    wanted = sku(merchant)
    before = store.stock_by_sku()[wanted]
    order_id = place(merchant, (wanted, 2))
    run(orders.run, context(runtime))
    assert store.stock_by_sku()[wanted] == before - 2

    merchant.tiktok.set_order_status(order_id, "CANCELLED")
    report = run(orders.run, context(runtime))

    assert report.updated == 1
    assert [o.status for o in store.orders()] == ["cancelled"]
    assert store.stock_by_sku()[wanted] == before
    assert link(runtime, order_id).state is S.CANCELLED
    assert not run(orders.run, context(runtime)).writes


def test_a_cancellation_the_store_refuses_is_quarantined_with_the_reason(
    woo_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = woo_merchant
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 1))
    run(orders.run, context(runtime))
    [store_order] = store_orders_of(merchant, order_id)
    # Shipped in the store before the fulfilment job told TikTok; then the buyer's cancellation went through.
    merchant.stores["main"].fulfil(store_order, "1Z999AA10123456784", "UPS")
    merchant.tiktok.set_order_status(order_id, "CANCELLED")

    report = run(orders.run, context(runtime))

    assert report.quarantined == 1
    [entry] = open_quarantine(runtime, "order")
    assert entry.record_key == order_id
    assert f"order {store_order} was not" in entry.reason
    assert "completed" in entry.reason
    assert link(runtime, order_id).state is S.LINKED
    assert [o.status for o in merchant.stores["main"].orders()] == ["completed"]


def test_a_cancellation_before_import_releases_the_reservation(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 3), status="UNPAID")
    run(orders.run, context(runtime))
    assert reserved(runtime) == {sku(merchant): 3}

    merchant.tiktok.set_order_status(order_id, "CANCELLED")
    report = run(orders.run, context(runtime))

    assert reserved(runtime) == {}
    assert link(runtime, order_id).state is S.CANCELLED
    assert merchant.stores["main"].orders() == []
    assert not report.writes


def test_orders_fulfilled_by_tiktok_are_recorded_and_never_sent(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    # The emulator only has seller-fulfilled orders, so the order comes as the connector would map one.
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    now = datetime.now(UTC)
    price = Money(amount=Decimal("12.50"), currency="USD")
    order = Order(
        external_id="576999000000000001",
        status=OrderStatus.AWAITING_SHIPMENT,
        lines=(OrderLine(external_id="1", sku=sku(merchant), quantity=1, unit_price=price),),
        currency="USD",
        created_at=now - timedelta(hours=2),
        updated_at=now,
        fulfilled_by_platform=True,
    )
    report = RunReport(job="orders")

    orders.process(OrderSteps(context(runtime), report), order)

    assert link(runtime, order.external_id).state is S.PLATFORM
    assert reserved(runtime) == {}
    assert merchant.stores["main"].orders() == []
    assert not report.writes
    assert any("fulfilled by TikTok" in note for note in report.notes)


def test_a_dry_run_plans_every_write_and_sends_none(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 1))
    calls_before = [c.route for c in merchant.tiktok.server.calls.all()]

    dry = context(runtime, dry_run=True)
    report = run(orders.run, dry)
    dry.close()  # ends the dry run: its database changes are rolled back here

    assert [(p.action, p.key) for p in report.planned] == [
        ("create_order", order_id),
        ("add_order_reference", order_id),
    ]
    assert not report.writes
    assert merchant.stores["main"].orders() == []
    assert merchant.tiktok.external_references() == {}
    new_calls = [c.route for c in merchant.tiktok.server.calls.all()][len(calls_before) :]
    assert not TIKTOK_WRITES.intersection(r for r in new_calls if r)
    # Nothing was recorded either: the run's database changes were rolled back.
    assert all_links(runtime) == []
    with session_scope(runtime.engine) as session:
        assert cursors.get_cursor(session, runtime.channel_id("tiktok"), orders.STREAM) is None


def test_a_stopped_run_commits_its_pages_and_the_next_run_goes_on(
    merchant: Merchant, tmp_path: Path, context: OpenContext
) -> None:
    url = f"sqlite:///{tmp_path / 'syncd.db'}"
    migrate.upgrade(url)
    config = merchant.config(url)
    config["tiktok"]["page_size"] = 1  # one order per page, so a run has pages to stop between
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    runtime = Runtime(load_settings(tmp_path / "config.yaml", environ={}))
    try:
        seed_hub(runtime, merchant)
        placed = [place(merchant, (sku(merchant, n), 1)) for n in range(3)]
        stopping = context(runtime)
        stopping.stop.set()  # SIGTERM arrived: finish the page in hand and return

        stopped = run(orders.run, stopping)

        assert (stopped.read, stopped.created) == (1, 1)
        with session_scope(runtime.engine) as session:
            assert cursors.get_cursor(session, runtime.channel_id("tiktok"), orders.STREAM) is not None
        resumed = run(orders.run, context(runtime))

        assert resumed.created == 2
        assert sorted(len(store_orders_of(merchant, order_id)) for order_id in placed) == [1, 1, 1]
    finally:
        runtime.close()


def test_a_window_ending_before_an_order_leaves_it_for_later(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 1))

    report = run(orders.run, context(runtime), Window(until=datetime.now(UTC) - timedelta(hours=1)))

    assert (report.read, report.created) == (0, 0)
    assert store_orders_of(merchant, order_id) == []
    with session_scope(runtime.engine) as session:
        assert cursors.get_cursor(session, runtime.channel_id("tiktok"), orders.STREAM) is None
    assert run(orders.run, context(runtime)).created == 1


def test_two_workers_at_once_import_an_order_once(merchant: Merchant, database_url: str, tmp_path: Path) -> None:
    # Two replicas (or a scheduled run and a webhook-triggered one) on one database, on each backend.
    migrate.upgrade(database_url)
    runtime = Runtime(load_settings(merchant.write_config(tmp_path / "config.yaml", database_url), environ={}))
    try:
        seed_hub(runtime, merchant)
        order_id = place(merchant, (sku(merchant), 1))
        # A slow create keeps the first worker inside it while the second arrives; without the order's lock
        # both would find nothing and create.
        slow_create = Fault.delay(
            0.3, respond=True, route="graphql", when=lambda r: b"orderCreate" in r.body, times=None
        )
        merchant.stores["main"].server.inject(slow_create)
        start = threading.Barrier(2)
        reports: list[RunReport] = []

        def worker() -> None:
            with JobContext(runtime) as ctx:
                start.wait()
                reports.append(orders.run(ctx, Window()))

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert len(reports) == 2
        assert sum(r.created for r in reports) == 1
        assert sum(r.failed for r in reports) == 0
        [store_order] = store_orders_of(merchant, order_id)
        assert merchant.tiktok.external_references() == {order_id: [store_order]}
        assert link(runtime, order_id).state is S.LINKED
    finally:
        runtime.close()


def forget_store_order(runtime: Runtime, tiktok_order_id: str) -> None:
    """Put a link back to `pending` without its store order id, as a crash before the commit would leave it."""
    table = table_of(OrderLink)
    with session_scope(runtime.engine) as session:
        session.exec(
            update(table)
            .where(table.c.tiktok_order_id == tiktok_order_id)
            .values(state=OrderLinkState.PENDING, store_order_id=None)
        )


def store_platform(merchant: Merchant) -> str:
    """The connector name of the store of record."""
    return type(merchant.stores["main"]).__module__.split(".")[-2]
