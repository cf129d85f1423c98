"""Category, attribute and brand payloads (ref §4.3)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from connectors.tiktok_shop.models.base import CursorPage, TikTokModel, TikTokRequest
from connectors.tiktok_shop.models.products import ImageRef


class Category(TikTokModel):
    """A node of the category tree; only leaves can hold products."""

    id: str
    parent_id: str | None = None
    local_name: str | None = None
    is_leaf: bool | None = None
    permission_statuses: list[str] = Field(default_factory=list)


class CategoriesData(TikTokModel):
    """`data` of `GET /product/202309/categories`."""

    categories: list[Category] = Field(default_factory=list)


class CategoryRules(TikTokModel):
    """`data` of `GET /product/202309/categories/{category_id}/rules` (certifications, size chart, ...)."""

    product_certifications: list[dict[str, Any]] = Field(default_factory=list)
    size_chart: dict[str, Any] | None = None
    package_dimension: dict[str, Any] | None = None
    cod: dict[str, Any] | None = None


class AttributeValue(TikTokModel):
    """A predefined value of an attribute."""

    id: str
    name: str | None = None


class CategoryAttribute(TikTokModel):
    """An attribute a category's products may or must carry."""

    id: str
    name: str | None = None
    type: str | None = None  # SALES_PROPERTY | PRODUCT_PROPERTY
    is_customizable: bool | None = None
    is_multiple_selection: bool | None = None
    values: list[AttributeValue] = Field(default_factory=list)


class CategoryAttributesData(TikTokModel):
    """`data` of `GET /product/202309/categories/{category_id}/attributes`."""

    attributes: list[CategoryAttribute] = Field(default_factory=list)


class RecommendCategoryRequest(TikTokRequest):
    """Body of `POST /product/202309/categories/recommend`."""

    product_title: str
    description: str | None = None
    images: list[ImageRef] | None = None
    category_version: str | None = None


class RecommendedCategory(TikTokModel):
    """`data` of the category recommendation: the leaf and its path."""

    leaf_category_id: str | None = None
    categories: list[dict[str, Any]] = Field(default_factory=list)


class Brand(TikTokModel):
    """A brand usable in a category."""

    id: str
    name: str | None = None
    authorized_status: str | None = None
    brand_status: str | None = None
    is_t1_brand: bool | None = None


class BrandPage(CursorPage):
    """One page of `GET /product/202309/brands`."""

    items_field = "brands"
    brands: list[Brand] = Field(default_factory=list)


class CreatedBrand(TikTokModel):
    """`data` of `POST /product/202309/brands`."""

    id: str
