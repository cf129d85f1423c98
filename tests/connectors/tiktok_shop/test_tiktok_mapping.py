"""Mapping TikTok Shop payloads to syncd records: orders, after-sales, products, listings, references.

Payloads are shaped like the 202309 Get Order Detail / Search Returns / Search Cancellations responses as
`shared/reference/tiktok-shop-api.md` §4.4 and §4.7 list their fields, with values as the emulator renders
them (`connectors/tiktok_shop/fake/render.py`); one test maps every order of the shipped sample shop
(`connectors/tiktok_shop/seed/sample_shop.json`) as the emulator serves it.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from tts_connector_support import new_listing, source_product

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.fake.catalog import SEED_DIR
from connectors.tiktok_shop.fake.render import render_order
from connectors.tiktok_shop.models import Cancellation, ReturnOrder
from connectors.tiktok_shop.models import Order as TikTokOrder
from connectors.tiktok_shop.models import Product as TikTokProduct
from syncd.domain import Money, OrderStatus, ProductStatus, ReturnKind, ReturnLine, ReturnStatus

ADDRESS = {
    "name": "Jordan Rivera",
    "phone_number": "(+1)555*****67",
    "address_detail": "Apt 4B",
    "address_line1": "1200 Market Street",
    "address_line2": "Apt 4B",
    "postal_code": "94103",
    "region_code": "US",
    "full_address": "1200 Market Street, Apt 4B, San Francisco, California, 94103, United States",
    "district_info": [
        {"address_level_name": "Country", "address_name": "United States", "address_level": "L0"},
        {"address_level_name": "State", "address_name": "California", "address_level": "L1"},
        {"address_level_name": "City", "address_name": "San Francisco", "address_level": "L3"},
    ],
}


def unit(line_id: str, *, sku_id: str = "1729500000000000001", sale: str = "17.99", **extra: Any) -> dict[str, Any]:
    """One unit line item of a tee that lists at 19.99."""
    return {
        "id": line_id,
        "sku_id": sku_id,
        "product_id": "1729000000000000001",
        "product_name": "Everyday Cotton Tee",
        "seller_sku": f"TEE-{sku_id[-2:]}",
        "sku_name": "Black, M",
        "original_price": "19.99",
        "sale_price": sale,
        "platform_discount": "0",
        "seller_discount": "2.00",
        "currency": "USD",
        "display_status": "AWAITING_SHIPMENT",
        "package_id": "1152900000000000001",
        "tracking_number": "",
        "cancel_reason": "",
        "cancel_user": "",
        **extra,
    }


ORDER: dict[str, Any] = {
    "id": "576400000000000001",
    "status": "AWAITING_SHIPMENT",
    "create_time": 1735600000,
    "update_time": 1735600300,
    "paid_time": 1735600010,
    "user_id": "7000000000123456789",
    "buyer_email": "v1b2c3@scs.tiktokw.us",
    "buyer_message": "Please leave it with the concierge at 1200 Market Street",
    "is_on_hold_order": False,
    "shipping_type": "SELLER",
    "fulfillment_type": "FULFILLMENT_BY_SELLER",
    "delivery_type": "HOME_DELIVERY",
    "warehouse_id": "7068517275539719942",
    "payment": {
        "currency": "USD",
        "sub_total": "53.97",
        "shipping_fee": "4.99",
        "seller_discount": "6.00",
        "platform_discount": "0.00",
        "original_total_product_price": "59.97",
        "tax": "4.32",
        "total_amount": "63.28",
    },
    "recipient_address": ADDRESS,
    "line_items": [
        unit("577000000000000003"),
        unit("577000000000000001"),
        unit("577000000000000002"),
        unit("577000000000000009", sku_id="1729500000000000002", sale="19.99"),
    ],
    "packages": [{"id": "1152900000000000001"}],
}


def order(**changes: Any) -> TikTokOrder:
    """`ORDER` with top-level fields replaced."""
    payload = copy.deepcopy(ORDER)
    payload.update(changes)
    return TikTokOrder.model_validate(payload)


# -- orders --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tiktok", "domain"),
    [
        ("UNPAID", OrderStatus.UNPAID),
        ("ON_HOLD", OrderStatus.ON_HOLD),
        ("AWAITING_SHIPMENT", OrderStatus.AWAITING_SHIPMENT),
        ("PARTIALLY_SHIPPING", OrderStatus.PARTIALLY_SHIPPED),
        ("AWAITING_COLLECTION", OrderStatus.SHIPPED),
        ("IN_TRANSIT", OrderStatus.SHIPPED),
        ("DELIVERED", OrderStatus.DELIVERED),
        ("COMPLETED", OrderStatus.COMPLETED),
        ("CANCELLED", OrderStatus.CANCELLED),
        ("CANCEL", OrderStatus.CANCELLED),
    ],
)
def test_order_statuses_map_to_the_domain_lifecycle(tiktok: str, domain: OrderStatus) -> None:
    assert mapping.order_to_domain(order(status=tiktok)).status is domain


def test_money_is_decimal_and_times_are_aware_utc() -> None:
    mapped = mapping.order_to_domain(order())

    assert mapped.currency == "USD"
    assert mapped.total == Money(amount=Decimal("63.28"), currency="USD")
    assert mapped.shipping_total == Money(amount=Decimal("4.99"), currency="USD")
    assert mapped.tax_total == Money(amount=Decimal("4.32"), currency="USD")
    assert mapped.created_at == datetime(2024, 12, 30, 23, 6, 40, tzinfo=UTC)
    assert mapped.updated_at.tzinfo is UTC
    assert mapped.updated_at.timestamp() == 1735600300


def test_units_of_one_sku_and_price_become_one_line_keyed_by_the_smallest_unit_id() -> None:
    mapped = mapping.order_to_domain(order())

    tee, other = mapped.lines
    assert (tee.external_id, tee.sku, tee.quantity) == ("577000000000000001", "TEE-01", 3)
    assert tee.unit_price == Money(amount=Decimal("19.99"), currency="USD")
    # Listed at 19.99, sold at 17.99: the 2.00 a unit comes back as the line's discount.
    assert tee.discount == Money(amount=Decimal("6.00"), currency="USD")
    assert tee.variant_external_id == "1729500000000000001"
    assert tee.title == "Everyday Cotton Tee - Black, M"
    assert (other.external_id, other.quantity, other.discount) == ("577000000000000009", 1, None)
    assert mapping.line_groups(order()) == {
        "577000000000000001": ["577000000000000001", "577000000000000002", "577000000000000003"],
        "577000000000000009": ["577000000000000009"],
    }


def test_cancelled_units_leave_the_quantity_but_not_the_line_key() -> None:
    items = copy.deepcopy(ORDER["line_items"])
    items[1].update(display_status="CANCELLED", cancel_reason="Out of stock", cancel_user="SELLER")  # ...001
    mapped = mapping.order_to_domain(order(line_items=items))

    assert [(line.external_id, line.quantity) for line in mapped.lines] == [
        ("577000000000000001", 2),
        ("577000000000000009", 1),
    ]


def test_a_wholly_cancelled_order_still_lists_what_was_ordered() -> None:
    items = [dict(item, display_status="CANCELLED") for item in ORDER["line_items"]]
    mapped = mapping.order_to_domain(order(status="CANCELLED", line_items=items))

    assert mapped.status is OrderStatus.CANCELLED
    assert [line.quantity for line in mapped.lines] == [3, 1]


def test_the_address_is_mapped_from_the_recipient_and_its_district_levels() -> None:
    address = mapping.order_to_domain(order()).shipping_address

    assert address is not None
    assert (address.name, address.line1, address.line2) == ("Jordan Rivera", "1200 Market Street", "Apt 4B")
    assert (address.city, address.region, address.postal_code, address.country_code) == (
        "San Francisco",
        "California",
        "94103",
        "US",
    )


def test_unpaid_orders_come_without_an_address() -> None:
    payload = copy.deepcopy(ORDER)
    del payload["recipient_address"]
    payload["status"] = "UNPAID"

    assert mapping.order_to_domain(TikTokOrder.model_validate(payload)).shipping_address is None


def test_raw_keeps_ids_and_amounts_but_no_personal_data() -> None:
    raw = mapping.order_to_domain(order()).raw
    text = json.dumps(raw)

    assert raw["id"] == "576400000000000001"
    assert raw["payment"]["total_amount"] == "63.28"
    assert [item["id"] for item in raw["line_items"]][:2] == ["577000000000000003", "577000000000000001"]
    assert raw["line_items"][0]["sale_price"] == "17.99"
    assert raw["packages"] == [{"id": "1152900000000000001"}]
    for personal in ("recipient_address", "buyer_email", "buyer_message", "user_id"):
        assert personal not in raw
    for value in ("Jordan", "Market Street", "94103", "555", "scs.tiktokw.us", "7000000000123456789"):
        assert value not in text


def test_orders_fulfilled_by_tiktok_are_flagged() -> None:
    assert mapping.order_to_domain(order(fulfillment_type="FULFILLMENT_BY_TIKTOK")).fulfilled_by_platform is True
    assert mapping.order_to_domain(order()).fulfilled_by_platform is False


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "LOST_IN_SPACE"}, "unknown order status"),
        ({"update_time": None}, "update_time is missing"),
        ({"payment": None, "line_items": [unit("577000000000000001", currency=None)]}, "no currency"),
        ({"line_items": []}, "no line items"),
        ({"line_items": [unit("577000000000000001", original_price="", sale_price="")]}, "has no price"),
    ],
)
def test_an_order_that_cannot_be_mapped_raises_with_the_reason(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        mapping.order_to_domain(order(**changes))


def test_every_order_of_the_sample_shop_maps_as_the_emulator_serves_it() -> None:
    fake = FakeTikTokShop()  # not started: only its records and renderer are used
    fake.load_seed(SEED_DIR / "sample_shop.json")
    rendered = [render_order(o, fake.packages, fake.catalog) for o in fake.orders.values()]

    mapped = [mapping.order_to_domain(TikTokOrder.model_validate(payload)) for payload in rendered]

    assert {o.external_id for o in mapped} == set(fake.orders)
    assert {o.status for o in mapped} >= {OrderStatus.AWAITING_SHIPMENT, OrderStatus.UNPAID, OrderStatus.CANCELLED}
    two_tees = next(o for o in mapped if o.shipping_total == Money(amount=Decimal("4.99"), currency="USD"))
    assert [(line.sku, line.quantity) for line in two_tees.lines] == [("TEE-BLK-M", 2)]
    assert all("recipient_address" not in o.raw for o in mapped)


def test_units_to_ship_expand_lines_and_skip_shipped_and_cancelled_units() -> None:
    items = copy.deepcopy(ORDER["line_items"])
    items[0]["tracking_number"] = "9400111899223344556677"  # ...003 has shipped
    items[2]["display_status"] = "CANCELLED"  # ...002 was cancelled
    tiktok = order(status="PARTIALLY_SHIPPING", line_items=items)

    assert mapping.units_to_ship(tiktok, ["577000000000000001"]) == ["577000000000000001"]
    assert mapping.units_to_ship(tiktok, []) == ["577000000000000001", "577000000000000009"]


# -- cancellations and returns -------------------------------------------------------------------------


def _after_sales_lines(prefix: str, seller_skus: list[str]) -> list[dict[str, Any]]:
    return [
        {
            f"{prefix}_line_item_id": f"403500000000000001{n:02d}",
            "order_line_item_id": f"57700000000000000{n + 1}",
            "sku_id": "1729500000000000001",
            "seller_sku": sku,
            "refund_amount": {"currency": "USD", "refund_total": "17.99"},
        }
        for n, sku in enumerate(seller_skus)
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("CANCELLATION_REQUEST_PENDING", ReturnStatus.REQUESTED),
        ("CANCELLATION_REQUEST_SUCCESS", ReturnStatus.APPROVED),
        ("CANCELLATION_REQUEST_CANCEL", ReturnStatus.CANCELLED),
        ("CANCELLATION_REQUEST_COMPLETE", ReturnStatus.COMPLETED),
    ],
)
def test_cancellations_map_to_returns_of_kind_cancellation(status: str, expected: ReturnStatus) -> None:
    cancel = Cancellation.model_validate(
        {
            "cancel_id": "4035000000000000001",
            "order_id": "576400000000000001",
            "cancel_type": "BUYER_CANCEL",
            "cancel_status": status,
            "role": "BUYER",
            "create_time": 1735600500,
            "update_time": 1735600600,
            "refund_amount": {"currency": "USD", "refund_total": "35.98", "refund_subtotal": "35.98"},
            "cancel_line_items": _after_sales_lines("cancel", ["TEE-01", "TEE-01"]),
        }
    )

    mapped = mapping.cancellation_to_domain(cancel)

    assert (mapped.external_id, mapped.order_external_id) == ("4035000000000000001", "576400000000000001")
    assert (mapped.kind, mapped.status) == (ReturnKind.CANCELLATION, expected)
    assert mapped.lines == (ReturnLine(sku="TEE-01", quantity=2),)
    assert mapped.refund_total == Money(amount=Decimal("35.98"), currency="USD")
    assert mapped.updated_at == datetime.fromtimestamp(1735600600, UTC)


@pytest.mark.parametrize(
    ("return_type", "status", "kind", "expected"),
    [
        ("RETURN_AND_REFUND", "RETURN_OR_REFUND_REQUEST_PENDING", ReturnKind.RETURN_AND_REFUND, ReturnStatus.REQUESTED),
        ("RETURN_AND_REFUND", "AWAITING_BUYER_SHIP", ReturnKind.RETURN_AND_REFUND, ReturnStatus.APPROVED),
        ("RETURN_AND_REFUND", "REJECT_RECEIVE_PACKAGE", ReturnKind.RETURN_AND_REFUND, ReturnStatus.REJECTED),
        (
            "RETURN_AND_REFUND",
            "RETURN_OR_REFUND_REQUEST_COMPLETE",
            ReturnKind.RETURN_AND_REFUND,
            ReturnStatus.COMPLETED,
        ),
        ("REFUND", "REFUND_OR_RETURN_REQUEST_REJECT", ReturnKind.REFUND_ONLY, ReturnStatus.REJECTED),
        ("REFUND", "RETURN_OR_REFUND_REQUEST_CANCEL", ReturnKind.REFUND_ONLY, ReturnStatus.CANCELLED),
        ("REPLACEMENT", "REPLACEMENT_REQUEST_COMPLETE", ReturnKind.REPLACEMENT, ReturnStatus.COMPLETED),
    ],
)
def test_returns_map_kind_and_status(return_type: str, status: str, kind: ReturnKind, expected: ReturnStatus) -> None:
    record = ReturnOrder.model_validate(
        {
            "return_id": "4036000000000000001",
            "order_id": "576400000000000001",
            "return_type": return_type,
            "return_status": status,
            "create_time": 1735700000,
            "update_time": 1735700900,
            "refund_amount": {"currency": "USD", "refund_total": "17.99"},
            "return_line_items": _after_sales_lines("return", ["TEE-01"]),
        }
    )

    mapped = mapping.return_to_domain(record)

    assert (mapped.kind, mapped.status) == (kind, expected)
    assert mapped.lines == (ReturnLine(sku="TEE-01", quantity=1),)
    assert mapped.refund_total == Money(amount=Decimal("17.99"), currency="USD")


def test_an_after_sales_record_without_its_order_or_with_an_unknown_status_is_refused() -> None:
    base = {"return_id": "4036000000000000001", "return_type": "REFUND", "update_time": 1735700900}
    with pytest.raises(ValueError, match="names no order"):
        mapping.return_to_domain(ReturnOrder.model_validate({**base, "return_status": "AWAITING_BUYER_SHIP"}))
    with pytest.raises(ValueError, match="unknown return status"):
        mapping.return_to_domain(ReturnOrder.model_validate({**base, "order_id": "5764", "return_status": "HMM"}))


# -- products and listings -----------------------------------------------------------------------------

PRODUCT = {
    "id": "1729000000000000001",
    "title": "Everyday Cotton Tee",
    "status": "SELLER_DEACTIVATED",
    "description": "<p>Soft, breathable cotton tee.</p>",
    "update_time": 1735500000,
    "main_images": [
        {"uri": "tos-maliva-i-o3syd03w52-us/seed1", "urls": ["https://p16-oec-va.ibyteimg.com/seed1.jpeg"]}
    ],
    "skus": [
        {
            "id": "1729500000000000001",
            "seller_sku": "TEE-BLK-M",
            "price": {"currency": "USD", "sale_price": "19.99", "tax_exclusive_price": "19.99"},
            "sales_attributes": [{"id": "100000", "name": "Color", "value_id": "1001", "value_name": "Black"}],
        },
        {"id": "1729500000000000002", "seller_sku": "", "price": {"currency": "USD", "sale_price": "19.99"}},
    ],
}


def test_a_tiktok_product_maps_with_its_seller_skus() -> None:
    product = mapping.product_to_domain(TikTokProduct.model_validate(PRODUCT))

    assert product.status is ProductStatus.ARCHIVED
    assert product.image_urls == ("https://p16-oec-va.ibyteimg.com/seed1.jpeg",)
    (variant,) = product.variants  # the SKU without a seller SKU cannot be matched and is left out
    assert (variant.external_id, variant.sku) == ("1729500000000000001", "TEE-BLK-M")
    assert variant.price == Money(amount=Decimal("19.99"), currency="USD")
    assert variant.options == {"Color": "Black"}


def test_a_new_listing_carries_spec_quantities_and_sales_attributes() -> None:
    product = source_product(
        "p1",
        ["https://cdn.example/p1.png"],
        skus=[("P1-S", "24.00", {"Size": "S"}), ("P1-M", "24.00", {"Size": "M"})],
    )
    listing = new_listing(product, {"P1-S": 4, "P1-M": 250_000})
    skus = mapping.sku_inputs(listing, "7068517275539719942")

    body = mapping.product_input(listing, mapping.listing_spec(listing), skus, ["tos/uri-1"], "key-1").to_body()

    assert body["category_id"] == "601302"
    assert body["brand_id"] == "7082427311584347905"
    assert body["package_weight"] == {"value": "0.45", "unit": "KILOGRAM"}
    assert body["product_attributes"] == [{"id": "100198", "values": [{"id": "1000041"}]}]
    assert body["main_images"] == [{"uri": "tos/uri-1"}]
    assert body["idempotency_key"] == "key-1"
    assert [(s["seller_sku"], s["inventory"][0]["quantity"]) for s in body["skus"]] == [("P1-S", 4), ("P1-M", 99_999)]
    assert body["skus"][0]["sales_attributes"] == [{"name": "Size", "value_name": "S"}]
    assert body["skus"][0]["price"] == {"amount": "24.00", "currency": "USD"}


def test_a_single_variant_has_no_sales_attributes_and_custom_attribute_values_go_by_name() -> None:
    product = source_product("p2", ["https://cdn.example/p2.png"], skus=[("P2", "9.50", {"Title": "Default"})])
    listing = new_listing(product)
    spec = mapping.listing_spec(listing).model_copy(update={"attributes": {"100198": "Hemp blend"}})

    body = mapping.product_input(listing, spec, mapping.sku_inputs(listing, "w1"), ["u"], "k").to_body()

    assert "sales_attributes" not in body["skus"][0]
    assert body["product_attributes"] == [{"id": "100198", "values": [{"name": "Hemp blend"}]}]


def test_listings_that_cannot_be_created_say_why() -> None:
    product = source_product("p3", [])
    with pytest.raises(ValueError, match="no spec"):
        mapping.listing_spec(new_listing(product).model_copy(update={"spec": None}))
    listing = new_listing(product)
    spec, skus = mapping.listing_spec(listing), mapping.sku_inputs(listing, "w")
    with pytest.raises(ValueError, match="at least one product image"):
        mapping.product_input(listing, spec, skus, [], "k")
    unpriced = product.model_copy(update={"variants": (product.variants[0].model_copy(update={"price": None}),)})
    with pytest.raises(ValueError, match="has no price"):
        mapping.sku_inputs(new_listing(unpriced), "w")


def test_only_changed_store_fields_and_prices_are_updated() -> None:
    current = TikTokProduct.model_validate(PRODUCT)
    unchanged = source_product("p", [], skus=[("TEE-BLK-M", "19.99", {})], title="Everyday Cotton Tee").model_copy(
        update={"description_html": "<p>Soft, breathable cotton tee.</p>"}
    )

    assert mapping.listing_changes(unchanged, current, None) is None
    assert mapping.listing_changes(unchanged, current, ["tos-maliva-i-o3syd03w52-us/seed1"]) is None
    assert mapping.price_updates(unchanged, current) == []

    changed = source_product("p", [], skus=[("TEE-BLK-M", "21.00", {})], title="Everyday Cotton Tee")
    fields = mapping.listing_changes(changed, current, ["tos/new"])
    assert fields is not None
    assert fields.to_body() == {
        "description": "<p>Heavyweight organic cotton.</p>",
        "main_images": [{"uri": "tos/new"}],
    }
    (update,) = mapping.price_updates(changed, current)
    assert update.to_body() == {"id": "1729500000000000001", "price": {"amount": "21.00", "currency": "USD"}}


# -- order references ----------------------------------------------------------------------------------


def test_store_platforms_are_named_as_tiktok_knows_them() -> None:
    assert mapping.external_platform("shopify") == "SHOPIFY"
    assert mapping.external_platform("woocommerce") == "WOOCOMMERCE"
    assert mapping.external_platform("my_erp") == "ORDER_MANAGEMENT_SYSTEM"


def test_reference_lines_name_every_unit_and_are_dropped_past_the_limit() -> None:
    groups = {"1": ["1", "2"], "9": ["9"]}

    pairs = mapping.reference_lines({"1": "store-a", "9": "store-b"}, groups)

    assert pairs is not None
    assert [(p.id, p.origin_id) for p in pairs] == [("1", "store-a"), ("2", "store-a"), ("9", "store-b")]
    assert mapping.reference_lines({"1": "store-a"}, {"1": [str(n) for n in range(101)]}) is None
    assert mapping.reference_lines({}, groups) is None
