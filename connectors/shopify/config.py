"""The Shopify block of config.yaml: which shop, how to reach it, and how hard to push the Admin API."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import AnyHttpUrl, Field, field_validator

from syncd.connector import ConnectorConfig, Duration, PositiveDuration, Secret

DEFAULT_API_VERSION = "2026-10"


class ShopifyConfig(ConnectorConfig):
    """One Shopify store reached through the GraphQL Admin API."""

    # The shop's permanent domain, `example.myshopify.com`.
    shop_domain: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*\.myshopify\.com$")
    # Admin API access token (`shpat_...`) of a custom app; leave empty when `syncd auth <store> url|exchange`
    # installs a public or custom-distribution app, whose token is then kept (encrypted) in the database.
    access_token: Secret | None = None
    # The app's client id and secret, for that install flow (the secret also signs webhooks).
    client_id: str | None = None
    client_secret: Secret | None = None
    # Scopes the install asks for.
    scopes: list[str] = Field(
        default_factory=lambda: [
            "read_products",
            "write_products",
            "read_inventory",
            "write_inventory",
            "read_locations",
            "read_orders",
            "write_orders",
            "read_fulfillments",
        ]
    )
    # Where Shopify sends the merchant after consent; the page shows the `code` to pass to `exchange`.
    redirect_uri: str | None = None
    # The pinned GraphQL Admin API version; decides compareQuantity vs changeFromQuantity and @idempotent.
    api_version: str = Field(default=DEFAULT_API_VERSION, pattern=r"^\d{4}-(01|04|07|10)$")
    # The app's API secret key: verifies X-Shopify-Hmac-Sha256 on webhooks.
    webhook_secret: Secret | None = None
    # Location ids (numeric or GID) whose stock counts; empty means every active location.
    location_ids: list[str] = Field(default_factory=list)
    # Endpoint override, e.g. the emulator's `http://127.0.0.1:8081`; None means `https://<shop_domain>`.
    base_url: AnyHttpUrl | None = None
    # Timeout of each HTTP call.
    timeout: PositiveDuration = timedelta(seconds=30)
    # A backfill (no cursor) of more products than this runs as a bulk operation instead of paged queries.
    bulk_threshold: int = Field(default=2500, ge=0)
    # Products per page of the paged catalog read; with `variants_page_size` it sets each query's cost.
    page_size: int = Field(default=10, ge=1, le=250)
    # Variants fetched with each product; products with more are completed with follow-up pages.
    variants_page_size: int = Field(default=10, ge=1, le=250)
    # Inventory levels per page of the stock read.
    stock_page_size: int = Field(default=100, ge=1, le=250)
    # Attempts per call through 5xx, timeouts and throttling.
    max_attempts: int = Field(default=5, ge=1)
    # Cursors never advance past (Shopify's clock - this): its search index trails writes by seconds.
    cursor_lag: Duration = timedelta(seconds=60)
    # How often a running bulk operation is polled, and how long it may run.
    bulk_poll_interval: Duration = timedelta(seconds=5)
    bulk_timeout: Duration = timedelta(hours=2)
    # The cost budget assumed until the shop reports its own (Standard plan: 2000 points, 100/s restore).
    cost_bucket_size: float = Field(default=2000.0, gt=0)
    cost_restore_rate: float = Field(default=100.0, gt=0)
    # Cost assumed for a query not sent before (Shopify's single-query maximum); later calls use the real one.
    max_query_cost: int = Field(default=1000, ge=1)

    @field_validator("location_ids")
    @classmethod
    def _location_gids(cls, values: list[str]) -> list[str]:
        normalised = []
        for value in values:
            text = str(value).strip()
            if text.isdigit():
                text = f"gid://shopify/Location/{text}"
            if not re.fullmatch(r"gid://shopify/Location/\d+", text):
                raise ValueError(f"not a location id: {value!r}")
            normalised.append(text)
        return normalised

    @field_validator("timeout", "bulk_poll_interval", "bulk_timeout")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("must be positive")
        return value

    @property
    def api_root(self) -> str:
        """Where the shop is served: the override, or `https://<shop_domain>`."""
        return str(self.base_url).rstrip("/") if self.base_url is not None else f"https://{self.shop_domain}"

    @property
    def graphql_path(self) -> str:
        """The GraphQL endpoint's path for the pinned version."""
        return f"/admin/api/{self.api_version}/graphql.json"
