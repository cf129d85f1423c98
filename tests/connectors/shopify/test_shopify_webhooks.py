"""Webhooks: HMAC verification, the topics syncd parses, and signed deliveries from the emulator."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from shopify_support import APP_SECRET, gql, tiktok_order

from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from connectors.shopify.webhooks import (
    FulfillmentCreated,
    InventoryLevelUpdated,
    OrderEvent,
    ProductUpdated,
    WebhookMeta,
    parse_webhook,
    verify_webhook,
    webhook_hmac,
)
from syncd.domain import StockUpdate
from syncd.errors import RecordError

BODY = b'{"id":788032119674292922,"title":"Example T-Shirt","updated_at":"2025-01-01T10:00:00-05:00"}'


def test_verify_webhook_accepts_the_right_signature_only() -> None:
    # Computed independently of the module under test: base64 of the raw HMAC-SHA256 digest.
    signature = base64.b64encode(hmac.new(b"app-secret", BODY, hashlib.sha256).digest()).decode()
    assert webhook_hmac("app-secret", BODY) == signature
    assert verify_webhook("app-secret", BODY, signature)
    assert not verify_webhook("other-secret", BODY, signature)
    assert not verify_webhook("app-secret", BODY + b" ", signature)
    assert not verify_webhook("app-secret", BODY, signature[:-4] + "AAA=")
    assert not verify_webhook("app-secret", BODY, "not base64 !!")
    assert not verify_webhook("app-secret", BODY, "")
    assert not verify_webhook("", BODY, signature)


def test_topics_parse_into_models_and_others_are_ignored() -> None:
    product = parse_webhook("products/update", BODY)
    assert isinstance(product, ProductUpdated)
    assert product.gid == "gid://shopify/Product/788032119674292922"
    level = parse_webhook("inventory_levels/update", b'{"inventory_item_id":1,"location_id":2,"available":5}')
    assert isinstance(level, InventoryLevelUpdated)
    assert (level.inventory_item_gid, level.location_gid, level.available) == (
        "gid://shopify/InventoryItem/1",
        "gid://shopify/Location/2",
        5,
    )
    order = parse_webhook("orders/cancelled", b'{"id":9,"tags":"tiktok-1, vip","cancelled_at":"2025-01-01T00:00:00Z"}')
    assert isinstance(order, OrderEvent)
    assert order.tag_list == ("tiktok-1", "vip")
    assert parse_webhook("customers/create", b"{}") is None
    with pytest.raises(RecordError):
        parse_webhook("fulfillments/create", b'{"id": "not a number"}')
    with pytest.raises(RecordError):
        parse_webhook("orders/create", b"[1, 2]")


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """An HTTP endpoint on 127.0.0.1 that records what it is sent."""
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/webhooks/shopify", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


SUBSCRIBE = """
mutation($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""


def test_emulator_delivers_signed_webhooks_that_verify_and_parse(
    fake: FakeShopify, connector: ShopifyConnector, receiver: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    url, received = receiver
    for topic in ("PRODUCTS_UPDATE", "INVENTORY_LEVELS_UPDATE", "ORDERS_CREATE", "FULFILLMENTS_CREATE"):
        created = gql(fake, SUBSCRIBE, {"topic": topic, "uri": url})["data"]["webhookSubscriptionCreate"]
        assert created["userErrors"] == []
        assert created["webhookSubscription"]["uri"] == url
    duplicate = gql(fake, SUBSCRIBE, {"topic": "ORDERS_CREATE", "uri": url})["data"]["webhookSubscriptionCreate"]
    assert duplicate["userErrors"][0]["message"] == "Address for this topic has already been taken"

    location = fake.add_location("Main")
    product = fake.add_products(1, locations=[location])[0]
    sku = fake.variant_skus(product)[0]
    fake.touch_product(product, title="Renamed")
    connector.write_stock([StockUpdate(sku=sku, location_id=location, quantity=2)])
    order = connector.create_order(tiktok_order("9001", [(sku, 1, "5.00")]), "key-9001")
    assert order.external_id is not None
    fake.fulfill_order(order.external_id, number="TRACK1", company="DHL")
    assert fake.wait_for_webhooks(timeout=10)

    topics = [headers["X-Shopify-Topic"] for headers, _ in received]
    assert topics == [
        "products/update",
        "inventory_levels/update",  # our write
        "inventory_levels/update",  # the order's decrement
        "orders/create",
        "fulfillments/create",
    ]
    events = []
    for headers, body in received:
        assert verify_webhook(APP_SECRET, body, headers["X-Shopify-Hmac-Sha256"])
        assert not verify_webhook("wrong-secret", body, headers["X-Shopify-Hmac-Sha256"])
        meta = WebhookMeta.from_headers(headers)
        assert meta.shop_domain == fake.shop_domain
        assert meta.api_version
        assert meta.webhook_id
        events.append(parse_webhook(meta.topic, body))
    assert isinstance(events[0], ProductUpdated)
    assert events[0].gid == product
    assert isinstance(events[1], InventoryLevelUpdated)
    assert events[1].available == 2
    assert isinstance(events[3], OrderEvent)
    assert events[3].gid == order.external_id
    assert events[3].source_identifier == "9001"
    assert isinstance(events[4], FulfillmentCreated)
    assert (events[4].order_gid, events[4].tracking_number, events[4].tracking_company) == (
        order.external_id,
        "TRACK1",
        "DHL",
    )
    assert len({headers["X-Shopify-Webhook-Id"] for headers, _ in received}) == len(received)
