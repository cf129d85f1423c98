"""The TikTok Shop connector passes the connector conformance suite against the emulator."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel
from tts_connector_support import (
    DEFAULT_WAREHOUSE,
    PROVIDER_USPS,
    ImageHost,
    make_config,
    new_listing,
    source_product,
    start_fake,
)

from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.connector import (
    CatalogSink,
    Connector,
    FulfilmentSink,
    OrderReferenceSink,
    OrderSource,
    ReturnSource,
    StockSink,
    StockSource,
)
from syncd.domain import Fulfilment, OrderReference, StockUpdate
from syncd.http import ManualClock
from syncd.registry import ConnectorRegistry
from syncd.testing import FakeServer, Fault
from syncd.testing.capabilities import stock_key
from syncd.testing.conformance import ConnectorConformanceSuite


def _tts(fake: FakeServer) -> FakeTikTokShop:
    assert isinstance(fake, FakeTikTokShop)
    return fake


def _refusal(code: int, message: str) -> bytes:
    """A TikTok error envelope (HTTP 200, non-zero code), as the platform sends validation errors."""
    return (
        f'{{"code":{code},"message":"{message}","request_id":"202501010000000000000000000000FAULT","data":null}}'
    ).encode()


class TestTikTokShopConformance(ConnectorConformanceSuite):
    connector_class: ClassVar[type[TikTokShopConnector]] = TikTokShopConnector
    # Order and after-sales reads start an overlap window before their checkpoint (TikTok's late updates).
    resume_may_overlap = True
    # Three records a page: enough pages for the rate-limit test to pass the emulator's burst of 50.
    rate_limit_seed_count = 160

    seed_clock: ManualClock
    images: ImageHost

    @pytest.fixture(autouse=True)
    def image_host(self) -> Iterator[ImageHost]:
        """The store CDN the listings' images come from."""
        with ImageHost() as host:
            self.images = host
            yield host

    def start_fake(self, clock: ManualClock) -> FakeServer:
        self.seed_clock = clock
        self.serial = itertools.count(1)
        return start_fake(clock)

    def make_config(self, fake: FakeServer, *, valid_credentials: bool = True) -> BaseModel:
        return make_config(_tts(fake), valid=valid_credentials, page_size=3, timeout=timedelta(seconds=0.3))

    def make_connector(self, config: BaseModel, fake: FakeServer, clock: ManualClock) -> Connector:
        return self.connector_class(config, clock=clock)

    def registry(self) -> ConnectorRegistry:
        return ConnectorRegistry(extra={"tiktok_shop": TikTokShopConnector})

    # -- reads -------------------------------------------------------------------------------------------

    def seed(self, fake: FakeServer, capability: type, count: int) -> list[str]:
        tts = _tts(fake)
        if capability is StockSource:
            products = tts.add_products(count)
            return [stock_key(p.skus[0].seller_sku, DEFAULT_WAREHOUSE) for p in products]
        sku = next(iter(tts.skus.values()), None) or tts.add_product(skus=[{"quantity": 99_999}]).skus[0]
        keys = []
        for number in range(count):
            self.seed_clock.advance(1)  # each record changes after everything seeded before it
            if capability is OrderSource:
                keys.append(tts.add_order([(sku, 1)]).id)
            elif number % 3 == 0:
                assert capability is ReturnSource
                keys.append(tts.request_cancellation(tts.add_order([(sku, 1)]).id).id)
            else:
                keys.append(tts.add_return(tts.add_order([(sku, 1)], status="DELIVERED").id).id)
        return keys

    # -- writes ------------------------------------------------------------------------------------------

    def write_inputs(self, fake: FakeServer, capability: type, count: int) -> Sequence[Any]:
        tts = _tts(fake)
        if capability is CatalogSink:
            keys = [f"src-{next(self.serial):04d}" for _ in range(count)]
            return [new_listing(source_product(key, [self.images.url(f"/img/{key}.png")])) for key in keys]
        if capability is StockSink:
            products = [tts.add_product(skus=3) for _ in range(-(-count // 3))]
            skus = [sku for product in products for sku in product.skus][:count]
            return [
                StockUpdate(
                    sku=sku.seller_sku,
                    # Every other update leaves the warehouse to the connector's default.
                    location_id=DEFAULT_WAREHOUSE if index % 2 else "",
                    quantity=7,
                    variant_external_id=sku.id,
                    product_external_id=sku.product_id,
                )
                for index, sku in enumerate(skus)
            ]
        sku = next(iter(tts.skus.values()), None) or tts.add_product(skus=[{"quantity": 99_999}]).skus[0]
        orders = [tts.add_order([(sku, 1)]) for _ in range(count)]
        if capability is OrderReferenceSink:
            return [
                OrderReference(order_external_id=o.id, store_order_id=f"{5000 + n}", store_platform="shopify")
                for n, o in enumerate(orders)
            ]
        assert capability is FulfilmentSink
        return [
            Fulfilment(
                order_external_id=o.id,
                external_id=f"ful-{o.id}",
                tracking_number=f"9400{n:018d}",
                carrier=PROVIDER_USPS,
            )
            for n, o in enumerate(orders)
        ]

    def fail_writes(self, fake: FakeServer, capability: type, keys: Sequence[str]) -> None:
        tts = _tts(fake)
        wanted = [key.encode() for key in keys]
        if capability is CatalogSink:
            # TikTok refuses these products' bodies with a validation error (HTTP 200, code 98001004).
            body = _refusal(98001004, "Parameter title is invalid. Reason: it contains a forbidden word.")
            tts.inject(
                Fault.error(
                    200, body, route="create_product", when=lambda r: any(k in r.body for k in wanted), times=None
                )
            )
        elif capability is StockSink:
            # These SKUs were deleted on TikTok after syncd learnt their ids: a per-SKU error, code 0 overall.
            with tts.lock:
                for sku in keys:
                    del tts.skus[tts.find_sku(sku).id]
        elif capability is OrderReferenceSink:
            # Orders TikTok no longer knows: per-order 36020001 inside a code-0 answer.
            with tts.lock:
                for order_id in keys:
                    del tts.orders[order_id]
        else:
            assert capability is FulfilmentSink
            order_ids = [key.removeprefix("ful-") for key in keys]
            body = _refusal(36009004, "Invalid param: shipping_provider_id is not available for this order")
            tts.inject(
                Fault.error(
                    200,
                    body,
                    route="mark_package_shipped",
                    when=lambda r: any(order_id in r.path for order_id in order_ids),
                    times=None,
                )
            )
