"""Shopify deliveries as syncd notices: verify the HMAC, then say which job to run for which GIDs.

The notice's `topic` is `X-Shopify-Topic` as sent (`products/update`), its `event_id` is `X-Shopify-Event-Id`
(Shopify's dedupe key; `X-Shopify-Webhook-Id` when a delivery lacks it), and `occurred_at` is
`X-Shopify-Triggered-At` (else the payload's `updated_at`). What each topic becomes:

- products/create|update|delete: PRODUCT, the product GID (detail `deleted` for a deletion).
- inventory_levels/update|connect|disconnect: INVENTORY, the inventory item GID (detail: location, available).
- orders/*: ORDER, the order GID.
- fulfillments/create|update: FULFILMENT, the order GID (detail: the fulfillment GID).
- app/uninstalled: DEAUTHORIZED (detail: the shop domain); anything else: OTHER.

A delivery from another shop than the configured one (one app, several installs) is OTHER with `detail`
`another shop: <domain>`: record it, run nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import SecretStr, ValidationError

from connectors.shopify.config import ShopifyConfig
from connectors.shopify.webhooks import (
    FulfillmentCreated,
    InventoryLevelUpdated,
    OrderEvent,
    ProductUpdated,
    WebhookPayloadError,
    parse_webhook,
    payload_object,
    verify_webhook,
)
from syncd.domain import WebhookKind, WebhookNotice

HMAC_HEADER = "x-shopify-hmac-sha256"
TOPIC_HEADER = "x-shopify-topic"
EVENT_ID_HEADER = "x-shopify-event-id"
WEBHOOK_ID_HEADER = "x-shopify-webhook-id"
SHOP_DOMAIN_HEADER = "x-shopify-shop-domain"
TRIGGERED_AT_HEADER = "x-shopify-triggered-at"
UNINSTALLED = "app/uninstalled"
OTHER_SHOP = "another shop"

Classified = tuple[WebhookKind, tuple[str, ...], str]


def signing_secret(config: ShopifyConfig) -> SecretStr | None:
    """The secret deliveries are signed with: `webhook_secret`, else the app's `client_secret`."""
    return config.webhook_secret or config.client_secret


def verify_delivery(config: ShopifyConfig, body: bytes, headers: Mapping[str, str]) -> bool:
    """True when `X-Shopify-Hmac-Sha256` signs the raw body with the app's secret; False without a secret."""
    secret = signing_secret(config)
    signature = _lowered(headers).get(HMAC_HEADER)
    if secret is None or not signature or not isinstance(body, bytes | bytearray):
        return False
    return verify_webhook(secret.get_secret_value(), bytes(body), signature)


def delivery_notice(config: ShopifyConfig, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
    """The notice for a verified delivery; ValueError naming the problem when it is not one."""
    lowered = _lowered(headers)
    topic = (lowered.get(TOPIC_HEADER) or "").strip()
    if not topic:
        raise WebhookPayloadError("shopify webhook", "the X-Shopify-Topic header is missing")
    event_id = (lowered.get(EVENT_ID_HEADER) or lowered.get(WEBHOOK_ID_HEADER) or "").strip()
    if not event_id:
        raise WebhookPayloadError(f"shopify webhook {topic}", "no X-Shopify-Event-Id or X-Shopify-Webhook-Id")
    event = parse_webhook(topic, body)
    if event is None:
        payload_object(topic, body)  # every topic is a JSON object; anything else is not from Shopify
    occurred = _aware(lowered.get(TRIGGERED_AT_HEADER)) or _aware(getattr(event, "updated_at", None))
    domain = (lowered.get(SHOP_DOMAIN_HEADER) or "").strip()
    other_shop: Classified = (WebhookKind.OTHER, (), f"{OTHER_SHOP}: {domain}")
    ours = not domain or domain.lower() == config.shop_domain.lower()
    kind, ids, detail = _classify(topic, event, domain) if ours else other_shop
    try:
        return WebhookNotice(
            event_id=event_id, topic=topic, kind=kind, entity_ids=ids, occurred_at=occurred, detail=detail
        )
    except ValidationError as exc:
        fields = ", ".join(sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]}))
        raise WebhookPayloadError(f"shopify webhook {topic}", f"not a notice: invalid {fields}") from exc


def _classify(topic: str, event: object, domain: str) -> Classified:
    if isinstance(event, ProductUpdated):
        return WebhookKind.PRODUCT, (event.gid,), "deleted" if topic.endswith("/delete") else ""
    if isinstance(event, InventoryLevelUpdated):
        available = f" available={event.available}" if event.available is not None else ""
        return WebhookKind.INVENTORY, (event.inventory_item_gid,), f"location={event.location_gid}{available}"
    if isinstance(event, OrderEvent):
        return WebhookKind.ORDER, (event.gid,), ""
    if isinstance(event, FulfillmentCreated):
        return WebhookKind.FULFILMENT, (event.order_gid,), f"fulfillment={event.gid}"
    if topic == UNINSTALLED:
        return WebhookKind.DEAUTHORIZED, (), domain
    return WebhookKind.OTHER, (), ""


def _lowered(headers: Mapping[str, str]) -> dict[str, str]:
    # The contract passes lower-case names already; lower-casing again costs nothing and forgives a caller.
    return {name.lower(): value for name, value in headers.items()}


def _aware(value: str | datetime | None) -> datetime | None:
    """An aware time from a header or payload value; None when there is none or it has no offset."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None  # informational only: a bad timestamp does not make the delivery unreadable
    if value is None or value.tzinfo is None:
        return None
    return value
