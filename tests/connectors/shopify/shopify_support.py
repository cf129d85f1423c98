"""Shared helpers of the Shopify connector tests: credentials, configs, raw GraphQL calls, sample orders."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.shopify.config import ShopifyConfig
from connectors.shopify.fake import FakeShopify
from syncd.domain import Address, Money, Order, OrderLine, OrderStatus

TOKEN = "shpat_test_token_2f9c41d7"
WRONG_TOKEN = "shpat_revoked_token_99e0a1"
APP_SECRET = "shpss_app_secret_5b6c7d8e"
# The shared fixtures sit beside the repository (../shared/fixtures), in CI as here.
FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    """One of the shared sample payloads (see FIXTURES/SOURCES.md)."""
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


def make_config(fake: FakeShopify, *, token: str = TOKEN, **overrides: Any) -> ShopifyConfig:
    """A config for the emulator: short timeouts and small pages."""
    values: dict[str, Any] = {
        "shop_domain": fake.shop_domain,
        "access_token": SecretStr(token),
        "webhook_secret": SecretStr(APP_SECRET),
        "base_url": fake.base_url,
        "timeout": 2.0,
        "page_size": 5,
        "variants_page_size": 3,
        "stock_page_size": 5,
        "max_attempts": 4,
        **overrides,
    }
    return ShopifyConfig(**values)


def gql(
    fake: FakeShopify,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str = TOKEN,
    version: str = "2026-10",
) -> dict[str, Any]:
    """Send one raw GraphQL request to the emulator; the parsed body."""
    response = httpx.post(
        f"{fake.base_url}/admin/api/{version}/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=5.0,
    )
    body: dict[str, Any] = response.json()
    return body


def tiktok_order(order_id: str, lines: list[tuple[str, int, str]], **extra: Any) -> Order:
    """A TikTok order as the engine hands it to an order sink: lines are (sku, quantity, unit price)."""
    when = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "external_id": order_id,
        "status": OrderStatus.AWAITING_SHIPMENT,
        "lines": tuple(
            OrderLine(
                external_id=f"{order_id}-{n}",
                sku=sku,
                quantity=quantity,
                unit_price=Money(amount=Decimal(price), currency="USD"),
                tax=Money(amount=Decimal("1.20"), currency="USD"),
            )
            for n, (sku, quantity, price) in enumerate(lines, start=1)
        ),
        "currency": "USD",
        "created_at": when,
        "updated_at": when,
        "shipping_address": Address(
            name="Ada Lovelace",
            line1="1 Analytical Way",
            city="Louisville",
            region="KY",
            postal_code="40202",
            country_code="US",
            phone="+15550100",
        ),
        "buyer_email": "buyer@example.com",
        "shipping_total": Money(amount=Decimal("4.99"), currency="USD"),
        **extra,
    }
    return Order(**values)
