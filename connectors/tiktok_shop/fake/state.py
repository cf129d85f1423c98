"""The emulator's in-memory records: products and SKUs, orders and line items, packages, after-sales, tokens.

Records are plain dataclasses; each API module renders them into the platform's response shapes. Ids are
numeric strings of the platform's lengths, drawn from counters so that a run is reproducible.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

# Order statuses of the 202309 order API, in the order an order normally moves through them.
ORDER_STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
# Statuses in which the buyer has paid but nothing has shipped: the seller may still cancel.
CANCELLABLE_STATUSES = frozenset({"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"})
SHIPPABLE_STATUSES = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})
PRODUCT_STATUSES = (
    "DRAFT",
    "PENDING",
    "FAILED",
    "ACTIVATE",
    "SELLER_DEACTIVATED",
    "PLATFORM_DEACTIVATED",
    "FREEZE",
    "DELETED",
)


class IdSource:
    """Counters for the platform's numeric string ids, one range per kind of record."""

    # Leading digits per kind keep the kinds apart and give ids the platform's lengths (18-19 digits).
    _STARTS = {
        "product": 1729000000000000000,
        "sku": 1729500000000000000,
        "order": 576400000000000000,
        "line_item": 577000000000000000,
        "package": 1152900000000000000,
        "cancel": 4035000000000000000,
        "return": 4036000000000000000,
        "activity": 7290000000000000000,
        "brand": 7082000000000000000,
        "image": 100000,
        "notification": 7300000000000000000,
    }

    def __init__(self) -> None:
        self._counters = {kind: itertools.count(start + 1) for kind, start in self._STARTS.items()}

    def next(self, kind: str) -> str:
        """A fresh id of `kind`."""
        return str(next(self._counters[kind]))


@dataclass(slots=True)
class Sku:
    """One SKU of a product; inventory is per warehouse."""

    id: str
    product_id: str
    seller_sku: str
    price: str
    currency: str
    inventory: dict[str, int]
    sales_attributes: list[dict[str, Any]] = field(default_factory=list)
    external_sku_id: str = ""
    list_price: dict[str, Any] | None = None
    identifier_code: dict[str, Any] | None = None
    # Units sold on open orders that have not shipped yet (inventory search reports them).
    committed: int = 0


@dataclass(slots=True)
class Product:
    """A listing with its SKUs."""

    id: str
    title: str
    description: str
    status: str
    category_id: str
    skus: list[Sku]
    create_time: int
    update_time: int
    brand_id: str = ""
    main_images: list[dict[str, Any]] = field(default_factory=list)
    package_weight: dict[str, Any] = field(default_factory=lambda: {"value": "0.5", "unit": "KILOGRAM"})
    package_dimensions: dict[str, Any] | None = None
    product_attributes: list[dict[str, Any]] = field(default_factory=list)
    external_product_id: str = ""
    # The status before a delete, so that recover can put it back.
    status_before_delete: str = "SELLER_DEACTIVATED"


@dataclass(slots=True)
class LineItem:
    """One unit of one SKU in an order: the platform has no quantity field, a quantity of 3 is 3 lines."""

    id: str
    order_id: str
    sku_id: str
    product_id: str
    seller_sku: str
    product_name: str
    sku_name: str
    sale_price: str
    original_price: str
    currency: str
    display_status: str
    package_id: str = ""
    cancelled: bool = False
    cancel_reason: str = ""


@dataclass(slots=True)
class Order:
    """A buyer's order."""

    id: str
    status: str
    create_time: int
    update_time: int
    line_items: list[LineItem]
    currency: str
    recipient_address: dict[str, Any]
    shipping_fee: str = "0.00"
    paid_time: int | None = None
    buyer_email: str = ""
    buyer_message: str = ""
    user_id: str = ""
    is_on_hold_order: bool = False
    shipping_type: str = "SELLER"
    delivery_option_id: str = ""
    warehouse_id: str = ""
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    cancel_time: int | None = None
    # platform -> the external reference ({id, platform, line_items}) the seller's OMS attached.
    external_orders: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class TrackingEvent:
    """One step of a package's journey."""

    description: str
    update_time_millis: int


@dataclass(slots=True)
class Package:
    """A shipment: line items of one order (or of several, once combined), with its status and tracking."""

    id: str
    order_ids: list[str]
    line_item_ids: list[str]
    status: str
    create_time: int
    update_time: int
    tracking_number: str = ""
    shipping_provider_id: str = ""
    handover_method: str = ""
    events: list[TrackingEvent] = field(default_factory=list)


@dataclass(slots=True)
class Cancellation:
    """A cancellation of (part of) an order, requested by the buyer or made by the seller."""

    id: str
    order_id: str
    line_item_ids: list[str]
    status: str
    role: str
    cancel_type: str
    reason: str
    create_time: int
    update_time: int


@dataclass(slots=True)
class Return:
    """A buyer's return or refund request."""

    id: str
    order_id: str
    line_item_ids: list[str]
    status: str
    return_type: str
    reason: str
    create_time: int
    update_time: int
    role: str = "BUYER"
    # The return's steps, oldest first, as Get Return Records lists them.
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Grant:
    """An access token and what it stands for; `expires_at` is unix seconds on the fake's wall clock."""

    access_token: str
    refresh_token: str
    access_expires_at: int
    refresh_expires_at: int
    # False once refreshed: the platform then answers as for an expired token.
    current: bool = True


@dataclass(slots=True)
class Subscription:
    """A webhook subscription: one event type to one address."""

    event_type: str
    address: str
    create_time: int
    update_time: int
