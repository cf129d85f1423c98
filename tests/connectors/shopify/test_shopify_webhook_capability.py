"""The connector's webhook capabilities against the emulator: `webhookSubscriptionCreate` through
`register_webhooks`, signed deliveries to a receiver on 127.0.0.1, each verified and read into a notice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from shopify_support import APP_SECRET, gql, make_config, tiktok_order

from connectors.shopify.connector import ShopifyConnector
from connectors.shopify.fake import FakeShopify
from connectors.shopify.subscriptions import SUBSCRIBED_TOPICS
from connectors.shopify.webhooks import webhook_hmac
from syncd.connector import WebhookRegistrar, WebhookSource, WriteStatus
from syncd.domain import WebhookKind, WebhookNotice
from syncd.http import ManualClock
from syncd.testing import FakeServer, Request, Response, route

PRODUCT_BODY = b'{"id":788032119674292922,"title":"Example T-Shirt","updated_at":"2025-01-01T10:00:00-05:00"}'


class Receiver(FakeServer):
    """A merchant's webhook endpoint: keeps every POST to `/hooks/shopify` and answers 200."""

    def __init__(self) -> None:
        super().__init__(rate_limit=None)
        self.received: list[Request] = []
        self.arrived = threading.Condition()

    @route("POST", "/hooks/shopify", auth=False)
    def deliver(self, request: Request) -> Response:
        with self.arrived:
            self.received.append(request)
            self.arrived.notify_all()
        return Response.text("ok")

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Request]:
        """The deliveries once at least `count` have arrived; fails the test after `timeout` real seconds."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout), self.received
            return list(self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def headers(fake: FakeShopify, topic: str, body: bytes, secret: str = APP_SECRET, **extra: str) -> dict[str, str]:
    """Delivery headers as Shopify sends them, lower-cased as the receiver hands them over."""
    return {
        "x-shopify-topic": topic,
        "x-shopify-hmac-sha256": webhook_hmac(secret, body),
        "x-shopify-event-id": "7a1e0c3e-0d5b-4b8e-9b0a-3f4c5d6e7f80",
        "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "x-shopify-shop-domain": fake.shop_domain,
        "x-shopify-triggered-at": "2025-01-01T15:00:00.123Z",
        **extra,
    }


def test_registering_subscribes_every_topic_once(
    connector: ShopifyConnector, fake: FakeShopify, receiver: Receiver
) -> None:
    address = receiver.url("/hooks/shopify")
    first = connector.register_webhooks(address)
    second = connector.register_webhooks(address)

    assert isinstance(connector, WebhookRegistrar)
    assert [(r.key, r.status) for r in first] == [(topic, WriteStatus.CREATED) for topic in SUBSCRIBED_TOPICS]
    assert all((r.external_id or "").startswith("gid://shopify/WebhookSubscription/") for r in first)
    assert [(r.key, r.status) for r in second] == [(topic, WriteStatus.UNCHANGED) for topic in SUBSCRIBED_TOPICS]
    assert [r.external_id for r in second] == [r.external_id for r in first]
    assert connector.list_webhooks() == dict.fromkeys(SUBSCRIBED_TOPICS, address)


def test_an_address_shopify_refuses_is_a_failed_result_per_topic(connector: ShopifyConnector) -> None:
    results = connector.register_webhooks("not a url")

    assert [r.status for r in results] == [WriteStatus.FAILED] * len(SUBSCRIBED_TOPICS)
    assert {r.error for r in results} == {"Address is invalid"}
    assert connector.list_webhooks() == {}


def test_changes_after_registering_are_delivered_verified_and_read(
    connector: ShopifyConnector, fake: FakeShopify, receiver: Receiver
) -> None:
    connector.register_webhooks(receiver.url("/hooks/shopify"))
    location = fake.add_location("Main")
    product = fake.add_products(1, locations=[location])[0]
    sku = fake.variant_skus(product)[0]
    with fake.lock:
        variant = fake.data.variant_by_sku(sku)
        assert variant is not None
        item = f"gid://shopify/InventoryItem/{variant.inventory_item_id}"

    fake.set_available(sku, location, 7)  # the merchant counts stock
    fake.touch_product(product, title="Renamed")
    shipped = connector.create_order(tiktok_order("9001", [(sku, 1, "5.00")]), "key-9001").external_id
    assert shipped is not None
    fake.fulfill_order(shipped, number="TRACK1", company="DHL")
    cancelled = connector.create_order(tiktok_order("9002", [(sku, 1, "5.00")]), "key-9002").external_id
    assert cancelled is not None
    connector.cancel_order(cancelled, restock=True)
    deliveries = receiver.wait_for(8)

    assert all(connector.verify_webhook(d.body, d.headers) for d in deliveries)
    notices = [connector.parse_webhook(d.body, d.headers) for d in deliveries]
    assert [(n.topic, n.kind, n.entity_ids) for n in notices] == [
        ("inventory_levels/update", WebhookKind.INVENTORY, (item,)),
        ("products/update", WebhookKind.PRODUCT, (product,)),
        ("inventory_levels/update", WebhookKind.INVENTORY, (item,)),  # order 9001 takes one
        ("fulfillments/create", WebhookKind.FULFILMENT, (shipped,)),
        ("inventory_levels/update", WebhookKind.INVENTORY, (item,)),  # order 9002 takes one
        ("inventory_levels/update", WebhookKind.INVENTORY, (item,)),  # and gives it back when cancelled
        ("orders/cancelled", WebhookKind.ORDER, (cancelled,)),
        ("orders/updated", WebhookKind.ORDER, (cancelled,)),
    ]
    assert notices[0].detail == f"location={location} available=7"
    assert [n.event_id for n in notices] == [d.headers["x-shopify-event-id"] for d in deliveries]
    assert all(n.occurred_at is not None for n in notices)


def test_a_tampered_body_or_another_secret_is_refused(fake: FakeShopify, clock: ManualClock) -> None:
    signed = headers(fake, "products/update", PRODUCT_BODY)
    only_client_secret = make_config(fake, webhook_secret=None, client_secret=SecretStr(APP_SECRET))
    no_secret = make_config(fake, webhook_secret=None)

    with ShopifyConnector(make_config(fake), clock=clock) as connector:
        assert isinstance(connector, WebhookSource)
        assert connector.verify_webhook(PRODUCT_BODY, signed)
        assert not connector.verify_webhook(PRODUCT_BODY.replace(b"Example", b"Exampl3"), signed)
        assert not connector.verify_webhook(PRODUCT_BODY, headers(fake, "products/update", PRODUCT_BODY, "other"))
        assert not connector.verify_webhook(PRODUCT_BODY, {k: v for k, v in signed.items() if "hmac" not in k})
    with ShopifyConnector(only_client_secret, clock=clock) as connector:
        assert connector.verify_webhook(PRODUCT_BODY, signed)  # the app's secret signs webhooks too
    with ShopifyConnector(no_secret, clock=clock) as connector:
        assert not connector.verify_webhook(PRODUCT_BODY, signed)


def notice(connector: ShopifyConnector, fake: FakeShopify, topic: str, body: bytes, **extra: str) -> WebhookNotice:
    return connector.parse_webhook(body, headers(fake, topic, body, **extra))


def test_topics_map_to_the_kinds_the_engine_acts_on(connector: ShopifyConnector, fake: FakeShopify) -> None:
    deleted = notice(connector, fake, "products/delete", b'{"id":788032119674292922}')
    connected = notice(connector, fake, "inventory_levels/connect", b'{"inventory_item_id":5,"location_id":6}')
    uninstalled = notice(connector, fake, "app/uninstalled", json.dumps({"domain": fake.shop_domain}).encode())
    unknown = notice(connector, fake, "customers/create", b'{"id":1}')

    assert (deleted.kind, deleted.entity_ids, deleted.detail) == (
        WebhookKind.PRODUCT,
        ("gid://shopify/Product/788032119674292922",),
        "deleted",
    )
    assert (connected.kind, connected.entity_ids) == (WebhookKind.INVENTORY, ("gid://shopify/InventoryItem/5",))
    assert (uninstalled.kind, uninstalled.entity_ids, uninstalled.detail) == (
        WebhookKind.DEAUTHORIZED,
        (),
        fake.shop_domain,
    )
    assert (unknown.kind, unknown.topic) == (WebhookKind.OTHER, "customers/create")
    assert deleted.event_id == "7a1e0c3e-0d5b-4b8e-9b0a-3f4c5d6e7f80"
    assert deleted.occurred_at == datetime(2025, 1, 1, 15, 0, 0, 123000, tzinfo=UTC)  # X-Shopify-Triggered-At


def test_the_webhook_id_stands_in_for_a_missing_event_id(connector: ShopifyConnector, fake: FakeShopify) -> None:
    body_headers = headers(fake, "products/update", PRODUCT_BODY)
    del body_headers["x-shopify-event-id"]

    assert connector.parse_webhook(PRODUCT_BODY, body_headers).event_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"


def test_a_delivery_from_another_shop_names_it_and_asks_for_nothing(
    connector: ShopifyConnector, fake: FakeShopify
) -> None:
    read = notice(connector, fake, "products/update", PRODUCT_BODY, **{"x-shopify-shop-domain": "else.myshopify.com"})

    assert (read.kind, read.entity_ids, read.detail) == (WebhookKind.OTHER, (), "another shop: else.myshopify.com")


def test_malformed_deliveries_raise_value_errors_naming_the_problem(
    connector: ShopifyConnector, fake: FakeShopify
) -> None:
    cases = [
        ("products/update", b"not json", {}, "not JSON"),
        ("orders/updated", b"[1, 2]", {}, "not a JSON object"),
        ("customers/create", b'"text"', {}, "not a JSON object"),
        ("fulfillments/create", b'{"id": "x"}', {}, "invalid or missing id, order_id"),
        ("", PRODUCT_BODY, {}, "X-Shopify-Topic header is missing"),
        ("products/update", PRODUCT_BODY, {"x-shopify-event-id": "", "x-shopify-webhook-id": ""}, "Webhook-Id"),
    ]
    for topic, body, extra, problem in cases:
        with pytest.raises(ValueError, match=problem):
            connector.parse_webhook(body, headers(fake, topic, body, **extra))


def test_registering_adds_to_a_topic_delivered_elsewhere(
    connector: ShopifyConnector, fake: FakeShopify, receiver: Receiver
) -> None:
    subscribe = """
    mutation($uri: String!) {
      webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: {uri: $uri}) { userErrors { message } }
    }
    """
    assert gql(fake, subscribe, {"uri": "https://old.example.com/hooks"})["data"]

    results = {r.key: r.status for r in connector.register_webhooks(receiver.url("/hooks/shopify"))}

    assert results["PRODUCTS_UPDATE"] is WriteStatus.CREATED
    assert connector.list_webhooks()["PRODUCTS_UPDATE"] == receiver.url("/hooks/shopify")  # the newest
