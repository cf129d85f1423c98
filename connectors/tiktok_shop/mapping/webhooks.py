"""TikTok Shop webhook events as syncd notices: which job to run, for which ids (ref §7).

The notice's `topic` is the subscription name (`ORDER_STATUS_CHANGE`), `entity_ids` are TikTok ids as exact
strings, and `detail` is `key=value` pairs for the log and the inbox. What each event becomes:

- ORDER_STATUS_CHANGE, RECIPIENT_ADDRESS_UPDATE: ORDER, the order id (detail: the status, `CANCEL` read as
  `CANCELLED`).
- PACKAGE_UPDATE: ORDER, the ids of the orders in the packages (detail: `sc_type` and the package ids).
- PRODUCT_*: PRODUCT, the product id.
- CANCELLATION_STATUS_CHANGE, RETURN_STATUS_CHANGE: RETURN, the order id only; the cancel or return id and its
  status are in `detail` (`cancel_id=... cancel_status=...`), because the returns job reads by order.
- SELLER_DEAUTHORIZATION: DEAUTHORIZED, UPCOMING_AUTHORIZATION_EXPIRATION: AUTH_EXPIRING; both name the shop id,
  and the expiry notice's `detail` is exactly the expiration time in ISO 8601 (empty when TikTok left it out).
- Anything else: OTHER.

A delivery for another shop than the connector's (one app can be authorised by several shops, and TikTok sends
every shop's events to the app's addresses) is OTHER with `detail` `another shop: <shop id>` and no ids: the
receiver should record it and run nothing, since this connector cannot read that shop.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pydantic import ValidationError

from connectors.tiktok_shop.webhooks import (
    CancellationStatusChange,
    OrderStatusChange,
    PackageUpdate,
    ProductChangeData,
    ProductStatusChange,
    RecipientAddressUpdate,
    ReturnStatusChange,
    SellerDeauthorization,
    UnknownEvent,
    UpcomingAuthorizationExpiration,
    WebhookEvent,
    WebhookPayloadError,
)
from syncd.domain import WebhookKind, WebhookNotice

# Every documented subscription name by the `type` its deliveries carry (§7), modelled or not.
EVENT_NAMES: dict[int, str] = {
    1: "ORDER_STATUS_CHANGE",
    2: "REVERSE_STATUS_UPDATE",
    3: "RECIPIENT_ADDRESS_UPDATE",
    4: "PACKAGE_UPDATE",
    5: "PRODUCT_STATUS_CHANGE",
    6: "SELLER_DEAUTHORIZATION",
    7: "UPCOMING_AUTHORIZATION_EXPIRATION",
    11: "CANCELLATION_STATUS_CHANGE",
    12: "RETURN_STATUS_CHANGE",
    13: "NEW_CONVERSATION",
    14: "NEW_MESSAGE",
    15: "PRODUCT_INFORMATION_CHANGE",
    16: "PRODUCT_CREATION",
    18: "PRODUCT_CATEGORY_CHANGE",
    33: "NEW_MESSAGE_LISTENER",
    36: "INVOICE_STATUS_CHANGE",
    37: "PRODUCT_AUDIT_STATUS_CHANGE",
}
OTHER_SHOP = "another shop"
_MAX_DETAIL = 500

Classified = tuple[WebhookKind, tuple[str, ...], str]


def event_topic(event: WebhookEvent) -> str:
    """The subscription name of the event's type; `TYPE_<n>` for a type no source documents."""
    return EVENT_NAMES.get(event.type, f"TYPE_{event.type}")


def event_id(event: WebhookEvent, body: bytes) -> str:
    """The id to deduplicate on: `tts_notification_id`, else the sha256 of the raw body.

    Older deliveries carry no notification id; a redelivery of one repeats its exact bytes, so the body's hash
    is stable across retries, and two different events never share it.
    """
    notification = (event.tts_notification_id or "").strip()
    return notification or hashlib.sha256(body).hexdigest()


