"""Promotions (§4.9): activities (create, update, deactivate, get, search, products) and coupons (get, search)."""

from __future__ import annotations

from typing import Any

from connectors.tiktok_shop.fake.api import JSON, ApiCall, CursorPager, checked_int, endpoint, invalid
from connectors.tiktok_shop.fake.core import FakeCore

ACTIVITY_TYPES = frozenset({"FIXED_PRICE", "DIRECT_DISCOUNT", "FLASHSALE", "SHIPPING_DISCOUNT", "BUY_MORE_SAVE_MORE"})
PRODUCT_LEVELS = frozenset({"PRODUCT", "VARIATION", "SHOP"})
COUPONS = [
    {
        "id": "7310000000000000001",
        "title": "Welcome 10% off",
        "status": "ONGOING",
        "display_type": "REGULAR",
        "type": "PERCENTAGE_OFF",
        "discount": {"percentage": "10"},
        "start_time": 1735689600,
        "end_time": 1767225600,
        "claim_limit": 1000,
    },
    {
        "id": "7310000000000000002",
        "title": "$5 off $50",
        "status": "NOT_START",
        "display_type": "REGULAR",
        "type": "AMOUNT_OFF",
        "discount": {"amount": "5.00", "currency": "USD", "threshold": "50.00"},
        "start_time": 1767225600,
        "end_time": 1798761600,
        "claim_limit": 500,
    },
]
_COUPON_VERSIONS = ("202309", "202406")


