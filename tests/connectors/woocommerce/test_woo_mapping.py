"""WooCommerce payloads (the REST API documentation's examples in ../shared/fixtures) map to domain records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from woo_helpers import fixture, tiktok_order

from connectors.woocommerce.mapping import ItemRef, product_to_domain, stock_level, weight_grams
from connectors.woocommerce.mapping_orders import (
    OrderConventions,
    note_fulfilments,
    order_payload,
    tracking_fulfilments,
    tracking_in_note,
    tracking_items,
)
from connectors.woocommerce.models import WooOrder, WooOrderNote, WooProduct, WooVariation
from syncd.connector import RejectedRecord
from syncd.domain import ProductStatus, StockLevel


def _variable_with_variations(*, skus: bool) -> tuple[WooProduct, list[WooVariation]]:
    """woo_v3_products_list.json's variable product 799 with woo_v3_product_variations_list.json's variations.

    The documentation's examples have empty SKUs and no managed stock; `skus` fills them in on the copies.
    """
    product = next(p for p in fixture("woo_v3_products_list.json") if p["type"] == "variable")
    variations = fixture("woo_v3_product_variations_list.json")
    if skus:
        for raw in variations:
            colour = raw["attributes"][0]["option"].upper()
            raw.update(sku=f"SHIP-{colour}", manage_stock=True, stock_quantity=7 if colour == "GREEN" else 0)
        variations[0].update(sale_price="7.50", price="7.50", on_sale=True)
    return WooProduct.model_validate(product), [WooVariation.model_validate(v) for v in variations]


def test_variable_product_fixture_maps_to_one_product_with_a_variant_per_variation() -> None:
    product, variations = _variable_with_variations(skus=True)
    mapped, rejected = product_to_domain(product, variations, currency="USD", weight_unit="kg")
    assert rejected == []
    assert mapped is not None
    assert (mapped.external_id, mapped.title, mapped.status) == ("799", "Ship Your Idea", ProductStatus.ACTIVE)
    assert mapped.product_type == "Clothing"
    assert mapped.updated_at == datetime(2017, 3, 23, 20, 3, 12, tzinfo=UTC)  # date_modified_gmt, not site time
    assert len(mapped.image_urls) == 4
    by_sku = {variant.sku: variant for variant in mapped.variants}
    assert set(by_sku) == {"SHIP-GREEN", "SHIP-BLACK"}
    green, black = by_sku["SHIP-GREEN"], by_sku["SHIP-BLACK"]
    assert green.external_id == "733"
    assert green.options == {"Color": "Green"}
    assert green.title == "Green"
    # On sale: the active price, and the regular price as compare-at; both Decimal.
    assert green.price is not None
    assert green.price.amount == Decimal("7.50")
    assert green.compare_at_price is not None
    assert green.compare_at_price.amount == Decimal("9.00")
    assert black.price is not None
    assert black.price.amount == Decimal("9.00")
    assert black.compare_at_price is None
    assert isinstance(black.price.amount, Decimal)
    assert black.price.currency == "USD"
    assert green.image_urls == ("https://example.com/wp-content/uploads/2016/10/T_3_front-12.jpg",)

    levels = [stock_level(variation, "default", product.id) for variation in variations]
    assert all(isinstance(level, StockLevel) for level in levels)
    assert {(level.sku, level.on_hand) for level in levels if isinstance(level, StockLevel)} == {
        ("SHIP-GREEN", 7),
        ("SHIP-BLACK", 0),
    }


def test_fixture_as_published_has_no_skus_so_each_variation_is_rejected_by_name() -> None:
    product, variations = _variable_with_variations(skus=False)
    mapped, rejected = product_to_domain(product, variations, currency="USD", weight_unit="kg")
    assert mapped is None
    assert [r.key for r in rejected] == ["variation:733", "variation:732", "product:799"]
    assert all("SKU" in r.reason for r in rejected)


def test_simple_product_fixture_and_unmanaged_stock_is_reported_not_skipped() -> None:
    raw = next(p for p in fixture("woo_v3_products_list.json") if p["type"] == "simple")
    raw["sku"] = "PREMIUM-Q"
    product = WooProduct.model_validate(raw)
    mapped, rejected = product_to_domain(product, [], currency="EUR", weight_unit="kg")
    assert mapped is not None
    assert rejected == []
    (variant,) = mapped.variants
    assert (variant.external_id, variant.sku, variant.title) == ("794", "PREMIUM-Q", "Premium Quality")
    assert variant.price is not None
    assert variant.price.amount == Decimal("21.99")
    assert variant.manages_stock is False
    level = stock_level(product, "default")
    assert isinstance(level, RejectedRecord)
    assert level.key == "PREMIUM-Q"
    assert "does not manage stock" in level.reason


def test_variation_whose_stock_belongs_to_the_parent_is_rejected_with_the_parent_named() -> None:
    _, variations = _variable_with_variations(skus=True)
    shared = variations[0].model_copy(update={"manage_stock": "parent"})
    level = stock_level(shared, "default", 799)
    assert isinstance(level, RejectedRecord)
    assert "parent product 799" in level.reason


@pytest.mark.parametrize(
    ("weight", "unit", "grams"), [("1.5", "kg", 1500), ("2", "lbs", 907), ("", "kg", None), ("10", "oz", 283)]
)
def test_weights_in_the_store_unit_become_grams(weight: str, unit: str, grams: int | None) -> None:
    assert weight_grams(weight, unit) == grams


def test_order_fixture_parses_and_tiktok_order_becomes_a_paid_processing_payload() -> None:
    order = WooOrder.model_validate(fixture("woo_v3_order.json"))  # woo_v3_order.json: order 727
    assert (order.id, order.status, order.line_items[1].variation_id) == (727, "processing", 23)
    assert order.meta("_download_permissions_granted") == "yes"

    refs = {"WOO-1001": ItemRef("WOO-1001", 22, 23, True, "variation"), "WOO-7": ItemRef("WOO-7", 93)}
    source = tiktok_order(lines=[("WOO-1001", 2), ("WOO-7", 1)])
    payload = order_payload(source, "tts-key-1", refs, OrderConventions("_tiktok_order_id", "_syncd_key", True))
    assert (payload["status"], payload["set_paid"], payload["transaction_id"]) == ("processing", True, "tts-key-1")
    assert payload["line_items"] == [
        {"product_id": 22, "quantity": 2, "variation_id": 23, "subtotal": "25.00", "total": "25.00"},
        {"product_id": 93, "quantity": 1, "subtotal": "12.50", "total": "12.50"},
    ]
    assert {"key": "_tiktok_order_id", "value": source.external_id} in payload["meta_data"]
    assert "tts-key-1" in payload["customer_note"]
    assert payload["billing"]["first_name"] == "Jane"
    assert payload["billing"]["email"] == "buyer@example.com"
    assert "email" not in payload["shipping"]
    assert payload["shipping_lines"] == [
        {"method_id": "tiktok_shop", "method_title": "TikTok Shop (ref tts-key-1)", "total": "4.99"}
    ]


def test_shipment_tracking_meta_and_notes_become_fulfilments() -> None:
    raw = fixture("woo_v3_order.json")
    raw["status"] = "completed"
    raw["meta_data"].append(
        {
            "id": 1,
            "key": "_wc_shipment_tracking_items",
            "value": [
                {
                    "tracking_provider": "usps",
                    "custom_tracking_provider": "",
                    "tracking_number": "9400100000000000000000",
                    "custom_tracking_link": "",
                    "date_shipped": "1735732800",
                    "tracking_id": "abc123",
                },
                {"tracking_provider": "ups", "tracking_number": "  "},
            ],
        }
    )
    order = WooOrder.model_validate(raw)
    (shipment,) = tracking_fulfilments(order, tracking_items(order, "_wc_shipment_tracking_items"))
    assert (shipment.external_id, shipment.tracking_number, shipment.carrier) == (
        "727:abc123",
        "9400100000000000000000",
        "usps",
    )
    assert shipment.created_at == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert shipment.line_external_ids == ("315", "316")

    notes = [
        WooOrderNote(id=5, note="Order status changed from Processing to Completed."),
        WooOrderNote(id=6, note="Shipped with DHL. Tracking number: JD014600003828 https://dhl.example/t"),
    ]
    (from_note,) = note_fulfilments(order, notes)
    assert (from_note.tracking_number, from_note.carrier) == ("JD014600003828", "DHL")
    assert from_note.tracking_url == "https://dhl.example/t"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Your parcel: UPS 1Z999AA10123456784", "1Z999AA10123456784"),
        ("tracking # 9400-1000-0000-0000", "9400-1000-0000-0000"),
        ("Tracking is on its way", None),
        ("Order status changed from Pending payment to Processing.", None),
    ],
)
def test_tracking_numbers_in_note_text(text: str, number: str | None) -> None:
    assert tracking_in_note(text) == number
