"""Webhooks from the emulator: subscriptions through the events API, signed §7 envelopes on state changes."""

from __future__ import annotations

import hashlib
import hmac
import json

from tts_harness import SignedApi, WebhookReceiver

from connectors.tiktok_shop.fake import FakeTikTokShop
from syncd.http import ManualClock

EVENTS = "/event/202309/webhooks"


def subscribe(api: SignedApi, receiver: WebhookReceiver, *event_types: str) -> None:
    for event_type in event_types:
        api.ok("PUT", EVENTS, body={"address": receiver.url("/hooks/tiktok"), "event_type": event_type})


def test_an_order_status_change_is_delivered_signed(
    api: SignedApi, fake: FakeTikTokShop, receiver: WebhookReceiver, clock: ManualClock
) -> None:
    subscribe(api, receiver, "ORDER_STATUS_CHANGE")
    order = fake.add_order([(fake.add_product().skus[0], 1)])
    clock.advance(90)

    fake.set_order_status(order.id, "CANCELLED")

    assert fake.wait_for_webhooks()
    [delivery] = receiver.received
    # Reference §7: Authorization = hex HMAC-SHA256(app_secret, app_key + raw body), no Bearer prefix.
    expected = hmac.new(fake.app_secret.encode(), fake.app_key.encode() + delivery.body, hashlib.sha256).hexdigest()
    assert delivery.authorization == expected
    payload = delivery.json()
    assert set(payload) == {"type", "tts_notification_id", "shop_id", "timestamp", "data"}
    assert (payload["type"], payload["shop_id"]) == (1, fake.shop["id"])
    assert payload["timestamp"] == int(clock.now().timestamp())
    assert payload["data"] == {
        "order_id": order.id,
        "order_status": "CANCEL",  # the webhook's spelling of CANCELLED
        "is_on_hold_order": False,
        "update_time": int(clock.now().timestamp()),
    }


def test_shipping_through_the_api_notifies_in_transit(
    api: SignedApi, fake: FakeTikTokShop, receiver: WebhookReceiver
) -> None:
    subscribe(api, receiver, "ORDER_STATUS_CHANGE")
    order = fake.add_order([(fake.add_product().skus[0], 1)])

    api.ok(
        "POST",
        f"/fulfillment/202309/orders/{order.id}/packages",
        body={"tracking_number": "1Z", "shipping_provider_id": "6617675021119438850"},
    )

    assert fake.wait_for_webhooks()
    assert [d.json()["data"]["order_status"] for d in receiver.received] == ["IN_TRANSIT"]


def test_product_status_changes_carry_a_numeric_product_id(
    api: SignedApi, fake: FakeTikTokShop, receiver: WebhookReceiver
) -> None:
    subscribe(api, receiver, "PRODUCT_STATUS_CHANGE")
    product = fake.add_product()

    api.ok("POST", "/product/202309/products/deactivate", body={"product_ids": [product.id]})

    assert fake.wait_for_webhooks()
    [delivery] = receiver.received
    assert f'"product_id":{product.id},'.encode() in delivery.body  # a JSON number, beyond float precision
    assert delivery.json()["type"] == 5


def test_cancellation_and_return_events(api: SignedApi, fake: FakeTikTokShop, receiver: WebhookReceiver) -> None:
    subscribe(api, receiver, "CANCELLATION_STATUS_CHANGE", "RETURN_STATUS_CHANGE")
    sku = fake.add_product().skus[0]
    cancel = fake.request_cancellation(fake.add_order([(sku, 1)]).id)
    record = fake.add_return(fake.add_order([(sku, 1)], status="DELIVERED").id)

    assert fake.wait_for_webhooks()
    by_type = {d.json()["type"]: d.json()["data"] for d in receiver.received}
    assert by_type[11]["cancel_id"] == cancel.id
    assert by_type[11]["cancel_status"] == "CANCELLATION_REQUEST_PENDING"
    assert by_type[12]["return_id"] == record.id
    assert by_type[12]["return_status"] == "RETURN_OR_REFUND_REQUEST_PENDING"


def test_subscriptions_are_listed_replaced_and_deleted(
    api: SignedApi, fake: FakeTikTokShop, receiver: WebhookReceiver
) -> None:
    subscribe(api, receiver, "ORDER_STATUS_CHANGE", "PACKAGE_UPDATE")
    api.ok("PUT", EVENTS, body={"address": "https://example.com/tts", "event_type": "PACKAGE_UPDATE"})

    listed = api.ok("GET", EVENTS)
    assert listed["total_count"] == 2
    assert {w["event_type"]: w["address"] for w in listed["webhooks"]}["PACKAGE_UPDATE"] == "https://example.com/tts"

    api.ok("DELETE", EVENTS, body={"event_type": "ORDER_STATUS_CHANGE"})
    fake.set_order_status(fake.add_order([(fake.add_product().skus[0], 1)]).id, "CANCELLED")
    assert fake.wait_for_webhooks()
    assert receiver.received == []
    assert fake.webhooks.deliveries == []


def test_bad_subscriptions_are_refused(api: SignedApi) -> None:
    assert (
        api.error("PUT", EVENTS, body={"address": "ftp://x", "event_type": "ORDER_STATUS_CHANGE"})[1]["code"]
        == 36009004
    )
    assert api.error("PUT", EVENTS, body={"address": "https://x", "event_type": "ORDER_SHIPPED"})[1]["code"] == 36009004
    assert api.error("DELETE", EVENTS, body={"event_type": "PACKAGE_UPDATE"})[1]["code"] == 36009004


def test_an_unreachable_receiver_is_recorded(api: SignedApi, fake: FakeTikTokShop) -> None:
    with WebhookReceiver() as gone:
        address = gone.url("/hooks/tiktok")
    fake.subscribe("ORDER_STATUS_CHANGE", address)

    fake.set_order_status(fake.add_order([(fake.add_product().skus[0], 1)]).id, "CANCELLED")

    assert fake.wait_for_webhooks()
    [delivery] = fake.webhooks.deliveries
    assert (delivery.status, delivery.error) == (None, "ConnectError")
    assert json.loads(delivery.body)["data"]["order_status"] == "CANCEL"
