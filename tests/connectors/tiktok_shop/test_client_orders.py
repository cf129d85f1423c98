"""The client's order calls against the emulator: windows, detail batches, external references."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from connectors.tiktok_shop import ShopClient, TikTokFatalError
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.models import (
    ExternalLineItemRef,
    ExternalOrderInput,
    ExternalOrderReference,
    OrderSearchFilter,
)
from syncd.http import ManualClock


@pytest.fixture
def start(fake: FakeTikTokShop, clock: ManualClock) -> int:
    """130 orders one minute apart, the last an hour ago; returns the first one's time."""
    fake.add_products(4, skus_per_product=3)
    first = int(clock.now().timestamp()) - 3600 - 130 * 60
    fake.add_orders(130, start=first, spacing=60)
    return first


def test_update_time_windows_read_each_order_once(shop: ShopClient, start: int) -> None:
    edges = [start, start + 50 * 60, start + 130 * 60]
    seen: list[str] = []
    for low, high in itertools.pairwise(edges):
        window = OrderSearchFilter(update_time_ge=low, update_time_lt=high)
        for page in shop.orders.iter_search(window, page_size=20, sort_field="update_time", sort_order="ASC"):
            assert all(low <= (o.update_time or 0) < high for o in page.orders)
            seen += [o.id for o in page.orders]

    assert len(seen) == len(set(seen)) == 130


def test_one_page_and_its_total(shop: ShopClient, start: int) -> None:
    page = shop.orders.search(OrderSearchFilter(create_time_ge=start), page_size=25)

    assert len(page.orders) == 25
    assert page.total_count == 130
    assert page.has_next_page
    order = page.orders[0]
    assert order.payment is not None
    assert order.payment.total_amount == Decimal("19.99")
    assert order.recipient_address is not None
    assert order.recipient_address.postal_code == "94103"
    assert order.status == "AWAITING_SHIPMENT"


def test_status_filter_and_a_late_status_change(
    shop: ShopClient, fake: FakeTikTokShop, clock: ManualClock, start: int
) -> None:
    some = next(iter(fake.orders))
    clock.advance(60)
    fake.set_order_status(some, "CANCELLED")
    now = int(clock.now().timestamp())

    cancelled = [o.id for p in shop.orders.iter_search(OrderSearchFilter(order_status="CANCELLED")) for o in p.orders]
    recent = shop.orders.search(OrderSearchFilter(update_time_ge=now - 5, update_time_lt=now + 1))

    assert cancelled == [some]
    assert [(o.id, o.status) for o in recent.orders] == [(some, "CANCELLED")]


def test_details_are_fetched_50_ids_per_call(shop: ShopClient, fake: FakeTikTokShop, start: int) -> None:
    ids = list(fake.orders)[:120]

    orders = shop.orders.get_details([*ids, ids[0]])  # a repeated id is asked for once

    assert [o.id for o in orders] == ids
    assert fake.calls.count("get_order_detail") == 3
    assert all(
        len(call.query["ids"][0].split(",")) <= 50 for call in fake.calls.all() if call.route == "get_order_detail"
    )


def test_a_quantity_arrives_as_one_line_per_unit(shop: ShopClient, fake: FakeTikTokShop) -> None:
    fake.add_product(skus=[{"seller_sku": "CAP-NAVY", "price": "18.00"}])
    placed = fake.add_order([("CAP-NAVY", 3)], shipping_fee="4.50")

    [order] = shop.orders.get_details([placed.id], version="202507")
    price = shop.orders.price_detail(placed.id)

    assert [line.seller_sku for line in order.line_items] == ["CAP-NAVY"] * 3
    assert order.payment is not None
    assert order.payment.total_amount == Decimal("58.50")
    assert price.currency == "USD"
    assert len(price.line_items) == 3


def reference(order_id: str, external_id: str, platform: str = "SHOPIFY") -> ExternalOrderReference:
    return ExternalOrderReference(id=order_id, external_order=ExternalOrderInput(id=external_id, platform=platform))


def test_external_references_report_each_order(shop: ShopClient, fake: FakeTikTokShop, start: int) -> None:
    known = list(fake.orders)[:3]
    unknown = "576461413038785752"
    first_line = fake.orders[known[0]].line_items[0].id
    references = [reference(order_id, f"shopify-{n}") for n, order_id in enumerate(known)]
    references[0] = ExternalOrderReference(
        id=known[0],
        external_order=ExternalOrderInput(
            id="shopify-0", platform="SHOPIFY", line_items=[ExternalLineItemRef(id=first_line, origin_id="ln-1")]
        ),
    )

    result = shop.orders.add_external_references([*references, reference(unknown, "shopify-x")])

    assert result.succeeded == known
    [failure] = result.failed
    assert (failure.key, failure.code, failure.message) == (unknown, "36020001", "Invalid order_id")
    [linked] = shop.orders.get_external_references(known[0], "SHOPIFY")
    assert (linked.id, [(li.id, li.origin_id) for li in linked.line_items]) == ("shopify-0", [(first_line, "ln-1")])


def test_references_are_sent_100_per_call(shop: ShopClient, fake: FakeTikTokShop, start: int) -> None:
    references = [reference(order_id, f"woo-{n}", "WOOCOMMERCE") for n, order_id in enumerate(fake.orders)]

    result = shop.orders.add_external_references(references)

    assert result.all_ok
    assert len(result.outcomes) == 130
    assert fake.calls.count("add_external_orders") == 2


def test_search_by_reference_finds_the_linked_order(shop: ShopClient, fake: FakeTikTokShop, start: int) -> None:
    order_id = next(iter(fake.orders))
    shop.orders.add_external_references([reference(order_id, "1001"), reference(order_id, "woo-9", "WOOCOMMERCE")])
    shop.orders.add_external_references([reference(order_id, "1002")])  # same OMS: the reference is replaced

    [match] = shop.orders.search_by_external_reference("SHOPIFY", "1002")

    assert match.id == order_id
    assert match.external_order is not None
    assert match.external_order.id == "1002"
    assert shop.orders.search_by_external_reference("SHOPIFY", "1001") == []
    assert [ref.id for ref in shop.orders.get_external_references(order_id, "WOOCOMMERCE")] == ["woo-9"]
    search_calls = [call for call in fake.calls.all() if call.route == "search_external_orders"]
    assert {call.query["external_order_id"][0] for call in search_calls} == {"1001", "1002"}


def test_an_unknown_platform_is_refused(shop: ShopClient, start: int) -> None:
    with pytest.raises(TikTokFatalError) as raised:
        shop.orders.get_external_references(next(iter(["576400000000000001"])), "SHOPPIFY")

    assert raised.value.code == "36009004"
