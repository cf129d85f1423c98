"""The example connector opts into the conformance suite: one subclass, a few hooks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from acme_connector import AcmeConfig, AcmeConnector
from acme_fake import FakeAcme
from pydantic import BaseModel, SecretStr

from syncd.connector import CatalogSource, Connector, StockSink, StockSource
from syncd.domain import StockUpdate
from syncd.http import ManualClock
from syncd.registry import ConnectorRegistry
from syncd.testing import FakeServer
from syncd.testing.capabilities import stock_key
from syncd.testing.conformance import ConnectorConformanceSuite

TOKEN = "acme-live-token-5f2c9e"
WRONG_TOKEN = "acme-revoked-token-77aa01"


def _acme(fake: FakeServer) -> FakeAcme:
    assert isinstance(fake, FakeAcme)
    return fake


class TestAcmeConformance(ConnectorConformanceSuite):
    connector_class: ClassVar[type[AcmeConnector]] = AcmeConnector

    def start_fake(self, clock: ManualClock) -> FakeServer:
        return FakeAcme(tokens={TOKEN: "merchant-1"}, clock=clock.monotonic)

    def make_config(self, fake: FakeServer, *, valid_credentials: bool = True) -> BaseModel:
        token = TOKEN if valid_credentials else WRONG_TOKEN
        return AcmeConfig(api_token=SecretStr(token), page_size=5, timeout_seconds=0.2, max_attempts=4)

    def make_connector(self, config: BaseModel, fake: FakeServer, clock: ManualClock) -> Connector:
        return self.connector_class(config, base_url=fake.base_url, clock=clock)

    def registry(self) -> ConnectorRegistry:
        return ConnectorRegistry(extra={"acme": AcmeConnector})

    def seed(self, fake: FakeServer, capability: type, count: int) -> list[str]:
        if capability is CatalogSource:
            return _acme(fake).add_products(count)
        assert capability is StockSource
        return [stock_key(sku, location) for sku, location in _acme(fake).add_stock(count)]

    def write_inputs(self, fake: FakeServer, capability: type, count: int) -> Sequence[StockUpdate]:
        assert capability is StockSink
        levels = _acme(fake).add_stock(count)
        return [StockUpdate(sku=sku, location_id=location, quantity=3) for sku, location in levels]

    def fail_writes(self, fake: FakeServer, capability: type, keys: Sequence[str]) -> None:
        with fake.lock:
            _acme(fake).reject_skus.update(keys)