def event_to_notice(event: WebhookEvent, body: bytes, *, shop_id: str) -> WebhookNotice:
    """The notice for a parsed delivery of `body` to the connector of shop `shop_id`.

    Raises `WebhookPayloadError` (a ValueError) naming what is wrong when the event cannot be a notice.
    """
    topic = event_topic(event)
    other_shop: Classified = (WebhookKind.OTHER, (), f"{OTHER_SHOP}: {event.shop_id}")
    kind, ids, detail = other_shop if event.shop_id != shop_id else _classify(event, topic)
    try:
        return WebhookNotice(
            event_id=event_id(event, body),
            topic=topic,
            kind=kind,
            entity_ids=ids,
            occurred_at=_time(event.timestamp, "timestamp"),
            detail=detail[:_MAX_DETAIL],
        )
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in error["loc"]) for error in exc.errors())
        raise WebhookPayloadError(f"{topic} webhook cannot be a notice: invalid {fields}") from exc


def _classify(event: WebhookEvent, topic: str) -> Classified:
    """Kind, ids and detail of an event for this connector's shop."""
    if isinstance(event, OrderStatusChange):
        return (
            WebhookKind.ORDER,
            (_id(event.data.order_id, topic, "order_id"),),
            _pairs(order_status=event.data.normalized_status),
        )
    if isinstance(event, RecipientAddressUpdate):
        return WebhookKind.ORDER, (_id(event.data.order_id, topic, "order_id"),), "recipient address updated"
    if isinstance(event, PackageUpdate):
        orders = dict.fromkeys(o for p in event.data.package_list for o in p.order_id_list if o.strip())
        packages = ",".join(p.package_id for p in event.data.package_list)
        return WebhookKind.ORDER, tuple(orders), _pairs(sc_type=event.data.sc_type, packages=packages or None)
    if isinstance(event, ProductStatusChange):
        return (
            WebhookKind.PRODUCT,
            (_id(event.data.product_id, topic, "product_id"),),
            _pairs(status=event.data.status, suspended_reason=event.data.suspended_reason),
        )
    data = getattr(event, "data", None)
    if isinstance(data, ProductChangeData):
        return WebhookKind.PRODUCT, (_id(data.product_id, topic, "product_id"),), ""
    if isinstance(event, CancellationStatusChange):
        return (
            WebhookKind.RETURN,
            (_id(event.data.order_id, topic, "order_id"),),
            _pairs(cancel_id=event.data.cancel_id, cancel_status=event.data.cancel_status),
        )
    if isinstance(event, ReturnStatusChange):
        return (
            WebhookKind.RETURN,
            (_id(event.data.order_id, topic, "order_id"),),
            _pairs(
                return_id=event.data.return_id,
                return_type=event.data.return_type,
                return_status=event.data.return_status,
            ),
        )
    if isinstance(event, SellerDeauthorization):
        return WebhookKind.DEAUTHORIZED, (event.shop_id,), event.data.message or ""
    if isinstance(event, UpcomingAuthorizationExpiration):
        expires = event.data.expiration_time
        return (
            WebhookKind.AUTH_EXPIRING,
            (event.shop_id,),
            (_time(expires, "data.expiration_time").isoformat() if expires is not None else ""),
        )
    if isinstance(event, UnknownEvent) and topic.startswith("PRODUCT_"):
        # An unmodelled product event (PRODUCT_AUDIT_STATUS_CHANGE): the product id when it names one.
        raw = event.data.get("product_id")
        ids = (str(raw),) if isinstance(raw, int | str) and str(raw).strip() else ()
        return WebhookKind.PRODUCT, ids, ""
    return WebhookKind.OTHER, (), ""


def _id(value: str, topic: str, field: str) -> str:
    """A required id, which must not be blank."""
    if not value.strip():
        raise WebhookPayloadError(f"{topic} webhook has an empty data.{field}")
    return value


def _pairs(**values: str | None) -> str:
    """`key=value` for each value given."""
    return " ".join(f"{key}={value}" for key, value in values.items() if value)


def _time(value: int, field: str) -> datetime:
    """A unix-seconds time of the delivery; WebhookPayloadError when no date can hold it."""
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise WebhookPayloadError(f"webhook {field} {value} is not a time") from exc
