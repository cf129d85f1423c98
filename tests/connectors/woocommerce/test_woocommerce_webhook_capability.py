"""The connector's webhook capabilities against the emulator: `POST /webhooks` through `register_webhooks`, the
creation pings and signed deliveries to a receiver on 127.0.0.1, each verified and read into a notice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from woo_helpers import Receiver, make_config, tiktok_order

from connectors.woocommerce import WooCommerceConnector, sign_webhook
from connectors.woocommerce.fake import FakeWooCommerce
from connectors.woocommerce.subscriptions import SUBSCRIBED_TOPICS
from syncd.connector import WebhookRegistrar, WebhookSource, WriteStatus
from syncd.domain import WebhookKind
from syncd.http import ManualClock
from syncd.testing import Request

SECRET = "whsec-4f2a9be71c"
ORDER_BODY = b'{"id":727,"status":"processing","date_modified_gmt":"2025-01-02T03:04:05"}'


@pytest.fixture
def signed(store: FakeWooCommerce, clock: ManualClock) -> Iterator[WooCommerceConnector]:
    """A connector with a webhook secret."""
    with WooCommerceConnector(make_config(store, webhook_secret=SecretStr(SECRET)), clock=clock) as made:
        yield made


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def arrived(receiver: Receiver, count: int, timeout: float = 10.0) -> list[Request]:
    """The receiver's deliveries once at least `count` have arrived; fails after `timeout` real seconds."""
    with receiver.arrived:
        assert receiver.arrived.wait_for(lambda: len(receiver.received) >= count, timeout), receiver.received
        return list(receiver.received)


def headers(topic: str, body: bytes, secret: str = SECRET, **extra: str) -> dict[str, str]:
    """Delivery headers as WooCommerce sends them, lower-cased as the receiver hands them over."""
    return {
        "x-wc-webhook-topic": topic,
        "x-wc-webhook-signature": sign_webhook(secret, body),
        "x-wc-webhook-delivery-id": "5d1e3f0c9a8b7c6d5e4f3a2b1c0d9e8f",
        **extra,
    }


def test_registering_creates_each_webhook_once_and_answers_its_ping(
    signed: WooCommerceConnector, store: FakeWooCommerce, receiver: Receiver
) -> None:
    address = receiver.url("/hooks/woocommerce")
    first = signed.register_webhooks(address)
    second = signed.register_webhooks(address)
    pings = arrived(receiver, len(SUBSCRIBED_TOPICS))

    assert isinstance(signed, WebhookRegistrar)
    assert [(r.key, r.status) for r in first] == [(topic, WriteStatus.CREATED) for topic in SUBSCRIBED_TOPICS]
    assert [(r.key, r.status) for r in second] == [(topic, WriteStatus.UNCHANGED) for topic in SUBSCRIBED_TOPICS]
    assert [r.external_id for r in second] == [r.external_id for r in first]
    assert store.calls.count("create_webhook") == len(SUBSCRIBED_TOPICS)
    assert signed.list_webhooks() == dict.fromkeys(SUBSCRIBED_TOPICS, address)
    # The unsigned creation pings pass verification (they carry nothing to trust) and read as PING notices.
    assert all(signed.verify_webhook(p.body, p.headers) for p in pings)
    notices = [signed.parse_webhook(p.body, p.headers) for p in pings]
    assert {n.kind for n in notices} == {WebhookKind.PING}
    assert sorted(n.entity_ids for n in notices) == sorted((r.external_id,) for r in first)


def test_registering_without_a_webhook_secret_fails_clearly(
    connector: WooCommerceConnector, store: FakeWooCommerce, receiver: Receiver
) -> None:
    results = connector.register_webhooks(receiver.url("/hooks/woocommerce"))

    assert [r.status for r in results] == [WriteStatus.FAILED] * len(SUBSCRIBED_TOPICS)
    assert all("webhook_secret is not set" in (r.error or "") for r in results)
    assert store.calls.count("create_webhook") == 0


def test_a_disabled_webhook_is_reactivated_with_the_secret(
    signed: WooCommerceConnector, store: FakeWooCommerce, receiver: Receiver
) -> None:
    address = receiver.url("/hooks/woocommerce")
    body = {"topic": "product.updated", "delivery_url": address, "secret": "forgotten", "status": "disabled"}
    old = signed.client.json("POST", "webhooks", body=body)
    (product_id,) = store.add_products(1)

    results = {r.key: r for r in signed.register_webhooks(address)}
    store.set_stock(f"WOO-{product_id}", 3)
    deliveries = [r for r in arrived(receiver, len(SUBSCRIBED_TOPICS)) if r.header("x-wc-webhook-topic")]

    assert (results["product.updated"].status, results["product.updated"].external_id) == (
        WriteStatus.UPDATED,
        str(old["id"]),
    )
    assert signed.client.json("GET", f"webhooks/{old['id']}")["status"] == "active"
    [delivery] = deliveries  # signed with the configured secret now, not the forgotten one
    assert signed.verify_webhook(delivery.body, delivery.headers)


