"""WooCommerce webhooks: signature check, the unsigned creation ping, and a small typed parse of deliveries.

A delivery is a POST of the resource's REST representation (`{"id": ..}` only for deletions) with
`X-WC-Webhook-Signature` = base64(HMAC-SHA256(secret, raw body)) and `X-WC-Webhook-Topic/-Resource/-Event/-ID/
-Delivery-ID/-Source`. When a webhook is created, WooCommerce first POSTs the form body `webhook_id=<id>` with no
signature and no topic; it must be answered 200 or the webhook is never activated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from connectors.woocommerce.models import WooOrder, WooProduct

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
TOPIC_HEADER = "X-WC-Webhook-Topic"
RESOURCE_HEADER = "X-WC-Webhook-Resource"
EVENT_HEADER = "X-WC-Webhook-Event"
SOURCE_HEADER = "X-WC-Webhook-Source"
ID_HEADER = "X-WC-Webhook-ID"
DELIVERY_HEADER = "X-WC-Webhook-Delivery-ID"
_PING_BODY = re.compile(rb"^webhook_id=\d+$")


class WebhookError(ValueError):
    """A delivery that cannot be parsed (not JSON, no topic); answer it 400."""


def sign_webhook(secret: str, body: bytes) -> str:
    """The `X-WC-Webhook-Signature` value WooCommerce sends for `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_webhook(secret: str, body: bytes, signature_header: str) -> bool:
    """True when `signature_header` is the signature of the raw `body` under `secret` (constant-time compare)."""
    if not secret or not signature_header:
        return False
    expected = sign_webhook(secret, body).encode("ascii")
    return hmac.compare_digest(expected, signature_header.strip().encode("utf-8"))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def is_ping(body: bytes, headers: Mapping[str, str]) -> bool:
    """True for the unsigned `webhook_id=<id>` form post WooCommerce sends when a webhook is created."""
    return _header(headers, SIGNATURE_HEADER) is None and bool(_PING_BODY.match(body.strip()))


def ping_webhook_id(body: bytes) -> str | None:
    """The webhook id a ping names."""
    match = _PING_BODY.match(body.strip())
    return body.strip().split(b"=", 1)[1].decode("ascii") if match else None


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One delivery: what happened to which resource, with the resource parsed when syncd knows its shape."""

    topic: str
    resource: str
    event: str
    resource_id: str | None
    webhook_id: str | None = None
    delivery_id: str | None = None
    source: str | None = None
    # Set for `product.*` (a variation comes as a product of type `variation`) unless deleted.
    product: WooProduct | None = None
    # Set for `order.*` unless deleted.
    order: WooOrder | None = None
    payload: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def deleted(self) -> bool:
        """True for deletions, whose payload is only the id."""
        return self.event == "deleted"


def parse_webhook(body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
    """Parse a verified delivery; raises `WebhookError` when it is not one."""
    topic = _header(headers, TOPIC_HEADER) or ""
    resource, _, event = topic.partition(".")
    if not resource or not event:
        raise WebhookError(f"missing or malformed {TOPIC_HEADER}: {topic[:80]!r}")
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise WebhookError("the body is not JSON") from exc
    if not isinstance(payload, dict):
        raise WebhookError("the body is not a JSON object")
    raw_id = payload.get("id")
    product = order = None
    try:
        if resource == "product" and event != "deleted":
            product = WooProduct.model_validate(payload)
        elif resource == "order" and event != "deleted":
            order = WooOrder.model_validate(payload)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in error["loc"]) or "payload" for error in exc.errors()})
        raise WebhookError(f"{topic} payload does not parse: invalid or missing {', '.join(fields)}") from exc
    return WebhookEvent(
        topic=topic,
        resource=resource,
        event=event,
        resource_id=str(raw_id) if raw_id is not None else None,
        webhook_id=_header(headers, ID_HEADER),
        delivery_id=_header(headers, DELIVERY_HEADER),
        source=_header(headers, SOURCE_HEADER),
        product=product,
        order=order,
        payload=payload,
    )
