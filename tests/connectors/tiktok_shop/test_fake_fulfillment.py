"""Shipping in the emulator: carriers, marking packages shipped, platform shipping, tracking, documents."""

from __future__ import annotations

from typing import Any

import pytest
from tts_harness import SignedApi

from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.fake.state import Order

USPS = "6617675021119438849"
UPS = "6617675021119438850"
STANDARD = "7129734590266459905"


@pytest.fixture
def order(fake: FakeTikTokShop) -> Order:
    """An order of 2 + 1 units awaiting shipment."""
    product = fake.add_product(skus=2)
    return fake.add_order([(product.skus[0], 2), (product.skus[1], 1)])


def detail(api: SignedApi, order_id: str) -> dict[str, Any]:
    return dict(api.ok("GET", "/order/202309/orders", query={"ids": order_id})["orders"][0])


def test_warehouses_delivery_options_and_providers(api: SignedApi) -> None:
    warehouses = api.ok("GET", "/logistics/202309/warehouses")["warehouses"]
    options = api.ok("GET", f"/logistics/202309/warehouses/{warehouses[0]['id']}/delivery_options")["delivery_options"]
    providers = api.ok("GET", f"/logistics/202309/delivery_options/{STANDARD}/shipping_providers")["shipping_providers"]

    assert {"id", "name", "effect_status", "type", "sub_type", "is_default", "address"} <= set(warehouses[0])
    assert {o["id"] for o in options} >= {STANDARD}
    assert {"id": USPS, "name": "USPS"} in providers


def test_marking_shipped_moves_the_order_in_transit(api: SignedApi, fake: FakeTikTokShop, order: Order) -> None:
    data = api.ok(
        "POST",
        f"/fulfillment/202309/orders/{order.id}/packages",
        body={"tracking_number": "9400111899223100000001", "shipping_provider_id": USPS},
    )

    assert data["order_id"] == order.id
    assert len(data["order_line_item_ids"]) == 3
    shipped = detail(api, order.id)
    assert shipped["status"] == "IN_TRANSIT"
    assert (shipped["tracking_number"], shipped["shipping_provider"]) == ("9400111899223100000001", "USPS")
    package = api.ok("GET", f"/fulfillment/202309/packages/{data['package_id']}")
    assert (package["package_status"], package["shipping_provider_id"]) == ("FULFILLING", USPS)
    assert sorted(s["quantity"] for s in package["orders"][0]["skus"]) == [1, 2]
    tracking = api.ok("GET", f"/fulfillment/202309/orders/{order.id}/tracking")["tracking"]
    assert tracking[0]["description"]
    assert tracking[0]["update_time_millis"] > 0


def test_shipping_some_lines_is_partial(api: SignedApi, order: Order) -> None:
    first_line = order.line_items[0].id
    body = {"tracking_number": "1Z999", "shipping_provider_id": UPS, "order_line_item_ids": [first_line]}

    data = api.ok("POST", f"/fulfillment/202309/orders/{order.id}/packages", body=body)

    assert data["order_line_item_ids"] == [first_line]
    assert detail(api, order.id)["status"] == "PARTIALLY_SHIPPING"
    rest = {"tracking_number": "1Z998", "shipping_provider_id": UPS}
    assert (
        api.ok("POST", f"/fulfillment/202309/orders/{order.id}/packages", body=rest)["package_id"] != data["package_id"]
    )
    assert detail(api, order.id)["status"] == "IN_TRANSIT"


@pytest.mark.parametrize(
    "body",
    [{"tracking_number": "", "shipping_provider_id": USPS}, {"tracking_number": "1Z", "shipping_provider_id": "42"}],
)
def test_marking_shipped_needs_tracking_and_a_known_carrier(api: SignedApi, order: Order, body: dict[str, str]) -> None:
    assert api.error("POST", f"/fulfillment/202309/orders/{order.id}/packages", body=body)[1]["code"] == 36009004


