"""Helpers shared by the sandbox tests (this module holds no tests): the seed catalog, connectors built from an
adapter's config block, and a TikTok-style order for the stores' order sinks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from syncd.connector import CatalogSource, Connector, StockSource
from syncd.domain import Address, Money, Order, OrderLine, OrderStatus, Product
from syncd.registry import ConnectorRegistry
from syncd.sandbox.merchant import seed_products
from syncd.testing.sandbox import SeedProduct, SeedVariant

STORES = ["shopify", "woocommerce"]
# The `start` fixture: an emulator started by platform name (and `seed`), closed after the test.
StartEmulator = Callable[..., Any]


def catalog() -> list[SeedProduct]:
    """Two products of three sizes and one single-variant product (a simple product in WooCommerce)."""
    mug = SeedProduct(
        title="Sandbox Mug",
        product_type="Mugs",
        description="<p>Stoneware.</p>",
        variants=(SeedVariant(sku="SBX-MUG", price=Decimal("12.00"), stock=7, weight_grams=400),),
    )
    return [*seed_products(2, 3, stock=10, seed=7), mug]


def seeded_stock(products: list[SeedProduct]) -> dict[str, int]:
    """SKU -> the stock it was seeded with."""
    return {variant.sku: variant.stock for product in products for variant in product.variants}


def seeded_prices(products: list[SeedProduct]) -> dict[str, Decimal]:
    """SKU -> the price it was seeded with."""
    return {variant.sku: variant.price for product in products for variant in product.variants}


def connect(platform: str, block: dict[str, Any]) -> Connector:
    """The registered connector for `platform`, configured from a config block exactly as config.yaml holds it."""
    connector_class = ConnectorRegistry().get(platform)
    return connector_class(connector_class.config_model.model_validate(block))


def products_of(connector: Connector) -> list[Product]:
    """Every product a full catalog read returns."""
    assert isinstance(connector, CatalogSource)
    return [product for page in connector.read_products(None) for product in page.records]


def stock_of(connector: Connector) -> dict[str, int]:
    """SKU -> on-hand quantity, from a full stock read."""
    assert isinstance(connector, StockSource)
    return {level.sku: level.on_hand for page in connector.read_stock(None) for level in page.records}


def tiktok_order(order_id: str, lines: dict[str, int], prices: dict[str, Decimal]) -> Order:
    """A TikTok order awaiting shipment, as the order job hands it to a store's order sink."""
    when = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
    return Order(
        external_id=order_id,
        status=OrderStatus.AWAITING_SHIPMENT,
        lines=tuple(
            OrderLine(
                external_id=f"{order_id}-{n}",
                sku=sku,
                quantity=quantity,
                unit_price=Money(amount=prices[sku], currency="USD"),
            )
            for n, (sku, quantity) in enumerate(lines.items(), start=1)
        ),
        currency="USD",
        created_at=when,
        updated_at=when,
        shipping_address=Address(
            name="Sam Buyer",
            line1="500 Pine Street",
            city="Seattle",
            region="WA",
            postal_code="98101",
            country_code="US",
            phone="+12065550100",
        ),
        buyer_email="buyer@example.com",
    )
