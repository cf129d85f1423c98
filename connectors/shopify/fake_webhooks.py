"""Webhook deliveries from the emulator: REST-shaped payloads, signed the Shopify way, POSTed in the background.

One worker thread delivers queued events in order, one attempt each (Shopify retries 8 times over 4 hours; a
test wants to see the first attempt). `wait_idle` lets a test wait until everything queued has been tried.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from connectors.shopify import fake_state as st
from connectors.shopify.webhooks import webhook_hmac

logger = logging.getLogger("connectors.shopify.fake")


_TOPICS = {
    "PRODUCTS_CREATE": "products/create",
    "PRODUCTS_UPDATE": "products/update",
    "PRODUCTS_DELETE": "products/delete",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "INVENTORY_ITEMS_UPDATE": "inventory_items/update",
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "ORDERS_PAID": "orders/paid",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "FULFILLMENTS_UPDATE": "fulfillments/update",
    "BULK_OPERATIONS_FINISH": "bulk_operations/finish",
    "APP_UNINSTALLED": "app/uninstalled",
}


def topic_name(enum_value: str) -> str:
    """`PRODUCTS_UPDATE` as the HTTP topic `products/update`."""
    return _TOPICS[enum_value]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempted delivery."""

    topic: str
    url: str
    webhook_id: str
    status: int | None
    error: str | None = None


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value is not None else None


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def product_payload(data: st.ShopData, product: st.Product) -> dict[str, Any]:
    """The `products/*` payload: the REST product with its variants."""
    return {
        "id": product.id,
        "admin_graphql_api_id": st.gid("Product", product.id),
        "title": product.title,
        "status": product.status.lower(),
        "tags": ", ".join(product.tags),
        "updated_at": _iso(product.updated_at),
        "variants": [
            {
                "id": v.id,
                "admin_graphql_api_id": st.gid("ProductVariant", v.id),
                "sku": v.sku,
                "price": _money(v.price),
                "inventory_item_id": v.inventory_item_id,
                "updated_at": _iso(v.updated_at),
            }
            for v in data.variants_of(product)
        ],
    }


def level_payload(level: st.Level) -> dict[str, Any]:
    """The `inventory_levels/update` payload."""
    return {
        "inventory_item_id": level.item_id,
        "location_id": level.location_id,
        "available": level.quantity("available"),
        "updated_at": _iso(level.updated_at),
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{level.location_id}?inventory_item_id={level.item_id}",
    }


def order_payload(order: st.Order) -> dict[str, Any]:
    """The `orders/*` payload: the REST order, trimmed to what syncd reads."""
    return {
        "id": order.id,
        "admin_graphql_api_id": st.gid("Order", order.id),
        "name": order.name,
        "email": order.email,
        "created_at": _iso(order.created_at),
        "updated_at": _iso(order.updated_at),
        "cancelled_at": _iso(order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "currency": order.currency,
        "tags": ", ".join(order.tags),
        "source_name": order.source_name,
        "source_identifier": order.source_identifier,
        "line_items": [
            {
                "id": li.id,
                "sku": li.sku,
                "quantity": li.quantity,
                "variant_id": li.variant_id,
                "price": _money(li.price),
            }
            for li in order.line_items
        ],
        "fulfillments": [fulfillment_payload(order, f) for f in order.fulfillments],
    }


def fulfillment_payload(order: st.Order, fulfillment: st.Fulfillment) -> dict[str, Any]:
    """The `fulfillments/*` payload."""
    numbers = [n for n, _, _ in fulfillment.tracking if n]
    urls = [u for _, _, u in fulfillment.tracking if u]
    return {
        "id": fulfillment.id,
        "admin_graphql_api_id": st.gid("Fulfillment", fulfillment.id),
        "order_id": order.id,
        "status": fulfillment.status.lower(),
        "created_at": _iso(fulfillment.created_at),
        "updated_at": _iso(fulfillment.updated_at),
        "tracking_company": fulfillment.tracking[0][1] if fulfillment.tracking else None,
        "tracking_number": numbers[0] if numbers else None,
        "tracking_numbers": numbers,
        "tracking_url": urls[0] if urls else None,
        "tracking_urls": urls,
        "line_items": [{"id": line_id, "quantity": quantity} for line_id, quantity in fulfillment.line_items],
    }


class WebhookDispatcher:
    """Queues (topic, payload) events and POSTs each to every subscription of that topic, signed."""

    def __init__(self, *, secret: str, shop_domain: str, api_version: str, timeout: float = 5.0) -> None:
        self._secret = secret
        self._shop_domain = shop_domain
        self._api_version = api_version
        self._timeout = timeout
        self._queue: queue.Queue[tuple[str, str, bytes] | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self.deliveries: list[Delivery] = []

    def start(self) -> None:
        """Start the delivery thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fake-shopify-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def enqueue(self, topic: str, url: str, payload: dict[str, Any]) -> None:
        """Queue one delivery of `payload` on `topic` to `url`."""
        body = json.dumps(payload, separators=(",", ":"), default=str).encode("utf-8")
        with self._idle:
            self._pending += 1
        self._queue.put((topic, url, body))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while (item := self._queue.get()) is not None:
                topic, url, body = item
                self.deliveries.append(self._post(client, topic, url, body))
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _post(self, client: httpx.Client, topic: str, url: str, body: bytes) -> Delivery:
        webhook_id = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": webhook_hmac(self._secret, body),
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Shop-Domain": self._shop_domain,
            "X-Shopify-API-Version": self._api_version,
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }
        try:
            response = client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            logger.debug("webhook %s to %s failed: %s", topic, url, type(exc).__name__)
            return Delivery(topic, url, webhook_id, None, type(exc).__name__)
        return Delivery(topic, url, webhook_id, response.status_code)
