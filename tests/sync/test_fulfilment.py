"""The fulfilment job against the emulators: tracking added in the store reaches TikTok once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from order_support import link, open_quarantine, place, run, seed_hub, sku, store_orders_of, tiktok_fake, tiktok_writes
from sqlalchemy import Engine

from syncd.domain import Fulfilment
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store import channels
from syncd.store import orders as orders_repo
from syncd.store.engine import session_scope
from syncd.store.enums import OrderLinkState as S
from syncd.sync.context import JobContext
from syncd.sync.jobs import fulfilment, orders

MakeRuntime = Callable[..., Runtime]
OpenContext = Callable[..., JobContext]
UPS = "7117858858072016686"  # for the pure tests; the emulator tests use the fake's own provider ids


def providers(merchant: Merchant) -> dict[str, str]:
    """The TikTok emulator's shipping providers, name -> id."""
    return {p["name"]: p["id"] for p in tiktok_fake(merchant).catalog.shipping_providers}


def carriers(merchant: Merchant, **extra: str) -> dict[str, dict[str, str]]:
    """A `fulfilment` config section mapping UPS (and `extra` names) to the emulator's provider ids."""
    ids = providers(merchant)
    return {"carriers": {"UPS": ids["UPS"], **{name: ids[provider] for name, provider in extra.items()}}}


@pytest.fixture(params=["merchant", "woo_merchant"])
def any_merchant(request: pytest.FixtureRequest) -> Merchant:
    """Each store of record in turn: Shopify, then WooCommerce."""
    seeded: Merchant = request.getfixturevalue(request.param)
    return seeded


def imported(merchant: Merchant, runtime: Runtime, context: OpenContext) -> tuple[str, str]:
    """A TikTok order imported into the store of record: (TikTok order id, store order id)."""
    seed_hub(runtime, merchant)
    order_id = place(merchant, (sku(merchant), 2))
    run(orders.run, context(runtime))
    [store_order] = store_orders_of(merchant, order_id)
    return order_id, store_order


def provider_of(merchant: Merchant, tiktok_order_id: str) -> str:
    """The shipping provider id of the order's shipped package on TikTok."""
    server = tiktok_fake(merchant)
    with server.lock:
        return next(p.shipping_provider_id for p in server.packages.values() if tiktok_order_id in p.order_ids)


