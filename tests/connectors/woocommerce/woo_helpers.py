"""Shared pieces of the WooCommerce connector tests: config, fixtures, sample orders, a webhook receiver."""

from __future__ import annotations

import copy
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from connectors.woocommerce import WooCommerceConfig
from connectors.woocommerce.fake import FakeWooCommerce
from syncd.domain import Address, Money, Order, OrderLine, OrderStatus
from syncd.testing import FakeServer, Request, Response, route

# The repository's parent holds `shared/` in CI and in development checkouts.
FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"
WRONG_SECRET = "cs_0000000000000000000000000000000000000bad"


def fixture(name: str) -> Any:
    """A fixture file from ../shared/fixtures, freshly parsed (tests edit their copy)."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text("utf-8")))


def make_config(fake: FakeWooCommerce, *, valid: bool = True, **overrides: Any) -> WooCommerceConfig:
    """A config for the fake's first key; a wrong secret when `valid` is False."""
    settings: dict[str, Any] = {
        "url": fake.base_url,
        "consumer_key": SecretStr(fake.key.consumer_key),
        "consumer_secret": SecretStr(fake.key.consumer_secret if valid else WRONG_SECRET),
        "currency": "USD",
        "timeout": 2.0,
        "max_attempts": 4,
        "requests_per_second": 50.0,
        "burst": 10,
        **overrides,
    }
    return WooCommerceConfig(**settings)


def tiktok_order(
    order_id: str = "576461413038785752", lines: list[tuple[str, int]] | None = None, price: str = "12.50"
) -> Order:
    """A TikTok order awaiting shipment, as the order job hands it to the order sink."""
    when = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    chosen = lines if lines is not None else [("WOO-1001", 2)]
    return Order(
        external_id=order_id,
        status=OrderStatus.AWAITING_SHIPMENT,
        lines=tuple(
            OrderLine(
                external_id=f"{order_id}-{index}",
                sku=sku,
                quantity=quantity,
                unit_price=Money(amount=Decimal(price), currency="USD"),
            )
            for index, (sku, quantity) in enumerate(chosen)
        ),
        currency="USD",
        created_at=when,
        updated_at=when,
        shipping_address=Address(
            name="Jane Roe",
            phone="+1 555 0100",
            line1="1 Main St",
            city="Springfield",
            region="IL",
            postal_code="62701",
            country_code="US",
        ),
        buyer_email="buyer@example.com",
        shipping_total=Money(amount=Decimal("4.99"), currency="USD"),
    )


class Receiver(FakeServer):
    """A webhook endpoint: records what it is sent and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        super().__init__(rate_limit=None)
        self.status = status
        self.received: list[Request] = []
        self.arrived = threading.Condition()

    @route("POST", "/hooks/woocommerce", auth=False)
    def receive(self, request: Request) -> Response:
        with self.arrived:
            self.received.append(request)
            self.arrived.notify_all()
        return Response.text("ok", status=self.status)
