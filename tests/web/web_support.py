"""Helpers for the webhook tests (no tests here): configs, signed deliveries as each platform sends them, inbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import col, select

from connectors.shopify.webhooks import webhook_hmac
from connectors.woocommerce.webhooks import sign_webhook
from syncd.runtime import Runtime
from syncd.sandbox.merchant import Merchant
from syncd.store.engine import session_scope
from syncd.store.models import InboxEvent
from syncd.sync.context import JobContext
from syncd.sync.runner import run_job
from syncd.web.service import WebService

WOO_SECRET = "woo-webhook-secret"
Delivery = tuple[bytes, dict[str, str]]
MakeRuntime = Callable[..., Runtime]
Serve = Callable[..., WebService]


def write_config(
    merchant: Merchant,
    path: Path,
    database_url: str,
    http: dict[str, Any] | None = None,
    stores: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """The merchant's config with a WooCommerce webhook secret, an optional `http:` block, and `stores` merged
    into each named store's platform block."""
    config = merchant.config(database_url)
    for store in config["stores"]:
        if store["platform"] == "woocommerce":
            store["woocommerce"]["webhook_secret"] = WOO_SECRET
        store[store["platform"]].update((stores or {}).get(store["name"], {}))
    if http:
        config["http"] = http
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def tiktok_delivery(merchant: Merchant, event_type: int, data: dict[str, Any], notification_id: str) -> Delivery:
    """A TikTok Shop delivery to the merchant's shop, signed as TikTok signs it (hex HMAC of app key + body)."""
    server: Any = merchant.tiktok.server
    envelope = {
        "type": event_type,
        "tts_notification_id": notification_id,
        "shop_id": server.shop["id"],
        "timestamp": 1_760_000_000,
        "data": data,
    }
    body = json.dumps(envelope, separators=(",", ":")).encode()
    signature = hmac.new(server.app_secret.encode(), server.app_key.encode() + body, hashlib.sha256).hexdigest()
    return body, {"content-type": "application/json", "authorization": signature}


def tiktok_order_delivery(merchant: Merchant, order_id: str, notification_id: str) -> Delivery:
    """ORDER_STATUS_CHANGE for an order awaiting shipment."""
    data = {"order_id": order_id, "order_status": "AWAITING_SHIPMENT", "update_time": 1_760_000_000}
    return tiktok_delivery(merchant, 1, data, notification_id)


def shopify_delivery(merchant: Merchant, store: str, topic: str, payload: dict[str, Any], event_id: str) -> Delivery:
    """A Shopify delivery from the store's shop, signed with its app secret."""
    server: Any = merchant.stores[store].server
    body = json.dumps(payload, separators=(",", ":")).encode()
    return body, {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-hmac-sha256": webhook_hmac(server.api_secret, body),
        "x-shopify-event-id": event_id,
        "x-shopify-webhook-id": f"webhook-{event_id}",
        "x-shopify-shop-domain": server.shop_domain,
        "x-shopify-triggered-at": "2026-01-01T00:00:00Z",
    }


def woo_delivery(topic: str, payload: dict[str, Any], delivery_id: str, secret: str = WOO_SECRET) -> Delivery:
    """A WooCommerce delivery, signed with the webhook secret the tests configure."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    resource, _, event = topic.partition(".")
    return body, {
        "content-type": "application/json",
        "x-wc-webhook-topic": topic,
        "x-wc-webhook-resource": resource,
        "x-wc-webhook-event": event,
        "x-wc-webhook-signature": sign_webhook(secret, body),
        "x-wc-webhook-id": "1",
        "x-wc-webhook-delivery-id": delivery_id,
    }


def inbox_rows(runtime: Runtime) -> list[InboxEvent]:
    """Every stored delivery, oldest first."""
    with session_scope(runtime.engine) as session:
        return list(session.exec(select(InboxEvent).order_by(col(InboxEvent.id))).all())


def sync_catalog(runtime: Runtime) -> None:
    """Run the catalog and stock jobs once, so TikTok lists the store's products and the hub knows its stock."""
    with JobContext(runtime) as ctx:
        for job in ("catalog", "stock"):
            report = run_job(ctx, job)
            assert report.ok, report.notes


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Check `condition` until it holds or `timeout` seconds pass; True when it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True
