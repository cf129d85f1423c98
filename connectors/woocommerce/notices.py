"""WooCommerce deliveries as syncd notices: verify `X-WC-Webhook-Signature`, then say what changed.

The notice's `topic` is `X-WC-Webhook-Topic` (`product.updated`), its `event_id` is `X-WC-Webhook-Delivery-ID`
(else the sha256 of the body and the topic), and `occurred_at` is the resource's `date_modified_gmt`. What each
delivery becomes:

- product.*: PRODUCT, the product id; a variation's delivery (a product of type `variation`) names the variation
  and then its parent, `(variation id, parent id)`. Detail: the event (`updated`, `deleted`, ...).
- order.*: ORDER, the order id (detail: the event and the status).
- the unsigned creation ping (`webhook_id=<id>`): PING, naming the webhook id; anything else: OTHER.

The ping is the one unsigned delivery WooCommerce makes; it must be answered 200 or the webhook never becomes
active. `verify` accepts it only when the body is exactly `webhook_id=<digits>` with no signature header: such a
body carries nothing to act on, so accepting it unsigned trusts nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime

from pydantic import SecretStr, ValidationError

from connectors.woocommerce.models import parse_gmt
from connectors.woocommerce.webhooks import WebhookError, WebhookEvent, parse_webhook, verify_webhook
from syncd.domain import WebhookKind, WebhookNotice

SIGNATURE_HEADER = "x-wc-webhook-signature"
DELIVERY_HEADER = "x-wc-webhook-delivery-id"
PING_TOPIC = "webhook.ping"
# Exactly the form body of the creation ping: no whitespace, no other field, an id of sane length.
_PING = re.compile(rb"webhook_id=(\d{1,20})")


def ping_id(body: bytes, headers: Mapping[str, str]) -> str | None:
    """The webhook id of an unsigned creation ping; None for anything else."""
    if _lowered(headers).get(SIGNATURE_HEADER) is not None or not isinstance(body, bytes | bytearray):
        return None
    match = _PING.fullmatch(bytes(body))
    return match.group(1).decode("ascii") if match else None


def verify_delivery(secret: SecretStr | None, body: bytes, headers: Mapping[str, str]) -> bool:
    """True for a delivery signed with `secret`, and for the exact unsigned ping; False without a secret."""
    if ping_id(body, headers) is not None:
        return True
    signature = _lowered(headers).get(SIGNATURE_HEADER)
    if secret is None or not signature or not isinstance(body, bytes | bytearray):
        return False
    return verify_webhook(secret.get_secret_value(), bytes(body), signature)


def delivery_notice(body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
    """The notice for a verified delivery; `WebhookError` (a ValueError) naming the problem when it is not one."""
    lowered = _lowered(headers)
    webhook_id = ping_id(body, lowered)
    if webhook_id is not None:
        return WebhookNotice(
            event_id=_digest(body, PING_TOPIC), topic=PING_TOPIC, kind=WebhookKind.PING, entity_ids=(webhook_id,)
        )
    event = parse_webhook(body, lowered)
    kind, ids, detail = _classify(event)
    try:
        return WebhookNotice(
            event_id=(lowered.get(DELIVERY_HEADER) or "").strip() or _digest(body, event.topic),
            topic=event.topic,
            kind=kind,
            entity_ids=ids,
            occurred_at=_modified(event),
            detail=detail,
        )
    except ValidationError as exc:
        fields = ", ".join(sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]}))
        raise WebhookError(f"{event.topic} delivery is not a notice: invalid {fields}") from exc


def _classify(event: WebhookEvent) -> tuple[WebhookKind, tuple[str, ...], str]:
    if event.resource not in ("product", "order"):
        return WebhookKind.OTHER, (), ""
    resource_id = event.resource_id or ""
    if not resource_id.isdigit() or int(resource_id) == 0:
        raise WebhookError(f"{event.topic} payload has no usable id")
    if event.resource == "order":
        status = f" status={event.order.status}" if event.order is not None else ""
        return WebhookKind.ORDER, (resource_id,), f"{event.event}{status}"
    ids: tuple[str, ...] = (resource_id,)
    product = event.product
    if product is not None and product.type == "variation" and product.parent_id:
        ids = (resource_id, str(product.parent_id))
    return WebhookKind.PRODUCT, ids, event.event


def _modified(event: WebhookEvent) -> datetime | None:
    """The resource's modification time, when the payload carries it."""
    resource = event.product or event.order
    raw = resource.date_modified_gmt if resource is not None else None
    try:
        return parse_gmt(raw)
    except ValueError as exc:
        raise WebhookError(f"{event.topic} payload has an unreadable date_modified_gmt") from exc


def _digest(body: bytes, topic: str) -> str:
    # A redelivery repeats the exact body, so this is stable across retries of one delivery.
    return hashlib.sha256(bytes(body) + topic.encode("utf-8")).hexdigest()


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    # The contract passes lower-case names already; lower-casing again costs nothing and forgives a caller.
    return {name.lower(): value for name, value in headers.items()}
