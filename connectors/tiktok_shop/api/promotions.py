"""Promotions (ref §4.9): activities and coupons. Coupon search is a POST (NPM sends it as DELETE, a bug)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from connectors.tiktok_shop.api.base import ApiModule, paging
from connectors.tiktok_shop.models.promotions import (
    Activity,
    ActivityCreate,
    ActivityPage,
    ActivityProductInput,
    ActivityResult,
    ActivitySearchFilter,
    ActivityUpdate,
    Coupon,
    CouponData,
    CouponPage,
    CouponSearchFilter,
)


class PromotionsApi(ApiModule):
    """`shop.promotions`."""

    name = "promotions"

    def create_activity(self, activity: ActivityCreate, *, version: str | None = None) -> ActivityResult:
        """Create a promotion activity. ref: POST /promotion/202309/activities"""
        path = self._path("/promotion/{version}/activities", self._version("create_activity", version, "202309"))
        return self._model(ActivityResult, self._call("POST", path, body=activity, idempotent=False))

    def update_activity(
        self, activity_id: str, activity: ActivityUpdate, *, version: str | None = None
    ) -> ActivityResult:
        """Change an activity's title or times. ref: PUT /promotion/202309/activities/{activity_id}"""
        path = self._activity_path("update_activity", activity_id, "", version)
        return self._model(ActivityResult, self._call("PUT", path, body=activity))

    def deactivate_activity(self, activity_id: str, *, version: str | None = None) -> ActivityResult:
        """End an activity. ref: POST /promotion/202309/activities/{activity_id}/deactivate"""
        path = self._activity_path("deactivate_activity", activity_id, "/deactivate", version)
        return self._model(ActivityResult, self._call("POST", path))

    def get_activity(self, activity_id: str, *, version: str | None = None) -> Activity:
        """An activity with its products. ref: GET /promotion/202309/activities/{activity_id}"""
        path = self._activity_path("get_activity", activity_id, "", version)
        return self._model(Activity, self._call("GET", path))

    def search_activities(
        self,
        filters: ActivitySearchFilter | None = None,
        *,
        page_size: int = 50,
        page_token: str | None = None,
        version: str | None = None,
    ) -> ActivityPage:
        """One page of activities. ref: POST /promotion/202309/activities/search (paging in the body)"""
        path = self._path(
            "/promotion/{version}/activities/search", self._version("search_activities", version, "202309")
        )
        return self._model(ActivityPage, self._call("POST", path, body=_activity_body(filters, page_size, page_token)))

    def iter_search_activities(
        self, filters: ActivitySearchFilter | None = None, *, page_size: int = 50, version: str | None = None
    ) -> Iterator[ActivityPage]:
        """Every page of `search_activities` (the page token goes back in the body)."""
        path = self._path(
            "/promotion/{version}/activities/search", self._version("search_activities", version, "202309")
        )
        body = _activity_body(filters, page_size, None)
        return self._pages(ActivityPage, "POST", path, body=body, location="json")

    def update_activity_products(
        self, activity_id: str, products: Sequence[ActivityProductInput], *, version: str | None = None
    ) -> ActivityResult:
        """Add or change the deals of an activity. ref: PUT /promotion/202309/activities/{activity_id}/products"""
        path = self._activity_path("update_activity_products", activity_id, "/products", version)
        body = {"activity_id": activity_id, "products": [product.to_body() for product in products]}
        return self._model(ActivityResult, self._call("PUT", path, body=body))

    def remove_activity_products(
        self,
        activity_id: str,
        *,
        product_ids: Sequence[str] = (),
        sku_ids: Sequence[str] = (),
        version: str | None = None,
    ) -> ActivityResult:
        """Take products or SKUs out of an activity. ref: DELETE /promotion/202309/activities/{activity_id}/products"""
        if not product_ids and not sku_ids:
            raise ValueError("name at least one product id or SKU id to remove")
        path = self._activity_path("remove_activity_products", activity_id, "/products", version)
        body = {"product_ids": list(product_ids), "sku_ids": list(sku_ids)}
        return self._model(ActivityResult, self._call("DELETE", path, body=body))

    def get_coupon(self, coupon_id: str, *, version: str | None = None) -> Coupon:
        """A coupon's full detail. ref: GET /promotion/202406/coupons/{coupon_id}"""
        version = self._version("get_coupon", version, "202406")
        path = self._path("/promotion/{version}/coupons/{coupon_id}", version, coupon_id=coupon_id)
        return self._model(CouponData, self._call("GET", path)).coupon

    def search_coupons(
        self,
        filters: CouponSearchFilter | None = None,
        *,
        page_size: int = 50,
        page_token: str | None = None,
        version: str | None = None,
    ) -> CouponPage:
        """One page of coupons. ref: POST /promotion/202406/coupons/search (paging in the query)"""
        path = self._path("/promotion/{version}/coupons/search", self._version("search_coupons", version, "202406"))
        return self._model(CouponPage, self._call("POST", path, query=paging(page_size, page_token), body=filters))

    def iter_search_coupons(
        self, filters: CouponSearchFilter | None = None, *, page_size: int = 50, version: str | None = None
    ) -> Iterator[CouponPage]:
        """Every page of `search_coupons`."""
        path = self._path("/promotion/{version}/coupons/search", self._version("search_coupons", version, "202406"))
        return self._pages(CouponPage, "POST", path, query=paging(page_size), body=filters)

    def _activity_path(self, operation: str, activity_id: str, suffix: str, version: str | None) -> str:
        version = self._version(operation, version, "202309")
        return self._path("/promotion/{version}/activities/{activity_id}" + suffix, version, activity_id=activity_id)


def _activity_body(filters: ActivitySearchFilter | None, page_size: int, page_token: str | None) -> dict[str, object]:
    body: dict[str, object] = filters.to_body() if filters is not None else {}
    body.update({k: v for k, v in paging(page_size, page_token).items() if v is not None})
    return body