def test_unpaid_or_on_hold_orders_cannot_ship(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    for status in ("UNPAID", "ON_HOLD", "CANCELLED"):
        held = fake.add_order([(sku, 1)], status=status)
        body = {"tracking_number": "1Z", "shipping_provider_id": USPS}
        assert api.error("POST", f"/fulfillment/202309/orders/{held.id}/packages", body=body)[1]["code"] == 36009004


def test_ship_package_with_self_shipment_or_platform_label(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    seller, platform = fake.add_order([(sku, 1)]), fake.add_order([(sku, 1)])
    seller_pkg, platform_pkg = seller.line_items[0].package_id, platform.line_items[0].package_id

    api.ok(
        "POST",
        f"/fulfillment/202309/packages/{seller_pkg}/ship",
        body={"self_shipment": {"tracking_number": "1ZSELF", "shipping_provider_id": UPS}},
    )
    api.ok("POST", f"/fulfillment/202309/packages/{platform_pkg}/ship", body={"handover_method": "PICKUP"})

    assert (seller.status, platform.status) == ("IN_TRANSIT", "AWAITING_COLLECTION")
    label = api.ok(
        "GET",
        f"/fulfillment/202309/packages/{platform_pkg}/shipping_documents",
        query={"document_type": "SHIPPING_LABEL", "document_size": "A6"},
    )
    assert label["doc_url"].endswith(".pdf")
    assert label["tracking_number"].startswith("TT")


def test_batch_ship_reports_errors_per_package(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    good = fake.add_order([(sku, 1)]).line_items[0].package_id
    body = {
        "packages": [
            {"id": good, "self_shipment": {"tracking_number": "1ZA", "shipping_provider_id": UPS}},
            {"id": "1152900000099999999", "self_shipment": {"tracking_number": "1ZB", "shipping_provider_id": UPS}},
        ]
    }

    data = api.ok("POST", "/fulfillment/202309/packages/ship", body=body)

    assert [(e["code"], e["detail"]["package_id"]) for e in data["errors"]] == [(36009004, "1152900000099999999")]
    assert fake.packages[good].status == "FULFILLING"


def test_updating_shipping_info_after_shipping(api: SignedApi, order: Order) -> None:
    package_id = api.ok(
        "POST",
        f"/fulfillment/202309/orders/{order.id}/packages",
        body={"tracking_number": "1ZOLD", "shipping_provider_id": UPS},
    )["package_id"]

    api.ok(
        "POST",
        f"/fulfillment/202309/orders/{order.id}/shipping_info/update",
        body={"tracking_number": "1ZNEW", "shipping_provider_id": USPS},
    )
    assert detail(api, order.id)["tracking_number"] == "1ZNEW"
    api.ok(
        "POST",
        f"/fulfillment/202309/packages/{package_id}/shipping_info/update",
        body={"tracking_number": "1ZNEWER", "shipping_provider_id": UPS},
    )
    assert api.ok("GET", f"/fulfillment/202309/packages/{package_id}")["tracking_number"] == "1ZNEWER"


def test_updating_shipping_info_before_shipping_is_refused(api: SignedApi, order: Order) -> None:
    body = {"tracking_number": "1Z", "shipping_provider_id": USPS}

    assert (
        api.error("POST", f"/fulfillment/202309/orders/{order.id}/shipping_info/update", body=body)[1]["code"]
        == 36009004
    )


def test_package_search_pages_by_status(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    orders = [fake.add_order([(sku, 1)]) for _ in range(7)]
    for shipped in orders[:3]:
        api.ok(
            "POST",
            f"/fulfillment/202309/orders/{shipped.id}/packages",
            body={"tracking_number": "T", "shipping_provider_id": UPS},
        )

    first = api.ok(
        "POST", "/fulfillment/202309/packages/search", query={"page_size": "2"}, body={"package_status": "FULFILLING"}
    )
    rest = api.ok(
        "POST",
        "/fulfillment/202309/packages/search",
        query={"page_size": "2", "page_token": first["next_page_token"]},
        body={"package_status": "FULFILLING"},
    )

    assert first["total_count"] == 3
    assert rest["next_page_token"] == ""
    found = {p["orders"][0]["id"] for p in first["packages"] + rest["packages"]}
    assert found == {o.id for o in orders[:3]}
    assert (
        api.error("POST", "/fulfillment/202309/packages/search", query={"page_size": "51"}, body={})[1]["code"]
        == 36009004
    )


def test_splitting_an_order_into_packages(api: SignedApi, order: Order) -> None:
    lines = [item.id for item in order.line_items]
    attributes = api.ok("GET", "/fulfillment/202309/orders/split_attributes", query={"order_ids": order.id})
    groups = [{"id": "first", "order_line_item_ids": lines[:1]}, {"id": "rest", "order_line_item_ids": lines[1:]}]

    data = api.ok("POST", f"/fulfillment/202309/orders/{order.id}/split", body={"splittable_groups": groups})

    assert attributes["split_attributes"] == [{"order_id": order.id, "can_split": True}]
    assert [p["splittable_group_id"] for p in data["packages"]] == ["first", "rest"]
    assert [p["id"] for p in detail(api, order.id)["packages"]] == [p["id"] for p in data["packages"]]
    bad = [{"id": "a", "order_line_item_ids": lines[:1]}, {"id": "b", "order_line_item_ids": lines[:1]}]
    assert (
        api.error("POST", f"/fulfillment/202309/orders/{order.id}/split", body={"splittable_groups": bad})[1]["code"]
        == 36009004
    )


def test_combining_a_buyers_orders_and_uncombining_them(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    first, second = fake.add_order([(sku, 1)]), fake.add_order([(sku, 2)])
    fake.add_order([(sku, 1)], buyer_email="someone-else@example.com")

    found = api.ok("GET", "/fulfillment/202309/combinable_packages/search", query={"page_size": "10"})
    [draft] = found["combinable_packages"]
    combined = api.ok(
        "POST", "/fulfillment/202309/packages/combine", body={"combinable_packages": [{"id": draft["id"]}]}
    )

    assert sorted(draft["order_ids"]) == sorted([first.id, second.id])
    [package] = combined["packages"]
    assert api.ok("GET", f"/fulfillment/202309/packages/{package['id']}")["split_and_combine_tag"] == "COMBINE"
    api.ok(
        "POST",
        f"/fulfillment/202309/packages/{package['id']}/ship",
        body={"self_shipment": {"tracking_number": "1ZBOTH", "shipping_provider_id": UPS}},
    )
    assert (first.status, second.status) == ("IN_TRANSIT", "IN_TRANSIT")
    assert api.error("POST", f"/fulfillment/202309/packages/{package['id']}/uncombine", body={})[1]["code"] == 36009004


def test_uncombining_before_shipping(api: SignedApi, fake: FakeTikTokShop) -> None:
    sku = fake.add_product().skus[0]
    first, second = fake.add_order([(sku, 1)]), fake.add_order([(sku, 1)])
    draft = api.ok("GET", "/fulfillment/202309/combinable_packages/search", query={"page_size": "10"})
    combined = api.ok(
        "POST",
        "/fulfillment/202309/packages/combine",
        body={"combinable_packages": [{"id": draft["combinable_packages"][0]["id"]}, {"id": "42"}]},
    )
    package_id = combined["packages"][0]["id"]
    assert [e["detail"]["package_id"] for e in combined["errors"]] == ["42"]

    data = api.ok("POST", f"/fulfillment/202309/packages/{package_id}/uncombine", body={"order_ids": [second.id]})

    assert [p["order_ids"] for p in data["packages"]] == [[first.id], [second.id]]
    assert first.line_items[0].package_id != second.line_items[0].package_id
