"""Shopify payloads to domain records, and domain orders to `orderCreate` input.

Prices are the shop's currency (Shopify's `Money` scalar has none of its own). A variant without a SKU cannot be
matched across platforms, so it is reported as a rejected record and its product keeps its other variants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from connectors.shopify.models import FulfillmentNode, LevelNode, ProductNode, VariantNode
from syncd.connector import RejectedRecord
from syncd.domain import Address, Fulfilment, Money, Order, Product, ProductStatus, StockLevel, Variant

GRAMS_PER_UNIT = {
    "GRAMS": Decimal(1),
    "KILOGRAMS": Decimal(1000),
    "OUNCES": Decimal("28.349523125"),
    "POUNDS": Decimal("453.59237"),
}
_STATUS = {
    "ACTIVE": ProductStatus.ACTIVE,
    "UNLISTED": ProductStatus.ACTIVE,  # sellable, only hidden from the storefront's search and collections
    "DRAFT": ProductStatus.DRAFT,
    "ARCHIVED": ProductStatus.ARCHIVED,
}
CENT = Decimal("0.01")
SOURCE_NAME = "tiktok"
ORDER_TAG_PREFIX = "tiktok-"
KEY_TAG_PREFIX = "syncd-"
KEY_ATTRIBUTE = "syncd_idempotency_key"


def _grams(node: VariantNode) -> int | None:
    measurement = node.inventory_item.measurement if node.inventory_item else None
    if measurement is None or measurement.weight is None:
        return None
    factor = GRAMS_PER_UNIT.get(measurement.weight.unit)
    if factor is None:
        return None
    return int((Decimal(str(measurement.weight.value)) * factor).to_integral_value(ROUND_HALF_UP))


def variant_to_domain(node: VariantNode, currency: str) -> Variant:
    """A variant with a SKU as a domain `Variant`."""
    options = {o.name: o.value for o in node.selected_options if not (o.name == "Title" and o.value == "Default Title")}
    compare_at = node.compare_at_price
    return Variant(
        external_id=node.id,
        sku=node.sku or "",
        title=node.title,
        price=Money(amount=node.price, currency=currency) if node.price is not None else None,
        # Shopify stores "no compare-at price" as null or as 0 depending on how it was edited.
        compare_at_price=Money(amount=compare_at, currency=currency) if compare_at else None,
        barcode=node.barcode or None,
        options=options,
        weight_grams=_grams(node),
        image_urls=(node.image.url,) if node.image is not None else (),
        inventory_item_id=node.inventory_item.id if node.inventory_item else None,
        manages_stock=node.inventory_item.tracked if node.inventory_item else True,
    )


def product_to_domain(node: ProductNode, currency: str) -> tuple[Product | None, list[RejectedRecord]]:
    """A product as a domain `Product` (None when no variant has a SKU), with the variants it had to leave out."""
    rejected = [
        RejectedRecord(key=v.id, reason=f"variant of {node.id} has no SKU") for v in node.variants.nodes if not v.sku
    ]
    variants = tuple(variant_to_domain(v, currency) for v in node.variants.nodes if v.sku)
    if not variants:
        rejected.append(RejectedRecord(key=node.id, reason="product has no variant with a SKU"))
        return None, rejected
    product = Product(
        external_id=node.id,
        title=node.title,
        description_html=node.description_html,
        vendor=node.vendor or None,
        product_type=node.product_type or None,
        tags=tuple(node.tags),
        status=_STATUS.get(node.status, ProductStatus.DRAFT),
        image_urls=tuple(m.image.url for m in node.media.nodes if m.image is not None),
        variants=variants,
        updated_at=node.updated_at,
    )
    return product, rejected


def level_to_domain(node: LevelNode, location_id: str) -> StockLevel | RejectedRecord | None:
    """An inventory level as a `StockLevel` of its `available` quantity; None for an untracked item."""
    if not node.item.tracked:
        return None
    if not node.item.sku:
        return RejectedRecord(key=node.item.id, reason="inventory item has no SKU")
    available = node.quantity("available")
    if available is None:
        return RejectedRecord(key=node.item.id, reason="level has no available quantity")
    return StockLevel(
        sku=node.item.sku,
        location_id=location_id,
        on_hand=available,
        variant_external_id=(node.item.variant or {}).get("id"),
        inventory_item_id=node.item.id,
        updated_at=node.updated_at,
    )


def fulfillment_to_domain(order_id: str, node: FulfillmentNode) -> Fulfilment:
    """A fulfillment with its first tracking number as a domain `Fulfilment`."""
    tracking = node.tracking_info[0] if node.tracking_info else None
    return Fulfilment(
        order_external_id=order_id,
        external_id=node.id,
        tracking_number=tracking.number if tracking else None,
        carrier=tracking.company if tracking else None,
        tracking_url=tracking.url if tracking else None,
        line_external_ids=node.line_item_ids,
        created_at=node.created_at,
    )


# -- orders -------------------------------------------------------------------------------------------------


def order_tag(source_order_id: str) -> str:
    """The tag that marks the store order of a TikTok order."""
    return f"{ORDER_TAG_PREFIX}{source_order_id}"


def key_tag(idempotency_key: str) -> str:
    """A searchable tag derived from the idempotency key (tags are short, keys need not be)."""
    return KEY_TAG_PREFIX + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:20]


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def find_order_query(idempotency_key: str, source_order_id: str) -> str:
    """The orders search for a TikTok order: by its tag, its source identifier, or the idempotency key's tag."""
    return " OR ".join(
        (
            f"tag:{_quote(order_tag(source_order_id))}",
            f"source_identifier:{_quote(source_order_id)}",
            f"tag:{_quote(key_tag(idempotency_key))}",
        )
    )


