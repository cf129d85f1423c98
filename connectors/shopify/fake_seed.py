"""Filling the emulator's shop: from REST-shaped JSON (Shopify's public sample payloads) or programmatically.

A seed document is `{"shop": {...}, "locations": [...], "products": [...], "inventory_levels": [...],
"orders": [...]}` with REST field names, or one of the REST fixtures as published (`{"product": {...}}`,
`{"inventory_levels": [...]}`, `{"order": {...}}`). A variant's `inventory_quantity` is stocked at the first
location unless the same document gives inventory levels for its item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.shopify.fake_state import (
    Fulfillment,
    Image,
    InventoryItem,
    Level,
    LineItem,
    Location,
    Order,
    Product,
    ShopData,
    Variant,
)

_STATUS = {"active": "ACTIVE", "draft": "DRAFT", "archived": "ARCHIVED", "unlisted": "UNLISTED"}
_FULFILLMENT_STATUS = {"success": "SUCCESS", "cancelled": "CANCELLED", "error": "ERROR", "failure": "FAILURE"}
_ADDRESS_FIELDS = ("first_name", "last_name", "company", "address1", "address2", "city", "zip", "phone")


def _time(value: Any, data: ShopData) -> datetime:
    if not value:
        return data.clock.tick()
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    data.clock.seen(parsed)
    return parsed


def _money(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _int_id(raw: Mapping[str, Any], data: ShopData) -> int:
    value = raw.get("id")
    if value is None:
        return data.new_id()
    number = int(value)
    data.reserve_ids(number)
    return number


def ensure_location(data: ShopData, location_id: int | None = None, name: str | None = None) -> Location:
    """The location with this id, created if missing (a fresh id when None)."""
    number = location_id if location_id is not None else data.new_id()
    data.reserve_ids(number)
    if number not in data.locations:
        data.locations[number] = Location(id=number, name=name or f"Location {number}")
    return data.locations[number]


def primary_location(data: ShopData) -> Location:
    """The first location by id; created when the shop has none."""
    if not data.locations:
        return ensure_location(data, name="Shop location")
    return data.locations[min(data.locations)]


def set_level(data: ShopData, item_id: int, location_id: int, available: int, when: datetime | None = None) -> Level:
    """Stock `item_id` at `location_id` with `available` units (creating the level if needed)."""
    when = when or data.clock.tick()
    level = data.levels.get((item_id, location_id))
    if level is None:
        level = Level(item_id=item_id, location_id=location_id, created_at=when, updated_at=when)
        data.levels[(item_id, location_id)] = level
    level.quantities["available"] = available
    level.updated_at = when
    return level


def load_document(data: ShopData, document: Mapping[str, Any]) -> None:
    """Load a seed document or one of the REST fixtures into `data`."""
    if "shop" in document:
        shop = document["shop"]
        data.shop.name = shop.get("name", data.shop.name)
        data.shop.currency = shop.get("currency", data.shop.currency)
    for location in document.get("locations", []):
        ensure_location(data, int(location["id"]), location.get("name"))
        data.locations[int(location["id"])].active = bool(location.get("active", True))
    products = list(document.get("products", [])) + ([document["product"]] if "product" in document else [])
    levels = list(document.get("inventory_levels", []))
    leveled = {int(level["inventory_item_id"]) for level in levels}
    for product in products:
        load_rest_product(data, product, stock_items=lambda item_id: item_id not in leveled)
    for level in levels:
        location = ensure_location(data, int(level["location_id"]))
        when = _time(level.get("updated_at"), data)
        set_level(data, int(level["inventory_item_id"]), location.id, int(level.get("available") or 0), when)
    orders = list(document.get("orders", [])) + ([document["order"]] if "order" in document else [])
    for order in orders:
        load_rest_order(data, order)


def load_rest_product(data: ShopData, raw: Mapping[str, Any], *, stock_items: Any = None) -> Product:
    """Add one REST-shaped product with its variants and images; returns it."""
    product_id = _int_id(raw, data)
    created = _time(raw.get("created_at"), data)
    tags = raw.get("tags") or ""
    option_names = [o.get("name", "") for o in raw.get("options", [])]
    product = Product(
        id=product_id,
        title=raw.get("title", f"Product {product_id}"),
        handle=raw.get("handle") or f"product-{product_id}",
        created_at=created,
        updated_at=_time(raw.get("updated_at") or raw.get("created_at"), data),
        description_html=raw.get("body_html") or "",
        vendor=raw.get("vendor") or "",
        product_type=raw.get("product_type") or "",
        tags=[t.strip() for t in (tags.split(",") if isinstance(tags, str) else tags) if t.strip()],
        status=_STATUS.get(str(raw.get("status", "active")).lower(), "ACTIVE"),
    )
    product.images = [Image(id=_int_id(i, data), url=i["src"], alt=i.get("alt")) for i in raw.get("images", [])]
    location = primary_location(data)
    for position, raw_variant in enumerate(raw.get("variants", []), start=1):
        variant = _load_rest_variant(data, product, raw_variant, position, option_names)
        if stock_items is None or stock_items(variant.inventory_item_id):
            set_level(data, variant.inventory_item_id, location.id, int(raw_variant.get("inventory_quantity") or 0))
    values: dict[str, list[str]] = {name: [] for name in option_names}
    for variant in data.variants_of(product):
        for name, value in variant.options:
            if value not in values.setdefault(name, []):
                values[name].append(value)
    product.options = list(values.items())
    data.products[product.id] = product
    return product


def _load_rest_variant(
    data: ShopData, product: Product, raw: Mapping[str, Any], position: int, option_names: list[str]
) -> Variant:
    variant_id = _int_id(raw, data)
    # The published fixtures carry no inventory_item_id; they use the variant id for it.
    item_id = int(raw.get("inventory_item_id") or variant_id)
    data.reserve_ids(item_id)
    created = _time(raw.get("created_at"), data)
    updated = _time(raw.get("updated_at") or raw.get("created_at"), data)
    options = []
    for index, name in enumerate(option_names or ["Title"], start=1):
        value = raw.get(f"option{index}")
        if value is not None:
            options.append((name, str(value)))
    variant = Variant(
        id=variant_id,
        product_id=product.id,
        inventory_item_id=item_id,
        title=raw.get("title") or "Default Title",
        sku=raw.get("sku") or None,
        price=_money(raw.get("price")) or Decimal("0.00"),
        compare_at_price=_money(raw.get("compare_at_price")),
        barcode=raw.get("barcode") or None,
        position=position,
        created_at=created,
        updated_at=updated,
        options=options,
        image_id=raw.get("image_id"),
        inventory_policy="CONTINUE" if raw.get("inventory_policy") == "continue" else "DENY",
    )
    grams = raw.get("grams")
    data.items[item_id] = InventoryItem(
        id=item_id,
        variant_id=variant_id,
        created_at=created,
        updated_at=updated,
        tracked=raw.get("inventory_management", "shopify") is not None,
        weight_value=float(grams) if grams is not None else None,
    )
    data.variants[variant_id] = variant
    product.variant_ids.append(variant_id)
    return variant


def _address(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    address: dict[str, Any] = {key: raw.get(key) for key in _ADDRESS_FIELDS}
    address["province_code"] = raw.get("province_code")
    address["country_code"] = raw.get("country_code")
    return address


def load_rest_order(data: ShopData, raw: Mapping[str, Any]) -> Order:
    """Add one REST-shaped order with its lines and fulfilments; stock is not touched."""
    order_id = _int_id(raw, data)
    created = _time(raw.get("created_at"), data)
    order = Order(
        id=order_id,
        number=int(raw.get("order_number") or data.next_order_number()),
        currency=raw.get("currency") or data.shop.currency,
        created_at=created,
        updated_at=_time(raw.get("updated_at") or raw.get("created_at"), data),
        email=raw.get("email"),
        note=raw.get("note"),
        tags=[t.strip() for t in str(raw.get("tags") or "").split(",") if t.strip()],
        source_name=raw.get("source_name"),
        source_identifier=raw.get("source_identifier"),
        financial_status=str(raw.get("financial_status") or "paid").upper(),
        shipping_address=_address(raw.get("shipping_address")),
        billing_address=_address(raw.get("billing_address")),
        shipping_lines=[
            {"title": s.get("title", ""), "code": s.get("code"), "price": _money(s.get("price")) or Decimal(0)}
            for s in raw.get("shipping_lines", [])
        ],
        tax_lines=[_tax_line(t) for t in raw.get("tax_lines", [])],
        custom_attributes=[(a["name"], str(a.get("value", ""))) for a in raw.get("note_attributes", [])],
        cancelled_at=_time(raw["cancelled_at"], data) if raw.get("cancelled_at") else None,
        cancel_reason=str(raw["cancel_reason"]).upper() if raw.get("cancel_reason") else None,
    )
    order.line_items = [_line(data, line) for line in raw.get("line_items", [])]
    order.fulfillments = [_fulfillment(data, order, f) for f in raw.get("fulfillments", [])]
    data.orders[order.id] = order
    return order


def _tax_line(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {"title": raw.get("title", "Tax"), "rate": raw.get("rate"), "price": _money(raw.get("price")) or Decimal(0)}


def _line(data: ShopData, raw: Mapping[str, Any]) -> LineItem:
    variant_id = raw.get("variant_id")
    return LineItem(
        id=_int_id(raw, data),
        title=raw.get("title") or "",
        quantity=int(raw.get("quantity") or 1),
        price=_money(raw.get("price")) or Decimal(0),
        sku=raw.get("sku"),
        variant_id=int(variant_id) if variant_id is not None else None,
        tax_lines=[_tax_line(t) for t in raw.get("tax_lines", [])],
    )


def _fulfillment(data: ShopData, order: Order, raw: Mapping[str, Any]) -> Fulfillment:
    numbers = raw.get("tracking_numbers") or ([raw["tracking_number"]] if raw.get("tracking_number") else [])
    urls = raw.get("tracking_urls") or ([raw["tracking_url"]] if raw.get("tracking_url") else [])
    tracking = [(n, raw.get("tracking_company"), urls[i] if i < len(urls) else None) for i, n in enumerate(numbers)]
    return Fulfillment(
        id=_int_id(raw, data),
        order_id=order.id,
        created_at=_time(raw.get("created_at"), data),
        updated_at=_time(raw.get("updated_at") or raw.get("created_at"), data),
        status=_FULFILLMENT_STATUS.get(str(raw.get("status", "success")).lower(), "SUCCESS"),
        tracking=tracking,
        line_items=[(int(li["id"]), int(li.get("quantity") or 1)) for li in raw.get("line_items", [])],
    )


def add_products(
    data: ShopData,
    count: int,
    *,
    variants_per_product: int = 1,
    available: int = 10,
    locations: Iterable[int] | None = None,
    sku_prefix: str = "SKU",
    price: Decimal = Decimal("19.99"),
) -> list[Product]:
    """Add `count` products of `variants_per_product` variants each, stocked at `locations` (the primary one
    by default); built directly, so ten thousand variants take a fraction of a second."""
    where = list(locations) if locations is not None else [primary_location(data).id]
    added = []
    for _ in range(count):
        when = data.clock.tick()
        product_id = data.new_id()
        product = Product(
            id=product_id,
            title=f"Product {product_id}",
            handle=f"product-{product_id}",
            created_at=when,
            updated_at=when,
            vendor="Syncd Test",
            product_type="Widget",
            options=[("Size", [f"S{n}" for n in range(1, variants_per_product + 1)])],
        )
        for position in range(1, variants_per_product + 1):
            variant_id, item_id = data.new_id(), data.new_id()
            sku = f"{sku_prefix}-{product_id}-{position}"
            data.variants[variant_id] = Variant(
                id=variant_id,
                product_id=product_id,
                inventory_item_id=item_id,
                title=f"S{position}",
                sku=sku,
                price=price,
                position=position,
                created_at=when,
                updated_at=when,
                barcode=f"0{variant_id:012d}",
                options=[("Size", f"S{position}")],
            )
            data.items[item_id] = InventoryItem(
                id=item_id, variant_id=variant_id, created_at=when, updated_at=when, weight_value=250.0
            )
            product.variant_ids.append(variant_id)
            for location_id in where:
                data.levels[(item_id, location_id)] = Level(
                    item_id=item_id,
                    location_id=location_id,
                    created_at=when,
                    updated_at=when,
                    quantities={"available": available},
                )
        data.products[product_id] = product
        added.append(product)
    return added
