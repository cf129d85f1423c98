"""WooCommerce products and variations to domain records (orders are in `mapping_orders`); with `models`, the only
place that knows WooCommerce field names."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from connectors.woocommerce.models import Sellable, WooProduct, WooVariation
from syncd.connector import RejectedRecord
from syncd.domain import Money, Product, ProductStatus, StockLevel, Variant

GRAMS_PER_UNIT = {"kg": Decimal(1000), "g": Decimal(1), "lbs": Decimal("453.59237"), "oz": Decimal("28.349523125")}
_STATUS = {
    "publish": ProductStatus.ACTIVE,
    "draft": ProductStatus.DRAFT,
    "pending": ProductStatus.DRAFT,
    "private": ProductStatus.DRAFT,
    "future": ProductStatus.DRAFT,
    "trash": ProductStatus.ARCHIVED,
}
# Product types syncd syncs; grouped and external products have no stock or SKU of their own to sell.
SYNCED_TYPES = frozenset({"simple", "variable"})


def record_key(item: Sellable) -> str:
    """How a product or variation is named in rejections: its SKU, else its kind and id."""
    if item.sku:
        return item.sku
    return f"variation:{item.id}" if isinstance(item, WooVariation) else f"product:{item.id}"


def _decimal(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc


def prices(item: Sellable, currency: str) -> tuple[Money | None, Money | None]:
    """(price, compare-at price): the active price, and the regular price when a sale undercuts it."""
    regular = _decimal(item.regular_price)
    active = _decimal(item.price) or _decimal(item.sale_price if item.on_sale else None) or regular
    price = Money(amount=active, currency=currency) if active is not None else None
    compare = None
    if regular is not None and active is not None and regular > active:
        compare = Money(amount=regular, currency=currency)
    return price, compare


def weight_grams(text: str | None, unit: str) -> int | None:
    """A weight in the store's unit, in whole grams."""
    value = _decimal(text)
    if value is None:
        return None
    return int((value * GRAMS_PER_UNIT[unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _variant(item: Sellable, title: str, currency: str, unit: str, **extra: Any) -> Variant:
    price, compare = prices(item, currency)
    return Variant(
        external_id=str(item.id),
        sku=item.sku,
        title=title,
        price=price,
        compare_at_price=compare,
        barcode=item.global_unique_id or None,
        weight_grams=weight_grams(item.weight, unit),
        manages_stock=item.manage_stock is not False,
        **extra,
    )


def variation_to_variant(variation: WooVariation, product_name: str, currency: str, unit: str) -> Variant:
    """A variation as a domain variant: options from its attributes, its own image."""
    options = {attribute.name: attribute.option for attribute in variation.attributes if attribute.name}
    title = " / ".join(options.values()) or product_name
    images = (variation.image.src,) if variation.image is not None and variation.image.src else ()
    return _variant(variation, title, currency, unit, options=options, image_urls=images)


def product_to_domain(
    product: WooProduct, variations: list[WooVariation], *, currency: str, weight_unit: str
) -> tuple[Product | None, list[RejectedRecord]]:
    """A simple or variable product with its variations; variations without a SKU are rejected one by one."""
    rejected: list[RejectedRecord] = []
    variants: list[Variant] = []
    candidates: list[Sellable] = list(variations) if product.type == "variable" else [product]
    for item in candidates:
        if not item.sku:
            rejected.append(RejectedRecord(record_key(item), "no SKU: it cannot be matched on other channels"))
            continue
        try:
            if isinstance(item, WooVariation):
                variants.append(variation_to_variant(item, product.name, currency, weight_unit))
            else:
                variants.append(_variant(item, product.name, currency, weight_unit))
        except (ValueError, ValidationError) as exc:
            rejected.append(RejectedRecord(record_key(item), f"{type(exc).__name__}: {exc}"))
    modified = product.modified
    if modified is None:
        return None, [*rejected, RejectedRecord(record_key(product), "no date_modified_gmt")]
    if not variants:
        return None, [*rejected, RejectedRecord(record_key(product), "no variant with a SKU")]
    domain = Product(
        external_id=str(product.id),
        title=product.name,
        description_html=product.description,
        product_type=product.categories[0].name if product.categories else None,
        tags=tuple(tag.name for tag in product.tags if tag.name),
        status=_STATUS.get(product.status, ProductStatus.DRAFT),
        image_urls=tuple(image.src for image in product.images if image.src),
        variants=tuple(variants),
        updated_at=modified,
    )
    return domain, rejected


def stock_level(item: Sellable, location_id: str, parent_id: int | None = None) -> StockLevel | RejectedRecord:
    """The stock of a simple product or a variation, or why it has none syncd may use."""
    key = record_key(item)
    if not item.sku:
        return RejectedRecord(key, "no SKU: its stock cannot be matched on other channels")
    if item.manage_stock == "parent":
        return RejectedRecord(key, f"stock is managed on the parent product {parent_id}, shared by its variations")
    if item.manage_stock is not True:
        return RejectedRecord(key, "does not manage stock (manage_stock is off), so it has no quantity to sync")
    if item.stock_quantity is None:
        return RejectedRecord(key, "manages stock but reports no stock_quantity")
    return StockLevel(
        sku=item.sku,
        location_id=location_id,
        on_hand=item.stock_quantity,
        variant_external_id=str(item.id),
        # Variations are written through their parent's batch endpoint; the engine carries this back.
        inventory_item_id=f"{parent_id}:{item.id}" if parent_id else str(item.id),
        updated_at=item.modified,
    )


@dataclass(frozen=True, slots=True)
class ItemRef:
    """Where a SKU lives in the store: a simple product, or a variation of `product_id`."""

    sku: str
    product_id: int
    variation_id: int = 0
    manage_stock: bool | str = False
    kind: str = "simple"

    @property
    def is_variation(self) -> bool:
        """True for a variation (written through its parent's endpoints)."""
        return self.variation_id != 0


def item_ref(product: WooProduct) -> ItemRef:
    """The reference a `/products?sku=` hit gives (variations come back with `type: variation`)."""
    if product.type == "variation":
        return ItemRef(product.sku, product.parent_id, product.id, product.manage_stock, "variation")
    return ItemRef(product.sku, product.id, 0, product.manage_stock, product.type)