class PromotionAPI(FakeCore):
    """Discount activities, kept in memory, and two canned coupons."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activities: dict[str, JSON] = {}

    @endpoint("POST", "/promotion/{version}/activities")
    def create_activity(self, call: ApiCall) -> JSON:
        title = call.field("title", str, required=True) or ""
        activity_type = call.field("activity_type", str, required=True)
        level = call.field("product_level", str, required=True)
        if activity_type not in ACTIVITY_TYPES or level not in PRODUCT_LEVELS:
            raise invalid(
                f"activity_type must be in {sorted(ACTIVITY_TYPES)}, product_level in {sorted(PRODUCT_LEVELS)}"
            )
        begin, end = self._window(call.body)
        now = self.unix_now()
        activity_id = self.ids.next("activity")
        activity = {
            "id": activity_id,
            "title": title,
            "activity_type": activity_type,
            "product_level": level,
            "begin_time": begin,
            "end_time": end,
            "status": self._status(begin, end),
            "products": [],
            "create_time": now,
            "update_time": now,
        }
        self.activities[activity_id] = activity
        return {"activity_id": activity_id, "status": activity["status"], "create_time": now, "update_time": now}

    def _window(self, body: JSON, current: JSON | None = None) -> tuple[int, int]:
        begin = checked_int("begin_time", body.get("begin_time", (current or {}).get("begin_time")))
        end = checked_int("end_time", body.get("end_time", (current or {}).get("end_time")))
        if end <= begin:
            raise invalid("end_time must be after begin_time")
        return begin, end

    def _status(self, begin: int, end: int) -> str:
        now = self.unix_now()
        return "NOT_START" if now < begin else "ONGOING" if now < end else "EXPIRED"

    def _activity(self, call: ApiCall) -> JSON:
        activity = self.activities.get(call.path("activity_id"))
        if activity is None:
            raise invalid(f"activity {call.path('activity_id')} does not exist")
        return activity

    @endpoint("PUT", "/promotion/{version}/activities/{activity_id}")
    def update_activity(self, call: ApiCall) -> JSON:
        activity = self._activity(call)
        begin, end = self._window(call.body, activity)
        activity.update(
            title=call.field("title", str, activity["title"]),
            begin_time=begin,
            end_time=end,
            update_time=self.unix_now(),
        )
        if activity["status"] != "DEACTIVATED":
            activity["status"] = self._status(begin, end)
        return {"activity_id": activity["id"], "title": activity["title"], "update_time": activity["update_time"]}

    @endpoint("POST", "/promotion/{version}/activities/{activity_id}/deactivate")
    def deactivate_activity(self, call: ApiCall) -> JSON:
        activity = self._activity(call)
        activity.update(status="DEACTIVATED", update_time=self.unix_now())
        return {"activity_id": activity["id"], "status": "DEACTIVATED", "update_time": activity["update_time"]}

    @endpoint("GET", "/promotion/{version}/activities/{activity_id}")
    def get_activity(self, call: ApiCall) -> JSON:
        activity = self._activity(call)
        return {**activity, "activity_id": activity["id"], "products": [dict(p) for p in activity["products"]]}

    @endpoint("POST", "/promotion/{version}/activities/search")
    def search_activities(self, call: ApiCall) -> JSON:
        size = checked_int("page_size", call.body.get("page_size", 20), 1, 100)
        status = call.field("status", str)
        title = (call.field("activity_title", str) or "").lower()
        chosen = [
            a
            for a in self.activities.values()
            if (status is None or a["status"] == status) and title in a["title"].lower()
        ]
        pager = CursorPager({"route": "activities", "status": status, "title": title})
        page, token, total = pager.page(
            chosen, lambda a: (a["create_time"], a["id"]), call.field("page_token", str), size, descending=True
        )
        return {
            "activities": [{k: v for k, v in a.items() if k != "products"} for a in page],
            "total_count": total,
            "next_page_token": token,
        }

    @endpoint("PUT", "/promotion/{version}/activities/{activity_id}/products")
    def update_activity_products(self, call: ApiCall) -> JSON:
        activity = self._activity(call)
        products = call.body.get("products")
        if (
            not isinstance(products, list)
            or not products
            or not all(isinstance(p, dict) and p.get("id") for p in products)
        ):
            raise invalid("products must be a non-empty list of {id, ...}")
        merged = {p["id"]: p for p in activity["products"]} | {str(p["id"]): dict(p) for p in products}
        activity.update(products=list(merged.values()), update_time=self.unix_now())
        return {"activity_id": activity["id"], "total_count": len(merged), "update_time": activity["update_time"]}

    @endpoint("DELETE", "/promotion/{version}/activities/{activity_id}/products")
    def remove_activity_products(self, call: ApiCall) -> JSON:
        activity = self._activity(call)
        product_ids = set(call.str_list("product_ids") or [])
        sku_ids = set(call.str_list("sku_ids") or [])
        if not product_ids and not sku_ids:
            raise invalid("product_ids or sku_ids is required")
        kept = [p for p in activity["products"] if p["id"] not in product_ids]
        for product in kept:
            if sku_ids and isinstance(product.get("skus"), list):
                product["skus"] = [s for s in product["skus"] if str(s.get("id")) not in sku_ids]
        activity.update(products=kept, update_time=self.unix_now())
        return {"activity_id": activity["id"], "update_time": activity["update_time"]}

    @endpoint("GET", "/promotion/{version}/coupons/{coupon_id}", versions=_COUPON_VERSIONS)
    def get_coupon(self, call: ApiCall) -> JSON:
        coupon = next((c for c in COUPONS if c["id"] == call.path("coupon_id")), None)
        if coupon is None:
            raise invalid(f"coupon {call.path('coupon_id')} does not exist")
        return {"coupon": dict(coupon)}

    @endpoint("POST", "/promotion/{version}/coupons/search", versions=_COUPON_VERSIONS)
    def search_coupons(self, call: ApiCall) -> JSON:
        size = call.page_size(100, default=20)
        # The filter is a list of statuses in the documentation; a single string is taken too.
        raw = call.body.get("status")
        statuses = {raw} if isinstance(raw, str) else set(call.str_list("status") or [])
        keyword = (call.field("title_keyword", str) or "").lower()
        chosen = [
            dict(c) for c in COUPONS if (not statuses or c["status"] in statuses) and keyword in str(c["title"]).lower()
        ]
        return {"coupons": chosen[:size], "total_count": len(chosen), "next_page_token": ""}
