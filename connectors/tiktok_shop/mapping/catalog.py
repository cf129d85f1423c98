"""TikTok products as domain `Product` records, stock per warehouse, and the bodies that create and edit listings."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from connectors.tiktok_shop.mapping.values import from_unix, money
from connectors.tiktok_shop.models import (
    AttributeValueInput,
    ImageRef,
    InventoryInput,
    InventorySku,
    PackageWeight,
    PriceInput,
    ProductAttributeInput,
    ProductFields,
    ProductInput,
    SalesAttributeInput,
    SkuInput,
    SkuPriceUpdate,
    Warehouse,
)
from connectors.tiktok_shop.models import Product as TikTokProduct
from syncd.domain import Listing, ListingSpec, Product, ProductStatus, StockLevel, Variant

MAX_QUANTITY = 99_999  # TikTok's largest inventory quantity (ref §4.3)

PRODUCT_STATUSES = {
    "ACTIVATE": ProductStatus.ACTIVE,
    "DRAFT": ProductStatus.DRAFT,
    "PENDING": ProductStatus.DRAFT,
    "FAILED": ProductStatus.DRAFT,
    "SELLER_DEACTIVATED": ProductStatus.ARCHIVED,
    "PLATFORM_DEACTIVATED": ProductStatus.ARCHIVED,
    "FREEZE": ProductStatus.ARCHIVED,
    "DELETED": ProductStatus.ARCHIVED,
}


# -- products and stock ------------------------------------------------------------------------------------


def product_to_domain(product: TikTokProduct) -> Product:
    """A TikTok product (detail or search entry) as a domain `Product`; SKUs without a seller SKU are left out."""
    variants = []
    for sku in product.skus:
        if not sku.seller_sku:
            continue
        price = sku.price
        amount = (price.sale_price if price.sale_price is not None else price.amount) if price else None
        variants.append(
            Variant(
                external_id=sku.id,
                sku=sku.seller_sku,
                price=money(amount, price.currency) if price is not None and price.currency else None,
                options={a.name: a.value_name for a in sku.sales_attributes if a.name and a.value_name},
            )
        )
    urls = [str(image["urls"][0]) for image in product.main_images if image.get("urls")]
    return Product(
        external_id=product.id,
        title=product.title or "",
        description_html=product.description or "",
        status=PRODUCT_STATUSES.get(product.status or "", ProductStatus.DRAFT),
        image_urls=tuple(urls),
        variants=tuple(variants),
        updated_at=from_unix(product.update_time or product.create_time, "update_time"),
    )


def is_deleted(product: TikTokProduct) -> bool:
    """True for a product in TikTok's recycle bin."""
    return product.status == "DELETED"


def holder_rank(product: TikTokProduct) -> tuple[bool, int]:
    """Orders products holding the same seller SKU: active before inactive, then the most recently changed."""
    return (product.status == "ACTIVATE", product.update_time or 0)


def default_warehouse(warehouses: Iterable[Warehouse]) -> str | None:
    """The shop's default enabled sales warehouse (else its first enabled one), or None."""
    usable = [w for w in warehouses if w.type == "SALES_WAREHOUSE" and w.effect_status in (None, "ENABLED")]
    return next((w.id for w in usable if w.is_default), usable[0].id if usable else None)


def stock_levels(sku: InventorySku) -> list[StockLevel]:
    """Available units of one SKU, one level per warehouse (the warehouse id is the location)."""
    if not sku.seller_sku:
        raise ValueError(f"SKU {sku.id} has no seller SKU")
    return [
        StockLevel(
            sku=sku.seller_sku,
            location_id=stock.warehouse_id,
            on_hand=stock.available_quantity or 0,
            variant_external_id=sku.id,
        )
        for stock in sku.warehouse_inventory
        if stock.warehouse_id
    ]


def clamp_quantity(quantity: int) -> int:
    """A quantity TikTok accepts: above its maximum the listing shows the maximum."""
    return max(0, min(quantity, MAX_QUANTITY))


# -- listings ----------------------------------------------------------------------------------------------


def listing_spec(listing: Listing) -> ListingSpec:
    """The listing's spec; creating a TikTok product is impossible without one."""
    if listing.spec is None:
        raise ValueError("the listing has no spec (category, package weight): it cannot be created")
    return listing.spec