def test_tracking_reaches_tiktok_with_the_mapped_provider_once(
    any_merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    merchant = any_merchant
    runtime = make_runtime(merchant, fulfilment=carriers(merchant))
    order_id, store_order = imported(merchant, runtime, context)
    # The store spells the carrier its own way; the mapping ignores case.
    merchant.stores["main"].fulfil(store_order, "1Z999AA10123456784", "ups")

    report = run(fulfilment.run, context(runtime))

    assert (report.read, report.created, report.quarantined) == (1, 1, 0)
    assert merchant.tiktok.tracking() == {order_id: "1Z999AA10123456784"}
    assert provider_of(merchant, order_id) == providers(merchant)["UPS"]
    shipped = link(runtime, order_id)
    assert shipped.shipped_at is not None
    assert shipped.tracking_number == "1Z999AA10123456784"

    writes_before = tiktok_writes(merchant)
    again = run(fulfilment.run, context(runtime))

    assert not again.writes
    assert (again.read, again.created) == (0, 0)
    assert tiktok_writes(merchant) == writes_before


def test_an_unmapped_carrier_is_quarantined_until_the_config_maps_it(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant, fulfilment=carriers(merchant))
    order_id, store_order = imported(merchant, runtime, context)
    merchant.stores["main"].fulfil(store_order, "PP-1234", "Pigeon Post")

    report = run(fulfilment.run, context(runtime))

    assert report.quarantined == 1
    assert not report.writes
    [entry] = open_quarantine(runtime, fulfilment.KIND)
    assert entry.record_key == order_id
    assert "'Pigeon Post'" in entry.reason
    assert "sync.fulfilment.carriers" in entry.reason
    assert store_order in entry.reason
    assert merchant.tiktok.tracking() == {}
    assert link(runtime, order_id).shipped_at is None

    mapped = make_runtime(merchant, fulfilment=carriers(merchant, **{"pigeon post": "USPS"}))
    fixed = run(fulfilment.run, context(mapped))

    assert fixed.created == 1
    assert merchant.tiktok.tracking() == {order_id: "PP-1234"}
    assert open_quarantine(runtime, fulfilment.KIND) == []


def test_orders_not_shipped_in_the_store_send_nothing(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant)
    order_id, _ = imported(merchant, runtime, context)

    report = run(fulfilment.run, context(runtime))

    assert (report.read, report.created, report.quarantined) == (0, 0, 0)
    assert not report.writes
    assert link(runtime, order_id).shipped_at is None


def test_an_order_already_shipped_on_tiktok_counts_as_shipped(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant, fulfilment=carriers(merchant))
    order_id, store_order = imported(merchant, runtime, context)
    merchant.tiktok.set_order_status(order_id, "IN_TRANSIT")
    merchant.stores["main"].fulfil(store_order, "1Z999AA10123456784", "UPS")

    report = run(fulfilment.run, context(runtime))

    assert (report.created, report.unchanged, report.quarantined) == (0, 1, 0)
    assert link(runtime, order_id).shipped_at is not None
    assert not run(fulfilment.run, context(runtime)).writes


def test_a_dry_run_plans_the_shipment_and_sends_nothing(
    merchant: Merchant, make_runtime: MakeRuntime, context: OpenContext
) -> None:
    runtime = make_runtime(merchant, fulfilment=carriers(merchant))
    order_id, store_order = imported(merchant, runtime, context)
    merchant.stores["main"].fulfil(store_order, "1Z999AA10123456784", "UPS")
    writes_before = tiktok_writes(merchant)

    dry = context(runtime, dry_run=True)
    report = run(fulfilment.run, dry)
    dry.close()

    assert [(p.action, p.key) for p in report.planned] == [("ship_order", order_id)]
    assert not report.writes
    assert tiktok_writes(merchant) == writes_before
    assert merchant.tiktok.tracking() == {}
    assert link(runtime, order_id).shipped_at is None


T0 = datetime(2026, 3, 1, tzinfo=UTC)


def shipment(external_id: str, tracking: str | None, carrier: str | None, minutes: int = 0) -> Fulfilment:
    """A store fulfilment of store order 1."""
    return Fulfilment(
        order_external_id="1",
        external_id=external_id,
        tracking_number=tracking,
        carrier=carrier,
        created_at=T0 + timedelta(minutes=minutes),
    )


def test_choose_takes_the_earliest_usable_shipment() -> None:
    carriers = {"ups": UPS}
    later = shipment("b", "1Z2", "UPS", minutes=5)
    earlier = shipment("a", "1Z1", " Ups ", minutes=1)
    unmapped = shipment("c", "X1", "Courier", minutes=0)

    assert fulfilment.choose([later, unmapped, earlier], carriers) == (earlier, UPS)


@pytest.mark.parametrize(
    ("shipments", "reason"),
    [
        ([shipment("a", None, "UPS")], "without a tracking number"),
        ([shipment("a", "1Z1", None)], "tracking 1Z1 has no carrier"),
        ([shipment("a", "1Z1", "Courier")], "carrier 'Courier' has no TikTok shipping provider id"),
    ],
)
def test_choose_says_why_nothing_can_be_sent(shipments: list[Fulfilment], reason: str) -> None:
    chosen = fulfilment.choose(shipments, {"ups": UPS})

    assert isinstance(chosen, str)
    assert reason in chosen


def test_links_wait_for_shipping_until_marked_shipped(engine: Engine) -> None:
    with session_scope(engine) as session:
        shop = channels.get_or_create_channel(session, "shop", "shopify").id
        assert shop is not None
        for order_id in ("O1", "O2", "O3"):
            orders_repo.insert_order_link(session, order_id, shop)
        orders_repo.transition(session, "O1", S.CREATED, store_order_id="S1")
        orders_repo.transition(session, "O2", S.LINKED, store_order_id="S2")
        waiting = orders_repo.list_unshipped(session, shop)
        assert [link.tiktok_order_id for link in waiting] == ["O1", "O2"]
        first_id = waiting[0].id
        assert first_id is not None
        assert [link.tiktok_order_id for link in orders_repo.list_unshipped(session, shop, after_id=first_id)] == ["O2"]

        assert orders_repo.mark_shipped(session, "O1", "1Z1", now=T0)
        assert not orders_repo.mark_shipped(session, "O1", "1Z2")  # shipped once
        assert not orders_repo.mark_shipped(session, "O3", "1Z3")  # no store order: nothing to ship
        shipped = orders_repo.get_order_link(session, "O1")
        assert [link.tiktok_order_id for link in orders_repo.list_unshipped(session, shop)] == ["O2"]
    assert shipped is not None
    assert (shipped.shipped_at, shipped.tracking_number) == (T0, "1Z1")
