"""Records rendered into the platform's response shapes (field names as in the 202309 API documentation)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connectors.tiktok_shop.fake.catalog import Catalog
from connectors.tiktok_shop.fake.state import Cancellation, LineItem, Order, Package, Product, Return, Sku

JSONish = dict[str, Any]

# The package status each order status implies for the packages that carry its items.
PACKAGE_STATUS_BY_ORDER = {
    "AWAITING_SHIPMENT": "TO_FULFILL",
    "PARTIALLY_SHIPPING": "TO_FULFILL",
    "AWAITING_COLLECTION": "PROCESSING",
    "IN_TRANSIT": "FULFILLING",
    "DELIVERED": "COMPLETED",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
}


def render_sku(sku: Sku) -> JSONish:
    """A SKU as product detail and search show it."""
    rendered: dict[str, Any] = {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "price": {"currency": sku.currency, "sale_price": sku.price, "tax_exclusive_price": sku.price},
        "inventory": [{"warehouse_id": w, "quantity": q} for w, q in sku.inventory.items()],
        "sales_attributes": [dict(a) for a in sku.sales_attributes],
        "external_sku_id": sku.external_sku_id,
    }
    if sku.list_price is not None:
        rendered["list_price"] = dict(sku.list_price)
    if sku.identifier_code is not None:
        rendered["identifier_code"] = dict(sku.identifier_code)
    return rendered


def render_product(product: Product, catalog: Catalog) -> JSONish:
    """Get Product's `data`."""
    brand = next((b for b in catalog.brands if b["id"] == product.brand_id), None)
    rendered: JSONish = {
        "id": product.id,
        "status": product.status,
        "title": product.title,
        "description": product.description,
        "category_chains": catalog.category_chain(product.category_id),
        "main_images": [_image(image) for image in product.main_images],
        "package_weight": dict(product.package_weight),
        "skus": [render_sku(sku) for sku in product.skus],
        "product_attributes": [dict(a) for a in product.product_attributes],
        "create_time": product.create_time,
        "update_time": product.update_time,
        "external_product_id": product.external_product_id,
        "is_cod_allowed": False,
        "is_not_for_sale": False,
        "audit": {"status": "AUDITING" if product.status == "PENDING" else "APPROVED"},
    }
    if brand is not None:
        rendered["brand"] = {"id": brand["id"], "name": brand["name"]}
    if product.package_dimensions is not None:
        rendered["package_dimensions"] = dict(product.package_dimensions)
    return rendered


def render_product_summary(product: Product, region: str) -> JSONish:
    """A product as Search Products lists it."""
    return {
        "id": product.id,
        "title": product.title,
        "status": product.status,
        "skus": [
            {key: value for key, value in render_sku(sku).items() if key in ("id", "seller_sku", "price", "inventory")}
            for sku in product.skus
        ],
        "sales_regions": [region],
        "create_time": product.create_time,
        "update_time": product.update_time,
        "is_not_for_sale": False,
        "listing_quality_tier": "GOOD",
        "audit": {"status": "AUDITING" if product.status == "PENDING" else "APPROVED"},
    }


def _image(image: dict[str, Any]) -> JSONish:
    uri = str(image.get("uri", ""))
    url = f"https://p16-oec-va.ibyteimg.com/{uri}~tplv-o3syd03w52-origin-jpeg.jpeg"
    return {"uri": uri, "urls": [url], "thumb_urls": [url], "width": 800, "height": 800}


def render_line_item(item: LineItem, package: Package | None, catalog: Catalog) -> JSONish:
    """An order line item (one unit)."""
    provider = catalog.provider(package.shipping_provider_id) if package is not None else None
    return {
        "id": item.id,
        "sku_id": item.sku_id,
        "product_id": item.product_id,
        "product_name": item.product_name,
        "seller_sku": item.seller_sku,
        "sku_name": item.sku_name,
        "sku_image": "",
        "sku_type": "NORMAL",
        "original_price": item.original_price,
        "sale_price": item.sale_price,
        "platform_discount": "0",
        "seller_discount": "0",
        "currency": item.currency,
        "display_status": item.display_status,
        "is_gift": False,
        "package_id": item.package_id,
        "package_status": package.status if package is not None else "",
        "tracking_number": package.tracking_number if package is not None else "",
        "shipping_provider_id": package.shipping_provider_id if package is not None else "",
        "shipping_provider_name": provider["name"] if provider else "",
        "cancel_reason": item.cancel_reason,
        "cancel_user": "SELLER" if item.cancelled else "",
    }


