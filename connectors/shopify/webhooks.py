"""Shopify webhooks: HMAC verification over the raw body, and the topics syncd uses as small typed models.

`X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(app secret, raw body)). Verify it on the exact bytes received,
before parsing, with a constant-time compare. Payloads are REST-shaped; numeric ids are turned into the GIDs the
GraphQL side uses, so the engine can match a delivery to what it read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from syncd.errors import RecordError

TOPIC_HEADER = "X-Shopify-Topic"
HMAC_HEADER = "X-Shopify-Hmac-Sha256"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
SHOP_DOMAIN_HEADER = "X-Shopify-Shop-Domain"
API_VERSION_HEADER = "X-Shopify-API-Version"
TRIGGERED_AT_HEADER = "X-Shopify-Triggered-At"


class WebhookPayloadError(RecordError, ValueError):
    """A delivery syncd cannot read (not JSON, not an object, a field of the wrong type); names the problem."""


def webhook_hmac(secret: str, body: bytes) -> str:
    """The `X-Shopify-Hmac-Sha256` value for `body` signed with the app's secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_webhook(secret: str, body: bytes, hmac_header: str) -> bool:
    """True when `hmac_header` is the signature of the raw `body` under `secret`; compared in constant time."""
    if not secret or not hmac_header:
        return False
    try:
        received = base64.b64decode(hmac_header.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, received)


def _gid(kind: str, value: Any) -> str:
    return f"gid://shopify/{kind}/{value}"


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class WebhookMeta(_Payload):
    """The delivery headers syncd keeps: topic, shop, the dedup id, the API version of the payload."""

    topic: str
    shop_domain: str
    webhook_id: str
    api_version: str | None = None
    triggered_at: datetime | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> WebhookMeta:
        """Read the Shopify headers (any case); raises `RecordError` when one that is required is missing."""
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            return cls(
                topic=lowered[TOPIC_HEADER.lower()],
                shop_domain=lowered[SHOP_DOMAIN_HEADER.lower()],
                webhook_id=lowered[WEBHOOK_ID_HEADER.lower()],
                api_version=lowered.get(API_VERSION_HEADER.lower()),
                triggered_at=lowered.get(TRIGGERED_AT_HEADER.lower()),
            )
        except (KeyError, ValidationError) as exc:
            raise RecordError("shopify webhook", f"missing or invalid header: {exc}") from exc


class VariantRef(_Payload):
    """A variant as a products/update payload lists it."""

    id: int
    sku: str | None = None
    inventory_item_id: int | None = None

    @property
    def gid(self) -> str:
        """The variant's GID."""
        return _gid("ProductVariant", self.id)


class ProductUpdated(_Payload):
    """`products/create`, `products/update` and `products/delete` (only `id`): which product changed, and when."""

    kind: Literal["product"] = "product"
    id: int
    updated_at: datetime | None = None
    variants: tuple[VariantRef, ...] = ()

    @property
    def gid(self) -> str:
        """The product's GID."""
        return _gid("Product", self.id)


class InventoryLevelUpdated(_Payload):
    """`inventory_levels/update` (and `connect`, `disconnect`): an item's available quantity at a location."""

    kind: Literal["inventory_level"] = "inventory_level"
    inventory_item_id: int
    location_id: int
    available: int | None = None
    updated_at: datetime | None = None

    @property
    def inventory_item_gid(self) -> str:
        """The inventory item's GID."""
        return _gid("InventoryItem", self.inventory_item_id)

    @property
    def location_gid(self) -> str:
        """The location's GID."""
        return _gid("Location", self.location_id)


class OrderEvent(_Payload):
    """`orders/*`: the order that changed, with what syncd needs to recognise its own orders."""

    kind: Literal["order"] = "order"
    id: int
    name: str | None = None
    tags: str = ""
    source_name: str | None = None
    source_identifier: str | None = None
    cancelled_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def gid(self) -> str:
        """The order's GID."""
        return _gid("Order", self.id)

    @property
    def tag_list(self) -> tuple[str, ...]:
        """The tags, split."""
        return tuple(t.strip() for t in self.tags.split(",") if t.strip())


class FulfillmentCreated(_Payload):
    """`fulfillments/create` and `fulfillments/update`: a shipment with its tracking."""

    kind: Literal["fulfillment"] = "fulfillment"
    id: int
    order_id: int
    status: str | None = None
    tracking_number: str | None = None
    tracking_company: str | None = None
    tracking_url: str | None = None
    created_at: datetime | None = None

    @property
    def order_gid(self) -> str:
        """The order's GID."""
        return _gid("Order", self.order_id)

    @property
    def gid(self) -> str:
        """The fulfillment's GID."""
        return _gid("Fulfillment", self.id)


WebhookEvent = Annotated[
    ProductUpdated | InventoryLevelUpdated | OrderEvent | FulfillmentCreated, Field(discriminator="kind")
]
_EVENT: TypeAdapter[WebhookEvent] = TypeAdapter(WebhookEvent)

TOPIC_KINDS: dict[str, str] = {
    "products/create": "product",
    "products/update": "product",
    "products/delete": "product",
    "inventory_levels/update": "inventory_level",
    "inventory_levels/connect": "inventory_level",
    "inventory_levels/disconnect": "inventory_level",
    "fulfillments/create": "fulfillment",
    "fulfillments/update": "fulfillment",
}


def topic_kind(topic: str) -> str | None:
    """Which model a topic's payload parses into; None for topics syncd does not use."""
    if topic.startswith("orders/"):
        return "order"
    return TOPIC_KINDS.get(topic)


def payload_object(topic: str, body: bytes) -> dict[str, Any]:
    """The delivery's JSON object; `WebhookPayloadError` when the body is not one."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise WebhookPayloadError(f"shopify webhook {topic}", "the body is not JSON") from exc
    if not isinstance(payload, dict):
        raise WebhookPayloadError(f"shopify webhook {topic}", "the body is not a JSON object")
    return payload


def parse_webhook(topic: str, body: bytes) -> WebhookEvent | None:
    """Parse a verified delivery; None for a topic syncd ignores, `WebhookPayloadError` (a `RecordError` and a
    ValueError) naming the problem for a payload it cannot read."""
    kind = topic_kind(topic)
    if kind is None:
        return None
    payload = payload_object(topic, body)
    try:
        return _EVENT.validate_python({**payload, "kind": kind})
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in error["loc"][1:]) or "payload" for error in exc.errors()})
        raise WebhookPayloadError(f"shopify webhook {topic}", f"invalid or missing {', '.join(fields)}") from exc
