"""Shopify's published sample payloads, seeded into the emulator and read back through the connector as domain
records; and the mapping rules that those samples do not exercise."""

from __future__ import annotations

from decimal import Decimal

from shopify_support import fixture, make_config

from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from connectors.shopify.mapping import product_to_domain, variant_to_domain
from connectors.shopify.models import ProductNode, VariantNode
from syncd.domain import ProductStatus
from syncd.http import ManualClock

# shopify_rest_inventory_levels.json: (inventory item = variant id, location) -> available.
FIXTURE_LEVELS = {
    ("IPOD2008GREEN", "gid://shopify/Location/487838322"): 27,
    ("IPOD2008PINK", "gid://shopify/Location/905684977"): 1,
    ("IPOD2008PINK", "gid://shopify/Location/487838322"): 9,
    ("IPOD2008GREEN", "gid://shopify/Location/905684977"): 3,
}


def _seed_fixtures(fake: FakeShopify) -> None:
    # One document, so the levels fixture (not inventory_quantity) stocks the two items it lists.
    product = fixture("shopify_rest_product_with_variants.json")["product"]
    levels = fixture("shopify_rest_inventory_levels.json")["inventory_levels"]
    fake.load_seed({"products": [product], "inventory_levels": levels})


def test_product_fixture_maps_to_a_canonical_product(fake: FakeShopify, connector: ShopifyConnector) -> None:
    """shopify_rest_product_with_variants.json: 4 variants, SKUs IPOD2008*, price 199.00 as Decimal, 200 g."""
    _seed_fixtures(fake)
    products = [p for page in connector.read_products(None) for p in page.records]

    assert len(products) == 1
    product = products[0]
    assert product.external_id == "gid://shopify/Product/632910392"
    assert product.title == "IPod Nano - 8GB"
    assert product.vendor == "Apple"
    assert product.tags == ("Emotive", "Flash Memory", "MP3", "Music")
    assert product.status is ProductStatus.ACTIVE
    assert product.image_urls == ("http://static.shopify.com/s/files/1/6909/3384/products/ipod-nano.png?0",)
    assert [v.sku for v in product.variants] == ["IPOD2008PINK", "IPOD2008RED", "IPOD2008GREEN", "IPOD2008BLACK"]
    for variant in product.variants:
        assert variant.price is not None
        assert variant.price.amount == Decimal("199.00")
        assert isinstance(variant.price.amount, Decimal)
        assert variant.price.currency == "USD"
        assert variant.compare_at_price is None
        assert variant.weight_grams == 200
    pink = product.variants[0]
    assert pink.external_id == "gid://shopify/ProductVariant/808950810"
    assert pink.inventory_item_id == "gid://shopify/InventoryItem/808950810"
    assert pink.options == {"Title": "Pink"}


def test_inventory_levels_fixture_maps_to_stock(fake: FakeShopify, clock: ManualClock) -> None:
    """shopify_rest_inventory_levels.json: four levels at two locations become four StockLevels."""
    _seed_fixtures(fake)
    locations = ["487838322", "905684977"]  # numeric ids are accepted and become GIDs
    with ShopifyConnector(make_config(fake, location_ids=locations), base_url=fake.base_url, clock=clock) as shop:
        levels = [level for page in shop.read_stock(None) for level in page.records]

    assert {(lv.sku, lv.location_id): lv.on_hand for lv in levels} == FIXTURE_LEVELS
    green = next(lv for lv in levels if lv.sku == "IPOD2008GREEN")
    assert green.variant_external_id == "gid://shopify/ProductVariant/39072856"
    assert green.updated_at is not None
    assert green.updated_at.year == 2018


def test_variant_without_sku_is_rejected_and_the_rest_kept() -> None:
    node = ProductNode.model_validate(
        {
            "id": "gid://shopify/Product/1",
            "title": "Mug",
            "status": "UNLISTED",
            "updatedAt": "2025-01-01T00:00:00Z",
            "variants": {
                "nodes": [
                    {"id": "gid://shopify/ProductVariant/11", "sku": "MUG-1", "price": "9.50", "compareAtPrice": "0"},
                    {"id": "gid://shopify/ProductVariant/12", "sku": "", "price": "9.50"},
                ]
            },
        }
    )
    product, rejected = product_to_domain(node, "EUR")
    assert product is not None
    assert [v.sku for v in product.variants] == ["MUG-1"]
    assert product.variants[0].compare_at_price is None  # Shopify's "0.00" means no compare-at price
    assert product.status is ProductStatus.ACTIVE
    assert [r.key for r in rejected] == ["gid://shopify/ProductVariant/12"]

    empty = node.model_copy(update={"variants": node.variants.model_copy(update={"nodes": node.variants.nodes[1:]})})
    none, problems = product_to_domain(empty, "EUR")
    assert none is None
    assert {r.key for r in problems} == {"gid://shopify/ProductVariant/12", "gid://shopify/Product/1"}


def test_variant_weight_units_become_grams_and_default_title_is_no_option() -> None:
    def variant(unit: str, value: float) -> VariantNode:
        return VariantNode.model_validate(
            {
                "id": "gid://shopify/ProductVariant/1",
                "sku": "X",
                "price": "1.00",
                "selectedOptions": [{"name": "Title", "value": "Default Title"}],
                "inventoryItem": {
                    "id": "gid://shopify/InventoryItem/1",
                    "measurement": {"weight": {"unit": unit, "value": value}},
                },
            }
        )

    assert variant_to_domain(variant("KILOGRAMS", 1.25), "USD").weight_grams == 1250
    assert variant_to_domain(variant("POUNDS", 1.0), "USD").weight_grams == 454
    assert variant_to_domain(variant("OUNCES", 2.0), "USD").weight_grams == 57
    assert variant_to_domain(variant("GRAMS", 80.0), "USD").options == {}
