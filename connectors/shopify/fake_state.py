"""The emulator's in-memory shop: products, variants, inventory, locations, orders, as plain records.

Ids are integers inside and GIDs (`gid://shopify/Product/1`) on the wire. Every change takes a timestamp from a
logical clock that advances one second per change, so `updatedAt` values are distinct and ordered, which is what
the incremental-read tests need and what a real shop gives at human speed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

GID_PATTERN = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)(?:\?.*)?$")
# States that make up on_hand next to `available` (Shopify's quantity names).
UNAVAILABLE_STATES = ("committed", "reserved", "damaged", "quality_control", "safety_stock")
QUANTITY_NAMES = ("available", "on_hand", "incoming", *UNAVAILABLE_STATES)
DEFAULT_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def gid(kind: str, number: int) -> str:
    """The global id of object `number` of type `kind`."""
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: str, kind: str | None = None) -> int | None:
    """The number inside a GID (of `kind`, when given), or of a plain numeric id; None if it is neither."""
    if value.isdigit():
        return int(value)
    match = GID_PATTERN.match(value)
    if match is None or (kind is not None and match.group(1) != kind):
        return None
    return int(match.group(2))


@dataclass(slots=True)
class Image:
    """A product image (a MediaImage on the wire)."""

    id: int
    url: str
    alt: str | None = None

    graphql_type = "MediaImage"


@dataclass(slots=True)
class Product:
    """A product; variants are kept in the shop's variant table, in `variant_ids` order."""

    id: int
    title: str
    handle: str
    created_at: datetime
    updated_at: datetime
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    tags: list[str] = field(default_factory=list)
    status: str = "ACTIVE"
    options: list[tuple[str, list[str]]] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    variant_ids: list[int] = field(default_factory=list)

    graphql_type = "Product"


@dataclass(slots=True)
class Variant:
    """A product variant; its inventory item has the same lifetime."""

    id: int
    product_id: int
    inventory_item_id: int
    title: str
    sku: str | None
    price: Decimal
    position: int
    created_at: datetime
    updated_at: datetime
    barcode: str | None = None
    compare_at_price: Decimal | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    image_id: int | None = None
    inventory_policy: str = "DENY"

    graphql_type = "ProductVariant"


@dataclass(slots=True)
class InventoryItem:
    """The stock-keeping side of a variant: tracking flag and weight."""

    id: int
    variant_id: int
    created_at: datetime
    updated_at: datetime
    tracked: bool = True
    weight_value: float | None = None
    weight_unit: str = "GRAMS"

    graphql_type = "InventoryItem"


@dataclass(slots=True)
class Location:
    """A place that stocks inventory."""

    id: int
    name: str
    active: bool = True

    graphql_type = "Location"


@dataclass(slots=True)
class Level:
    """An inventory item's quantities at one location."""

    item_id: int
    location_id: int
    created_at: datetime
    updated_at: datetime
    quantities: dict[str, int] = field(default_factory=dict)

    graphql_type = "InventoryLevel"

    def quantity(self, name: str) -> int:
        """One named quantity; on_hand is derived from the others."""
        if name == "on_hand":
            return self.quantities.get("available", 0) + sum(self.quantities.get(s, 0) for s in UNAVAILABLE_STATES)
        return self.quantities.get(name, 0)


@dataclass(slots=True)
class LineItem:
    """One line of an order."""

    id: int
    title: str
    quantity: int
    price: Decimal
    sku: str | None = None
    variant_id: int | None = None
    tax_lines: list[dict[str, Any]] = field(default_factory=list)
    # Where the order took the stock from, so a cancellation can put it back.
    location_id: int | None = None

    graphql_type = "LineItem"


@dataclass(slots=True)
class Fulfillment:
    """A shipment of order lines, with tracking."""

    id: int
    order_id: int
    created_at: datetime
    updated_at: datetime
    status: str = "SUCCESS"
    tracking: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    line_items: list[tuple[int, int]] = field(default_factory=list)

    graphql_type = "Fulfillment"


