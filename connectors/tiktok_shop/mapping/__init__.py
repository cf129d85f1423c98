"""TikTok Shop payloads to syncd domain records and back: orders, after-sales, products, stock, listings.

Pure functions, no I/O. A payload that cannot be mapped raises `ValueError` (pydantic's `ValidationError` is
one) with a reason fit for a `RejectedRecord`; the connector never lets one bad record sink a page.

`orders` maps orders, fulfilment units and order references, `aftersales` cancellations and returns,
`catalog` products, stock and listing bodies, and `values` the times and amounts they share. Every public
name is importable from this package.
"""

from connectors.tiktok_shop.mapping.aftersales import (
    CANCEL_STATUSES,
    RETURN_KINDS,
    RETURN_STATUSES,
    cancellation_to_domain,
    return_to_domain,
)
from connectors.tiktok_shop.mapping.catalog import (
    MAX_QUANTITY,
    PRODUCT_STATUSES,
    clamp_quantity,
    default_warehouse,
    description_html,
    holder_rank,
    is_deleted,
    listing_changes,
    listing_spec,
    price_updates,
    product_attributes,
    product_input,
    product_to_domain,
    sku_ids,
    sku_inputs,
    stock_levels,
)
from connectors.tiktok_shop.mapping.orders import (
    FULFILLED_BY_TIKTOK,
    MAX_REFERENCE_LINES,
    NOT_YET_SHIPPABLE_ORDER_STATUSES,
    ORDER_STATUSES,
    SHIPPABLE_ORDER_STATUSES,
    SHIPPED_ORDER_STATUSES,
    STORE_PLATFORMS,
    external_platform,
    is_cancelled,
    is_shipped,
    line_groups,
    order_raw,
    order_to_domain,
    reference_lines,
    shipping_address,
    units_to_ship,
)
from connectors.tiktok_shop.mapping.values import BY_UPDATE_TIME, from_unix

__all__ = [
    "BY_UPDATE_TIME",
    "CANCEL_STATUSES",
    "FULFILLED_BY_TIKTOK",
    "MAX_QUANTITY",
    "MAX_REFERENCE_LINES",
    "NOT_YET_SHIPPABLE_ORDER_STATUSES",
    "ORDER_STATUSES",
    "PRODUCT_STATUSES",
    "RETURN_KINDS",
    "RETURN_STATUSES",
    "SHIPPABLE_ORDER_STATUSES",
    "SHIPPED_ORDER_STATUSES",
    "STORE_PLATFORMS",
    "cancellation_to_domain",
    "clamp_quantity",
    "default_warehouse",
    "description_html",
    "external_platform",
    "from_unix",
    "holder_rank",
    "is_cancelled",
    "is_deleted",
    "is_shipped",
    "line_groups",
    "listing_changes",
    "listing_spec",
    "order_raw",
    "order_to_domain",
    "price_updates",
    "product_attributes",
    "product_input",
    "product_to_domain",
    "reference_lines",
    "return_to_domain",
    "shipping_address",
    "sku_ids",
    "sku_inputs",
    "stock_levels",
    "units_to_ship",
]
