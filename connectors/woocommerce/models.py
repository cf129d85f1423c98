"""WooCommerce REST v3 payloads, as much of them as syncd reads: field names exactly as the API spells them.

Unknown fields are ignored (stores add plugin fields freely); a field of the wrong type fails validation, and
the caller turns that into a rejected record instead of guessing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class WooModel(BaseModel):
    """Base of the payload models: immutable, tolerant of fields syncd does not use."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def parse_gmt(value: str | None) -> datetime | None:
    """A `*_gmt` field (`YYYY-MM-DDTHH:MM:SS`, no offset, UTC) as an aware datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def format_gmt(value: datetime) -> str:
    """An aware datetime in the form WooCommerce takes for `modified_after` with `dates_are_gmt=true`."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class MetaDatum(WooModel):
    """One `meta_data` entry."""

    id: int | None = None
    key: str
    value: Any = None


class Term(WooModel):
    """A category or tag reference."""

    id: int = 0
    name: str = ""


class Image(WooModel):
    """A product or variation image."""

    id: int = 0
    src: str = ""


class VariationAttribute(WooModel):
    """The option a variation takes for one attribute (Color: Green)."""

    id: int = 0
    name: str = ""
    option: str = ""


class Sellable(WooModel):
    """Fields products and variations share."""

    id: int
    sku: str = ""
    status: str = "publish"
    price: str | None = ""
    regular_price: str | None = ""
    sale_price: str | None = ""
    on_sale: bool = False
    # Variations answer "parent" when the parent product's stock figure applies to them.
    manage_stock: bool | Literal["parent"] = False
    stock_quantity: int | None = None
    stock_status: str = "instock"
    weight: str | None = ""
    # GTIN/UPC/EAN/ISBN, WooCommerce 9.2 and later.
    global_unique_id: str | None = None
    date_modified_gmt: str | None = None
    meta_data: list[MetaDatum] = Field(default_factory=list)

    @field_validator("stock_quantity", mode="before")
    @classmethod
    def _whole_units(cls, value: Any) -> Any:
        # Stores with decimal-stock plugins send floats; syncd counts whole units.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @property
    def modified(self) -> datetime | None:
        """`date_modified_gmt` as an aware datetime."""
        return parse_gmt(self.date_modified_gmt)


class WooVariation(Sellable):
    """`/products/<id>/variations/<id>`."""

    parent_id: int = 0
    attributes: list[VariationAttribute] = Field(default_factory=list)
    image: Image | None = None


class WooProduct(Sellable):
    """`/products/<id>`; `type` is simple, variable, grouped or external (or `variation` from a SKU search)."""

    name: str = ""
    type: str = "simple"
    parent_id: int = 0
    description: str = ""
    categories: list[Term] = Field(default_factory=list)
    tags: list[Term] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    variations: list[int] = Field(default_factory=list)


class WooAddress(WooModel):
    """`billing` / `shipping` of an order (shipping has no email)."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str | None = None
    phone: str | None = None


class WooLineItem(WooModel):
    """One `line_items` entry."""

    id: int
    name: str = ""
    product_id: int = 0
    variation_id: int = 0
    quantity: int = 0
    sku: str | None = ""
    total: str = "0"
    meta_data: list[MetaDatum] = Field(default_factory=list)


class WooOrder(WooModel):
    """`/orders/<id>`."""

    id: int
    number: str = ""
    status: str = "pending"
    currency: str = ""
    total: str = "0"
    transaction_id: str = ""
    customer_note: str = ""
    billing: WooAddress = Field(default_factory=WooAddress)
    shipping: WooAddress = Field(default_factory=WooAddress)
    line_items: list[WooLineItem] = Field(default_factory=list)
    meta_data: list[MetaDatum] = Field(default_factory=list)
    date_created_gmt: str | None = None
    date_modified_gmt: str | None = None
    date_completed_gmt: str | None = None

    def meta(self, key: str) -> Any:
        """The value of the first `meta_data` entry named `key`, or None."""
        return next((item.value for item in self.meta_data if item.key == key), None)


class WooOrderNote(WooModel):
    """`/orders/<id>/notes/<id>`."""

    id: int
    note: str = ""
    customer_note: bool = False
    date_created_gmt: str | None = None


class TrackingItem(WooModel):
    """One entry of the Shipment Tracking extension's `_wc_shipment_tracking_items` order meta."""

    tracking_provider: str = ""
    custom_tracking_provider: str = ""
    tracking_number: str = ""
    custom_tracking_link: str = ""
    # A Unix timestamp, as a number or a string of digits.
    date_shipped: int | str | None = None
    tracking_id: str = ""


class BatchError(WooModel):
    """The `error` of a failed item in a batch response (HTTP 200 overall)."""

    code: str = ""
    message: str = ""


class BatchItem(WooModel):
    """One item of a batch response: the saved object, or `{"id", "error"}`."""

    id: int = 0
    sku: str = ""
    error: BatchError | None = None
    manage_stock: bool | Literal["parent"] = False
    stock_quantity: int | None = None
