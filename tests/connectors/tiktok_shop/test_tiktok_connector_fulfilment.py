"""The connector as an order reference sink and fulfilment sink."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tts_connector_support import PROVIDER_USPS, make_connector

from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.fake.state import Sku
from syncd.connector import WriteStatus
from syncd.domain import Fulfilment, OrderReference
from syncd.http import ManualClock


@pytest.fixture
def connector(fake: FakeTikTokShop, clock: ManualClock) -> Iterator[TikTokShopConnector]:
    with make_connector(fake, clock) as made:
        yield made


@pytest.fixture
def skus(fake: FakeTikTokShop) -> list[Sku]:
    return fake.add_product(skus=[{"seller_sku": "TEE-S", "quantity": 9_999}, {"seller_sku": "TEE-M"}]).skus


# -- references ----------------------------------------------------------------------------------------


def test_references_go_a_hundred_per_call_with_a_result_each(
    fake: FakeTikTokShop, connector: TikTokShopConnector, skus: list[Sku]
) -> None:
    orders = [fake.add_order([(skus[0], 1)]) for _ in range(150)]
    references = [
        OrderReference(order_external_id=o.id, store_order_id=f"{1000 + n}", store_platform="shopify")
        for n, o in enumerate(orders)
    ]
    references[7] = references[7].model_copy(update={"order_external_id": "576499999999999999"})

    results = connector.add_order_references(references)

    assert fake.calls.count("add_external_orders") == 2
    assert [r.key for r in results] == [r.order_external_id for r in references]
    failed = [r for r in results if not r.ok]
    assert [(r.key, r.error) for r in failed] == [("576499999999999999", "TikTok 36020001: Invalid order_id")]
    assert results[0].status is WriteStatus.UPDATED
    assert fake.orders[orders[0].id].external_orders["SHOPIFY"]["id"] == "1000"


def test_reference_lines_name_every_tiktok_unit_of_a_line(
    fake: FakeTikTokShop, connector: TikTokShopConnector, skus: list[Sku]
) -> None:
    placed = fake.add_order([(skus[0], 2), (skus[1], 1)])
    (order,) = connector.get_orders([placed.id])
    tee_s, tee_m = order.lines
    reference = OrderReference(
        order_external_id=placed.id,
        store_order_id="2001",
        store_platform="woocommerce",
        line_ids={tee_s.external_id: "55", tee_m.external_id: "56"},
    )

    (result,) = connector.add_order_references([reference])

    assert result.ok
    stored = fake.orders[placed.id].external_orders["WOOCOMMERCE"]
    units = [item.id for item in placed.line_items]
    assert stored["line_items"] == [
        {"id": units[0], "origin_id": "55"},
        {"id": units[1], "origin_id": "55"},
        {"id": units[2], "origin_id": "56"},
    ]


def test_an_order_is_found_by_its_store_reference(
    fake: FakeTikTokShop, connector: TikTokShopConnector, skus: list[Sku]
) -> None:
    placed = fake.add_order([(skus[0], 1)])
    connector.add_order_references(
        [OrderReference(order_external_id=placed.id, store_order_id="#1042", store_platform="shopify")]
    )

    assert connector.find_order_by_reference("shopify", "#1042") == placed.id
    assert connector.find_order_by_reference("shopify", "#9999") is None
    assert connector.find_order_by_reference("woocommerce", "#1042") is None


# -- fulfilment ----------------------------------------------------------------------------------------


def _shipment(order_id: str, *lines: str, tracking: str = "9400111899223344556677") -> Fulfilment:
    return Fulfilment(
        order_external_id=order_id,
        external_id=f"shopify-fulfilment-{order_id}-{len(lines)}",
        tracking_number=tracking,
        carrier=PROVIDER_USPS,
        line_external_ids=lines,
    )


def test_an_order_is_shipped_once_and_a_second_time_is_unchanged(
    fake: FakeTikTokShop, connector: TikTokShopConnector, skus: list[Sku]
) -> None:
    placed = fake.add_order([(skus[0], 2)])

    (first,) = connector.write_fulfilments([_shipment(placed.id)])
    (second,) = connector.write_fulfilments([_shipment(placed.id)])

    assert first.status is WriteStatus.CREATED
    package = fake.packages[first.external_id or ""]
    assert (package.tracking_number, package.shipping_provider_id) == ("9400111899223344556677", PROVIDER_USPS)
    assert fake.orders[placed.id].status == "IN_TRANSIT"
    assert second.status is WriteStatus.UNCHANGED
    assert fake.calls.count("mark_package_shipped") == 1


def test_a_partial_shipment_ships_only_the_named_lines(
    fake: FakeTikTokShop, connector: TikTokShopConnector, skus: list[Sku]
) -> None:
    placed = fake.add_order([(skus[0], 2), (skus[1], 1)])
    tee_s, tee_m = connector.get_orders([placed.id])[0].lines

    (first,) = connector.write_fulfilments([_shipment(placed.id, tee_s.external_id)])
    assert first.status is WriteStatus.CREATED
    assert fake.orders[placed.id].status == "PARTIALLY_SHIPPING"
    assert sorted(fake.packages[first.external_id or ""].line_item_ids) == sorted(
        item.id for item in placed.line_items if item.sku_id == skus[0].id
    )

    again, rest = connector.write_fulfilments(
        [_shipment(placed.id, tee_s.external_id), _shipment(placed.id, tee_m.external_id, tracking="9400999")]
    )
    assert again.status is WriteStatus.UNCHANGED
    assert rest.status is WriteStatus.CREATED
    assert fake.orders[placed.id].status == "IN_TRANSIT"


def test_orders_that_cannot_ship_fail_with_the_reason(
    fake: FakeTikTokShop, connector: TikTokShopConnector, skus: list[Sku]
) -> None:
    cancelled = fake.add_order([(skus[0], 1)], status="CANCELLED")
    on_hold = fake.add_order([(skus[0], 1)], status="ON_HOLD")
    open_order = fake.add_order([(skus[0], 1)])
    wrong_carrier = _shipment(open_order.id).model_copy(update={"carrier": "UPS please"})

    results = connector.write_fulfilments(
        [_shipment(cancelled.id), _shipment(on_hold.id), _shipment("576499999999999999"), wrong_carrier]
    )

    assert [(r.status, r.retryable) for r in results] == [
        (WriteStatus.FAILED, False),
        (WriteStatus.FAILED, True),
        (WriteStatus.FAILED, False),
        (WriteStatus.FAILED, False),
    ]
    assert results[0].error == "a TikTok order in CANCELLED cannot be shipped"
    assert results[2].error == "TikTok order 576499999999999999: not found"
    assert (results[3].error or "").startswith("TikTok 36009004: Invalid param: shipping_provider_id")
    assert fake.calls.count("mark_package_shipped") == 1
