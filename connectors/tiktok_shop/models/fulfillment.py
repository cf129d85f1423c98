"""Fulfillment payloads: packages, shipping, tracking, documents, split and combine (ref §4.5)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from connectors.tiktok_shop.models.base import CursorPage, ItemError, TikTokModel, TikTokRequest


class PackageSearchFilter(TikTokRequest):
    """Body of `POST /fulfillment/202309/packages/search`; paging and sorting travel in the query."""

    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    package_status: str | None = None  # TO_FULFILL | PROCESSING | FULFILLING | COMPLETED | CANCELLED


class PackageSummary(TikTokModel):
    """A package in search results."""

    id: str
    status: str | None = None
    orders: list[dict[str, Any]] = Field(default_factory=list)
    tracking_number: str | None = None
    shipping_provider_id: str | None = None
    shipping_provider_name: str | None = None
    create_time: int | None = None
    update_time: int | None = None


class PackageSearchPage(CursorPage):
    """One page of package search."""

    items_field = "packages"
    packages: list[PackageSummary] = Field(default_factory=list)


class PackageDetail(TikTokModel):
    """`data` of `GET /fulfillment/202309/packages/{package_id}`."""

    package_id: str | None = None
    package_status: str | None = None
    orders: list[dict[str, Any]] = Field(default_factory=list)
    tracking_number: str | None = None
    shipping_provider_id: str | None = None
    shipping_provider_name: str | None = None
    delivery_option_id: str | None = None
    handover_method: str | None = None


class PickupSlot(TikTokRequest):
    """A pickup time window (Unix seconds)."""

    start_time: int
    end_time: int


class SelfShipment(TikTokRequest):
    """Seller shipping (SEND_BY_SELLER): the carrier and tracking number."""

    tracking_number: str
    shipping_provider_id: str


class ShipPackageRequest(TikTokRequest):
    """Body of `POST /fulfillment/202309/packages/{package_id}/ship`."""

    handover_method: str | None = None  # PICKUP | DROP_OFF
    pickup_slot: PickupSlot | None = None
    self_shipment: SelfShipment | None = None


class ShipPackageItem(ShipPackageRequest):
    """One entry of the batch ship body `{packages: [...]}`."""

    id: str


class MarkShippedRequest(TikTokRequest):
    """Body of `POST /fulfillment/202309/orders/{order_id}/packages` (seller shipping with tracking)."""

    tracking_number: str
    shipping_provider_id: str
    order_line_item_ids: list[str] | None = None


class MarkShippedResult(TikTokModel):
    """`data` of mark package as shipped: the package TikTok created for the line items."""

    order_id: str | None = None
    order_line_item_ids: list[str] = Field(default_factory=list)
    package_id: str | None = None
    warning: dict[str, Any] | None = None


class ShippingInfoUpdate(TikTokRequest):
    """Body of the two `shipping_info/update` calls."""

    tracking_number: str
    shipping_provider_id: str


class TrackingEvent(TikTokModel):
    """One carrier scan."""

    description: str | None = None
    update_time_millis: int | None = None


class TrackingData(TikTokModel):
    """`data` of `GET /fulfillment/202309/orders/{order_id}/tracking`."""

    tracking: list[TrackingEvent] = Field(default_factory=list)


class ShippingDocument(TikTokModel):
    """`data` of `GET /fulfillment/202309/packages/{package_id}/shipping_documents`."""

    doc_url: str | None = None
    tracking_number: str | None = None


class SplitAttribute(TikTokModel):
    """Whether an order can be split into several packages."""

    order_id: str
    can_split: bool | None = None
    reason: str | None = None


class SplitAttributesData(TikTokModel):
    """`data` of `GET /fulfillment/202309/orders/split_attributes`."""

    split_attributes: list[SplitAttribute] = Field(default_factory=list)


class SplittableGroup(TikTokRequest):
    """A group of line items that becomes one package."""

    id: str
    order_line_item_ids: list[str]


class PackagesResult(TikTokModel):
    """`data` of split, combine and uncombine: the resulting packages (and per-package errors, if any)."""

    packages: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[ItemError] = Field(default_factory=list)


class CombinablePackage(TikTokModel):
    """Packages that may be combined into one."""

    id: str
    order_ids: list[str] = Field(default_factory=list)


class CombinablePackagePage(CursorPage):
    """One page of `GET /fulfillment/202309/combinable_packages/search`."""

    items_field = "combinable_packages"
    combinable_packages: list[CombinablePackage] = Field(default_factory=list)


class CombinePackageInput(TikTokRequest):
    """One package to combine, and optionally which of its orders.

    `order_ids` is optional on the Combine Package page (copy in lywzx/tiktok-partner-api CombinePackage.ts:
    `id` required, `order_ids?`); left out, it is not sent.
    """

    id: str
    order_ids: list[str] | None = None
