"""The WooCommerce connector passes the connector conformance suite against the emulator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pydantic import BaseModel
from woo_helpers import make_config

from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.fake import FakeWooCommerce
from syncd.connector import CatalogSource, Connector, StockSink, StockSource
from syncd.domain import StockUpdate
from syncd.http import ManualClock
from syncd.registry import ConnectorRegistry
from syncd.testing import FakeServer
from syncd.testing.capabilities import stock_key
from syncd.testing.conformance import ConnectorConformanceSuite


def _woo(fake: FakeServer) -> FakeWooCommerce:
    assert isinstance(fake, FakeWooCommerce)
    return fake


class TestWooCommerceConformance(ConnectorConformanceSuite):
    connector_class: ClassVar[type[WooCommerceConnector]] = WooCommerceConnector

    def start_fake(self, clock: ManualClock) -> FakeServer:
        # The platform limit (bursts of 10, 5 per second) is on; the connector's own bucket must stay under it.
        return FakeWooCommerce(clock=clock.monotonic, now=clock.now)

    def make_config(self, fake: FakeServer, *, valid_credentials: bool = True) -> BaseModel:
        return make_config(
            _woo(fake),
            valid=valid_credentials,
            page_size=5,
            timeout=0.3,
            requests_per_second=5.0,
            burst=5,
        )

    def make_connector(self, config: BaseModel, fake: FakeServer, clock: ManualClock) -> Connector:
        return self.connector_class(config, base_url=fake.base_url, clock=clock)

    def registry(self) -> ConnectorRegistry:
        return ConnectorRegistry(extra={"woocommerce": WooCommerceConnector})

    def seed(self, fake: FakeServer, capability: type, count: int) -> list[str]:
        # A minute apart, so each product is alone in the connector's five-second overlap window.
        ids = _woo(fake).add_products(count, spacing=60)
        if capability is CatalogSource:
            return ids
        assert capability is StockSource
        return [stock_key(f"WOO-{product_id}", "default") for product_id in ids]

    def write_inputs(self, fake: FakeServer, capability: type, count: int) -> Sequence[StockUpdate]:
        assert capability is StockSink
        return [
            StockUpdate(
                sku=f"WOO-{product_id}",
                location_id="default",
                quantity=3,
                variant_external_id=product_id,
                product_external_id=product_id,
            )
            for product_id in _woo(fake).add_products(count)
        ]

    def fail_writes(self, fake: FakeServer, capability: type, keys: Sequence[str]) -> None:
        # Deleted after the engine learnt their ids: the batch answers `woocommerce_rest_product_invalid_id`
        # for exactly these items, with HTTP 200 for the batch.
        woo = _woo(fake)
        with woo.lock:
            for sku in keys:
                product = woo.product_by_sku(sku)
                assert product is not None
                woo.catalog.delete(product["id"])
