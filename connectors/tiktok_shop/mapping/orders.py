"""TikTok orders as domain `Order` records, the units a fulfilment ships, and external order references.

TikTok lists one line item per unit. Orders are shown to syncd with one `OrderLine` per SKU and price, keyed
by the smallest unit id of the group (stable when units are cancelled); `line_groups` expands that key back
into the unit ids the fulfilment and reference calls take.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from connectors.tiktok_shop.mapping.values import from_unix, money
from connectors.tiktok_shop.models import EXTERNAL_PLATFORMS, ExternalLineItemRef, LineItem, RecipientAddress
from connectors.tiktok_shop.models import Order as TikTokOrder
from syncd.domain import Address, Money, Order, OrderLine, OrderStatus

FULFILLED_BY_TIKTOK = "FULFILLMENT_BY_TIKTOK"
MAX_REFERENCE_LINES = 100  # line items per external order reference (ref §5.1)

ORDER_STATUSES = {
    "UNPAID": OrderStatus.UNPAID,
    "ON_HOLD": OrderStatus.ON_HOLD,
    "AWAITING_SHIPMENT": OrderStatus.AWAITING_SHIPMENT,
    "PARTIALLY_SHIPPING": OrderStatus.PARTIALLY_SHIPPED,
    # A label exists and the carrier has not collected yet: for the store the order has shipped.
    "AWAITING_COLLECTION": OrderStatus.SHIPPED,
    "IN_TRANSIT": OrderStatus.SHIPPED,
    "DELIVERED": OrderStatus.DELIVERED,
    "COMPLETED": OrderStatus.COMPLETED,
    "CANCELLED": OrderStatus.CANCELLED,
    "CANCEL": OrderStatus.CANCELLED,  # the webhook's spelling (ref §4.4)
}
# Order statuses in which every live unit has left the seller: shipping again is a no-op, not an error.
SHIPPED_ORDER_STATUSES = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"})
SHIPPABLE_ORDER_STATUSES = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})
# Not shippable yet, but they will be once paid and past the on-hold window.
NOT_YET_SHIPPABLE_ORDER_STATUSES = frozenset({"UNPAID", "ON_HOLD"})
# syncd connector names -> TikTok's `platform` values for external order references (ref §5.1).
STORE_PLATFORMS = {"shopify": "SHOPIFY", "woocommerce": "WOOCOMMERCE", "magento": "MAGENTO"}

# Order.raw keeps ids, times, statuses and amounts only: never the address, buyer e-mail, name or messages.
_RAW_ORDER_FIELDS = (
    "id",
    "status",
    "create_time",
    "update_time",
    "paid_time",
    "rts_time",
    "fulfillment_type",
    "delivery_type",
    "shipping_type",
    "shipping_provider_id",
    "tracking_number",
    "warehouse_id",
    "delivery_option_id",
    "is_on_hold_order",
    "is_cod",
    "is_sample_order",
    "cancellation_initiator",
)
_RAW_LINE_FIELDS = (
    "id",
    "sku_id",
    "product_id",
    "seller_sku",
    "currency",
    "sale_price",
    "original_price",
    "seller_discount",
    "platform_discount",
    "package_id",
    "display_status",
    "is_gift",
)


def _unit_order(unit_id: str) -> tuple[int, str]:
    # Numeric ids compare by length first, so "99" sorts before "100".
    return (len(unit_id), unit_id)


def _groups(items: Iterable[LineItem]) -> dict[tuple[str, Decimal | None, Decimal | None], list[LineItem]]:
    grouped: dict[tuple[str, Decimal | None, Decimal | None], list[LineItem]] = defaultdict(list)
    for item in items:
        grouped[(item.sku_id or item.seller_sku or item.id, item.sale_price, item.original_price)].append(item)
    return grouped


def line_groups(order: TikTokOrder) -> dict[str, list[str]]:
    """Each `OrderLine.external_id` of the order and the TikTok unit line ids it stands for."""
    return {
        min((item.id for item in units), key=_unit_order): sorted((item.id for item in units), key=_unit_order)
        for units in _groups(order.line_items).values()
    }


def is_cancelled(item: LineItem) -> bool:
    """True for a unit cancelled on its own or with its order."""
    return item.display_status in ("CANCELLED", "CANCEL")


def is_shipped(item: LineItem) -> bool:
    """True for a unit that has left the seller (it carries tracking, or its status says so)."""
    return bool(item.tracking_number) or item.display_status in SHIPPED_ORDER_STATUSES


def units_to_ship(order: TikTokOrder, line_ids: Iterable[str]) -> list[str]:
    """The live, unshipped unit ids behind `line_ids` (every such unit of the order when none are named)."""
    wanted = list(line_ids)
    groups = line_groups(order)
    named = {unit for line_id in wanted for unit in groups.get(line_id, [line_id])}
    return [
        item.id
        for item in order.line_items
        if (not wanted or item.id in named) and not is_cancelled(item) and not is_shipped(item)
    ]


def _order_line(units: list[LineItem], currency: str, quantity: int) -> OrderLine:
    first = units[0]
    unit_price = first.original_price if first.original_price is not None else first.sale_price
    if unit_price is None:
        raise ValueError(f"line item {first.id} has no price")
    paid = first.sale_price if first.sale_price is not None else unit_price
    discount = (unit_price - paid) * quantity
    title = " - ".join(part for part in (first.product_name, first.sku_name) if part)
    return OrderLine(
        external_id=min((item.id for item in units), key=_unit_order),
        sku=first.seller_sku or "",
        quantity=quantity,
        unit_price=Money(amount=unit_price, currency=currency),
        title=title,
        variant_external_id=first.sku_id,
        discount=Money(amount=discount, currency=currency) if discount > 0 else None,
    )


def _order_lines(order: TikTokOrder, currency: str) -> tuple[OrderLine, ...]:
    groups = list(_groups(order.line_items).values())
    live = [(units, sum(not is_cancelled(item) for item in units)) for units in groups]
    if not any(count for _, count in live):
        # A wholly cancelled order still shows what was ordered.
        return tuple(_order_line(units, currency, len(units)) for units in groups)
    return tuple(_order_line(units, currency, count) for units, count in live if count)


def _district(address: RecipientAddress, *levels: str) -> str | None:
    for info in address.district_info:
        if info.address_level in levels or info.address_level_name in levels:
            return info.address_name
    return None


def shipping_address(address: RecipientAddress | None) -> Address | None:
    """The recipient as a domain `Address` (TikTok withholds it while an order is unpaid or on hold)."""
    if address is None:
        return None
    name = address.name or " ".join(part for part in (address.first_name, address.last_name) if part)
    line1 = address.address_line1 or address.address_detail or address.full_address or ""
    country = (address.region_code or "").upper()
    return Address(
        name=name,
        phone=address.phone_number or None,
        line1=line1,
        line2=address.address_line2 if address.address_line2 and address.address_line2 != line1 else None,
        city=_district(address, "L3", "City") or "",
        region=_district(address, "L1", "State"),
        postal_code=address.postal_code or None,
        country_code=country if len(country) == 2 else "",
    )


def order_raw(order: TikTokOrder) -> dict[str, Any]:
    """The order's ids, times, statuses and amounts as JSON values; no personal data."""
    data = order.model_dump(mode="json", include=set(_RAW_ORDER_FIELDS), exclude_none=True)
    if order.payment is not None:
        data["payment"] = order.payment.model_dump(mode="json", exclude_none=True)
    data["line_items"] = [
        item.model_dump(mode="json", include=set(_RAW_LINE_FIELDS), exclude_none=True) for item in order.line_items
    ]
    data["packages"] = [{"id": package.id} for package in order.packages]
    return data


