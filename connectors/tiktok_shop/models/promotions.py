"""Promotion payloads: activities and coupons (ref §4.9)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from connectors.tiktok_shop.models.base import CursorPage, TikTokModel, TikTokRequest


class ActivityCreate(TikTokRequest):
    """Body of `POST /promotion/202309/activities`."""

    title: str = Field(max_length=50)
    activity_type: str  # FIXED_PRICE | DIRECT_DISCOUNT | FLASHSALE | SHIPPING_DISCOUNT | BUY_MORE_SAVE_MORE
    begin_time: int
    end_time: int
    product_level: str  # PRODUCT | VARIATION | SHOP


class ActivityUpdate(TikTokRequest):
    """Body of `PUT /promotion/202309/activities/{activity_id}`."""

    title: str = Field(max_length=50)
    begin_time: int
    end_time: int


class ActivitySkuInput(TikTokRequest):
    """A SKU's deal; -1 means no limit for the quantities."""

    id: str
    activity_price_amount: Decimal | None = None
    discount: Decimal | None = None
    quantity_limit: int
    quantity_per_user: int


class ActivityProductInput(TikTokRequest):
    """A product's deal (with `skus` when the activity is at VARIATION level)."""

    id: str
    activity_price_amount: Decimal | None = None
    discount: Decimal | None = None
    quantity_limit: int
    quantity_per_user: int
    skus: list[ActivitySkuInput] | None = None


class ActivityResult(TikTokModel):
    """`data` of create, update, deactivate and the product calls."""

    activity_id: str | None = None
    title: str | None = None
    status: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    total_count: int | None = None


class Activity(TikTokModel):
    """A promotion activity: search gives `id`, get gives `activity_id` and its products."""

    id: str | None = None
    activity_id: str | None = None
    title: str | None = None
    activity_type: str | None = None
    product_level: str | None = None
    status: str | None = None
    begin_time: int | None = None
    end_time: int | None = None
    create_time: int | None = None
    update_time: int | None = None
    products: list[dict[str, Any]] = Field(default_factory=list)


class ActivitySearchFilter(TikTokRequest):
    """Filters of `POST /promotion/202309/activities/search` (this search pages in the body, not the query)."""

    status: str | None = None
    activity_title: str | None = None


class ActivityPage(CursorPage):
    """One page of activity search."""

    items_field = "activities"
    activities: list[Activity] = Field(default_factory=list)


class Coupon(TikTokModel):
    """A coupon (search returns a subset of the fields get returns)."""

    id: str
    title: str | None = None
    status: str | None = None
    display_type: str | None = None
    start_time: int | None = None
    end_time: int | None = None


class CouponData(TikTokModel):
    """`data` of `GET /promotion/202406/coupons/{coupon_id}`."""

    coupon: Coupon


class CouponSearchFilter(TikTokRequest):
    """Body of `POST /promotion/202406/coupons/search`; paging travels in the query."""

    status: list[str] | None = None
    title_keyword: str | None = None
    display_type: list[str] | None = None


class CouponPage(CursorPage):
    """One page of coupon search."""

    items_field = "coupons"
    coupons: list[Coupon] = Field(default_factory=list)
