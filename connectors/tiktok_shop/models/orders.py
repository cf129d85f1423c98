"""Order payloads: search, details, price detail and external order references (ref §4.4, §5)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from connectors.tiktok_shop.models.base import Amount, CursorPage, TikTokModel, TikTokRequest


class OrderStatus(StrEnum):
    """Order statuses of the order API (webhooks say CANCEL for CANCELLED)."""

    UNPAID = "UNPAID"
    ON_HOLD = "ON_HOLD"
    AWAITING_SHIPMENT = "AWAITING_SHIPMENT"
    PARTIALLY_SHIPPING = "PARTIALLY_SHIPPING"
    AWAITING_COLLECTION = "AWAITING_COLLECTION"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class OrderSearchFilter(TikTokRequest):
    """Body of `POST /order/202309/orders/search`; paging and sorting travel in the query."""

    order_status: str | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    shipping_type: str | None = None  # TIKTOK | SELLER
    buyer_user_id: str | None = None
    is_buyer_request_cancel: bool | None = None
    warehouse_ids: list[str] | None = Field(default=None, max_length=100)


class OrderPayment(TikTokModel):
    """An order's money, as decimal amounts in `currency`."""

    currency: str | None = None
    sub_total: Amount = None
    shipping_fee: Amount = None
    seller_discount: Amount = None
    platform_discount: Amount = None
    total_amount: Amount = None
    tax: Amount = None
    original_total_product_price: Amount = None
    original_shipping_fee: Amount = None


class DistrictInfo(TikTokModel):
    """One level of an address (country, state, city, ...)."""

    address_level_name: str | None = None
    address_name: str | None = None
    address_level: str | None = None


class RecipientAddress(TikTokModel):
    """Where the order ships to."""

    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None
    full_address: str | None = None
    address_detail: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    address_line4: str | None = None
    postal_code: str | None = None
    region_code: str | None = None
    district_info: list[DistrictInfo] = Field(default_factory=list)


class LineItem(TikTokModel):
    """One unit of one SKU in an order (TikTok lists a line item per unit)."""

    id: str
    sku_id: str | None = None
    product_id: str | None = None
    seller_sku: str | None = None
    sku_name: str | None = None
    product_name: str | None = None
    currency: str | None = None
    sale_price: Amount = None
    original_price: Amount = None
    seller_discount: Amount = None
    platform_discount: Amount = None
    package_id: str | None = None
    tracking_number: str | None = None
    shipping_provider_id: str | None = None
    shipping_provider_name: str | None = None
    display_status: str | None = None
    is_gift: bool | None = None
    cancel_reason: str | None = None
    cancel_user: str | None = None


class OrderPackage(TikTokModel):
    """A package an order ships in."""

    id: str


class Order(TikTokModel):
    """An order: the entries of search and of detail."""

    id: str
    status: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    paid_time: int | None = None
    rts_time: int | None = None
    payment: OrderPayment | None = None
    recipient_address: RecipientAddress | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    packages: list[OrderPackage] = Field(default_factory=list)
    fulfillment_type: str | None = None
    delivery_type: str | None = None
    shipping_type: str | None = None
    shipping_provider: str | None = None
    shipping_provider_id: str | None = None
    tracking_number: str | None = None
    warehouse_id: str | None = None
    delivery_option_id: str | None = None
    buyer_email: str | None = None
    buyer_message: str | None = None
    user_id: str | None = None
    cancel_reason: str | None = None
    cancellation_initiator: str | None = None
    is_on_hold_order: bool | None = None
    is_cod: bool | None = None
    is_sample_order: bool | None = None
    seller_note: str | None = None


class OrderSearchPage(CursorPage):
    """One page of order search."""

    items_field = "orders"
    orders: list[Order] = Field(default_factory=list)


class OrderDetailData(TikTokModel):
    """`data` of `GET /order/202309/orders?ids=...`."""

    orders: list[Order] = Field(default_factory=list)


class OrderPriceDetail(TikTokModel):
    """`data` of `GET /order/202407/orders/{order_id}/price_detail` (kept whole; fields vary by market)."""

    currency: str | None = None
    line_items: list[dict[str, Any]] = Field(default_factory=list)


# Values seen for `platform` (ref §5.1 DISAGREE: PY lists these, NPM adds OTHERS). Kept as plain text so a
# value TikTok accepts is never refused here.
EXTERNAL_PLATFORMS = (
    "SHOPIFY",
    "WOOCOMMERCE",
    "BIGCOMMERCE",
    "MAGENTO",
    "SALESFORCE_COMMERCE_CLOUD",
    "CHANNEL_ADVISOR",
    "AMAZON",
    "ORDER_MANAGEMENT_SYSTEM",
    "WAREHOUSE_MANAGEMENT_SYSTEM",
    "ERP_SYSTEM",
    "OTHERS",
)


class ExternalLineItemRef(TikTokRequest):
    """Links a TikTok line item to an OMS line item.

    ref §5.1 DISAGREE: DOC-EXT (and the official example values) say `id` is the TikTok line item id and
    `origin_id` the OMS one; PY says the reverse. We follow DOC-EXT, the closer copy of the official page.
    """

    id: str
    origin_id: str


class ExternalOrderInput(TikTokRequest):
    """The OMS order a TikTok order is linked to."""

    id: str
    platform: str
    line_items: list[ExternalLineItemRef] | None = Field(default=None, max_length=100)


class ExternalOrderReference(TikTokRequest):
    """One entry of `POST /order/202406/orders/external_orders`: TikTok order `id` and its OMS order."""

    id: str
    external_order: ExternalOrderInput


class ExternalLineItem(TikTokModel):
    """A linked line item as TikTok reports it."""

    id: str | None = None
    origin_id: str | None = None


class ExternalOrder(TikTokModel):
    """An OMS order linked to a TikTok order."""

    id: str
    platform: str | None = None
    line_items: list[ExternalLineItem] = Field(default_factory=list)


class ExternalOrdersData(TikTokModel):
    """`data` of `GET /order/202406/orders/{order_id}/external_orders`."""

    external_orders: list[ExternalOrder] = Field(default_factory=list)


class ExternalOrderMatch(TikTokModel):
    """A TikTok order found by its external reference."""

    id: str
    external_order: ExternalOrder | None = None


class ExternalOrderSearchData(TikTokModel):
    """`data` of `POST /order/202406/orders/external_order_search`; `orders` may be absent when none match."""

    orders: list[ExternalOrderMatch] = Field(default_factory=list)