def render_order(order: Order, packages: dict[str, Package], catalog: Catalog) -> JSONish:
    """An order as Get Order List and Get Order Detail show it."""
    live = [item for item in order.line_items if not item.cancelled] or order.line_items
    sub_total = sum((_amount(item.sale_price) for item in live), Decimal(0))
    original = sum((_amount(item.original_price) for item in live), Decimal(0))
    shipping = _amount(order.shipping_fee)
    package_ids = list(dict.fromkeys(item.package_id for item in order.line_items if item.package_id))
    first = packages.get(package_ids[0]) if package_ids else None
    provider = catalog.provider(first.shipping_provider_id) if first is not None else None
    rendered: JSONish = {
        "id": order.id,
        "status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "user_id": order.user_id,
        "buyer_email": order.buyer_email,
        "buyer_message": order.buyer_message,
        "is_on_hold_order": order.is_on_hold_order,
        "is_cod": False,
        "is_sample_order": False,
        "shipping_type": order.shipping_type,
        "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "delivery_type": "HOME_DELIVERY",
        "delivery_option_id": order.delivery_option_id,
        "warehouse_id": order.warehouse_id,
        "payment": {
            "currency": order.currency,
            "sub_total": _money(sub_total),
            "shipping_fee": _money(shipping),
            "seller_discount": _money(original - sub_total),
            "platform_discount": "0.00",
            "original_total_product_price": _money(original),
            "original_shipping_fee": _money(shipping),
            "shipping_fee_seller_discount": "0.00",
            "shipping_fee_platform_discount": "0.00",
            "tax": "0.00",
            "total_amount": _money(sub_total + shipping),
        },
        "line_items": [render_line_item(item, packages.get(item.package_id), catalog) for item in order.line_items],
        "packages": [{"id": package_id} for package_id in package_ids],
        "tracking_number": first.tracking_number if first is not None else "",
        "shipping_provider_id": first.shipping_provider_id if first is not None else "",
        "shipping_provider": provider["name"] if provider else "",
        "cancel_reason": order.cancel_reason,
        "cancellation_initiator": order.cancellation_initiator,
    }
    if order.paid_time is not None:
        rendered["paid_time"] = order.paid_time
    if order.cancel_time is not None:
        rendered["cancel_time"] = order.cancel_time
    # The platform withholds the address until the order is paid and past its on-hold window.
    if order.status not in ("UNPAID", "ON_HOLD"):
        rendered["recipient_address"] = dict(order.recipient_address)
    return rendered


def render_package(package: Package, orders: Sequence[Order], catalog: Catalog) -> JSONish:
    """Get Package Detail's `data`; a combined package lists each of its orders."""
    provider = catalog.provider(package.shipping_provider_id)
    wanted = set(package.line_item_ids)
    rendered_orders = []
    for order in orders:
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        for item in order.line_items:
            if item.id in wanted:
                counts[item.sku_id] = counts.get(item.sku_id, 0) + 1
                names[item.sku_id] = item.sku_name
        skus = [{"id": sku, "name": names[sku], "image_url": "", "quantity": n} for sku, n in counts.items()]
        rendered_orders.append({"id": order.id, "skus": skus})
    return {
        "package_id": package.id,
        "orders": rendered_orders,
        "package_status": package.status,
        "tracking_number": package.tracking_number,
        "shipping_provider_id": package.shipping_provider_id,
        "shipping_provider_name": provider["name"] if provider else "",
        "shipping_type": orders[0].shipping_type if orders else "SELLER",
        "handover_method": package.handover_method,
        "order_line_item_ids": list(package.line_item_ids),
        "has_multi_skus": sum(len(o["skus"]) for o in rendered_orders) > 1,
        "split_and_combine_tag": "COMBINE" if len(orders) > 1 else "DEFAULT",
        "create_time": package.create_time,
        "update_time": package.update_time,
        "recipient_address": dict(orders[0].recipient_address) if orders else {},
    }


def render_cancellation(cancel: Cancellation, order: Order) -> JSONish:
    """A cancellation as Search Cancellations lists it."""
    items = [item for item in order.line_items if item.id in cancel.line_item_ids]
    total = sum((_amount(item.sale_price) for item in items), Decimal(0))
    return {
        "cancel_id": cancel.id,
        "order_id": cancel.order_id,
        "cancel_type": cancel.cancel_type,
        "cancel_status": cancel.status,
        "role": cancel.role,
        "cancel_reason": cancel.reason,
        "cancel_reason_text": cancel.reason,
        "create_time": cancel.create_time,
        "update_time": cancel.update_time,
        "refund_amount": {"currency": order.currency, "refund_total": _money(total), "refund_subtotal": _money(total)},
        "cancel_line_items": [
            {
                "cancel_line_item_id": f"{cancel.id}{index:02d}",
                "order_line_item_id": item.id,
                "sku_id": item.sku_id,
                "sku_name": item.sku_name,
                "product_name": item.product_name,
                "seller_sku": item.seller_sku,
                "refund_amount": {"currency": item.currency, "refund_total": item.sale_price},
            }
            for index, item in enumerate(items)
        ],
    }


def render_return(record: Return, order: Order) -> JSONish:
    """A return as Search Returns lists it."""
    items = [item for item in order.line_items if item.id in record.line_item_ids]
    total = sum((_amount(item.sale_price) for item in items), Decimal(0))
    return {
        "return_id": record.id,
        "order_id": record.order_id,
        "return_type": record.return_type,
        "return_status": record.status,
        "role": record.role,
        "return_reason": record.reason,
        "return_reason_text": record.reason,
        "create_time": record.create_time,
        "update_time": record.update_time,
        "refund_amount": {"currency": order.currency, "refund_total": _money(total), "refund_subtotal": _money(total)},
        "return_line_items": [
            {
                "return_line_item_id": f"{record.id}{index:02d}",
                "order_line_item_id": item.id,
                "sku_id": item.sku_id,
                "sku_name": item.sku_name,
                "product_name": item.product_name,
                "seller_sku": item.seller_sku,
                "refund_amount": {"currency": item.currency, "refund_total": item.sale_price},
            }
            for index, item in enumerate(items)
        ],
    }


def _amount(amount: str) -> Decimal:
    return Decimal(amount or "0")


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))
