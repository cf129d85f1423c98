"""Product payloads: create/edit bodies, product details, search, prices, inventory (ref §4.3)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from connectors.tiktok_shop.models.base import Amount, CursorPage, TikTokModel, TikTokRequest


class ImageRef(TikTokRequest):
    """An uploaded image, by the `uri` that `upload_image` returned."""

    uri: str


class PriceInput(TikTokRequest):
    """A SKU's price in a request."""

    amount: Decimal
    currency: str
    sale_price: Decimal | None = None


class ListPrice(TikTokRequest):
    """A reference (list) price."""

    amount: Decimal
    currency: str


class ExternalListPrice(TikTokRequest):
    """A list price taken from another channel (e.g. `SHOPIFY_COMPARE_AT_PRICE`)."""

    source: str
    amount: Decimal
    currency: str


class SalesAttributeInput(TikTokRequest):
    """A variant dimension: a built-in attribute by id, or a custom one by name."""

    id: str | None = None
    name: str | None = None
    value_id: str | None = None
    value_name: str | None = None
    sku_img: ImageRef | None = None
    supplementary_sku_images: list[ImageRef] | None = None


class InventoryInput(TikTokRequest):
    """Stock of a SKU in one warehouse, when creating or editing a product."""

    warehouse_id: str
    quantity: int = Field(ge=0)


class IdentifierCode(TikTokRequest):
    """A GTIN, EAN, UPC or ISBN."""

    code: str
    type: str


class SkuInput(TikTokRequest):
    """A SKU in a create or edit body; `id` only when editing an existing SKU."""

    id: str | None = None
    seller_sku: str | None = None
    sales_attributes: list[SalesAttributeInput] | None = None
    inventory: list[InventoryInput] | None = None
    price: PriceInput | None = None
    external_sku_id: str | None = None
    identifier_code: IdentifierCode | None = None
    list_price: ListPrice | None = None
    external_list_prices: list[ExternalListPrice] | None = None


class PackageWeight(TikTokRequest):
    """Shipping weight; `unit` is KILOGRAM or POUND."""

    value: Decimal
    unit: str


class PackageDimensions(TikTokRequest):
    """Shipping dimensions; `unit` is CENTIMETER or INCH."""

    length: Decimal
    width: Decimal
    height: Decimal
    unit: str


class AttributeValueInput(TikTokRequest):
    """A product attribute value by id, or a custom value by name."""

    id: str | None = None
    name: str | None = None


class ProductAttributeInput(TikTokRequest):
    """A non-variant product attribute (material, ...)."""

    id: str
    values: list[AttributeValueInput]


class ProductFields(TikTokRequest):
    """Every field a product body can carry; `partial_edit` sends only those set."""

    title: str | None = None
    description: str | None = None
    category_id: str | None = None
    brand_id: str | None = None
    main_images: list[ImageRef] | None = None
    skus: list[SkuInput] | None = None
    package_weight: PackageWeight | None = None
    package_dimensions: PackageDimensions | None = None
    product_attributes: list[ProductAttributeInput] | None = None
    save_mode: str | None = None  # LISTING | DRAFT
    external_product_id: str | None = None
    idempotency_key: str | None = None
    category_version: str | None = None
    video: dict[str, Any] | None = None
    size_chart: dict[str, Any] | None = None
    certifications: list[dict[str, Any]] | None = None
    is_cod_allowed: bool | None = None
    delivery_option_ids: list[str] | None = None
    listing_platforms: list[str] | None = None
    minimum_order_quantity: int | None = None
    is_pre_owned: bool | None = None
    manufacturer_ids: list[str] | None = None
    responsible_person_ids: list[str] | None = None


class ProductInput(ProductFields):
    """Body of create, edit (full replace) and listing check: the fields TikTok requires are required here."""

    title: str
    description: str
    category_id: str
    main_images: list[ImageRef]
    skus: list[SkuInput]
    package_weight: PackageWeight


class WriteWarning(TikTokModel):
    """A non-blocking remark TikTok returns with a write."""

    message: str | None = None


class SalesAttribute(TikTokModel):
    """A variant dimension as TikTok reports it."""

    id: str | None = None
    name: str | None = None
    value_id: str | None = None
    value_name: str | None = None


class WrittenSku(TikTokModel):
    """A SKU as returned by create and edit (its new `id`)."""

    id: str
    seller_sku: str | None = None
    external_sku_id: str | None = None
    sales_attributes: list[SalesAttribute] = Field(default_factory=list)