def order_to_domain(order: TikTokOrder) -> Order:
    """A TikTok order (detail) as a domain `Order`; ValueError if it cannot be mapped."""
    status = ORDER_STATUSES.get(order.status or "")
    if status is None:
        raise ValueError(f"unknown order status {order.status!r}")
    payment = order.payment
    currency = (payment.currency if payment else None) or next(
        (item.currency for item in order.line_items if item.currency), None
    )
    if not currency:
        raise ValueError("the order has no currency")
    if not order.line_items:
        raise ValueError("the order has no line items")
    return Order(
        external_id=order.id,
        status=status,
        lines=_order_lines(order, currency),
        currency=currency,
        created_at=from_unix(order.create_time, "create_time"),
        updated_at=from_unix(order.update_time, "update_time"),
        shipping_address=shipping_address(order.recipient_address),
        buyer_email=order.buyer_email or None,
        shipping_total=money(payment.shipping_fee, currency) if payment else None,
        tax_total=money(payment.tax, currency) if payment else None,
        total=money(payment.total_amount, currency) if payment else None,
        fulfilled_by_platform=order.fulfillment_type == FULFILLED_BY_TIKTOK,
        raw=order_raw(order),
    )


# -- order references --------------------------------------------------------------------------------------


def external_platform(store_platform: str) -> str:
    """TikTok's `platform` value for a store connector name (an OMS when TikTok has no name for it)."""
    known = STORE_PLATFORMS.get(store_platform.lower()) or store_platform.upper()
    return known if known in EXTERNAL_PLATFORMS else "ORDER_MANAGEMENT_SYSTEM"


def reference_lines(line_ids: Mapping[str, str], groups: Mapping[str, list[str]]) -> list[ExternalLineItemRef] | None:
    """TikTok unit line -> store line pairs for a reference; None when there are none or too many to send."""
    pairs = [
        ExternalLineItemRef(id=unit, origin_id=store_line)
        for line_id, store_line in line_ids.items()
        for unit in groups.get(line_id, [line_id])
    ]
    # Over TikTok's limit the reference goes without line items rather than with a misleading part of them.
    return pairs if 0 < len(pairs) <= MAX_REFERENCE_LINES else None
