"""The Shopify connector against its emulator, through the conformance suite every connector passes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pydantic import BaseModel
from shopify_support import TOKEN, WRONG_TOKEN, make_config

from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from syncd.connector import CatalogSource, Connector, StockSink, StockSource
from syncd.domain import StockUpdate
from syncd.http import ManualClock
from syncd.registry import ConnectorRegistry
from syncd.testing import FakeServer, RateLimit
from syncd.testing.capabilities import stock_key
from syncd.testing.conformance import ConnectorConformanceSuite

# A small cost budget so that reading takes more points than it holds: a one-product page costs about 40.
COST_BUDGET = RateLimit(capacity=50, per_second=10)


def _shopify(fake: FakeServer) -> FakeShopify:
    assert isinstance(fake, FakeShopify)
    return fake


class TestShopifyConformance(ConnectorConformanceSuite):
    connector_class: ClassVar[type[ShopifyConnector]] = ShopifyConnector
    # One record per page keeps each query under the small budget; 60 records make 60+ calls, more than 50.
    rate_limit_seed_count = 60

    def start_fake(self, clock: ManualClock) -> FakeServer:
        return FakeShopify(tokens=[TOKEN], clock=clock.monotonic, now=clock.now, rate_limit=COST_BUDGET)

    def make_config(self, fake: FakeServer, *, valid_credentials: bool = True) -> BaseModel:
        token = TOKEN if valid_credentials else WRONG_TOKEN
        return make_config(
            _shopify(fake), token=token, timeout=0.3, page_size=1, variants_page_size=2, stock_page_size=1
        )

    def make_connector(self, config: BaseModel, fake: FakeServer, clock: ManualClock) -> Connector:
        return self.connector_class(config, base_url=fake.base_url, clock=clock)

    def registry(self) -> ConnectorRegistry:
        return ConnectorRegistry(extra={"shopify": ShopifyConnector})

    def seed(self, fake: FakeServer, capability: type, count: int) -> list[str]:
        shop = _shopify(fake)
        if capability is CatalogSource:
            return shop.add_products(count, variants_per_product=2)
        assert capability is StockSource
        location = shop.location_gids()[0] if shop.location_gids() else shop.add_location("Main")
        products = shop.add_products(count, locations=[location])
        return [stock_key(shop.variant_skus(product)[0], location) for product in products]

    def write_inputs(self, fake: FakeServer, capability: type, count: int) -> Sequence[StockUpdate]:
        assert capability is StockSink
        shop = _shopify(fake)
        location = shop.location_gids()[0] if shop.location_gids() else shop.add_location("Main")
        products = shop.add_products(count, locations=[location], sku_prefix="W")
        return [StockUpdate(sku=shop.variant_skus(p)[0], location_id=location, quantity=3) for p in products]

    def fail_writes(self, fake: FakeServer, capability: type, keys: Sequence[str]) -> None:
        _shopify(fake).reject_skus(keys)
