"""Platform-neutral records that flow between connectors and the engine.

Every model is frozen. Money is `Decimal` with an ISO currency code beside it, datetimes are timezone-aware
UTC, and platform ids are strings (TikTok ids overflow a float; Shopify ids are GIDs).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _as_utc(value: datetime) -> datetime:
    """Reject naive datetimes and normalise aware ones to UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
ExternalId = Annotated[str, Field(min_length=1, max_length=255)]
Sku = Annotated[str, Field(min_length=1, max_length=255)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class DomainModel(BaseModel):
    """Base of all domain records: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(DomainModel):
    """An amount in one currency."""

    amount: Decimal
    currency: CurrencyCode


class Variant(DomainModel):
    """One sellable unit of a product, identified across platforms by its SKU."""

    external_id: ExternalId
    sku: Sku
    title: str = ""
    price: Money | None = None
    compare_at_price: Money | None = None
    barcode: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    weight_grams: int | None = Field(default=None, ge=0)
    image_urls: tuple[str, ...] = ()
    inventory_item_id: str | None = None
    manages_stock: bool = True


class ProductStatus(StrEnum):
    """Whether a product is for sale."""

    ACTIVE = "active"
    DRAFT = "draft"
    ARCHIVED = "archived"


class Product(DomainModel):
    """A product with its variants, as one channel shows it."""

    external_id: ExternalId
    title: str
    description_html: str = ""
    vendor: str | None = None
    product_type: str | None = None
    tags: tuple[str, ...] = ()
    status: ProductStatus = ProductStatus.ACTIVE
    image_urls: tuple[str, ...] = ()
    variants: tuple[Variant, ...]
    updated_at: UtcDatetime


class StockLevel(DomainModel):
    """Units on hand of one SKU at one location of one channel."""

    sku: Sku
    location_id: str
    on_hand: int
    variant_external_id: str | None = None
    inventory_item_id: str | None = None
    updated_at: UtcDatetime | None = None


class StockUpdate(DomainModel):
    """A quantity to set for one SKU at one location; `expected` enables compare-and-set."""

    sku: Sku
    location_id: str
    quantity: int = Field(ge=0)
    variant_external_id: str | None = None
    product_external_id: str | None = None
    expected: int | None = None


class Address(DomainModel):
    """A postal address; personal data, never logged."""

    name: str = ""
    phone: str | None = None
    line1: str = ""
    line2: str | None = None
    city: str = ""
    region: str | None = None
    postal_code: str | None = None
    country_code: str = Field(default="", max_length=2)


class OrderStatus(StrEnum):
    """A platform-neutral order lifecycle."""

    UNPAID = "unpaid"
    ON_HOLD = "on_hold"
    AWAITING_SHIPMENT = "awaiting_shipment"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class OrderLine(DomainModel):
    """One line of an order."""

    external_id: ExternalId
    sku: str
    quantity: int = Field(gt=0)
    unit_price: Money
    title: str = ""
    variant_external_id: str | None = None
    tax: Money | None = None
    discount: Money | None = None


class Order(DomainModel):
    """An order as a channel reports it."""

    external_id: ExternalId
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    currency: CurrencyCode
    created_at: UtcDatetime
    updated_at: UtcDatetime
    shipping_address: Address | None = None
    buyer_email: str | None = None
    shipping_total: Money | None = None
    tax_total: Money | None = None
    total: Money | None = None
    fulfilled_by_platform: bool = False
    external_reference: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)


class Fulfilment(DomainModel):
    """A shipment of some or all of an order's lines with its tracking."""

    order_external_id: ExternalId
    external_id: ExternalId
    tracking_number: str | None = None
    carrier: str | None = None
    tracking_url: str | None = None
    line_external_ids: tuple[str, ...] = ()
    created_at: UtcDatetime | None = None


class ListingSpec(DomainModel):
    """What a marketplace needs beyond the product itself to list it: category, brand, attributes, parcel."""

    category_id: str = Field(min_length=1)
    brand_id: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    package_weight_grams: int = Field(gt=0)


class Listing(DomainModel):
    """A product to create or update on a sales channel, with prices already after the channel's rules.

    `external_id` is the channel's product id when the listing exists (update), None to create it. The
    stock to list with comes per SKU in `quantities`, so a new listing is never briefly oversold.
    """

    product: Product
    spec: ListingSpec | None = None
    external_id: str | None = None
    quantities: dict[str, int] = Field(default_factory=dict)


class OrderReference(DomainModel):
    """The link from a marketplace order to the store order created for it."""

    order_external_id: ExternalId
    store_order_id: ExternalId
    store_platform: str = Field(min_length=1)
    # Marketplace line id -> store line id, where the store reports them.
    line_ids: dict[str, str] = Field(default_factory=dict)


class ReturnStatus(StrEnum):
    """Where a return or cancellation stands."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ReturnKind(StrEnum):
    """What the buyer asked for."""

    CANCELLATION = "cancellation"
    REFUND_ONLY = "refund_only"
    RETURN_AND_REFUND = "return_and_refund"
    REPLACEMENT = "replacement"


class ReturnLine(DomainModel):
    """Units of one SKU in a return."""

    sku: str
    quantity: int = Field(gt=0)
    line_external_id: str | None = None


class Return(DomainModel):
    """A cancellation, refund or return of (part of) an order."""

    external_id: ExternalId
    order_external_id: ExternalId
    kind: ReturnKind
    status: ReturnStatus
    lines: tuple[ReturnLine, ...] = ()
    refund_total: Money | None = None
    updated_at: UtcDatetime


class WebhookKind(StrEnum):
    """What a webhook delivery is about, so the engine knows which job to run for which entities."""

    ORDER = "order"
    PRODUCT = "product"
    INVENTORY = "inventory"
    FULFILMENT = "fulfilment"
    RETURN = "return"
    DEAUTHORIZED = "deauthorized"
    AUTH_EXPIRING = "auth_expiring"
    PING = "ping"
    OTHER = "other"


class WebhookNotice(DomainModel):
    """A verified webhook delivery, reduced to what the engine acts on.

    `entity_ids` are the platform's ids of what changed (order ids, product ids, inventory item ids); an
    empty tuple means "something changed, run the job".
    """

    event_id: str = Field(min_length=1, max_length=255)
    topic: str
    kind: WebhookKind
    entity_ids: tuple[str, ...] = ()
    occurred_at: UtcDatetime | None = None
    detail: str = ""
