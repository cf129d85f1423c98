"""The connector's webhook capabilities against the emulator: subscriptions through the events API, signed
deliveries to a receiver on 127.0.0.1, and each delivery verified and read into a notice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from tts_connector_support import make_connector
from tts_harness import WebhookReceiver

from connectors.tiktok_shop.connector import TikTokShopConnector
from connectors.tiktok_shop.fake import FakeTikTokShop, webhook_signature
from connectors.tiktok_shop.sync.webhooks import SUBSCRIBED_EVENTS
from syncd.connector import WebhookRegistrar, WebhookSource, WriteStatus
from syncd.domain import WebhookKind, WebhookNotice
from syncd.http import ManualClock

OTHER_ADDRESS = "https://old-deployment.example.com/webhooks/tiktok"


@pytest.fixture
def connector(fake: FakeTikTokShop, clock: ManualClock) -> Iterator[TikTokShopConnector]:
    """A connector configured with the shop's cipher only (so the shop's id has to be learned)."""
    with make_connector(fake, clock) as made:
        yield made


def envelope(fake: FakeTikTokShop, event_type: int | None, data: dict[str, Any], **extra: Any) -> bytes:
    """A delivery body as TikTok sends it (ref §7), for the emulator's shop unless `extra` says otherwise."""
    document = {"type": event_type, "shop_id": fake.shop["id"], "timestamp": 1735689600, "data": data, **extra}
    return json.dumps({k: v for k, v in document.items() if v is not None}, separators=(",", ":")).encode()


def read(connector: TikTokShopConnector, body: bytes) -> WebhookNotice:
    return connector.parse_webhook(body, {"authorization": "unused by parse"})


def test_registering_subscribes_every_event_once(
    connector: TikTokShopConnector, fake: FakeTikTokShop, receiver: WebhookReceiver
) -> None:
    address = receiver.url("/hooks/tiktok")
    fake.subscribe("ORDER_STATUS_CHANGE", OTHER_ADDRESS)  # left by an earlier deployment

    first = connector.register_webhooks(address)
    second = connector.register_webhooks(address)

    assert isinstance(connector, WebhookRegistrar)
    assert [r.key for r in first] == list(SUBSCRIBED_EVENTS)
    assert {r.key: r.status for r in first} == {
        event: WriteStatus.UPDATED if event == "ORDER_STATUS_CHANGE" else WriteStatus.CREATED
        for event in SUBSCRIBED_EVENTS
    }
    assert {r.status for r in second} == {WriteStatus.UNCHANGED}
    assert fake.calls.count("update_shop_webhook") == len(SUBSCRIBED_EVENTS)  # none for the second round
    assert connector.list_webhooks() == dict.fromkeys(SUBSCRIBED_EVENTS, address)


def test_an_address_the_events_api_refuses_fails_every_event_without_a_call(
    connector: TikTokShopConnector, fake: FakeTikTokShop
) -> None:
    results = connector.register_webhooks("ftp://example.com/hooks")

    assert [r.status for r in results] == [WriteStatus.FAILED] * len(SUBSCRIBED_EVENTS)
    assert all("http(s) URL" in (r.error or "") for r in results)
    assert fake.calls.count("update_shop_webhook") == 0


def test_deliveries_after_registering_verify_and_read_as_notices(
    connector: TikTokShopConnector, fake: FakeTikTokShop, receiver: WebhookReceiver, clock: ManualClock
) -> None:
    connector.register_webhooks(receiver.url("/hooks/tiktok"))
    product = fake.add_product(skus=[{"seller_sku": "MUG-1", "quantity": 5}])

    order = fake.place_order([("MUG-1", 1)])  # a buyer's new order is notified
    clock.advance(60)
    cancel = fake.request_cancellation(order.id)
    fake.set_product_status(product, "SELLER_DEACTIVATED")
    assert fake.wait_for_webhooks()

    deliveries = receiver.received
    assert all(connector.verify_webhook(d.body, {"authorization": d.authorization or ""}) for d in deliveries)
    notices = [read(connector, d.body) for d in deliveries]
    assert [(n.topic, n.kind, n.entity_ids) for n in notices] == [
        ("ORDER_STATUS_CHANGE", WebhookKind.ORDER, (order.id,)),
        ("CANCELLATION_STATUS_CHANGE", WebhookKind.RETURN, (order.id,)),
        ("PRODUCT_STATUS_CHANGE", WebhookKind.PRODUCT, (product.id,)),  # exact, though a JSON number
    ]
    assert notices[0].detail == "order_status=AWAITING_SHIPMENT"
    assert notices[1].detail == f"cancel_id={cancel.id} cancel_status={cancel.status}"
    assert notices[0].occurred_at is not None
    assert notices[0].occurred_at.timestamp() == pytest.approx(clock.now().timestamp() - 60, abs=1)
    assert len({n.event_id for n in notices}) == 3
    assert [n.event_id for n in notices] == [d.json()["tts_notification_id"] for d in deliveries]
    # The shop's id was learned once (the config names only the cipher), not once per delivery.
    assert fake.calls.count("get_authorized_shops") == 1


