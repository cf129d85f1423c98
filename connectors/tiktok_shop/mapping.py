"""TikTok Shop payloads to syncd domain records and back: orders, after-sales, products, stock, listings.

Pure functions, no I/O. A payload that cannot be mapped raises `ValueError` (pydantic's `ValidationError` is
one) with a reason fit for a `RejectedRecord`; the connector never lets one bad record sink a page.

TikTok lists one line item per unit. Orders are shown to syncd with one `OrderLine` per SKU and price, keyed
by the smallest unit id of the group (stable when units are cancelled); `line_groups` expands that key back
into the unit ids the fulfilment and reference calls take.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.tiktok_shop.models import (
    EXTERNAL_PLATFORMS,
    AttributeValueInput,
    Cancellation,
    ExternalLineItemRef,
    ImageRef,
    InventoryInput,
    InventorySku,
    LineItem,
    PackageWeight,
    PriceInput,
    ProductAttributeInput,
    ProductFields,
    ProductInput,
    RecipientAddress,
    RefundAmount,
    ReturnOrder,
    SalesAttributeInput,
    SkuInput,
    SkuPriceUpdate,
    Warehouse,
)
from connectors.tiktok_shop.models import Order as TikTokOrder
from connectors.tiktok_shop.models import Product as TikTokProduct
from syncd.domain import (
    Address,
    Listing,
    ListingSpec,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductStatus,
    Return,
    ReturnKind,
    ReturnLine,
    ReturnStatus,
    StockLevel,
    Variant,
)

FULFILLED_BY_TIKTOK = "FULFILLMENT_BY_TIKTOK"
MAX_QUANTITY = 99_999  # TikTok's largest inventory quantity (ref §4.3)
MAX_REFERENCE_LINES = 100  # line items per external order reference (ref §5.1)

ORDER_STATUSES = {
    "UNPAID": OrderStatus.UNPAID,
    "ON_HOLD": OrderStatus.ON_HOLD,
    "AWAITING_SHIPMENT": OrderStatus.AWAITING_SHIPMENT,
    "PARTIALLY_SHIPPING": OrderStatus.PARTIALLY_SHIPPED,
    # A label exists and the carrier has not collected yet: for the store the order has shipped.
    "AWAITING_COLLECTION": OrderStatus.SHIPPED,
    "IN_TRANSIT": OrderStatus.SHIPPED,
    "DELIVERED": OrderStatus.DELIVERED,
    "COMPLETED": OrderStatus.COMPLETED,
    "CANCELLED": OrderStatus.CANCELLED,
    "CANCEL": OrderStatus.CANCELLED,  # the webhook's spelling (ref §4.4)
}
# Order statuses in which every live unit has left the seller: shipping again is a no-op, not an error.
SHIPPED_ORDER_STATUSES = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"})
SHIPPABLE_ORDER_STATUSES = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})
# Not shippable yet, but they will be once paid and past the on-hold window.
NOT_YET_SHIPPABLE_ORDER_STATUSES = frozenset({"UNPAID", "ON_HOLD"})
# Searches read oldest change first, so a page's newest update time is a safe checkpoint.
BY_UPDATE_TIME = {"sort_field": "update_time", "sort_order": "ASC"}

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

CANCEL_STATUSES = {
    "CANCELLATION_REQUEST_PENDING": ReturnStatus.REQUESTED,
    "CANCELLATION_REQUEST_SUCCESS": ReturnStatus.APPROVED,
    # Withdrawn by the buyer or refused by the seller: either way the order goes on.
    "CANCELLATION_REQUEST_CANCEL": ReturnStatus.CANCELLED,
    "CANCELLATION_REQUEST_COMPLETE": ReturnStatus.COMPLETED,
}
RETURN_STATUSES = {
    "RETURN_OR_REFUND_REQUEST_PENDING": ReturnStatus.REQUESTED,
    "AWAITING_BUYER_RESPONSE": ReturnStatus.REQUESTED,
    "REPLACEMENT_REQUEST_PENDING": ReturnStatus.REQUESTED,
    "AWAITING_BUYER_SHIP": ReturnStatus.APPROVED,
    "BUYER_SHIPPED_ITEM": ReturnStatus.APPROVED,
    "REFUND_OR_RETURN_REQUEST_REJECT": ReturnStatus.REJECTED,
    "REPLACEMENT_REQUEST_REJECT": ReturnStatus.REJECTED,
    # The seller refused the parcel that came back (damaged, wrong item): no restock on this status.
    "REJECT_RECEIVE_PACKAGE": ReturnStatus.REJECTED,
    "RETURN_OR_REFUND_REQUEST_CANCEL": ReturnStatus.CANCELLED,
    "RETURN_OR_REFUND_REQUEST_SUCCESS": ReturnStatus.COMPLETED,
    "RETURN_OR_REFUND_REQUEST_COMPLETE": ReturnStatus.COMPLETED,
    "REPLACEMENT_REQUEST_REFUND_SUCCESS": ReturnStatus.COMPLETED,
    "REPLACEMENT_REQUEST_COMPLETE": ReturnStatus.COMPLETED,
}
RETURN_KINDS = {
    "REFUND": ReturnKind.REFUND_ONLY,
    "REFUND_ONLY": ReturnKind.REFUND_ONLY,
    "RETURN_AND_REFUND": ReturnKind.RETURN_AND_REFUND,
    "REPLACEMENT": ReturnKind.REPLACEMENT,
}
# syncd connector names -> TikTok's `platform` values for external order references (ref §5.1).
STORE_PLATFORMS = {"shopify": "SHOPIFY", "woocommerce": "WOOCOMMERCE", "magento": "MAGENTO"}

# Order.raw keeps ids, times, statuses and amounts only: never the address, buyer e-mail, name or messages.
_RAW_ORDER_FIELDS = (
    "id",
    "status",
    "create_time",
    "update_time",
    "paid_time",
    "rts_time",
    "fulfillment_type",
    "delivery_type",
    "shipping_type",
    "shipping_provider_id",
    "tracking_number",
    "warehouse_id",
    "delivery_option_id",
    "is_on_hold_order",
    "is_cod",
    "is_sample_order",
    "cancellation_initiator",
)
_RAW_LINE_FIELDS = (
    "id",
    "sku_id",
    "product_id",
    "seller_sku",
    "currency",
    "sale_price",
    "original_price",
    "seller_discount",
    "platform_discount",
    "package_id",
    "display_status",
    "is_gift",
)


def from_unix(value: int | None, what: str) -> datetime:
    """A TikTok unix-seconds time as an aware UTC datetime; ValueError when it is missing."""
    if value is None:
        raise ValueError(f"{what} is missing")
    return datetime.fromtimestamp(value, UTC)


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return Money(amount=amount, currency=currency) if amount is not None else None


def _unit_order(unit_id: str) -> tuple[int, str]:
    # Numeric ids compare by length first, so "99" sorts before "100".
    return (len(unit_id), unit_id)


# -- orders ------------------------------------------------------------------------------------------------


def _groups(items: Iterable[LineItem]) -> dict[tuple[str, Decimal | None, Decimal | None], list[LineItem]]:
    grouped: dict[tuple[str, Decimal | None, Decimal | None], list[LineItem]] = defaultdict(list)
    for item in items:
        grouped[(item.sku_id or item.seller_sku or item.id, item.sale_price, item.original_price)].append(item)
    return grouped


def line_groups(order: TikTokOrder) -> dict[str, list[str]]:
    """Each `OrderLine.external_id` of the order and the TikTok unit line ids it stands for."""
    return {
        min((item.id for item in units), key=_unit_order): sorted((item.id for item in units), key=_unit_order)
        for units in _groups(order.line_items).values()
    }


def is_cancelled(item: LineItem) -> bool:
    """True for a unit cancelled on its own or with its order."""
    return item.display_status in ("CANCELLED", "CANCEL")


def is_shipped(item: LineItem) -> bool:
    """True for a unit that has left the seller (it carries tracking, or its status says so)."""
    return bool(item.tracking_number) or item.display_status in SHIPPED_ORDER_STATUSES


def units_to_ship(order: TikTokOrder, line_ids: Iterable[str]) -> list[str]:
    """The live, unshipped unit ids behind `line_ids` (every such unit of the order when none are named)."""
    wanted = list(line_ids)
    groups = line_groups(order)
    named = {unit for line_id in wanted for unit in groups.get(line_id, [line_id])}
    return [
        item.id
        for item in order.line_items
        if (not wanted or item.id in named) and not is_cancelled(item) and not is_shipped(item)
    ]


def _order_line(units: list[LineItem], currency: str, quantity: int) -> OrderLine:
    first = units[0]
    unit_price = first.original_price if first.original_price is not None else first.sale_price
    if unit_price is None:
        raise ValueError(f"line item {first.id} has no price")
    paid = first.sale_price if first.sale_price is not None else unit_price
    discount = (unit_price - paid) * quantity
    title = " - ".join(part for part in (first.product_name, first.sku_name) if part)
    return OrderLine(
        external_id=min((item.id for item in units), key=_unit_order),
        sku=first.seller_sku or "",
        quantity=quantity,
        unit_price=Money(amount=unit_price, currency=currency),
        title=title,
        variant_external_id=first.sku_id,
        discount=Money(amount=discount, currency=currency) if discount > 0 else None,
    )


def _order_lines(order: TikTokOrder, currency: str) -> tuple[OrderLine, ...]:
    groups = list(_groups(order.line_items).values())
    live = [(units, sum(not is_cancelled(item) for item in units)) for units in groups]
    if not any(count for _, count in live):
        # A wholly cancelled order still shows what was ordered.
        return tuple(_order_line(units, currency, len(units)) for units in groups)
    return tuple(_order_line(units, currency, count) for units, count in live if count)


def _district(address: RecipientAddress, *levels: str) -> str | None:
    for info in address.district_info:
        if info.address_level in levels or info.address_level_name in levels:
            return info.address_name
    return None


def shipping_address(address: RecipientAddress | None) -> Address | None:
    """The recipient as a domain `Address` (TikTok withholds it while an order is unpaid or on hold)."""
    if address is None:
        return None
    name = address.name or " ".join(part for part in (address.first_name, address.last_name) if part)
    line1 = address.address_line1 or address.address_detail or address.full_address or ""
    country = (address.region_code or "").upper()
    return Address(
        name=name,
        phone=address.phone_number or None,
        line1=line1,
        line2=address.address_line2 if address.address_line2 and address.address_line2 != line1 else None,
        city=_district(address, "L3", "City") or "",
        region=_district(address, "L1", "State"),
        postal_code=address.postal_code or None,
        country_code=country if len(country) == 2 else "",
    )


def order_raw(order: TikTokOrder) -> dict[str, Any]:
    """The order's ids, times, statuses and amounts as JSON values; no personal data."""
    data = order.model_dump(mode="json", include=set(_RAW_ORDER_FIELDS), exclude_none=True)
    if order.payment is not None:
        data["payment"] = order.payment.model_dump(mode="json", exclude_none=True)
    data["line_items"] = [
        item.model_dump(mode="json", include=set(_RAW_LINE_FIELDS), exclude_none=True) for item in order.line_items
    ]
    data["packages"] = [{"id": package.id} for package in order.packages]
    return data


