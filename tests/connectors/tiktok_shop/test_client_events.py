"""Webhook subscriptions through the client, and the emulator's deliveries read by the client's verifier."""

from __future__ import annotations

from tts_harness import WebhookReceiver

from connectors.tiktok_shop import ShopClient, parse_webhook, verify_webhook
from connectors.tiktok_shop.fake import FakeTikTokShop
from connectors.tiktok_shop.webhooks import CancellationStatusChange, OrderStatusChange, ProductStatusChange


def test_subscriptions_are_set_listed_and_deleted(shop: ShopClient, receiver: WebhookReceiver) -> None:
    shop.events.update_webhook("ORDER_STATUS_CHANGE", receiver.url("/hooks/tiktok"))
    shop.events.update_webhook("PRODUCT_STATUS_CHANGE", receiver.url("/hooks/tiktok"))

    listed = shop.events.webhooks()
    shop.events.delete_webhook("PRODUCT_STATUS_CHANGE")

    assert listed.total_count == 2
    assert sorted(w.event_type for w in listed.webhooks) == ["ORDER_STATUS_CHANGE", "PRODUCT_STATUS_CHANGE"]
    assert [w.event_type for w in shop.events.webhooks().webhooks] == ["ORDER_STATUS_CHANGE"]


def test_deliveries_verify_and_parse_with_the_client(
    shop: ShopClient, fake: FakeTikTokShop, receiver: WebhookReceiver
) -> None:
    for event_type in ("ORDER_STATUS_CHANGE", "PRODUCT_STATUS_CHANGE", "CANCELLATION_STATUS_CHANGE"):
        shop.events.update_webhook(event_type, receiver.url("/hooks/tiktok"))
    product = fake.add_product()
    order = fake.add_order([(product.skus[0], 1)])

    shop.products.deactivate([product.id])
    fake.request_cancellation(order.id)
    fake.set_order_status(order.id, "CANCELLED")

    assert fake.wait_for_webhooks()
    assert all(verify_webhook(fake.app_key, fake.app_secret, r.body, r.authorization) for r in receiver.received)
    assert not verify_webhook(
        fake.app_key, "another-secret", receiver.received[0].body, receiver.received[0].authorization
    )
    events = [parse_webhook(r.body) for r in receiver.received]
    product_event, cancel_event, order_event = events
    assert isinstance(product_event, ProductStatusChange)
    assert product_event.data.product_id == product.id  # a JSON number on the wire, an exact string here
    assert isinstance(cancel_event, CancellationStatusChange)
    assert isinstance(order_event, OrderStatusChange)
    assert (order_event.data.order_id, order_event.data.normalized_status) == (order.id, "CANCELLED")
    assert {e.shop_id for e in events} == {fake.shop["id"]}
    assert len({e.tts_notification_id for e in events}) == 3
