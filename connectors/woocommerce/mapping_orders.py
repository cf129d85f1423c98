"""Domain orders to WooCommerce order payloads, and WooCommerce orders to fulfilments (Shipment Tracking meta,
order notes, completion)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ValidationError

from connectors.woocommerce.mapping import ItemRef
from connectors.woocommerce.models import TrackingItem, WooOrder, WooOrderNote, parse_gmt
from syncd.domain import Fulfilment, Order


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _address(order: Order, *, with_email: bool) -> dict[str, str]:
    address = order.shipping_address
    if address is None:
        return {"email": order.buyer_email or ""} if with_email and order.buyer_email else {}
    first, _, last = address.name.strip().partition(" ")
    fields = {
        "first_name": first,
        "last_name": last,
        "address_1": address.line1,
        "address_2": address.line2 or "",
        "city": address.city,
        "state": address.region or "",
        "postcode": address.postal_code or "",
        "country": address.country_code,
        "phone": address.phone or "",
    }
    if with_email and order.buyer_email:
        fields["email"] = order.buyer_email
    return fields


@dataclass(frozen=True, slots=True)
class OrderConventions:
    """Where syncd's markers go on a WooCommerce order."""

    source_meta_key: str
    key_meta_key: str
    key_in_customer_note: bool


def order_payload(order: Order, key: str, refs: dict[str, ItemRef], conventions: OrderConventions) -> dict[str, Any]:
    """`POST /orders` body: paid, processing (WooCommerce then reduces stock), with TikTok's prices and markers.

    `search=` finds an order by different fields on different stores, so the idempotency key goes where each
    looks: the shipping line's title (an order item name, searched by both order storages in every version),
    `transaction_id` (searched by recent HPOS versions) and, optionally, the customer note (the post excerpt
    of legacy post storage). The TikTok order id and the key also go into meta, which confirms a match.
    """
    lines = []
    for line in order.lines:
        ref = refs[line.sku]
        subtotal = line.unit_price.amount * line.quantity
        total = subtotal - (line.discount.amount if line.discount else Decimal(0))
        item: dict[str, Any] = {"product_id": ref.product_id, "quantity": line.quantity}
        if ref.is_variation:
            item["variation_id"] = ref.variation_id
        item["subtotal"], item["total"] = _money(subtotal), _money(max(total, Decimal(0)))
        lines.append(item)
    note = f"TikTok Shop order {order.external_id}"
    payload: dict[str, Any] = {
        "status": "processing",
        "set_paid": True,
        "currency": order.currency,
        "payment_method": "tiktok_shop",
        "payment_method_title": "TikTok Shop",
        "transaction_id": key,
        "customer_note": f"{note} (ref {key})" if conventions.key_in_customer_note else note,
        "billing": _address(order, with_email=True),
        "shipping": _address(order, with_email=False),
        "line_items": lines,
        "meta_data": [
            {"key": conventions.source_meta_key, "value": order.external_id},
            {"key": conventions.key_meta_key, "value": key},
        ],
    }
    # Always one shipping line, free when TikTok charged none: its title carries the key for `search=`.
    shipping = order.shipping_total.amount if order.shipping_total is not None else Decimal(0)
    payload["shipping_lines"] = [
        {"method_id": "tiktok_shop", "method_title": f"TikTok Shop (ref {key})", "total": _money(shipping)}
    ]
    return payload


# "Tracking number: 1Z999AA10123456784", "tracking # 9400-1000-0000", "Tracking ID - JD014600003828".
_TRACKING_IN_NOTE = re.compile(
    r"\btracking\s*(?:number|no\.?|num\.?|code|id|#)?\s*(?:is|:|#|-)?\s*(?P<number>[A-Z0-9][A-Z0-9-]{5,38}[A-Z0-9])\b",
    re.IGNORECASE,
)
_UPS_NUMBER = re.compile(r"\b1Z[0-9A-Z]{16}\b")
_URL = re.compile(r"https?://[^\s<>\"']+")
_CARRIERS = (
    "UPS", "USPS", "FedEx", "DHL", "Royal Mail", "Evri", "Hermes", "DPD", "GLS", "PostNL", "Canada Post",
    "Australia Post", "La Poste", "Colissimo", "Deutsche Post", "Japan Post", "Yamato", "J&T", "SF Express",
)  # fmt: skip
SHIPPED_STATUS = "completed"


def _shipped_at(value: int | str | None) -> datetime | None:
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    return None


def _line_ids(order: WooOrder) -> tuple[str, ...]:
    # WooCommerce core has no partial shipments: a shipment covers the whole order.
    return tuple(str(item.id) for item in order.line_items)


def tracking_items(order: WooOrder, meta_key: str) -> list[TrackingItem]:
    """The Shipment Tracking entries in the order's meta; malformed entries are skipped."""
    raw = order.meta(meta_key)
    entries = raw.values() if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    items = []
    for entry in entries:
        try:
            item = TrackingItem.model_validate(entry)
        except ValidationError:
            continue
        if item.tracking_number.strip():
            items.append(item)
    return items


def tracking_fulfilments(order: WooOrder, items: list[TrackingItem]) -> list[Fulfilment]:
    """One fulfilment per tracking entry."""
    return [
        Fulfilment(
            order_external_id=str(order.id),
            external_id=f"{order.id}:{item.tracking_id or index}",
            tracking_number=item.tracking_number.strip(),
            carrier=item.custom_tracking_provider or item.tracking_provider or None,
            tracking_url=item.custom_tracking_link or None,
            line_external_ids=_line_ids(order),
            created_at=_shipped_at(item.date_shipped),
        )
        for index, item in enumerate(items)
    ]


def tracking_in_note(text: str) -> str | None:
    """A tracking number written into an order note, if the note names one."""
    plain = re.sub(r"<[^>]+>", " ", text)
    ups = _UPS_NUMBER.search(plain)
    if ups:
        return ups.group(0)
    for match in _TRACKING_IN_NOTE.finditer(plain):
        number = match.group("number")
        if any(char.isdigit() for char in number):
            return number
    return None


def note_fulfilments(order: WooOrder, notes: list[WooOrderNote]) -> list[Fulfilment]:
    """Fulfilments from notes that carry a tracking number (a store without a tracking extension)."""
    found = []
    for note in notes:
        number = tracking_in_note(note.note)
        if number is None:
            continue
        carrier = next((name for name in _CARRIERS if re.search(rf"\b{re.escape(name)}\b", note.note, re.I)), None)
        url = _URL.search(note.note)
        found.append(
            Fulfilment(
                order_external_id=str(order.id),
                external_id=f"{order.id}:note-{note.id}",
                tracking_number=number,
                carrier=carrier,
                tracking_url=url.group(0) if url else None,
                line_external_ids=_line_ids(order),
                created_at=parse_gmt(note.date_created_gmt),
            )
        )
    return found


def completed_without_tracking(order: WooOrder) -> Fulfilment:
    """A completed order with no tracking anywhere: shipped, tracking unknown."""
    return Fulfilment(
        order_external_id=str(order.id),
        external_id=f"{order.id}:completed",
        line_external_ids=_line_ids(order),
        created_at=parse_gmt(order.date_completed_gmt) or parse_gmt(order.date_modified_gmt),
    )