def order_to_domain(order: TikTokOrder) -> Order:
    """A TikTok order (detail) as a domain `Order`; ValueError if it cannot be mapped."""
    status = ORDER_STATUSES.get(order.status or "")
    if status is None:
        raise ValueError(f"unknown order status {order.status!r}")
    payment = order.payment
    currency = (payment.currency if payment else None) or next(
        (item.currency for item in order.line_items if item.currency), None
    )
    if not currency:
        raise ValueError("the order has no currency")
    if not order.line_items:
        raise ValueError("the order has no line items")
    return Order(
        external_id=order.id,
        status=status,
        lines=_order_lines(order, currency),
        currency=currency,
        created_at=from_unix(order.create_time, "create_time"),
        updated_at=from_unix(order.update_time, "update_time"),
        shipping_address=shipping_address(order.recipient_address),
        buyer_email=order.buyer_email or None,
        shipping_total=_money(payment.shipping_fee, currency) if payment else None,
        tax_total=_money(payment.tax, currency) if payment else None,
        total=_money(payment.total_amount, currency) if payment else None,
        fulfilled_by_platform=order.fulfillment_type == FULFILLED_BY_TIKTOK,
        raw=order_raw(order),
    )


# -- cancellations and returns -----------------------------------------------------------------------------


def _return_lines(items: list[dict[str, Any]]) -> tuple[ReturnLine, ...]:
    counts: dict[str, int] = {}
    for item in items:
        sku = str(item.get("seller_sku") or item.get("sku_id") or "")
        counts[sku] = counts.get(sku, 0) + 1
    # TikTok lists units; the order line they belong to is a group key only the order knows, so it is left out.
    return tuple(ReturnLine(sku=sku, quantity=count) for sku, count in counts.items())


