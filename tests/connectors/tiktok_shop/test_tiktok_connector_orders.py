"""The connector as an order source (overlapping update_time windows, details in batches) and returns source."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tts_connector_support import make_connector

from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.fake.state import Sku
from syncd.domain import Order, OrderStatus, ReturnKind, ReturnStatus
from syncd.http import ManualClock
from syncd.testing import Fault

SPACING = 300  # seconds between seeded orders: two of them fit in the ten-minute overlap


@pytest.fixture
def connector(fake: FakeTikTokShop, clock: ManualClock) -> Iterator[TikTokShopConnector]:
    with make_connector(fake, clock, page_size=4) as made:
        yield made


@pytest.fixture
def sku(fake: FakeTikTokShop) -> Sku:
    return fake.add_product(skus=[{"seller_sku": "TEE-M", "quantity": 99_999}]).skus[0]


def _seed(fake: FakeTikTokShop, clock: ManualClock, sku: Sku, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        clock.advance(SPACING)
        ids.append(fake.add_order([(sku, 1)]).id)
    return ids


def _ids(pages: Iterator[object]) -> list[str]:
    return [order.external_id for page in pages for order in getattr(page, "records", [])]


def test_an_incremental_read_overlaps_and_returns_each_changed_order_once(
    fake: FakeTikTokShop, connector: TikTokShopConnector, clock: ManualClock, sku: Sku
) -> None:
    seeded = _seed(fake, clock, sku, 10)
    first = list(connector.read_orders(None))
    assert _ids(iter(first)) == seeded
    checkpoint = first[-1].checkpoint
    assert checkpoint == str(fake.orders[seeded[-1]].update_time)
    # The overlap window re-reads the last orders before the checkpoint; the engine dedupes those.
    overlap = [
        i
        for i in seeded
        if fake.orders[i].update_time >= int(checkpoint or 0) - connector.settings.read_overlap.seconds
    ]
    assert len(overlap) == 3

    clock.advance(3600)
    fake.set_order_status(seeded[2], "CANCELLED")
    added = _seed(fake, clock, sku, 1)
    second = _ids(connector.read_orders(checkpoint))

    assert second == [*overlap, seeded[2], *added]
    assert len(second) == len(set(second))


def test_orders_updated_during_a_read_come_once_and_are_caught_by_the_next_read(
    fake: FakeTikTokShop, connector: TikTokShopConnector, clock: ManualClock, sku: Sku
) -> None:
    seeded = _seed(fake, clock, sku, 12)
    pages = connector.read_orders(None)
    page_one = next(pages)
    assert [o.external_id for o in page_one.records] == seeded[:4]

    clock.advance(60)
    fake.set_order_status(seeded[1], "ON_HOLD")  # already read: moves behind the cursor's end
    fake.set_order_status(seeded[8], "CANCELLED")  # not read yet
    rest = list(pages)

    read = [*page_one.records, *(o for page in rest for o in page.records)]
    assert sorted(o.external_id for o in read) == sorted(seeded)
    assert next(o for o in read if o.external_id == seeded[8]).status is OrderStatus.CANCELLED
    checkpoint = rest[-1].checkpoint
    assert checkpoint == str(fake.orders[seeded[8]].update_time)

    later = {o.external_id: o for page in connector.read_orders(checkpoint) for o in page.records}
    assert later[seeded[1]].status is OrderStatus.ON_HOLD


def test_details_are_fetched_fifty_ids_at_a_time(fake: FakeTikTokShop, clock: ManualClock, sku: Sku) -> None:
    fake.add_orders(120, spacing=5)

    with make_connector(fake, clock, page_size=100) as connector:
        read = _ids(connector.read_orders(None))

    details = [call for call in fake.calls.all() if call.route == "get_order_detail"]
    sizes = [len(call.query["ids"][0].split(",")) for call in details]
    assert sizes == [50, 50, 20]
    assert sorted(read) == sorted(fake.orders)


def test_an_order_that_cannot_be_mapped_is_rejected_and_the_page_goes_on(
    fake: FakeTikTokShop, connector: TikTokShopConnector, clock: ManualClock, sku: Sku
) -> None:
    seeded = _seed(fake, clock, sku, 3)
    with fake.lock:
        fake.orders[seeded[1]].status = "SOMETHING_NEW"

    (page,) = list(connector.read_orders(None))

    assert [o.external_id for o in page.records] == [seeded[0], seeded[2]]
    (rejected,) = page.rejected
    assert rejected.key == seeded[1]
    assert "unknown order status 'SOMETHING_NEW'" in rejected.reason
    assert page.checkpoint == str(fake.orders[seeded[2]].update_time)


def test_a_detail_payload_the_client_cannot_read_rejects_only_its_order(
    fake: FakeTikTokShop, connector: TikTokShopConnector, clock: ManualClock, sku: Sku
) -> None:
    seeded = _seed(fake, clock, sku, 4)
    broken = seeded[2]
    # Detail answers naming this order carry a line item without an id, which the order model refuses.
    body = json.dumps(
        {
            "code": 0,
            "message": "Success",
            "request_id": "20250101000000DETAILFAULT0000000001",
            "data": {"orders": [{"id": broken, "status": "AWAITING_SHIPMENT", "line_items": [{"id": None}]}]},
        }
    ).encode()
    fake.inject(
        Fault.error(200, body, route="get_order_detail", when=lambda r: broken in (r.arg("ids") or ""), times=None)
    )

    (page,) = list(connector.read_orders(None))

    assert [o.external_id for o in page.records] == [i for i in seeded if i != broken]
    assert [r.key for r in page.rejected] == [broken]
    assert "line_items" in page.rejected[0].reason
    # One batch call, then one call per order to find the one that broke it.
    assert fake.calls.count("get_order_detail") == 1 + len(seeded)


def test_orders_are_fetched_by_id(fake: FakeTikTokShop, connector: TikTokShopConnector, sku: Sku) -> None:
    placed = fake.add_order([(sku, 2)], status="AWAITING_SHIPMENT", shipping_fee="4.99")

    orders = connector.get_orders([placed.id, "576499999999999999"])

    assert [o.external_id for o in orders] == [placed.id]
    order: Order = orders[0]
    assert (order.status, order.lines[0].sku, order.lines[0].quantity) == (OrderStatus.AWAITING_SHIPMENT, "TEE-M", 2)
    assert order.shipping_address is not None
    assert "recipient_address" not in order.raw


# -- returns -------------------------------------------------------------------------------------------


def test_cancellations_and_returns_are_read_and_followed_incrementally(
    fake: FakeTikTokShop, connector: TikTokShopConnector, clock: ManualClock, sku: Sku
) -> None:
    old = fake.request_cancellation(fake.add_order([(sku, 1)]).id)
    clock.advance(7200)
    open_order = fake.add_order([(sku, 1)])
    cancel = fake.request_cancellation(open_order.id)
    clock.advance(60)
    delivered = fake.add_order([(sku, 2)], status="DELIVERED")
    refund = fake.add_return(delivered.id, return_type="REFUND")

    pages = list(connector.read_returns(None))

    records = {r.external_id: r for page in pages for r in page.records}
    assert set(records) == {old.id, cancel.id, refund.id}
    assert (records[cancel.id].kind, records[cancel.id].status) == (ReturnKind.CANCELLATION, ReturnStatus.REQUESTED)
    assert records[cancel.id].order_external_id == open_order.id
    assert (records[refund.id].kind, records[refund.id].status) == (ReturnKind.REFUND_ONLY, ReturnStatus.REQUESTED)
    assert [(line.sku, line.quantity) for line in records[refund.id].lines] == [("TEE-M", 2)]
    checkpoint = pages[-1].checkpoint
    assert checkpoint == f"{cancel.update_time}:{refund.update_time}"

    clock.advance(3600)
    with fake.lock:
        fake.set_return_status(refund, "RETURN_OR_REFUND_REQUEST_COMPLETE")
    later = {r.external_id: r for page in connector.read_returns(checkpoint) for r in page.records}

    # The newest cancellation is re-read inside the overlap window, the old one is not; the return comes back
    # with its new status.
    assert set(later) == {cancel.id, refund.id}
    assert later[refund.id].status is ReturnStatus.COMPLETED