@dataclass(slots=True)
class Order:
    """An order with its lines, addresses, shipping, taxes and fulfilments."""

    id: int
    number: int
    currency: str
    created_at: datetime
    updated_at: datetime
    line_items: list[LineItem] = field(default_factory=list)
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    source_name: str | None = None
    source_identifier: str | None = None
    financial_status: str | None = "PAID"
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    shipping_lines: list[dict[str, Any]] = field(default_factory=list)
    tax_lines: list[dict[str, Any]] = field(default_factory=list)
    custom_attributes: list[tuple[str, str]] = field(default_factory=list)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    test: bool = False
    fulfillments: list[Fulfillment] = field(default_factory=list)

    graphql_type = "Order"

    @property
    def name(self) -> str:
        """The order's display name, `#1001`."""
        return f"#{self.number}"


@dataclass(slots=True)
class ShopInfo:
    """The shop itself."""

    name: str
    domain: str
    currency: str = "USD"
    email: str = "owner@example.com"
    timezone: str = "UTC"

    graphql_type = "Shop"


class LogicalClock:
    """Timestamps for changes: one second apart, starting at `epoch`; never repeats a value."""

    def __init__(self, epoch: datetime = DEFAULT_EPOCH) -> None:
        self._last = epoch.astimezone(UTC).replace(microsecond=0) - timedelta(seconds=1)

    def tick(self) -> datetime:
        """The timestamp of the next change."""
        self._last += timedelta(seconds=1)
        return self._last

    def seen(self, value: datetime) -> None:
        """Keep later ticks after `value` (seeded data may carry its own timestamps)."""
        value = value.astimezone(UTC).replace(microsecond=0)
        if value > self._last:
            self._last = value

    @property
    def now(self) -> datetime:
        """The last timestamp handed out."""
        return self._last


@dataclass
class ShopData:
    """Every record of one shop, by id, with id counters and the logical clock."""

    shop: ShopInfo
    clock: LogicalClock
    products: dict[int, Product] = field(default_factory=dict)
    variants: dict[int, Variant] = field(default_factory=dict)
    items: dict[int, InventoryItem] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    # (item id, location id) -> level
    levels: dict[tuple[int, int], Level] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    _next_id: int = 1000

    def new_id(self) -> int:
        """A fresh id, unique across every kind of record (like Shopify's)."""
        self._next_id += 1
        return self._next_id

    def reserve_ids(self, highest: int) -> None:
        """Make sure new ids stay above `highest` (an id taken from seed data)."""
        self._next_id = max(self._next_id, highest)

    def variants_of(self, product: Product) -> list[Variant]:
        """A product's variants in position order."""
        return [self.variants[variant_id] for variant_id in product.variant_ids]

    def variant_by_sku(self, sku: str) -> Variant | None:
        """The first variant with this SKU."""
        return next((v for v in self.variants.values() if v.sku == sku), None)

    def levels_of_item(self, item_id: int) -> list[Level]:
        """An item's levels, by location id."""
        return sorted((lv for (i, _), lv in self.levels.items() if i == item_id), key=lambda lv: lv.location_id)

    def levels_at(self, location_id: int) -> list[Level]:
        """A location's levels, by item id."""
        return sorted((lv for (_, loc), lv in self.levels.items() if loc == location_id), key=lambda lv: lv.item_id)

    def next_order_number(self) -> int:
        """The number the next order gets (`#1001` first)."""
        return max((o.number for o in self.orders.values()), default=1000) + 1

    def lookup(self, global_id: str) -> object | None:
        """The record a GID names, or None."""
        match = GID_PATTERN.match(global_id)
        if match is None:
            return None
        kind, number = match.group(1), int(match.group(2))
        tables: dict[str, dict[int, Any]] = {
            "Product": self.products,
            "ProductVariant": self.variants,
            "InventoryItem": self.items,
            "Location": self.locations,
            "Order": self.orders,
        }
        if kind in tables:
            return tables[kind].get(number)
        if kind == "Fulfillment":
            return next((f for o in self.orders.values() for f in o.fulfillments if f.id == number), None)
        if kind == "LineItem":
            return next((li for o in self.orders.values() for li in o.line_items if li.id == number), None)
        return None