def test_a_tampered_body_a_wrong_secret_or_no_signature_is_refused(
    connector: TikTokShopConnector, fake: FakeTikTokShop, clock: ManualClock
) -> None:
    body = envelope(fake, 1, {"order_id": "576461413038785752", "order_status": "UNPAID"})
    signature = webhook_signature(fake.app_key, fake.app_secret, body)

    assert isinstance(connector, WebhookSource)
    assert connector.verify_webhook(body, {"authorization": signature})
    assert not connector.verify_webhook(body.replace(b"UNPAID", b"PAID00"), {"authorization": signature})
    assert not connector.verify_webhook(body, {"authorization": signature[:-1] + "0"})
    assert not connector.verify_webhook(body, {})
    with make_connector(fake, clock, valid=False) as wrong_secret:
        assert not wrong_secret.verify_webhook(body, {"authorization": signature})


def test_events_become_the_kind_of_notice_the_engine_acts_on(
    connector: TikTokShopConnector, fake: FakeTikTokShop
) -> None:
    connector.check()  # learns the shop's id from the shops it lists anyway
    expires = 1738368000
    cases = [
        (envelope(fake, 3, {"order_id": "576461413038785752"}), WebhookKind.ORDER, ("576461413038785752",), None),
        (
            envelope(
                fake,
                4,
                {
                    "sc_type": "SPLIT",
                    "package_list": [
                        {"package_id": "1152", "order_id_list": ["5764", "5765"]},
                        {"package_id": "1153", "order_id_list": ["5764"]},
                    ],
                },
            ),
            WebhookKind.ORDER,
            ("5764", "5765"),
            "sc_type=SPLIT packages=1152,1153",
        ),
        (
            envelope(fake, 12, {"order_id": "5764", "return_id": "4035", "return_status": "RETURN_OR_REFUND_REQUEST"}),
            WebhookKind.RETURN,
            ("5764",),
            "return_id=4035 return_status=RETURN_OR_REFUND_REQUEST",
        ),
        (envelope(fake, 16, {"product_id": 1729582718312380123}), WebhookKind.PRODUCT, ("1729582718312380123",), ""),
        (envelope(fake, 37, {"product_id": 1729582718312380124}), WebhookKind.PRODUCT, ("1729582718312380124",), ""),
        (envelope(fake, 6, {"message": "deauthorized"}), WebhookKind.DEAUTHORIZED, (fake.shop["id"],), None),
        (
            envelope(fake, 7, {"message": "expiring", "expiration_time": expires}),
            WebhookKind.AUTH_EXPIRING,
            (fake.shop["id"],),
            datetime.fromtimestamp(expires, UTC).isoformat(),
        ),
        (envelope(fake, 14, {"conversation_id": "1"}), WebhookKind.OTHER, (), ""),
    ]
    for body, kind, ids, detail in cases:
        notice = read(connector, body)
        assert (notice.kind, notice.entity_ids) == (kind, ids), body
        if detail is not None:
            assert notice.detail == detail
    assert fake.calls.count("get_authorized_shops") == 1  # check()'s own call; parsing made none


def test_an_older_delivery_without_a_notification_id_gets_a_stable_one(
    connector: TikTokShopConnector, fake: FakeTikTokShop
) -> None:
    body = envelope(fake, 1, {"order_id": "5764", "order_status": "CANCEL"})

    notice = read(connector, body)

    assert notice.event_id == hashlib.sha256(body).hexdigest()
    assert read(connector, body).event_id == notice.event_id
    assert notice.detail == "order_status=CANCELLED"  # the webhook's CANCEL in the order API's words


def test_a_delivery_for_another_shop_of_the_app_names_it_and_asks_for_nothing(
    connector: TikTokShopConnector, fake: FakeTikTokShop
) -> None:
    body = envelope(fake, 6, {"message": "deauthorized"}, shop_id="7494049642642449999")

    notice = read(connector, body)

    assert (notice.kind, notice.entity_ids, notice.detail) == (
        WebhookKind.OTHER,
        (),
        "another shop: 7494049642642449999",
    )
    assert notice.topic == "SELLER_DEAUTHORIZATION"


def test_malformed_deliveries_raise_value_errors_naming_the_problem(
    connector: TikTokShopConnector, fake: FakeTikTokShop
) -> None:
    cases = [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (envelope(fake, 1, {"order_status": "UNPAID"}), "invalid at: data.order_id"),
        (envelope(fake, 5, {"product_id": " "}), "empty data.product_id"),
        (envelope(fake, None, {"order_id": "1"}), "invalid at: type"),
        (envelope(fake, 1, {"order_id": "1", "order_status": "UNPAID"}, timestamp="soon"), "invalid at: timestamp"),
        (envelope(fake, 13, {}, timestamp=99999999999999999), "timestamp 99999999999999999 is not a time"),
    ]
    for body, problem in cases:
        with pytest.raises(ValueError, match=problem):
            read(connector, body)
    assert fake.calls.count("get_authorized_shops") == 1  # once, for the first envelope that parsed
