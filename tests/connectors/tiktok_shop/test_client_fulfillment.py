"""The client's fulfilment and logistics calls against the emulator."""

from __future__ import annotations

import pytest

from connectors.tiktok_shop import ShopClient, TikTokFatalError, TikTokTransientError
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.fake.state import Order
from connectors.tiktok_shop.models import (
    CombinePackageInput,
    PackageSearchFilter,
    SelfShipment,
    ShipPackageItem,
    ShipPackageRequest,
    SplittableGroup,
)
from syncd.testing import Fault


@pytest.fixture
def order(fake: FakeTikTokShop) -> Order:
    """An order of 2 + 1 units awaiting shipment."""
    product = fake.add_product(skus=2)
    return fake.add_order([(product.skus[0], 2), (product.skus[1], 1)])


@pytest.fixture
def ups(shop: ShopClient) -> str:
    """The UPS shipping provider id, found the way a seller finds it."""
    warehouse = next(w for w in shop.logistics.warehouses() if w.is_default and w.type == "SALES_WAREHOUSE")
    option = shop.logistics.delivery_options(warehouse.id)[0]
    return next(p.id for p in shop.logistics.shipping_providers(option.id) if p.name == "UPS")


def test_marking_shipped_with_tracking(shop: ShopClient, order: Order, ups: str) -> None:
    result = shop.fulfillment.mark_package_shipped(order.id, "1Z999AA10123456784", ups)

    assert result.order_id == order.id
    assert sorted(result.order_line_item_ids) == sorted(line.id for line in order.line_items)
    [shipped] = shop.orders.get_details([order.id])
    assert (shipped.status, shipped.tracking_number, shipped.shipping_provider) == (
        "IN_TRANSIT",
        "1Z999AA10123456784",
        "UPS",
    )
    assert result.package_id is not None
    package = shop.fulfillment.get_package(result.package_id)
    assert (package.package_status, package.shipping_provider_id) == ("FULFILLING", ups)
    assert shop.fulfillment.get_tracking(order.id)[0].description


def test_shipping_some_lines_then_the_rest(shop: ShopClient, order: Order, ups: str) -> None:
    first = shop.fulfillment.mark_package_shipped(order.id, "1ZA", ups, order_line_item_ids=[order.line_items[0].id])
    assert order.status == "PARTIALLY_SHIPPING"

    rest = shop.fulfillment.mark_package_shipped(order.id, "1ZB", ups)

    assert first.package_id != rest.package_id
    assert order.status == "IN_TRANSIT"


def test_a_bad_carrier_is_a_fatal_error(shop: ShopClient, order: Order) -> None:
    with pytest.raises(TikTokFatalError) as raised:
        shop.fulfillment.mark_package_shipped(order.id, "1Z", "42")

    assert raised.value.code == "36009004"


def test_a_failed_shipping_call_is_not_repeated(shop: ShopClient, fake: FakeTikTokShop, order: Order, ups: str) -> None:
    fake.inject(Fault.error(502, route="mark_package_shipped"))

    with pytest.raises(TikTokTransientError):
        shop.fulfillment.mark_package_shipped(order.id, "1Z", ups)

    assert fake.calls.count("mark_package_shipped") == 1


def test_ship_and_batch_ship_packages(shop: ShopClient, fake: FakeTikTokShop, ups: str) -> None:
    sku = fake.add_product().skus[0]
    one, two, three = (fake.add_order([(sku, 1)]) for _ in range(3))
    packages = [o.line_items[0].package_id for o in (one, two, three)]

    shop.fulfillment.ship_package(
        packages[0], ShipPackageRequest(self_shipment=SelfShipment(tracking_number="1ZONE", shipping_provider_id=ups))
    )
    result = shop.fulfillment.batch_ship_packages(
        [
            ShipPackageItem(id=packages[1], handover_method="PICKUP"),
            ShipPackageItem(
                id=packages[0], self_shipment=SelfShipment(tracking_number="1ZAGAIN", shipping_provider_id=ups)
            ),
        ]
    )

    assert one.status == "IN_TRANSIT"
    assert two.status == "AWAITING_COLLECTION"
    assert result.succeeded == [packages[1]]
    assert [o.key for o in result.failed] == [packages[0]]  # already shipped
    label = shop.fulfillment.shipping_documents(packages[1], "SHIPPING_LABEL", document_size="A6")
    assert label.doc_url
    assert label.tracking_number
    assert three.status == "AWAITING_SHIPMENT"


