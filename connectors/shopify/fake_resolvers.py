"""Query-side resolvers of the emulator: the roots, and the computed fields of products and inventory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError

from connectors.shopify import fake_state as st
from connectors.shopify.fake_graphql import Info, ctx, global_id, lookup, resolver, search_connection, sort_key
from connectors.shopify.fake_search import Fields, parse_search

DEFAULT_COUNT_LIMIT = 10_000

PRODUCT_FIELDS: Fields = {
    "": lambda p: p.title,
    "id": lambda p: str(p.id),
    "title": lambda p: p.title,
    "tag": lambda p: p.tags,
    "status": lambda p: p.status,
    "vendor": lambda p: p.vendor,
    "product_type": lambda p: p.product_type,
    "created_at": lambda p: p.created_at,
    "updated_at": lambda p: p.updated_at,
    "sku": lambda p: [],  # replaced per request: needs the variant table
}
ORDER_FIELDS: Fields = {
    "": lambda o: o.name,
    "id": lambda o: str(o.id),
    "name": lambda o: o.name,
    "tag": lambda o: o.tags,
    "source_identifier": lambda o: o.source_identifier,
    "source_name": lambda o: o.source_name,
    "email": lambda o: o.email,
    "status": lambda o: "cancelled" if o.cancelled_at else "open",
    "created_at": lambda o: o.created_at,
    "updated_at": lambda o: o.updated_at,
}
LEVEL_FIELDS: Fields = {
    "updated_at": lambda lv: lv.updated_at,
    "created_at": lambda lv: lv.created_at,
    "inventory_item_id": lambda lv: str(lv.item_id),
    "location_id": lambda lv: str(lv.location_id),
}


def _data(info: Info) -> st.ShopData:
    return ctx(info).data


def _count(total: int, limit: int | None) -> dict[str, Any]:
    limit = DEFAULT_COUNT_LIMIT if limit is None else limit
    if total > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": total, "precision": "EXACT"}


def _product_fields(data: st.ShopData) -> Fields:
    fields = dict(PRODUCT_FIELDS)
    fields["sku"] = lambda p: [v.sku for v in data.variants_of(p) if v.sku]
    return fields


def _variant_fields(data: st.ShopData) -> Fields:
    return {
        "": lambda v: v.title,
        "id": lambda v: str(v.id),
        "sku": lambda v: v.sku,
        "barcode": lambda v: v.barcode,
        "title": lambda v: v.title,
        "product_id": lambda v: str(v.product_id),
        "updated_at": lambda v: v.updated_at,
        "inventory_item_id": lambda v: str(v.inventory_item_id),
    }


# -- roots ------------------------------------------------------------------------------------------------


@resolver("QueryRoot", "shop")
def _shop(_root: Any, info: Info) -> st.ShopInfo:
    return _data(info).shop


@resolver("Shop", "myshopifyDomain")
def _shop_domain(shop: st.ShopInfo, _info: Info) -> str:
    return shop.domain


@resolver("Shop", "currencyCode")
def _shop_currency(shop: st.ShopInfo, _info: Info) -> str:
    return shop.currency


@resolver("Shop", "ianaTimezone")
def _shop_timezone(shop: st.ShopInfo, _info: Info) -> str:
    return shop.timezone


@resolver("QueryRoot", "node")
def _node(_root: Any, info: Info, id: str) -> Any:
    return lookup(info, id)


@resolver("QueryRoot", "nodes")
def _nodes(_root: Any, info: Info, ids: list[str]) -> list[Any]:
    if len(ids) > 250:
        raise GraphQLError("The ids argument accepts at most 250 ids")
    return [lookup(info, value) for value in ids]


def _by_id(kind: str) -> Any:
    def resolve(_root: Any, info: Info, id: str | None = None) -> Any:
        return lookup(info, id, kind) if id is not None else None

    return resolve


for _kind, _field in (
    ("Product", "product"),
    ("ProductVariant", "productVariant"),
    ("InventoryItem", "inventoryItem"),
    ("InventoryLevel", "inventoryLevel"),
    ("Location", "location"),
    ("Order", "order"),
):
    resolver("QueryRoot", _field)(_by_id(_kind))


@resolver("QueryRoot", "products")
def _products(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    fields = _product_fields(data)
    return search_connection(info, data.products.values(), fields, args, sort_key(args.get("sortKey")))


@resolver("QueryRoot", "productsCount")
def _products_count(_root: Any, info: Info, query: str | None = None, limit: int | None = None) -> Any:
    data = _data(info)
    return _count(_matching(data.products.values(), _product_fields(data), query), limit)


def _matching(records: Iterable[Any], fields: Fields, query: str | None) -> int:
    search = parse_search(query, fields)
    return sum(1 for record in records if search.matches(record, fields))


@resolver("QueryRoot", "productVariants")
def _product_variants(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    key = sort_key(args.get("sortKey"))
    return search_connection(info, data.variants.values(), _variant_fields(data), args, key)


@resolver("QueryRoot", "inventoryItems")
def _inventory_items(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    fields: Fields = {
        "id": lambda i: str(i.id),
        "sku": lambda i: data.variants[i.variant_id].sku,
        "updated_at": lambda i: i.updated_at,
        "created_at": lambda i: i.created_at,
    }
    return search_connection(info, data.items.values(), fields, args, lambda i: (i.id,))


@resolver("QueryRoot", "locations")
def _locations(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    records = [loc for loc in _data(info).locations.values() if loc.active or args.get("includeInactive")]
    fields: Fields = {"": lambda loc: loc.name, "name": lambda loc: loc.name, "id": lambda loc: str(loc.id)}
    return search_connection(info, records, fields, args, lambda loc: (loc.id,))


@resolver("QueryRoot", "orders")
def _orders(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    return search_connection(info, _data(info).orders.values(), ORDER_FIELDS, args, sort_key(args.get("sortKey")))


@resolver("QueryRoot", "ordersCount")
def _orders_count(_root: Any, info: Info, query: str | None = None, limit: int | None = None) -> Any:
    return _count(_matching(_data(info).orders.values(), ORDER_FIELDS, query), limit)


@resolver("QueryRoot", "currentBulkOperation")
def _current_bulk(_root: Any, info: Info, type: str = "QUERY") -> Any:
    return ctx(info).services.current_bulk_operation(type)


@resolver("QueryRoot", "webhookSubscriptions")
def _webhook_subscriptions(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    topics = set(args.get("topics") or [])
    records = [s for s in ctx(info).services.webhook_subscriptions() if not topics or s.topic in topics]
    return search_connection(info, records, {}, args, lambda s: (s.id,))


# -- products ---------------------------------------------------------------------------------------------


@resolver("Product", "options")
def _options(product: st.Product, _info: Info, first: int | None = None) -> list[dict[str, Any]]:
    options = [
        {"id": st.gid("ProductOption", product.id * 10 + n), "name": name, "position": n, "values": values}
        for n, (name, values) in enumerate(product.options, start=1)
    ]
    return options[:first] if first is not None else options


@resolver("Product", "media")
def _media(product: st.Product, info: Info, **args: Any) -> dict[str, Any]:
    positions = {image.id: n for n, image in enumerate(product.images)}
    return search_connection(info, product.images, {}, args, lambda image: (positions[image.id],))


@resolver("Product", "variants")
def _variants(product: st.Product, info: Info, **args: Any) -> dict[str, Any]:
    return search_connection(info, _data(info).variants_of(product), {}, args, lambda v: (v.position, v.id))


@resolver("Product", "variantsCount")
def _variants_count(product: st.Product, _info: Info) -> dict[str, Any]:
    return _count(len(product.variant_ids), None)


@resolver("Product", "totalInventory")
def _total_inventory(product: st.Product, info: Info) -> int:
    data = _data(info)
    return sum(_available(data, variant) for variant in data.variants_of(product))


def _available(data: st.ShopData, variant: st.Variant) -> int:
    return sum(level.quantity("available") for level in data.levels_of_item(variant.inventory_item_id))


@resolver("MediaImage", "mediaContentType")
def _media_type(_image: st.Image, _info: Info) -> str:
    return "IMAGE"


@resolver("MediaImage", "image")
def _media_image(image: st.Image, _info: Info) -> dict[str, Any]:
    return {"id": st.gid("ProductImage", image.id), "url": image.url, "altText": image.alt}


@resolver("ProductVariant", "displayName")
def _display_name(variant: st.Variant, info: Info) -> str:
    return f"{_data(info).products[variant.product_id].title} - {variant.title}"


@resolver("ProductVariant", "selectedOptions")
def _selected_options(variant: st.Variant, _info: Info) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in variant.options]


@resolver("ProductVariant", "image")
def _variant_image(variant: st.Variant, info: Info) -> dict[str, Any] | None:
    product = _data(info).products[variant.product_id]
    image = next((i for i in product.images if i.id == variant.image_id), None)
    return _media_image(image, info) if image is not None else None


@resolver("ProductVariant", "inventoryItem")
def _variant_item(variant: st.Variant, info: Info) -> st.InventoryItem:
    return _data(info).items[variant.inventory_item_id]


@resolver("ProductVariant", "inventoryQuantity")
def _variant_quantity(variant: st.Variant, info: Info) -> int:
    return _available(_data(info), variant)


@resolver("ProductVariant", "product")
def _variant_product(variant: st.Variant, info: Info) -> st.Product:
    return _data(info).products[variant.product_id]


# -- inventory --------------------------------------------------------------------------------------------


@resolver("InventoryItem", "sku")
def _item_sku(item: st.InventoryItem, info: Info) -> str | None:
    return _data(info).variants[item.variant_id].sku


@resolver("InventoryItem", "requiresShipping")
def _requires_shipping(_item: st.InventoryItem, _info: Info) -> bool:
    return True


@resolver("InventoryItem", "variant")
def _item_variant(item: st.InventoryItem, info: Info) -> st.Variant:
    return _data(info).variants[item.variant_id]


@resolver("InventoryItem", "measurement")
def _measurement(item: st.InventoryItem, _info: Info) -> dict[str, Any]:
    weight = {"unit": item.weight_unit, "value": item.weight_value} if item.weight_value is not None else None
    return {"id": st.gid("InventoryItemMeasurement", item.id), "weight": weight}


@resolver("InventoryItem", "inventoryLevel")
def _item_level(item: st.InventoryItem, info: Info, locationId: str) -> st.Level | None:
    location = st.parse_gid(locationId, "Location")
    return _data(info).levels.get((item.id, location)) if location is not None else None


@resolver("InventoryItem", "inventoryLevels")
def _item_levels(item: st.InventoryItem, info: Info, **args: Any) -> dict[str, Any]:
    levels = _data(info).levels_of_item(item.id)
    return search_connection(info, levels, LEVEL_FIELDS, args, lambda lv: (lv.location_id,))


@resolver("InventoryLevel", "item")
def _level_item(level: st.Level, info: Info) -> st.InventoryItem:
    return _data(info).items[level.item_id]


@resolver("InventoryLevel", "location")
def _level_location(level: st.Level, info: Info) -> st.Location:
    return _data(info).locations[level.location_id]


@resolver("InventoryLevel", "quantities")
def _quantities(level: st.Level, _info: Info, names: list[str]) -> list[dict[str, Any]]:
    unknown = [name for name in names if name not in st.QUANTITY_NAMES]
    if unknown:
        raise GraphQLError(f"Invalid quantity name(s): {', '.join(unknown)}")
    return [
        {
            "id": f"{global_id(level)}&name={name}",
            "name": name,
            "quantity": level.quantity(name),
            "updatedAt": level.updated_at,
        }
        for name in names
    ]


@resolver("Location", "isActive")
def _is_active(location: st.Location, _info: Info) -> bool:
    return location.active


@resolver("Location", "fulfillsOnlineOrders")
def _fulfills_online(_location: st.Location, _info: Info) -> bool:
    return True


@resolver("Location", "inventoryLevel")
def _location_level(location: st.Location, info: Info, inventoryItemId: str) -> st.Level | None:
    item = st.parse_gid(inventoryItemId, "InventoryItem")
    return _data(info).levels.get((item, location.id)) if item is not None else None


@resolver("Location", "inventoryLevels")
def _location_levels(location: st.Location, info: Info, **args: Any) -> dict[str, Any]:
    levels = _data(info).levels_at(location.id)
    return search_connection(info, levels, LEVEL_FIELDS, args, lambda lv: (lv.item_id,))