def sku_inputs(listing: Listing, warehouse_id: str) -> list[SkuInput]:
    """The SKUs of a new TikTok product: seller SKU, price, variant options, stock at `warehouse_id`."""
    variants = listing.product.variants
    if not variants:
        raise ValueError("the product has no variants")
    skus = []
    for variant in variants:
        if variant.price is None:
            raise ValueError(f"variant {variant.sku} has no price")
        # A single variant's options are placeholders ("Title: Default Title"), not a real variation.
        attributes = [SalesAttributeInput(name=k, value_name=v) for k, v in variant.options.items()]
        skus.append(
            SkuInput(
                seller_sku=variant.sku,
                price=PriceInput(amount=variant.price.amount, currency=variant.price.currency),
                inventory=[
                    InventoryInput(
                        warehouse_id=warehouse_id, quantity=clamp_quantity(listing.quantities.get(variant.sku, 0))
                    )
                ],
                sales_attributes=attributes if len(variants) > 1 and attributes else None,
            )
        )
    return skus


def product_attributes(attributes: Mapping[str, str]) -> list[ProductAttributeInput]:
    """Spec attributes as TikTok product attributes: attribute id -> value id (digits) or custom value name."""
    return [
        ProductAttributeInput(
            id=attribute_id,
            values=[AttributeValueInput(id=value) if value.isdigit() else AttributeValueInput(name=value)],
        )
        for attribute_id, value in attributes.items()
    ]


def description_html(product: Product) -> str:
    """The product description; TikTok requires one, so an empty description becomes the title."""
    return product.description_html.strip() or f"<p>{html.escape(product.title)}</p>"


def product_input(
    listing: Listing, spec: ListingSpec, skus: list[SkuInput], image_uris: list[str], idempotency_key: str
) -> ProductInput:
    """The create-product body for a listing whose SKUs and images are ready."""
    if not image_uris:
        raise ValueError("TikTok needs at least one product image and the product has none")
    product = listing.product
    return ProductInput(
        title=product.title,
        description=description_html(product),
        category_id=spec.category_id,
        brand_id=spec.brand_id,
        main_images=[ImageRef(uri=uri) for uri in image_uris],
        skus=skus,
        package_weight=PackageWeight(value=Decimal(spec.package_weight_grams) / 1000, unit="KILOGRAM"),
        product_attributes=product_attributes(spec.attributes) or None,
        save_mode="LISTING",
        idempotency_key=idempotency_key,
    )


def listing_changes(product: Product, current: TikTokProduct, image_uris: list[str] | None) -> ProductFields | None:
    """The store-owned fields (title, description, images) that differ on TikTok; None when none do."""
    changes: dict[str, Any] = {}
    if product.title != (current.title or ""):
        changes["title"] = product.title
    description = description_html(product)
    if description != (current.description or ""):
        changes["description"] = description
    current_uris = [str(image.get("uri", "")) for image in current.main_images]
    if image_uris and image_uris != current_uris:
        changes["main_images"] = [ImageRef(uri=uri) for uri in image_uris]
    return ProductFields(**changes) if changes else None


def price_updates(product: Product, current: TikTokProduct) -> list[SkuPriceUpdate]:
    """New prices for the TikTok SKUs whose price differs from the store's."""
    by_seller_sku = {sku.seller_sku: sku for sku in current.skus if sku.seller_sku}
    updates = []
    for variant in product.variants:
        sku = by_seller_sku.get(variant.sku)
        if sku is None or variant.price is None:
            continue
        price = sku.price
        shown = (price.sale_price if price.sale_price is not None else price.amount) if price else None
        if shown != variant.price.amount or (price.currency if price else None) != variant.price.currency:
            updates.append(
                SkuPriceUpdate(
                    id=sku.id, price=PriceInput(amount=variant.price.amount, currency=variant.price.currency)
                )
            )
    return updates


def sku_ids(product: TikTokProduct) -> dict[str, str]:
    """Seller SKU -> TikTok SKU id."""
    return {sku.seller_sku: sku.id for sku in product.skus if sku.seller_sku}
