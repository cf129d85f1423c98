"""Shopify GraphQL Admin API payloads as pydantic models: the connector's only knowledge of Shopify field names
(besides the query documents and `mapping`). Attributes are snake_case; the camelCase wire names are aliases.
Unknown fields are ignored, so a query that asks for more still parses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel


class Node(BaseModel):
    """Base of every payload model."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True)


class PageInfo(Node):
    """Relay page info."""

    has_next_page: bool = False
    end_cursor: str | None = None


class UserError(Node):
    """A mutation's per-input error; `field` is the path to the offending input."""

    code: str | None = None
    field: list[str] | None = None
    message: str = ""

    @field_validator("field", mode="before")
    @classmethod
    def _strings(cls, value: object) -> object:
        return [str(part) for part in value] if isinstance(value, list) else value


class ThrottleStatus(Node):
    """The cost bucket as Shopify reports it after a call."""

    maximum_available: float
    currently_available: float
    restore_rate: float


class QueryCost(Node):
    """`extensions.cost` of a response."""

    requested_query_cost: int | None = None
    actual_query_cost: int | None = None
    throttle_status: ThrottleStatus | None = None


class Image(Node):
    """An image URL."""

    url: str


class MediaNode(Node):
    """A product media item (only images carry an `image`)."""

    id: str | None = None
    media_content_type: str | None = None
    image: Image | None = None


class Weight(Node):
    """A weight with its unit (GRAMS, KILOGRAMS, OUNCES, POUNDS)."""

    unit: str
    value: float


class Measurement(Node):
    """An inventory item's measurements."""

    weight: Weight | None = None


class InventoryItemRef(Node):
    """The inventory item a variant stocks as."""

    id: str
    tracked: bool = True
    measurement: Measurement | None = None


class SelectedOption(Node):
    """One option value of a variant."""

    name: str
    value: str


class VariantNode(Node):
    """A product variant as the catalog queries select it."""

    id: str
    title: str = ""
    sku: str | None = None
    barcode: str | None = None
    price: Decimal | None = None
    compare_at_price: Decimal | None = None
    position: int | None = None
    updated_at: datetime | None = None
    selected_options: list[SelectedOption] = Field(default_factory=list)
    image: Image | None = None
    inventory_item: InventoryItemRef | None = None


class VariantConnection(Node):
    """A page of variants."""

    nodes: list[VariantNode] = Field(default_factory=list)
    page_info: PageInfo = Field(default_factory=PageInfo)


class MediaConnection(Node):
    """A page of media."""

    nodes: list[MediaNode] = Field(default_factory=list)


class ProductNode(Node):
    """A product with its first page of variants (or, from a bulk file, all of them)."""

    id: str
    title: str
    handle: str | None = None
    description_html: str = ""
    vendor: str | None = None
    product_type: str | None = None
    tags: list[str] = Field(default_factory=list)
    status: str = "ACTIVE"
    updated_at: datetime
    media: MediaConnection = Field(default_factory=MediaConnection)
    variants: VariantConnection = Field(default_factory=VariantConnection)


class QuantityValue(Node):
    """One named quantity."""

    name: str
    quantity: int


class LevelItem(Node):
    """The inventory item of a level, with its SKU and variant."""

    id: str
    sku: str | None = None
    tracked: bool = True
    variant: dict[str, str] | None = None


class LevelNode(Node):
    """An inventory level as the stock read selects it."""

    id: str
    updated_at: datetime | None = None
    quantities: list[QuantityValue] = Field(default_factory=list)
    item: LevelItem

    def quantity(self, name: str) -> int | None:
        """The named quantity, if selected."""
        return next((q.quantity for q in self.quantities if q.name == name), None)


class LocationNode(Node):
    """A location."""

    id: str
    name: str = ""
    is_active: bool = True


class ItemAtLocation(Node):
    """A variant's inventory item and its level at one location (None: not stocked there)."""

    id: str
    tracked: bool = True
    inventory_level: dict[str, list[QuantityValue]] | None = None

    def available(self) -> int | None:
        """The available quantity at the location, None when the item is not stocked there."""
        if self.inventory_level is None:
            return None
        return next((q.quantity for q in self.inventory_level.get("quantities", []) if q.name == "available"), None)


class VariantAtLocation(Node):
    """A variant found by SKU, with its inventory at the location asked about."""

    id: str
    sku: str | None = None
    inventory_item: ItemAtLocation


class VariantRef(Node):
    """A variant found by SKU, for order lines."""

    id: str
    sku: str | None = None
    title: str = ""


class Attribute(Node):
    """A custom attribute (note attribute) of an order."""

    key: str
    value: str | None = None


class OrderRef(Node):
    """An order found by tag, source identifier or idempotency key."""

    id: str
    name: str = ""
    tags: list[str] = Field(default_factory=list)
    source_name: str | None = None
    source_identifier: str | None = None
    cancelled_at: datetime | None = None
    created_at: datetime | None = None
    custom_attributes: list[Attribute] = Field(default_factory=list)


class TrackingInfo(Node):
    """Tracking number, carrier and URL of a fulfillment."""

    number: str | None = None
    company: str | None = None
    url: str | None = None


class FulfillmentNode(Node):
    """A fulfillment of an order."""

    id: str
    status: str = "SUCCESS"
    created_at: datetime | None = None
    tracking_info: list[TrackingInfo] = Field(default_factory=list)
    fulfillment_line_items: dict[str, list[dict[str, dict[str, str]]]] = Field(default_factory=dict)

    @property
    def line_item_ids(self) -> tuple[str, ...]:
        """The ids of the order lines this fulfillment ships."""
        nodes = self.fulfillment_line_items.get("nodes", [])
        return tuple(n["lineItem"]["id"] for n in nodes if "lineItem" in n and "id" in n["lineItem"])


class OrderFulfillments(Node):
    """An order's fulfillments."""

    id: str
    fulfillments: list[FulfillmentNode] = Field(default_factory=list)


class BulkOperationNode(Node):
    """A bulk operation's status."""

    id: str
    status: str
    error_code: str | None = None
    object_count: int | None = None
    url: str | None = None
    partial_data_url: str | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None
