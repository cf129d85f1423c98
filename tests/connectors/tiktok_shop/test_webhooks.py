"""TikTok Shop webhooks: signature verification against an independent HMAC, and typed parsing of each event."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.tiktok_shop.webhooks import (
    EVENT_TYPES,
    CancellationStatusChange,
    OrderStatusChange,
    PackageUpdate,
    ProductCategoryChange,
    ProductCreation,
    ProductInformationChange,
    ProductStatusChange,
    RecipientAddressUpdate,
    ReturnStatusChange,
    SellerDeauthorization,
    UnknownEvent,
    UpcomingAuthorizationExpiration,
    WebhookEvent,
    WebhookPayloadError,
    parse_webhook,
    verify_webhook,
)

APP_KEY = "6ab12cd34ef"
APP_SECRET = "0123456789abcdef0123456789abcdef01234567"
BODY = (
    b'{"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441800",'
    b'"timestamp":1644412885,"data":{"order_id":"576486316948490001","order_status":"UNPAID",'
    b'"is_on_hold_order":false,"update_time":1644412882}}'
)


def signature(app_key: str, secret: str, body: bytes) -> str:
    """The header TikTok sends, computed by hand: hex HMAC-SHA256(key=secret, msg=app_key + body)."""
    return hmac.new(secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


# --- verification ------------------------------------------------------------------------------------------


def test_valid_signature_verifies() -> None:
    assert verify_webhook(APP_KEY, APP_SECRET, BODY, signature(APP_KEY, APP_SECRET, BODY))


def test_secret_may_be_a_secretstr() -> None:
    assert verify_webhook(APP_KEY, SecretStr(APP_SECRET), BODY, signature(APP_KEY, APP_SECRET, BODY))


def test_surrounding_whitespace_and_uppercase_hex_are_tolerated() -> None:
    header = f"  {signature(APP_KEY, APP_SECRET, BODY).upper()}\r\n"
    assert verify_webhook(APP_KEY, APP_SECRET, BODY, header)


def test_wrong_secret_fails() -> None:
    assert not verify_webhook(APP_KEY, APP_SECRET, BODY, signature(APP_KEY, "another-secret", BODY))


def test_wrong_app_key_fails() -> None:
    assert not verify_webhook(APP_KEY, APP_SECRET, BODY, signature("other-app", APP_SECRET, BODY))


def test_body_without_app_key_prefix_fails() -> None:
    plain = hmac.new(APP_SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert not verify_webhook(APP_KEY, APP_SECRET, BODY, plain)


def test_tampered_body_fails() -> None:
    header = signature(APP_KEY, APP_SECRET, BODY)
    tampered = BODY.replace(b"UNPAID", b"CANCEL")
    assert not verify_webhook(APP_KEY, APP_SECRET, tampered, header)


def test_reformatted_body_fails() -> None:
    # Verification is over the raw bytes: the same JSON re-serialised is a different message.
    header = signature(APP_KEY, APP_SECRET, BODY)
    reformatted = json.dumps(json.loads(BODY), indent=2).encode()
    assert not verify_webhook(APP_KEY, APP_SECRET, reformatted, header)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "   ",
        "not-a-signature",
        "Bearer " + "0" * 64,
        "é" * 64,
        "\x00" * 64,
        "0" * 63,
        "0" * 10_000,
        None,
        12345,
        b"bytes-header",
    ],
)
def test_garbage_or_missing_header_fails_without_raising(header: Any) -> None:
    assert verify_webhook(APP_KEY, APP_SECRET, BODY, header) is False


def test_bearer_prefixed_valid_signature_fails() -> None:
    # TikTok sends the bare hex digest; a prefixed value is not what it signs.
    assert not verify_webhook(APP_KEY, APP_SECRET, BODY, "Bearer " + signature(APP_KEY, APP_SECRET, BODY))


def test_non_bytes_body_fails_without_raising() -> None:
    header = signature(APP_KEY, APP_SECRET, BODY)
    assert verify_webhook(APP_KEY, APP_SECRET, BODY.decode(), header) is False  # type: ignore[arg-type]


def test_empty_body_verifies_only_with_its_own_signature() -> None:
    assert verify_webhook(APP_KEY, APP_SECRET, b"", signature(APP_KEY, APP_SECRET, b""))
    assert not verify_webhook(APP_KEY, APP_SECRET, b"", signature(APP_KEY, APP_SECRET, BODY))


# --- parsing -----------------------------------------------------------------------------------------------


def envelope(event_type: int, data: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "type": event_type,
            "tts_notification_id": "7327112393057371910",
            "shop_id": "7494049642642441800",
            "timestamp": 1644412885,
            "data": data,
        }
    ).encode()


def test_order_status_change() -> None:
    event = parse_webhook(BODY)
    assert isinstance(event, OrderStatusChange)
    assert event.type == 1
    assert event.event_type == "ORDER_STATUS_CHANGE"
    assert event.tts_notification_id == "7327112393057371910"
    assert event.shop_id == "7494049642642441800"
    assert event.timestamp == 1644412885
    assert event.data.order_id == "576486316948490001"
    assert event.data.order_status == "UNPAID"
    assert event.data.is_on_hold_order is False
    assert event.data.update_time == 1644412882


def test_order_status_cancel_is_accepted_and_normalized() -> None:
    event = parse_webhook(envelope(1, {"order_id": "5764", "order_status": "CANCEL", "update_time": 1}))
    assert isinstance(event, OrderStatusChange)
    assert event.data.order_status == "CANCEL"
    assert event.data.normalized_status == "CANCELLED"


def test_product_id_sent_as_a_big_json_number_stays_exact() -> None:
    # Larger than 2**64: a float round-trip would lose the last digits.
    raw = (
        b'{"type":5,"shop_id":7494049642642441800,"timestamp":1644412885,'
        b'"data":{"product_id":1729382256910270464123,"status":"PRODUCT_AUDIT_FAILURE",'
        b'"suspended_reason":"image","update_time":1644412882}}'
    )
    event = parse_webhook(raw)
    assert isinstance(event, ProductStatusChange)
    assert event.data.product_id == "1729382256910270464123"
    assert event.shop_id == "7494049642642441800"
    assert event.tts_notification_id is None  # older deliveries lack it
    assert event.data.status == "PRODUCT_AUDIT_FAILURE"


def test_product_id_at_the_edge_of_float_precision_stays_exact() -> None:
    raw = envelope(5, {}).replace(b'"data": {}', b'"data": {"product_id": 1729382256910270465}')
    event = parse_webhook(raw)
    assert isinstance(event, ProductStatusChange)
    assert event.data.product_id == "1729382256910270465"


@pytest.mark.parametrize(
    ("event_type", "data", "cls", "check"),
    [
        (3, {"order_id": "5761", "update_time": 1627587506}, RecipientAddressUpdate, ("order_id", "5761")),
        (
            4,
            {
                "sc_type": "COMBINE",
                "role_type": "SELLER",
                "package_list": [{"package_id": "1153", "order_id_list": ["5761", "5762"]}],
                "update_time": 1627587506,
            },
            PackageUpdate,
            ("sc_type", "COMBINE"),
        ),
        (6, {"message": "The seller deauthorized"}, SellerDeauthorization, ("message", "The seller deauthorized")),
        (
            7,
            {"message": "Authorization expires in 30 days", "expiration_time": "1627587506"},
            UpcomingAuthorizationExpiration,
            ("expiration_time", 1627587506),
        ),
        (
            11,
            {
                "order_id": "5761",
                "cancellations_role": "BUYER",
                "cancel_status": "CANCELLATION_REQUEST_PENDING",
                "cancel_id": "4035",
                "create_time": 1627587506,
            },
            CancellationStatusChange,
            ("cancel_id", "4035"),
        ),
        (
            12,
            {
                "order_id": "5761",
                "return_role": "BUYER",
                "return_type": "RETURN_AND_REFUND",
                "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
                "return_id": "4035",
                "create_time": 1627587506,
                "update_time": 1627587507,
            },
            ReturnStatusChange,
            ("return_id", "4035"),
        ),
        (
            15,
            {"product_id": 1729382256910270464, "update_time": 1},
            ProductInformationChange,
            ("product_id", "1729382256910270464"),
        ),
        (16, {"product_id": "1729382256910270464"}, ProductCreation, ("product_id", "1729382256910270464")),
        (18, {"product_id": 1729382256910270464}, ProductCategoryChange, ("product_id", "1729382256910270464")),
    ],
)
def test_each_event_type_parses_to_its_class(
    event_type: int, data: dict[str, Any], cls: type[WebhookEvent], check: tuple[str, Any]
) -> None:
    event = parse_webhook(envelope(event_type, data))
    assert type(event) is cls
    assert event.type == event_type
    field, expected = check
    assert getattr(event.data, field) == expected  # type: ignore[attr-defined]


def test_package_update_lists_packages_and_their_orders() -> None:
    raw = envelope(4, {"sc_type": "SPLIT", "package_list": [{"package_id": 1153, "order_id_list": [5761]}]})
    event = parse_webhook(raw)
    assert isinstance(event, PackageUpdate)
    assert event.data.package_list[0].package_id == "1153"
    assert event.data.package_list[0].order_id_list == ["5761"]


def test_every_registered_type_names_its_subscription() -> None:
    names = {cls.event_type for cls in EVENT_TYPES.values()}
    assert names == {
        "ORDER_STATUS_CHANGE",
        "RECIPIENT_ADDRESS_UPDATE",
        "PACKAGE_UPDATE",
        "PRODUCT_STATUS_CHANGE",
        "SELLER_DEAUTHORIZATION",
        "UPCOMING_AUTHORIZATION_EXPIRATION",
        "CANCELLATION_STATUS_CHANGE",
        "RETURN_STATUS_CHANGE",
        "PRODUCT_INFORMATION_CHANGE",
        "PRODUCT_CREATION",
        "PRODUCT_CATEGORY_CHANGE",
    }


def test_unknown_type_keeps_the_raw_data() -> None:
    data = {"conversation_id": "7321", "nested": {"n": 1}}
    event = parse_webhook(envelope(14, data))
    assert isinstance(event, UnknownEvent)
    assert event.type == 14
    assert event.data == data


def test_unknown_fields_are_kept() -> None:
    raw = envelope(1, {"order_id": "1", "order_status": "DELIVERED", "new_field": "x"})
    event = parse_webhook(raw.replace(b'"timestamp"', b'"region": "GB", "timestamp"'))
    assert isinstance(event, OrderStatusChange)
    assert event.data.model_extra == {"new_field": "x"}
    assert event.model_extra == {"region": "GB"}


def test_type_sent_as_text_is_understood() -> None:
    raw = envelope(1, {"order_id": "1", "order_status": "DELIVERED"}).replace(b'"type": 1', b'"type": "1"')
    assert isinstance(parse_webhook(raw), OrderStatusChange)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"type": 1}',
        b'{"type": 1, "shop_id": "1", "timestamp": 1, "data": {"order_status": "UNPAID"}}',
        b'{"type": "order", "shop_id": "1", "timestamp": 1, "data": {}}',
        b"\xff\xfe",
    ],
)
def test_invalid_payloads_raise_a_payload_error(raw: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_webhook(raw)
