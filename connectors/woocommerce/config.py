"""The `woocommerce` block of config.yaml: one store reached through the REST API v3."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import AnyHttpUrl, Field

from syncd.connector import ConnectorConfig, Duration, PositiveDuration, Secret


class WooCommerceConfig(ConnectorConfig):
    """Credentials, limits and store conventions of one WooCommerce store."""

    # The store's home URL exactly as WordPress reports it (OAuth 1.0a over http signs this URL).
    url: AnyHttpUrl
    # REST API key pair from WooCommerce > Settings > Advanced > REST API (read/write).
    consumer_key: Secret
    consumer_secret: Secret
    # The secret set on the store's webhooks; verifies X-WC-Webhook-Signature.
    webhook_secret: Secret | None = None
    # The REST namespace; syncd speaks wc/v3.
    api_version: str = Field(default="wc/v3", pattern=r"^wc/v\d+$")
    # Check the store's TLS certificate (a CA bundle path is not supported here; use the system store).
    verify_ssl: bool = True
    # Send the keys as query parameters over HTTPS when the server strips the Authorization header.
    query_string_auth: bool = False
    # Connect and read timeout of every call.
    timeout: PositiveDuration = timedelta(seconds=30)
    # Client-side limit: calls per second, refilled continuously ...
    requests_per_second: float = Field(default=5.0, gt=0)
    # ... with bursts of at most this many calls.
    burst: int = Field(default=5, ge=1)
    # Point the connector somewhere else than `url` (a proxy, the emulator); None uses `url`.
    base_url: AnyHttpUrl | None = None
    # Items per list call (WooCommerce allows 1-100).
    page_size: int = Field(default=100, ge=1, le=100)
    # Attempts per call, and the time budget for all of them, before a transient failure is reported.
    max_attempts: int = Field(default=5, ge=1)
    retry_budget: PositiveDuration = timedelta(seconds=60)
    # Incremental reads start this far before the checkpoint, so saves committed late are not missed.
    modified_overlap: Duration = timedelta(seconds=5)
    # The store currency; None asks the store once (GET /data/currencies/current).
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    # WooCommerce keeps one stock figure per item; this names its location for the engine.
    location_id: str = Field(default="default", min_length=1)
    # The store's weight unit (WooCommerce > Settings > Products), for variant weights in grams.
    weight_unit: Literal["kg", "g", "lbs", "oz"] = "kg"
    # Order meta that carries the TikTok order id, and the one that carries syncd's idempotency key.
    order_meta_key: str = Field(default="_tiktok_order_id", min_length=1)
    idempotency_meta_key: str = Field(default="_syncd_idempotency_key", min_length=1)
    # Also write the idempotency key into the customer note: stores on the legacy (posts) order storage
    # find orders by note text, HPOS stores by transaction_id, which always carries it.
    key_in_customer_note: bool = True
    # Order meta written by the Shipment Tracking extension (and compatible plugins).
    tracking_meta_key: str = Field(default="_wc_shipment_tracking_items", min_length=1)
    # After an order create whose outcome is unknown and which the store does not show yet, wait this long
    # and look again before creating it anew.
    order_lookup_delay: Duration = timedelta(seconds=5)

    @property
    def timeout_seconds(self) -> float:
        """`timeout` in seconds."""
        return self.timeout.total_seconds()