def sku_query(skus: list[str]) -> str:
    """The `productVariants` search for exactly these SKUs (none may contain both kinds of quote)."""
    return " OR ".join(f"sku:{_quote(sku)}" for sku in skus)


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": str(amount.quantize(CENT)), "currencyCode": currency}}


def _tax_line(tax: Decimal, base: Decimal, currency: str, title: str = "Tax") -> dict[str, Any]:
    rate = (tax / base).quantize(Decimal("0.0001")) if base > 0 else Decimal(0)
    return {"title": title, "rate": str(rate), "priceSet": _money(tax, currency)}


def _address(address: Address) -> dict[str, Any]:
    first, _, last = address.name.strip().rpartition(" ")
    result: dict[str, Any] = {
        "firstName": first or None,
        "lastName": last or None,
        "address1": address.line1 or None,
        "address2": address.line2,
        "city": address.city or None,
        "zip": address.postal_code,
        "countryCode": address.country_code.upper() or None,
        "phone": address.phone,
    }
    # Shopify wants a province *code*; a free-text region name would be rejected.
    if address.region and len(address.region) <= 3 and address.region.isalnum():
        result["provinceCode"] = address.region.upper()
    return {k: v for k, v in result.items() if v is not None}


def order_to_input(order: Order, variant_ids: Mapping[str, str], idempotency_key: str) -> dict[str, Any]:
    """The `OrderCreateOrderInput` for a TikTok order whose every SKU is in `variant_ids`."""
    currency = order.currency
    lines = []
    for line in order.lines:
        unit = line.unit_price.amount
        if line.discount is not None and line.discount.amount > 0:
            # orderCreate takes one order-level discount code; a per-line discount goes into the unit price.
            unit = max(Decimal(0), unit - line.discount.amount / line.quantity).quantize(CENT)
        item: dict[str, Any] = {
            "variantId": variant_ids[line.sku],
            "quantity": line.quantity,
            "priceSet": _money(unit, currency),
        }
        if line.tax is not None and line.tax.amount > 0:
            item["taxLines"] = [_tax_line(line.tax.amount, unit * line.quantity, currency)]
        lines.append(item)
    result: dict[str, Any] = {
        "lineItems": lines,
        "currency": currency,
        "financialStatus": "PAID",
        "processedAt": order.created_at.isoformat(),
        "tags": [order_tag(order.external_id), key_tag(idempotency_key)],
        "sourceName": SOURCE_NAME,
        "sourceIdentifier": order.external_id,
        "note": f"TikTok Shop order {order.external_id}",
        "customAttributes": [
            {"key": "tiktok_order_id", "value": order.external_id},
            {"key": KEY_ATTRIBUTE, "value": idempotency_key},
        ],
    }
    if order.buyer_email:
        result["email"] = order.buyer_email
    if order.shipping_address is not None:
        result["shippingAddress"] = _address(order.shipping_address)
    if order.shipping_total is not None:
        result["shippingLines"] = [
            {
                "title": "TikTok Shop shipping",
                "code": "tiktok_shop",
                "source": SOURCE_NAME,
                "priceSet": _money(order.shipping_total.amount, currency),
            }
        ]
    has_line_tax = any(line.tax is not None and line.tax.amount > 0 for line in order.lines)
    if order.tax_total is not None and order.tax_total.amount > 0 and not has_line_tax:
        subtotal = sum((line.unit_price.amount * line.quantity for line in order.lines), Decimal(0))
        result["taxLines"] = [_tax_line(order.tax_total.amount, subtotal, currency)]
    return result
