"""Documents of the emulator's resources, shaped as the WooCommerce REST API returns them (dates and links are
added when rendered), and the stock-status rule they follow."""

from __future__ import annotations

import re
from typing import Any


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product"


def derive_stock_status(doc: dict[str, Any]) -> None:
    """`stock_status` from the quantity, for an item that manages stock."""
    if doc.get("manage_stock") is not True or doc.get("stock_quantity") is None:
        return
    if doc["stock_quantity"] > 0:
        doc["stock_status"] = "instock"
    else:
        doc["stock_status"] = "outofstock" if doc.get("backorders", "no") == "no" else "onbackorder"


def product_doc(product_id: int, name: str, kind: str, sku: str, price: str, stock: int | None) -> dict[str, Any]:
    """A product document as the REST API shows it (dates and links are added when rendered)."""
    slug = f"{_slug(name)}-{product_id}"
    doc: dict[str, Any] = {
        "id": product_id, "name": name, "slug": slug,
        "type": kind, "status": "publish", "featured": False, "catalog_visibility": "visible",
        "description": "", "short_description": "", "sku": sku,
        "price": price, "regular_price": price, "sale_price": "", "on_sale": False, "purchasable": True,
        "total_sales": 0, "virtual": False, "downloadable": False, "tax_status": "taxable", "tax_class": "",
        "manage_stock": stock is not None, "stock_quantity": stock, "stock_status": "instock",
        "backorders": "no", "backorders_allowed": False, "backordered": False, "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""}, "shipping_required": True,
        "categories": [], "tags": [], "images": [], "attributes": [], "default_attributes": [],
        "variations": [], "parent_id": 0, "menu_order": 0, "meta_data": [],
    }  # fmt: skip
    derive_stock_status(doc)
    return doc


def variation_doc(
    variation_id: int, parent_id: int, sku: str, price: str, stock: int | None, options: dict[str, str]
) -> dict[str, Any]:
    """A variation document; `stock` None means it does not manage stock."""
    doc: dict[str, Any] = {
        "id": variation_id, "parent_id": parent_id, "description": "", "sku": sku,
        "price": price, "regular_price": price, "sale_price": "", "on_sale": False, "status": "publish",
        "purchasable": True, "virtual": False, "downloadable": False, "tax_status": "taxable", "tax_class": "",
        "manage_stock": stock is not None, "stock_quantity": stock, "stock_status": "instock",
        "backorders": "no", "backorders_allowed": False, "backordered": False, "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""}, "image": None,
        "attributes": [{"id": 0, "name": name, "option": option} for name, option in options.items()],
        "menu_order": 0, "meta_data": [],
    }  # fmt: skip
    derive_stock_status(doc)
    return doc


ADDRESS_FIELDS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode")


def order_doc(
    order_id: int, order_key: str, currency: str, lines: list[dict[str, Any]], shipping: list[dict[str, Any]]
) -> dict[str, Any]:
    """A new, empty-addressed `pending` order document with these line items and shipping lines."""
    doc: dict[str, Any] = {
        "id": order_id, "parent_id": 0, "number": str(order_id), "order_key": order_key,
        "created_via": "rest-api", "version": "9.4.0", "status": "pending",
        "currency": currency, "prices_include_tax": False, "customer_id": 0,
        "customer_ip_address": "", "customer_user_agent": "", "customer_note": "",
        "billing": {**dict.fromkeys(ADDRESS_FIELDS, ""), "country": "", "email": "", "phone": ""},
        "shipping": {**dict.fromkeys(ADDRESS_FIELDS, ""), "country": "", "phone": ""},
        "payment_method": "", "payment_method_title": "", "transaction_id": "", "cart_hash": "",
        "meta_data": [], "line_items": lines, "tax_lines": [], "shipping_lines": shipping, "fee_lines": [],
        "coupon_lines": [], "refunds": [],
    }  # fmt: skip
    return doc
