"""Stock: a full read of every SKU's quantity per warehouse, and writes with one inventory call per product."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from connectors.tiktok_shop import mapping
from connectors.tiktok_shop.models import InventoryQuantity, SkuInventoryUpdate
from connectors.tiktok_shop.sync.context import ShopContext
from connectors.tiktok_shop.sync.listings import products_with_skus
from connectors.tiktok_shop.sync.results import attempt, failure
from syncd.connector import Page, RejectedRecord, WriteResult, WriteStatus
from syncd.domain import StockLevel, StockUpdate
from syncd.errors import ApiError


def read_stock(context: ShopContext) -> Iterator[Page[StockLevel]]:
    """Available quantities page by page; only the last page carries a checkpoint, the read's start time."""
    started = str(int(context.clock.now().timestamp()))
    for page in context.shop.products.iter_search(None, page_size=context.settings.page_size):
        product_ids = [p.id for p in page.products if not mapping.is_deleted(p)]
        inventory = context.shop.products.search_inventory(product_ids=product_ids) if product_ids else []
        levels: list[StockLevel] = []
        rejected: list[RejectedRecord] = []
        for product in inventory:
            for sku in product.skus:
                try:
                    levels.extend(mapping.stock_levels(sku))
                except ValueError as exc:
                    rejected.append(RejectedRecord(key=sku.id, reason=str(exc)))
        yield Page(levels, checkpoint=None if page.has_next_page else started, rejected=rejected)


def write_stock(context: ShopContext, updates: Sequence[StockUpdate]) -> list[WriteResult]:
    """Set quantities, locating SKUs the engine gave no ids for by seller SKU; one result per update."""
    unknown = [u.sku for u in updates if not (u.product_external_id and u.variant_external_id)]
    found = attempt(lambda: products_with_skus(context, unknown)) if unknown else []
    located = {
        sku.seller_sku: (product.id, sku.id)
        for product in (found if isinstance(found, list) else [])
        for sku in product.skus
        if sku.seller_sku
    }
    default = attempt(context.default_warehouse_id) if any(not u.location_id for u in updates) else None
    results: dict[int, WriteResult] = {}
    by_product: dict[str, list[tuple[int, str, str]]] = {}
    for index, update in enumerate(updates):
        product_id, sku_id = located.get(update.sku, (None, None))
        product_id, sku_id = update.product_external_id or product_id, update.variant_external_id or sku_id
        warehouse_id = update.location_id or default
        if not (product_id and sku_id):
            missing = WriteResult.failed(update.sku, "the SKU is not listed on TikTok Shop")
            results[index] = failure(update.sku, found) if isinstance(found, ApiError) else missing
        elif isinstance(warehouse_id, ApiError):
            results[index] = failure(update.sku, warehouse_id)
        else:
            assert warehouse_id is not None  # fetched above whenever an update names no warehouse
            by_product.setdefault(product_id, []).append((index, sku_id, warehouse_id))
    for product_id, entries in by_product.items():
        results.update(_write_product_stock(context, product_id, entries, updates))
    return [results[index] for index in range(len(updates))]


def _write_product_stock(
    context: ShopContext, product_id: str, entries: list[tuple[int, str, str]], updates: Sequence[StockUpdate]
) -> list[tuple[int, WriteResult]]:
    quantities: dict[str, dict[str, int]] = {}
    for index, sku_id, warehouse_id in entries:
        quantities.setdefault(sku_id, {})[warehouse_id] = mapping.clamp_quantity(updates[index].quantity)
    skus = [
        SkuInventoryUpdate(id=sku_id, inventory=[InventoryQuantity(warehouse_id=w, quantity=q) for w, q in by.items()])
        for sku_id, by in quantities.items()
    ]
    try:
        outcome = context.shop.products.update_inventory(product_id, skus)
    except ApiError as exc:
        return [(index, failure(updates[index].sku, exc)) for index, _, _ in entries]
    by_item = {(o.key, o.warehouse_id): o for o in outcome.outcomes}
    results = []
    for index, sku_id, warehouse_id in entries:
        sku = updates[index].sku
        item = by_item.get((sku_id, warehouse_id))
        if item is None or item.ok:
            results.append((index, WriteResult(key=sku, status=WriteStatus.UPDATED, external_id=sku_id)))
        else:
            results.append((index, WriteResult.failed(sku, f"TikTok {item.code}: {item.message}")))
    return results
