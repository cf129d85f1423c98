"""Categories, attributes and brands (ref §4.3): what a product needs before it can be listed."""

from __future__ import annotations

from collections.abc import Iterator

from connectors.tiktok_shop.api.base import ApiModule, paging
from connectors.tiktok_shop.models.categories import (
    BrandPage,
    CategoriesData,
    Category,
    CategoryAttribute,
    CategoryAttributesData,
    CategoryRules,
    CreatedBrand,
    RecommendCategoryRequest,
    RecommendedCategory,
)
from connectors.tiktok_shop.transport import QueryValue


class CategoriesApi(ApiModule):
    """`shop.categories`."""

    name = "categories"

    def list_categories(
        self,
        *,
        locale: str | None = None,
        keyword: str | None = None,
        category_version: str | None = None,
        listing_platform: str | None = None,
        include_prohibited_categories: bool | None = None,
        version: str | None = None,
    ) -> list[Category]:
        """The category tree as a flat list (follow `parent_id`). ref: GET /product/202309/categories"""
        path = self._path("/product/{version}/categories", self._version("list_categories", version, "202309"))
        query: dict[str, QueryValue] = {
            "locale": locale,
            "keyword": keyword,
            "category_version": category_version,
            "listing_platform": listing_platform,
            "include_prohibited_categories": include_prohibited_categories,
        }
        return self._model(CategoriesData, self._call("GET", path, query=query)).categories

    def rules(
        self,
        category_id: str,
        *,
        category_version: str | None = None,
        locale: str | None = None,
        version: str | None = None,
    ) -> CategoryRules:
        """What a category requires. ref: GET /product/202309/categories/{category_id}/rules"""
        version = self._version("rules", version, "202309")
        path = self._path("/product/{version}/categories/{category_id}/rules", version, category_id=category_id)
        query = {"category_version": category_version, "locale": locale}
        return self._model(CategoryRules, self._call("GET", path, query=query))

    def attributes(
        self,
        category_id: str,
        *,
        category_version: str | None = None,
        locale: str | None = None,
        version: str | None = None,
    ) -> list[CategoryAttribute]:
        """The attributes of a category. ref: GET /product/202309/categories/{category_id}/attributes"""
        version = self._version("attributes", version, "202309")
        path = self._path("/product/{version}/categories/{category_id}/attributes", version, category_id=category_id)
        query = {"category_version": category_version, "locale": locale}
        return self._model(CategoryAttributesData, self._call("GET", path, query=query)).attributes

    def recommend(self, request: RecommendCategoryRequest, *, version: str | None = None) -> RecommendedCategory:
        """The category TikTok suggests for a title. ref: POST /product/202309/categories/recommend"""
        path = self._path("/product/{version}/categories/recommend", self._version("recommend", version, "202309"))
        return self._model(RecommendedCategory, self._call("POST", path, body=request))

    def brands(
        self,
        *,
        category_id: str | None = None,
        brand_name: str | None = None,
        is_authorized: bool | None = None,
        category_version: str | None = None,
        page_size: int = 20,
        page_token: str | None = None,
        version: str | None = None,
    ) -> BrandPage:
        """One page of brands. ref: GET /product/202309/brands"""
        path = self._path("/product/{version}/brands", self._version("brands", version, "202309"))
        query = self._brand_query(category_id, brand_name, is_authorized, category_version)
        return self._model(BrandPage, self._call("GET", path, query={**query, **paging(page_size, page_token)}))

    def iter_brands(
        self,
        *,
        category_id: str | None = None,
        brand_name: str | None = None,
        is_authorized: bool | None = None,
        category_version: str | None = None,
        page_size: int = 20,
        version: str | None = None,
    ) -> Iterator[BrandPage]:
        """Every page of `brands`."""
        path = self._path("/product/{version}/brands", self._version("brands", version, "202309"))
        query = self._brand_query(category_id, brand_name, is_authorized, category_version)
        return self._pages(BrandPage, "GET", path, query={**query, **paging(page_size)})

    def create_brand(self, name: str, *, version: str | None = None) -> CreatedBrand:
        """Create a custom brand (sent without the shop cipher, which this endpoint refuses).

        ref: POST /product/202309/brands
        """
        if not name.strip():
            raise ValueError("brand name must not be empty")
        path = self._path("/product/{version}/brands", self._version("create_brand", version, "202309"))
        return self._model(CreatedBrand, self._call("POST", path, body={"name": name}, idempotent=False))

    @staticmethod
    def _brand_query(
        category_id: str | None, brand_name: str | None, is_authorized: bool | None, category_version: str | None
    ) -> dict[str, QueryValue]:
        return {
            "category_id": category_id,
            "brand_name": brand_name,
            "is_authorized": is_authorized,
            "category_version": category_version,
        }
