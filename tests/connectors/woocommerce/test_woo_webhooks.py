"""Webhook signatures, the creation ping, parsing, and the emulator delivering signed webhooks over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from woo_helpers import Receiver, fixture, tiktok_order

from connectors.woocommerce import WooCommerceConnector, is_ping, parse_webhook, sign_webhook, verify_webhook
from connectors.woocommerce.fake import FakeWooCommerce
from connectors.woocommerce.webhooks import WebhookError, ping_webhook_id

SECRET = "whsec-9c1d52f0aa"


def test_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    body = json.dumps(fixture("woo_v3_order.json")).encode()  # woo_v3_order.json as a delivery body
    signature = sign_webhook(SECRET, body)
    assert verify_webhook(SECRET, body, signature)
    assert verify_webhook(SECRET, body, f"  {signature}\n")
    assert not verify_webhook("another-secret", body, signature)
    assert not verify_webhook(SECRET, body + b" ", signature)
    assert not verify_webhook(SECRET, body, "")
    assert not verify_webhook("", body, signature)
    assert not verify_webhook(SECRET, body, "not base64 é")


def test_the_unsigned_form_ping_is_recognised() -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "WooCommerce/9.4.0 Hookshot"}
    assert is_ping(b"webhook_id=17", headers)
    assert ping_webhook_id(b"webhook_id=17") == "17"
    assert not is_ping(b"webhook_id=17", {**headers, "X-WC-Webhook-Signature": "abc"})
    assert not is_ping(b'{"id": 17}', headers)


def test_deliveries_parse_into_typed_events() -> None:
    headers = {"x-wc-webhook-topic": "order.updated", "X-WC-Webhook-ID": "3", "X-WC-Webhook-Delivery-ID": "d1"}
    event = parse_webhook(json.dumps(fixture("woo_v3_order.json")).encode(), headers)
    assert (event.resource, event.event, event.resource_id, event.webhook_id) == ("order", "updated", "727", "3")
    assert event.order is not None
    assert event.order.status == "processing"
    assert event.product is None

    product = next(p for p in fixture("woo_v3_products_list.json") if p["type"] == "simple")
    updated = parse_webhook(json.dumps(product).encode(), {"X-WC-Webhook-Topic": "product.updated"})
    assert updated.product is not None
    assert updated.product.id == 794

    deleted = parse_webhook(b'{"id": 794}', {"X-WC-Webhook-Topic": "product.deleted"})
    assert deleted.deleted
    assert deleted.resource_id == "794"
    assert deleted.product is None
    with pytest.raises(WebhookError):
        parse_webhook(b"not json", {"X-WC-Webhook-Topic": "product.updated"})
    with pytest.raises(WebhookError):
        parse_webhook(b"{}", {})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def test_the_emulator_pings_then_delivers_signed_changes(
    store: FakeWooCommerce, connector: WooCommerceConnector, receiver: Receiver
) -> None:
    (product_id,) = store.add_products(1)
    hook_url = receiver.url("/hooks/woocommerce")
    for topic in ("product.updated", "order.created"):
        body = {"name": topic, "topic": topic, "delivery_url": hook_url, "secret": SECRET}
        connector.client.json("POST", "webhooks", body=body)
    store.set_stock(f"WOO-{product_id}", 4)
    created = connector.create_order(tiktok_order(lines=[(f"WOO-{product_id}", 1)]), "key-1")
    # Two pings, the merchant's stock edit, the order, and the order's own stock reduction.
    deliveries = store.hub.wait_for(5)
    assert len(deliveries) == 5
    assert all(d.ok for d in deliveries)

    with receiver.arrived:
        received = list(receiver.received)
    pings = [r for r in received if is_ping(r.body, r.headers)]
    assert sorted(r.body for r in pings) == [b"webhook_id=1", b"webhook_id=2"]
    signed = [r for r in received if not is_ping(r.body, r.headers)]
    assert all(verify_webhook(SECRET, r.body, r.header("X-WC-Webhook-Signature") or "") for r in signed)
    events = [parse_webhook(r.body, r.headers) for r in signed]
    assert sorted((e.topic, e.resource_id) for e in events) == sorted(
        [
            ("product.updated", product_id),
            ("product.updated", product_id),
            ("order.created", created.external_id),
        ]
    )
    order_event = next(e for e in events if e.order is not None)
    assert order_event.order is not None
    assert order_event.order.meta("_tiktok_order_id") == "576461413038785752"
    assert all(r.header("X-WC-Webhook-Source") == store.store_url + "/" for r in signed)
    # PHP's json_encode escapes slashes: verify over the raw bytes, never over re-encoded JSON.
    assert any(b"\\/" in r.body for r in signed)


def test_a_webhook_that_keeps_failing_is_disabled(store: FakeWooCommerce, connector: WooCommerceConnector) -> None:
    with Receiver(status=500) as failing:
        (product_id,) = store.add_products(1)
        body = {"topic": "product.updated", "delivery_url": failing.url("/hooks/woocommerce"), "secret": SECRET}
        hook = connector.client.json("POST", "webhooks", body=body)
        for quantity in range(6):
            store.set_stock(f"WOO-{product_id}", quantity)
        assert len(store.hub.wait_for(7)) == 7  # the ping and six failures
        assert connector.client.json("GET", f"webhooks/{hook['id']}")["status"] == "disabled"