def test_updating_shipping_info(shop: ShopClient, order: Order, ups: str) -> None:
    shipped = shop.fulfillment.mark_package_shipped(order.id, "1ZOLD", ups)
    assert shipped.package_id is not None

    shop.fulfillment.update_shipping_info(order.id, "1ZNEW", ups)
    assert shop.orders.get_details([order.id])[0].tracking_number == "1ZNEW"
    shop.fulfillment.update_package_shipping_info(shipped.package_id, "1ZNEWER", ups)
    assert shop.fulfillment.get_package(shipped.package_id).tracking_number == "1ZNEWER"


def test_package_search_pages(shop: ShopClient, fake: FakeTikTokShop, ups: str) -> None:
    sku = fake.add_product().skus[0]
    orders = [fake.add_order([(sku, 1)]) for _ in range(5)]
    for shipped in orders[:3]:
        shop.fulfillment.mark_package_shipped(shipped.id, "1Z", ups)

    pages = list(shop.fulfillment.iter_search_packages(PackageSearchFilter(package_status="FULFILLING"), page_size=2))
    one = shop.fulfillment.search_packages(PackageSearchFilter(package_status="TO_FULFILL"), page_size=10)

    assert [len(p.packages) for p in pages] == [2, 1]
    assert {pkg.orders[0]["id"] for p in pages for pkg in p.packages} == {o.id for o in orders[:3]}
    assert one.total_count == 2


def test_split_then_ship_each_package(shop: ShopClient, order: Order, ups: str) -> None:
    lines = [line.id for line in order.line_items]

    [attribute] = shop.fulfillment.split_attributes([order.id])
    split = shop.fulfillment.split_order(
        order.id,
        [
            SplittableGroup(id="a", order_line_item_ids=lines[:2]),
            SplittableGroup(id="b", order_line_item_ids=lines[2:]),
        ],
    )

    assert attribute.can_split is True
    assert [p["splittable_group_id"] for p in split.packages] == ["a", "b"]
    for package in split.packages:
        shop.fulfillment.ship_package(
            package["id"],
            ShipPackageRequest(
                self_shipment=SelfShipment(tracking_number=f"1Z{package['id'][-4:]}", shipping_provider_id=ups)
            ),
        )
    assert order.status == "IN_TRANSIT"


def test_combine_and_uncombine(shop: ShopClient, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    first, second = fake.add_order([(sku, 1)]), fake.add_order([(sku, 1)])

    [draft] = [c for page in shop.fulfillment.iter_combinable_packages() for c in page.combinable_packages]
    assert shop.fulfillment.search_combinable_packages(page_size=5).combinable_packages == [draft]
    combined = shop.fulfillment.combine_packages([CombinePackageInput(id=draft.id, order_ids=draft.order_ids)])
    [package] = combined.packages
    assert sorted(package["order_ids"]) == sorted([first.id, second.id])

    uncombined = shop.fulfillment.uncombine_package(package["id"], [second.id])

    assert [p["order_ids"] for p in uncombined.packages] == [[first.id], [second.id]]


def test_combine_without_order_ids_sends_only_the_package(shop: ShopClient, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    first, second = fake.add_order([(sku, 1)]), fake.add_order([(sku, 1)])
    [draft] = shop.fulfillment.search_combinable_packages().combinable_packages

    # `order_ids` is optional in the documented body; the package id alone names the group.
    [package] = shop.fulfillment.combine_packages([CombinePackageInput(id=draft.id)]).packages

    assert sorted(package["order_ids"]) == sorted([first.id, second.id])
