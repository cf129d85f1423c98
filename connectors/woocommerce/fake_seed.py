"""Seed data for the emulator: the bundled sample store, REST-shaped seed files, and generated catalogs.

The files in `seed/` are copies of the WooCommerce REST API documentation's examples
(woocommerce/woocommerce-rest-api-docs, `source/includes/wp-api-v3/`: "List all products", "List all product
variations", "Retrieve an order"). The documentation's variations belong to a product that its product list
does not contain, so the sample store hangs them under the list's variable product.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from connectors.woocommerce.fake_catalog import Catalog
from connectors.woocommerce.fake_orders import OrderBook
from connectors.woocommerce.fake_shapes import product_doc, variation_doc

SEED_DIR = Path(__file__).parent / "seed"
_DATES = ("date_created", "date_created_gmt", "date_modified", "date_modified_gmt", "_links")


def _read(name: str) -> Any:
    return json.loads((SEED_DIR / name).read_text("utf-8"))


def default_seed(*, sellable: bool = True) -> dict[str, Any]:
    """The sample store; `sellable` gives SKU-less items a SKU and turns stock management on (the documentation's
    examples have neither, which leaves nothing to sync)."""
    products: list[dict[str, Any]] = _read("woo_v3_products_list.json")
    variations: list[dict[str, Any]] = _read("woo_v3_product_variations_list.json")
    order: dict[str, Any] = _read("woo_v3_order.json")
    variable = next(product for product in products if product["type"] == "variable")
    if sellable:
        for item in [*products, *variations]:
            item["sku"] = item["sku"] or f"WOO-{item['id']}"
            if item is not variable and item["manage_stock"] is False:
                item.update(manage_stock=True, stock_quantity=25, stock_status="instock")
    return {"products": products, "variations": {str(variable["id"]): variations}, "orders": [order]}


def load(catalog: Catalog, orders: OrderBook, seed: Mapping[str, Any]) -> None:
    """Load a seed: `{"products": [...], "variations": {"<parent id>": [...]}, "orders": [...]}`."""
    for raw in seed.get("products", []):
        doc = {key: value for key, value in raw.items() if key not in _DATES}
        catalog.insert_product(doc, *_times(catalog, raw))
    for parent_id, items in (seed.get("variations") or {}).items():
        for raw in items:
            doc = {key: value for key, value in raw.items() if key not in _DATES}
            doc["parent_id"] = int(parent_id)
            catalog.insert_variation(doc, *_times(catalog, raw))
    for raw in seed.get("orders", []):
        _load_order(orders, raw)


def _load_order(orders: OrderBook, raw: dict[str, Any]) -> None:
    """Store an order exactly as a fixture shows it (its stock is taken to be settled already)."""
    doc = {k: v for k, v in raw.items() if not k.startswith("date_") and k != "_links"}
    times = {
        field: orders.stamps.parse(raw[f"date_{field}_gmt"], gmt=True) if raw.get(f"date_{field}_gmt") else None
        for field in ("created", "modified", "paid", "completed")
    }
    stamp = times["modified"] or times["created"] or orders.stamps.next()
    times["created"] = times["created"] or stamp
    times["modified"] = stamp
    orders.orders[doc["id"]] = doc
    orders.times[doc["id"]] = times
    orders.notes[doc["id"]] = []
    orders.ids.observe(doc["id"])
    orders.stamps.observe(stamp)


def _times(catalog: Catalog, raw: Mapping[str, Any]) -> tuple[Any, Any]:
    created = raw.get("date_created_gmt")
    modified = raw.get("date_modified_gmt") or created
    if not modified:
        stamp = catalog.stamps.next()
        return stamp, stamp
    parsed_modified = catalog.stamps.parse(modified, gmt=True)
    return (catalog.stamps.parse(created, gmt=True) if created else parsed_modified), parsed_modified


def add_products(
    catalog: Catalog,
    count: int,
    variations_per_product: int,
    stock: int | None,
    spacing: timedelta,
    price: str,
    prefix: str,
) -> list[str]:
    """Generate `count` products (variable when `variations_per_product` > 0); returns their ids.

    Built from plain dicts without deep copies, so ten thousand variations take a fraction of a second.
    """
    added = []
    for _ in range(count):
        product_id = catalog.ids.next()
        stamp = catalog.stamps.next(spacing)
        if variations_per_product <= 0:
            doc = product_doc(product_id, f"Product {product_id}", "simple", f"{prefix}-{product_id}", price, stock)
            catalog.insert_product(doc, stamp, stamp)
        else:
            name = f"Variable product {product_id}"
            doc = product_doc(product_id, name, "variable", f"{prefix}-{product_id}", "", None)
            options = [f"Option {index + 1}" for index in range(variations_per_product)]
            doc["attributes"] = [
                {"id": 0, "name": "Option", "position": 0, "visible": True, "variation": True, "options": options}
            ]
            doc["price"] = price
            catalog.insert_product(doc, stamp, stamp)
            for index, option in enumerate(options):
                variation_id = catalog.ids.next()
                sku = f"{prefix}-{product_id}-{index + 1}"
                variation = variation_doc(variation_id, product_id, sku, price, stock, {"Option": option})
                catalog.insert_variation(variation, stamp, stamp)
        added.append(str(product_id))
    return added


__all__ = ["add_products", "default_seed", "load"]