def test_changes_after_registering_are_delivered_verified_and_read(
    signed: WooCommerceConnector, store: FakeWooCommerce, receiver: Receiver
) -> None:
    signed.register_webhooks(receiver.url("/hooks/woocommerce"))
    (simple_id,) = store.add_products(1)
    (parent_id,) = store.add_products(1, variations_per_product=2)
    variation = store.product_by_sku(f"WOO-{parent_id}-2")
    assert variation is not None
    variation_id = str(variation["id"])

    store.set_stock(f"WOO-{simple_id}", 4)  # the merchant counts stock
    store.set_stock(f"WOO-{parent_id}-2", 9)
    created = signed.create_order(tiktok_order(lines=[(f"WOO-{simple_id}", 1)]), "key-1").external_id
    received = arrived(receiver, len(SUBSCRIBED_TOPICS) + 4)
    deliveries = [r for r in received if r.header("x-wc-webhook-topic")]

    assert all(signed.verify_webhook(d.body, d.headers) for d in deliveries)
    notices = [signed.parse_webhook(d.body, d.headers) for d in deliveries]
    assert sorted((n.topic, n.kind, n.entity_ids, n.detail.split()[0]) for n in notices) == sorted(
        [
            ("product.updated", WebhookKind.PRODUCT, (simple_id,), "updated"),
            ("product.updated", WebhookKind.PRODUCT, (variation_id, parent_id), "updated"),  # and its parent
            ("order.created", WebhookKind.ORDER, (created,), "created"),
            ("product.updated", WebhookKind.PRODUCT, (simple_id,), "updated"),  # the order took one
        ]
    )
    assert [n.event_id for n in notices] == [d.header("x-wc-webhook-delivery-id") for d in deliveries]
    assert all(n.occurred_at is not None for n in notices)


def test_a_tampered_body_another_secret_or_a_padded_ping_is_refused(
    signed: WooCommerceConnector, connector: WooCommerceConnector
) -> None:
    good = headers("order.updated", ORDER_BODY)

    assert isinstance(signed, WebhookSource)
    assert signed.verify_webhook(ORDER_BODY, good)
    assert not signed.verify_webhook(ORDER_BODY.replace(b"727", b"728"), good)
    assert not signed.verify_webhook(ORDER_BODY, headers("order.updated", ORDER_BODY, "another-secret"))
    assert not signed.verify_webhook(ORDER_BODY, {"x-wc-webhook-topic": "order.updated"})
    assert not connector.verify_webhook(ORDER_BODY, good)  # no webhook_secret configured
    assert signed.verify_webhook(b"webhook_id=17", {"content-type": "application/x-www-form-urlencoded"})
    for not_a_ping in (b"webhook_id=17\n", b"webhook_id=17&x=1", b" webhook_id=17", b"webhook_id="):
        assert not signed.verify_webhook(not_a_ping, {}), not_a_ping
    assert not signed.verify_webhook(b"webhook_id=17", {"x-wc-webhook-signature": "forged"})


def test_a_delivery_without_a_delivery_id_gets_a_stable_one(signed: WooCommerceConnector) -> None:
    read = signed.parse_webhook(ORDER_BODY, {"x-wc-webhook-topic": "order.updated"})

    assert read.event_id == hashlib.sha256(ORDER_BODY + b"order.updated").hexdigest()
    assert (read.kind, read.entity_ids, read.detail) == (WebhookKind.ORDER, ("727",), "updated status=processing")
    assert read.occurred_at is not None
    assert read.occurred_at.isoformat() == "2025-01-02T03:04:05+00:00"


def test_deletions_and_other_topics(signed: WooCommerceConnector) -> None:
    deleted = signed.parse_webhook(b'{"id":794}', headers("product.deleted", b'{"id":794}'))
    coupon = signed.parse_webhook(b'{"id":5}', headers("coupon.created", b'{"id":5}'))

    assert (deleted.kind, deleted.entity_ids, deleted.detail, deleted.occurred_at) == (
        WebhookKind.PRODUCT,
        ("794",),
        "deleted",
        None,
    )
    assert (coupon.kind, coupon.entity_ids) == (WebhookKind.OTHER, ())


def test_malformed_deliveries_raise_value_errors_naming_the_problem(signed: WooCommerceConnector) -> None:
    cases = [
        ("product.updated", b"not json", "not JSON"),
        ("order.updated", b"[1, 2]", "not a JSON object"),
        ("", ORDER_BODY, "X-WC-Webhook-Topic"),
        ("order.updated", json.dumps({"status": "processing"}).encode(), "does not parse: invalid or missing id"),
        ("product.deleted", b'{"id":"abc"}', "no usable id"),
        ("order.updated", b'{"id":727,"date_modified_gmt":"yesterday"}', "date_modified_gmt"),
    ]
    for topic, body, problem in cases:
        with pytest.raises(ValueError, match=problem):
            signed.parse_webhook(body, headers(topic, body))
    oversized = headers("order.deleted", b'{"id":727}', **{"x-wc-webhook-delivery-id": "d" * 300})
    with pytest.raises(ValueError, match="invalid event_id"):
        signed.parse_webhook(b'{"id":727}', oversized)