def _refund(amount: RefundAmount | None) -> Money | None:
    if amount is None or amount.refund_total is None or not amount.currency:
        return None
    return Money(amount=amount.refund_total, currency=amount.currency)


def _require_order_id(order_id: str | None, record: str) -> str:
    if not order_id:
        raise ValueError(f"{record} names no order")
    return order_id


def cancellation_to_domain(cancel: Cancellation) -> Return:
    """A TikTok cancellation as a domain `Return` of kind CANCELLATION."""
    status = CANCEL_STATUSES.get(cancel.cancel_status or "")
    if status is None:
        raise ValueError(f"unknown cancellation status {cancel.cancel_status!r}")
    return Return(
        external_id=cancel.cancel_id,
        order_external_id=_require_order_id(cancel.order_id, "the cancellation"),
        kind=ReturnKind.CANCELLATION,
        status=status,
        lines=_return_lines(cancel.cancel_line_items),
        refund_total=_refund(cancel.refund_amount),
        updated_at=from_unix(cancel.update_time or cancel.create_time, "update_time"),
    )


def return_to_domain(record: ReturnOrder) -> Return:
    """A TikTok return, refund or replacement request as a domain `Return`."""
    status = RETURN_STATUSES.get(record.return_status or "")
    if status is None:
        raise ValueError(f"unknown return status {record.return_status!r}")
    kind = RETURN_KINDS.get(record.return_type or "")
    if kind is None:
        raise ValueError(f"unknown return type {record.return_type!r}")
    return Return(
        external_id=record.return_id,
        order_external_id=_require_order_id(record.order_id, "the return"),
        kind=kind,
        status=status,
        lines=_return_lines(record.return_line_items),
        refund_total=_refund(record.refund_amount),
        updated_at=from_unix(record.update_time or record.create_time, "update_time"),
    )


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
                price=_money(amount, price.currency) if price is not None and price.currency else None,
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


# -- order references --------------------------------------------------------------------------------------


def external_platform(store_platform: str) -> str:
    """TikTok's `platform` value for a store connector name (an OMS when TikTok has no name for it)."""
    known = STORE_PLATFORMS.get(store_platform.lower()) or store_platform.upper()
    return known if known in EXTERNAL_PLATFORMS else "ORDER_MANAGEMENT_SYSTEM"


def reference_lines(line_ids: Mapping[str, str], groups: Mapping[str, list[str]]) -> list[ExternalLineItemRef] | None:
    """TikTok unit line -> store line pairs for a reference; None when there are none or too many to send."""
    pairs = [
        ExternalLineItemRef(id=unit, origin_id=store_line)
        for line_id, store_line in line_ids.items()
        for unit in groups.get(line_id, [line_id])
    ]
    # Over TikTok's limit the reference goes without line items rather than with a misleading part of them.
    return pairs if 0 < len(pairs) <= MAX_REFERENCE_LINES else None