class ProductWriteResult(TikTokModel):
    """`data` of create, edit and partial edit."""

    product_id: str | None = None
    skus: list[WrittenSku] = Field(default_factory=list)
    warnings: list[WriteWarning] = Field(default_factory=list)


class SkuPrice(TikTokModel):
    """A SKU's price as TikTok reports it."""

    currency: str | None = None
    sale_price: Amount = None
    tax_exclusive_price: Amount = None
    amount: Amount = None


class SkuInventory(TikTokModel):
    """Stock of a SKU in one warehouse, as TikTok reports it."""

    warehouse_id: str | None = None
    quantity: int | None = None


class ProductSku(TikTokModel):
    """A SKU of a product."""

    id: str
    seller_sku: str | None = None
    external_sku_id: str | None = None
    price: SkuPrice | None = None
    inventory: list[SkuInventory] = Field(default_factory=list)
    sales_attributes: list[SalesAttribute] = Field(default_factory=list)


class Product(TikTokModel):
    """A product: `data` of get, and the entries of search (which carry fewer fields)."""

    id: str
    title: str | None = None
    status: str | None = None
    description: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    skus: list[ProductSku] = Field(default_factory=list)
    category_chains: list[dict[str, Any]] = Field(default_factory=list)
    brand: dict[str, Any] | None = None
    main_images: list[dict[str, Any]] = Field(default_factory=list)
    external_product_id: str | None = None


class ProductSearchFilter(TikTokRequest):
    """Body of `POST /product/{v}/products/search`; paging travels in the query."""

    status: str | None = None
    seller_skus: list[str] | None = None
    sku_ids: list[str] | None = None
    create_time_ge: int | None = None
    create_time_le: int | None = None
    update_time_ge: int | None = None
    update_time_le: int | None = None
    audit_status: list[str] | None = None
    listing_quality_tiers: list[str] | None = None
    category_version: str | None = None


class ProductSearchPage(CursorPage):
    """One page of product search."""

    items_field = "products"
    products: list[Product] = Field(default_factory=list)


class SkuPriceUpdate(TikTokRequest):
    """A SKU's new price, for `prices/update`."""

    id: str
    price: PriceInput
    list_price: ListPrice | None = None
    external_list_prices: list[ExternalListPrice] | None = None


class UploadedImage(TikTokModel):
    """`data` of `POST /product/202309/images/upload`; use `uri` in product bodies."""

    uri: str
    url: str | None = None
    width: int | None = None
    height: int | None = None
    use_case: str | None = None


class ListingCheckResult(TikTokModel):
    """`data` of `POST /product/202309/products/listing_check`."""

    check_result: str | None = None
    fail_reasons: list[dict[str, Any]] = Field(default_factory=list)
    listing_quality: dict[str, Any] | None = None
    diagnoses: list[dict[str, Any]] = Field(default_factory=list)


def _reason_text(reason: Any) -> str:
    """One failure reason as text: a string as is, an object by its `reason` or `message`, anything else as JSON."""
    if isinstance(reason, str):
        return reason
    if isinstance(reason, dict):
        for key in ("reason", "message"):
            text = reason.get(key)
            if isinstance(text, str) and text:
                return text
    return json.dumps(reason, default=str, sort_keys=True)


def _reason_texts(value: Any) -> Any:
    # Documented as `string[]` (Check Listing Prerequisites 202312, as copied in lywzx/tiktok-partner-api
    # CheckListingPrerequisites.ts; NPM tiktok-shop-sdk `CheckResult.fail_reasons?: string[]`). Objects are
    # read too, so a shape change costs a reason's wording rather than the whole prerequisites answer.
    return [_reason_text(reason) for reason in value] if isinstance(value, list) else value


FailReasons = Annotated[list[str], BeforeValidator(_reason_texts)]
"""A prerequisite's failure reasons as text."""


class PrerequisiteCheck(TikTokModel):
    """One listing prerequisite (`SHOP_STATUS`, `PRODUCT_QUANTITY_LIMIT`, ...) and whether the shop fails it."""

    check_item: str | None = None
    is_failed: bool | None = None
    fail_reasons: FailReasons = Field(default_factory=list)


class PrerequisitesData(TikTokModel):
    """`data` of `GET /product/202312/prerequisites`."""

    check_results: list[PrerequisiteCheck] = Field(default_factory=list)
